package archtest

import (
	"path"
	"strings"
)

// rule says which of the module's packages a package may import. Patterns
// are import paths relative to the module root; "x/..." matches x and
// everything under it.
type rule struct {
	pkg   string   // the package pattern the rule is for
	allow []string // patterns of module packages it may import
}

// rules is docs/ARCHITECTURE.md's import table. The first rule whose pkg
// matches applies; a module package that no rule matches is an error, so a
// new package must be placed in the architecture before it can land.
func rules() []rule {
	// The leaf packages may be imported by anything.
	with := func(p ...string) []string { return append(p, "seqnum", "buf", "clock") }
	return []rule{
		{"seqnum", nil},
		{"buf", nil},
		{"clock", nil},
		{"sock", nil},
		{"wire", with()},
		{"link/...", with("wire", "link/...")},
		{"kernel", with("sock")},
		// Protocol packages take time as an argument and never import
		// the stack or each other.
		{"stack/proto/...", with("wire", "sock")},
		{"stack/...", with("wire", "sock", "link/...", "stack/...")},
		{"netconn", with("sock")},
		{"vnet", with("sock", "wire", "link/...", "stack")},
		{"resolv/...", with("sock", "wire", "resolv/...")},
		{"apps/...", with("sock", "wire", "resolv/...", "netconn", "apps/...")},
		{"conformance", with("sock", "wire")},
		{"archtest", nil},
		{"cmd/...", []string{"..."}},
		{"interop", []string{"..."}}, // tests only
	}
}

// match reports whether the module-relative path p matches pattern.
func match(pattern, p string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	m, _ := path.Match(pattern, p)
	return m
}

// check returns a message for each import of pkg that its rule forbids.
func check(pkg string, imports []string) []string {
	for _, r := range rules() {
		if !match(r.pkg, pkg) {
			continue
		}
		var bad []string
		for _, imp := range imports {
			if !allowed(r, pkg, imp) {
				bad = append(bad, pkg+" imports "+imp+", which docs/ARCHITECTURE.md forbids")
			}
		}
		// Protocol packages never import each other.
		if match("stack/proto/...", pkg) {
			for _, imp := range imports {
				if match("stack/proto/...", imp) {
					bad = append(bad, pkg+" imports protocol package "+imp)
				}
			}
		}
		return bad
	}
	return []string{pkg + " is not in docs/ARCHITECTURE.md's import rules (archtest/rules.go)"}
}

func allowed(r rule, pkg, imp string) bool {
	for _, a := range r.allow {
		if match(a, imp) {
			return true
		}
	}
	return false
}
