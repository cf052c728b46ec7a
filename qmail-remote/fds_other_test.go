//go:build !linux

package main

func addWays(map[string]func()) {}
