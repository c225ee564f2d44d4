# podlint. "make test" is what CI runs (.ci/run).
GO          ?= go
BENCH_COUNT ?= 6
FUZZTIME    ?= 30s
# Pinned so "make bench" gives the same tables everywhere.
BENCHSTAT   ?= $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

.PHONY: all build test envtest-bins bench fuzz docs

all: build

## build: compile bin/podlint, and bin/kubectl-podlint (the same binary under
## kubectl's plugin name, so that "kubectl podlint why ..." works with bin/ on PATH)
build:
	$(GO) build -o bin/podlint ./cmd/podlint
	cp bin/podlint bin/kubectl-podlint

## envtest-bins: build the real kube-apiserver and etcd the envtest tests start
envtest-bins:
	@if [ -x hack/build-envtest-bins.sh ]; then hack/build-envtest-bins.sh; \
	else echo "make: hack/build-envtest-bins.sh not found; envtest binaries not built"; fi

## test: vet and run every test with the race detector
test: envtest-bins
	$(GO) vet ./... && $(GO) test -race ./...

## bench: Go benchmarks (medians over BENCH_COUNT runs), then podlint's lint
## time next to decode-only time over ../shared/corpus (docs/benchmarks.md;
## hack/bench-cli.sh times the binary on the 20x stream)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./... | tee bench.out
	@echo
	@$(BENCHSTAT) bench.out || echo "make: benchstat unavailable; raw results are in bench.out"
	@echo
	@awk -f hack/bench-corpus.awk bench.out

## fuzz: run every fuzz target for FUZZTIME each (not part of CI)
fuzz:
	@set -e; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for target in $$($(GO) test -list '^Fuzz' $$dir | grep '^Fuzz'); do \
	    echo "== $$dir $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$dir; \
	  done; \
	done

## docs: regenerate docs/checks.md from the check catalogue and docs/causes.md
## from podlint why's rule table
docs:
	$(GO) generate ./lint/cli ./why/cli
