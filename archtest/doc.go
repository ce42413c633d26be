// Package archtest holds the test that keeps sockstack's layering true: it
// reads `go list -deps` and fails when a package imports across the rules
// of docs/ARCHITECTURE.md.
package archtest
