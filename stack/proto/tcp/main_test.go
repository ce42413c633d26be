package tcp

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no goroutine outlives the tests (the fuzz targets'
// hang watchdog uses a timer).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
