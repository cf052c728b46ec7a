//go:build !linux || portable

package main

func addWays(map[string]func()) {}
