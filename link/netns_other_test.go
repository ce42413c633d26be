//go:build !linux

package link

func sweepStaleNetns() {}
