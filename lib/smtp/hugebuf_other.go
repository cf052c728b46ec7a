//go:build !linux || portable

package smtp

// chunkBuffer returns an empty slice of capacity n, for a BDAT chunk,
// and nil: the garbage collector gives its memory back.
func chunkBuffer(n int) ([]byte, func()) { return make([]byte, 0, n), nil }
