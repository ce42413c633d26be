package wire

import "errors"

// Sentinel errors shared by every format in this package. Parse and Encode
// functions wrap them with context (fmt.Errorf with %w), so callers test the
// failure class with errors.Is.
var (
	// ErrTruncated reports a buffer shorter than the format requires.
	ErrTruncated = errors.New("wire: truncated")
	// ErrBadLength reports a length field inconsistent with the buffer or
	// with the format's rules.
	ErrBadLength = errors.New("wire: bad length")
	// ErrBadVersion reports an unexpected version field.
	ErrBadVersion = errors.New("wire: bad version")
	// ErrBadHeaderLength reports a header length field out of range.
	ErrBadHeaderLength = errors.New("wire: bad header length")
	// ErrBadOption reports a malformed option.
	ErrBadOption = errors.New("wire: bad option")
	// ErrBadChecksum reports a checksum that does not verify.
	ErrBadChecksum = errors.New("wire: bad checksum")
	// ErrUnsupported reports a well-formed packet of a kind this package
	// does not handle.
	ErrUnsupported = errors.New("wire: unsupported")
)
