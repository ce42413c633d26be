module sockstack/bench/netstack

go 1.26.3

require (
	golang.org/x/sys v0.49.0
	sockstack v0.0.0
)

require github.com/google/btree v1.1.2 // indirect

require (
	go.uber.org/goleak v1.3.0
	golang.org/x/exp v0.0.0-20250711185948-6ae5c78190dc // indirect
	golang.org/x/time v0.15.0 // indirect
	gvisor.dev/gvisor v0.0.0-20260905035102-160fafc42237
)

replace sockstack => ../..
