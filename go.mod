module qmail-remote-go

go 1.26

// Since Go 1.25 the runtime opens the cgroup CPU files at start-up and
// keeps them at the lowest free descriptors; a stage started with fd 3
// (or 6, 7, 9) not inherited would then read or write a cgroup file
// where it expects its pipe or socket. Every program here is
// sequential or nearly so: GOMAXPROCS need not follow the cgroup.
godebug containermaxprocs=0
