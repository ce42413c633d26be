# sockstack: make demo runs the main job, make test runs every test.
GO ?= go

.PHONY: demo test vet fuzz race allocs

demo:
	$(GO) run ./cmd/sockstack demo

# test: what CI runs (.ci/run runs exactly `make test`).
test: vet race allocs fuzz

vet:
	test -z "$$(gofmt -l . | tee /dev/stderr)"
	$(GO) vet ./...

race:
	$(GO) test -race -count=1 -timeout 20m ./...

# allocs: the allocation tests, which the race detector would distort.
allocs:
	$(GO) test -count=1 -run 'Alloc' ./...

# fuzz: every fuzz target for a few seconds each (the corpora under testdata
# are replayed by the plain test run too).
fuzz:
	./scripts/fuzz-all.sh 5s
