// Package doc holds the documents the code, the tests and the man pages
// cite (behaviour.md, pipeline.md, ucspi-tls.md) and the test that keeps
// every citation pointing at one of them. It has no code of its own.
package doc
