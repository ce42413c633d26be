package resolv

import "strconv"

// GaiError is a getaddrinfo(3)/getnameinfo(3) error code with glibc's
// numbers. It is a Go error; errors.Is compares codes.
type GaiError int

// The EAI_* codes of <netdb.h> (glibc values).
const (
	EAI_BADFLAGS    GaiError = -1   // invalid value for ai_flags
	EAI_NONAME      GaiError = -2   // NAME or SERVICE is unknown
	EAI_AGAIN       GaiError = -3   // temporary failure in name resolution
	EAI_FAIL        GaiError = -4   // non-recoverable failure in name resolution
	EAI_NODATA      GaiError = -5   // no address associated with NAME
	EAI_FAMILY      GaiError = -6   // ai_family not supported
	EAI_SOCKTYPE    GaiError = -7   // ai_socktype not supported
	EAI_SERVICE     GaiError = -8   // SERVICE not supported for ai_socktype
	EAI_ADDRFAMILY  GaiError = -9   // address family for NAME not supported
	EAI_MEMORY      GaiError = -10  // memory allocation failure
	EAI_SYSTEM      GaiError = -11  // system error returned in errno
	EAI_OVERFLOW    GaiError = -12  // argument buffer overflow
	EAI_INPROGRESS  GaiError = -100 // processing request in progress
	EAI_CANCELED    GaiError = -101 // request canceled
	EAI_NOTCANCELED GaiError = -102 // request not canceled
	EAI_ALLDONE     GaiError = -103 // all requests done
	EAI_INTR        GaiError = -104 // interrupted by a signal
	EAI_IDN_ENCODE  GaiError = -105 // IDN encoding failed
)

// gaiMessages are glibc's gai_strerror texts.
var gaiMessages = map[GaiError]string{
	EAI_ADDRFAMILY:  "Address family for hostname not supported",
	EAI_AGAIN:       "Temporary failure in name resolution",
	EAI_BADFLAGS:    "Bad value for ai_flags",
	EAI_FAIL:        "Non-recoverable failure in name resolution",
	EAI_FAMILY:      "ai_family not supported",
	EAI_MEMORY:      "Memory allocation failure",
	EAI_NODATA:      "No address associated with hostname",
	EAI_NONAME:      "Name or service not known",
	EAI_SERVICE:     "Servname not supported for ai_socktype",
	EAI_SOCKTYPE:    "ai_socktype not supported",
	EAI_SYSTEM:      "System error",
	EAI_INPROGRESS:  "Processing request in progress",
	EAI_CANCELED:    "Request canceled",
	EAI_NOTCANCELED: "Request not canceled",
	EAI_ALLDONE:     "All requests done",
	EAI_INTR:        "Interrupted by a signal",
	EAI_IDN_ENCODE:  "Parameter string not correctly encoded",
}

// GaiStrerror returns the text glibc's gai_strerror(3) gives for code;
// glibc has no text for EAI_OVERFLOW and says "Unknown error".
func GaiStrerror(code int) string {
	if m, ok := gaiMessages[GaiError(code)]; ok {
		return m
	}
	return "Unknown error"
}

// Error returns GaiStrerror's text.
func (e GaiError) Error() string { return GaiStrerror(int(e)) }

// HError is an h_errno value of gethostbyname(3).
type HError int

// The h_errno values of <netdb.h>.
const (
	HOST_NOT_FOUND HError = 1 // "The specified host is unknown."
	TRY_AGAIN      HError = 2 // "A temporary error occurred on an authoritative name server."
	NO_RECOVERY    HError = 3 // "A nonrecoverable name server error occurred."
	NO_DATA        HError = 4 // "The requested name is valid but does not have an IP address."
)

// Error returns glibc's hstrerror(3) text.
func (e HError) Error() string {
	switch e {
	case HOST_NOT_FOUND:
		return "Unknown host"
	case TRY_AGAIN:
		return "Host name lookup failure"
	case NO_RECOVERY:
		return "Unknown server error"
	case NO_DATA:
		return "No address associated with name"
	}
	return "Resolver internal error " + strconv.Itoa(int(e))
}
