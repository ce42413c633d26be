package resolv

import (
	"os"
	"strings"
)

// dbLines reads a files-backend database and returns its lines with the
// comment removed (the text from the first '#'), the trailing newline
// dropped and leading whitespace skipped; blank lines are left out. This is
// the line discipline of glibc's nss_files for hosts(5), services(5) and
// protocols(5): "text from a '#' to the end of the line is a comment".
func dbLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return splitDB(string(b)), nil
}

func splitDB(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimLeftFunc(stripComment(line), func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// cutField takes the text up to the first whitespace character and skips
// the whitespace after it, as nss_files' STRING_FIELD does.
func cutField(s string) (field, rest string) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeftFunc(s[i:], func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
}

// strtoul reads an unsigned decimal number as strtoul(3) with base 10
// does: optional leading whitespace and sign, then digits; a negative
// number wraps modulo 2^64. ok is false when no digits were read.
func strtoul(s string) (v uint64, rest string, ok bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	overflow := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if v > (^uint64(0)-d)/10 {
			overflow = true
		}
		v = v*10 + d
		i++
	}
	if i == start {
		return 0, s, false
	}
	if overflow {
		v = ^uint64(0)
	} else if neg {
		v = -v
	}
	return v, s[i:], true
}
