# sockstack: make demo runs the main job, make test runs every test.
GO ?= go

.PHONY: demo test vet fuzz race

demo:
	$(GO) run ./cmd/sockstack demo

# test: what CI runs (.ci/run runs exactly `make test`).
test: vet race fuzz

vet:
	test -z "$$(gofmt -l . | tee /dev/stderr)"
	$(GO) vet ./...

race:
	$(GO) test -race -count=1 -timeout 20m ./...

# fuzz: every fuzz target for a few seconds each (the corpora under testdata
# are replayed by the plain test run too).
fuzz:
	./scripts/fuzz-all.sh 5s
