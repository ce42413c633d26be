# sockstack: make demo runs the main job, make test runs every test.
GO ?= go

.PHONY: demo test vet fuzz race allocs benchcheck bench

demo:
	$(GO) run ./cmd/sockstack demo

# test: what CI runs (.ci/run runs exactly `make test`).
test: vet race allocs benchcheck fuzz

vet:
	test -z "$$(gofmt -l . | tee /dev/stderr)"
	$(GO) vet ./...

race:
	$(GO) test -race -count=1 -timeout 20m ./...

# allocs: the allocation tests, which the race detector would distort.
allocs:
	$(GO) test -count=1 -run 'Alloc' ./...

# benchcheck: the nested benchmark modules (sockstack beside gVisor) build,
# vet and pass their own tests, which check each workload moves real data.
benchcheck:
	cd bench/wire && $(GO) vet ./... && $(GO) test -count=1 ./...
	cd bench/netstack && $(GO) vet ./... && $(GO) test -count=1 ./...

# bench: the side-by-side table of sockstack, gVisor and Linux.
bench:
	cd bench/netstack && $(GO) run ./cmd/netbench

# fuzz: every fuzz target for a few seconds each (the corpora under testdata
# are replayed by the plain test run too).
fuzz:
	./scripts/fuzz-all.sh 5s
