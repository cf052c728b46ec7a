//go:build linux && !portable

package smtp

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 (and arm64 4K-granule) huge page.
const hugePage = 2 << 20

// chunkBuffer returns an empty slice of capacity n, for a BDAT chunk,
// and what gives its memory back (nil: the garbage collector's).
// Chosen for speed (make bench, the 100 MB rows): from n = 1 MiB it is
// one transparent huge page of its own (madvise MADV_HUGEPAGE), so
// filling it costs one page fault instead of 256 or more, each about
// 15 us on the bench's virtual machine (4 ms on the way of the first
// megabyte; 3-9% of a 100 MB delivery in paired runs). Where the kernel
// gives no huge page, it is ordinary pages of the same mapping; where
// the mapping fails, make.
func chunkBuffer(n int) ([]byte, func()) {
	if n < 1<<20 || n > hugePage {
		return make([]byte, 0, n), nil
	}
	// Twice the size, to cut a 2 MiB-aligned page out of it; the rest is
	// never touched, so it is address space, not memory.
	m, err := syscall.Mmap(-1, 0, 2*hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]byte, 0, n), nil
	}
	off := (hugePage - int(uintptr(unsafe.Pointer(&m[0]))%hugePage)) % hugePage
	b := m[off : off+hugePage : off+hugePage]
	syscall.Madvise(b, syscall.MADV_HUGEPAGE) // without THP the pages are small
	return b[:0:n], func() { syscall.Munmap(m) }
}
