package conformance

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// recorder is a T that records failures instead of reporting them, for
// cases a provider is known not to pass yet.
type recorder struct {
	*testing.T // Helper, Name, TempDir, Log, Logf, Cleanup pass through

	mu       sync.Mutex
	failed   bool
	messages []string
}

func (r *recorder) fail(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.messages = append(r.messages, msg)
}

func (r *recorder) Error(args ...any)                 { r.fail(fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) { r.fail(fmt.Sprintf(format, args...)) }
func (r *recorder) Fatal(args ...any)                 { r.fail(fmt.Sprint(args...)); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) {
	r.fail(fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (r *recorder) Skip(args ...any)                 { r.fail("skipped: " + fmt.Sprint(args...)); runtime.Goexit() }
func (r *recorder) Skipf(format string, args ...any) { r.Skip(fmt.Sprintf(format, args...)) }
func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// runExpectedFailure runs c on a recorder. It reports whether the case
// failed, and the failure messages.
func runExpectedFailure(t *testing.T, c Case, e *Env) (failed bool, messages []string) {
	r := &recorder{T: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				r.fail(fmt.Sprintf("panic: %v", p))
			}
		}()
		c.Run(r, e)
	}()
	<-done
	return r.Failed(), r.messages
}
