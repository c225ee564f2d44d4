# podlint. "make test" is what CI runs (.ci/run).
GO          ?= go
BENCH_COUNT ?= 6
FUZZTIME    ?= 30s
# Where "make build" puts the binaries.
BINDIR      ?= bin
# Version stamped by "make release" (default: git describe, else dev), and
# its targets, e.g. PLATFORMS=linux/amd64,darwin/arm64 (default: linux,
# darwin and windows on amd64 and arm64).
VERSION     ?=
PLATFORMS   ?=
# Pinned so "make bench" gives the same tables everywhere.
BENCHSTAT   ?= $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

.PHONY: all build release test envtest-bins bench fuzz docs loadtest

all: build

## build: compile bin/podlint, and bin/kubectl-podlint (the same binary under
## the kubectl plugin name: "kubectl podlint" finds it on PATH)
build:
	$(GO) build -o $(BINDIR)/podlint ./cmd/podlint
	cp $(BINDIR)/podlint $(BINDIR)/kubectl-podlint

## release: cross-compile podlint, kubectl-podlint and podlint-webhook for
## linux, darwin and windows on amd64 and arm64 into dist/, with archives,
## SHA256SUMS and the krew manifest (hack/release)
release:
	$(GO) run ./hack/release -version "$(VERSION)" $(if $(PLATFORMS),-platforms "$(PLATFORMS)") -dist dist

## envtest-bins: build the real kube-apiserver and etcd the envtest tests start
envtest-bins:
	@if [ -x hack/build-envtest-bins.sh ]; then hack/build-envtest-bins.sh; \
	else echo "make: hack/build-envtest-bins.sh not found; envtest binaries not built"; fi

## test: vet and run every test with the race detector, then the
## peak-memory tests (Test*PeakMemory) without it: under -race they skip,
## since the detector multiplies memory use
test: envtest-bins
	$(GO) vet ./... && $(GO) test -race ./...
	$(GO) test -count=1 -run 'PeakMemory' $$(grep -rl --include='*_test.go' '^func Test[A-Za-z0-9_]*PeakMemory' . | xargs -n1 dirname | sort -u)

## bench: Go benchmarks (medians over BENCH_COUNT runs), then podlint's lint
## time next to decode-only time over ../shared/corpus (docs/benchmarks.md;
## hack/bench-cli.sh times the binary on the 20x stream)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./... | tee bench.out
	@echo
	@$(BENCHSTAT) bench.out || echo "make: benchstat unavailable; raw results are in bench.out"
	@echo
	@awk -f hack/bench-corpus.awk bench.out

## fuzz: run every fuzz target for FUZZTIME each (not part of CI); every
## target runs, and a target that fails, or a package that does not
## compile, fails the whole run with a list at the end
fuzz:
	@failed=""; \
	for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  if ! targets=$$($(GO) test -list '^Fuzz' $$dir); then \
	    echo "$$targets"; failed="$$failed $$dir"; continue; \
	  fi; \
	  for target in $$(echo "$$targets" | grep '^Fuzz'); do \
	    echo "== $$dir $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$dir || failed="$$failed $$dir:$$target"; \
	  done; \
	done; \
	if [ -n "$$failed" ]; then echo "make fuzz: FAILED:$$failed" >&2; exit 1; fi; \
	echo "make fuzz: every target ran for $(FUZZTIME) without a failure"

## loadtest: start the real kube-apiserver and etcd (bin/), load 5,000
## Nodes and 1,000 DaemonSets, run podlint-webhook against them and drive
## it at fixed rates directly over HTTPS and through the API server
## (hack/loadtest; LOADTEST_FLAGS="-rates 200,500,1000 -duration 30s")
LOADTEST_FLAGS ?=
loadtest:
	$(GO) run ./hack/loadtest -bin $(BINDIR) $(LOADTEST_FLAGS)

## docs: regenerate docs/checks.md from the check catalogue and docs/causes.md
## from podlint why's rule table
docs:
	$(GO) generate ./lint/cli ./why/cli
