package traceroute

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"sockstack/apps/ping/netnslab"
)

// nsPrefix names the namespaces these tests create.
const nsPrefix = "sockstack-tr"

func TestMain(m *testing.M) {
	if os.Geteuid() == 0 {
		netnslab.Sweep(nsPrefix)
	}
	goleak.VerifyTestMain(m)
}
