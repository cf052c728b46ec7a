module qmail-remote-go

go 1.26
