# podlint. "make test" is what CI runs (.ci/run).
GO          ?= go
BENCH_COUNT ?= 5
FUZZTIME    ?= 30s
# Pinned so "make bench" gives the same tables everywhere.
BENCHSTAT   ?= $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

.PHONY: all build test envtest-bins bench fuzz docs

all: build

## build: compile bin/podlint
build:
	$(GO) build -o bin/podlint ./cmd/podlint

## envtest-bins: build the real kube-apiserver and etcd the envtest tests start
envtest-bins:
	@if [ -x hack/build-envtest-bins.sh ]; then hack/build-envtest-bins.sh; \
	else echo "make: hack/build-envtest-bins.sh not found; envtest binaries not built"; fi

## test: vet and run every test with the race detector
test: envtest-bins
	$(GO) vet ./... && $(GO) test -race ./...

## bench: Go benchmarks (medians over BENCH_COUNT runs), then podlint's lint
## time next to decode-only time over ../shared/corpus
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./... | tee bench.out
	@echo
	@$(BENCHSTAT) bench.out || echo "make: benchstat unavailable; raw results are in bench.out"
	@echo
	@awk '\
	  /^Benchmark(Lint|Decode)Corpus/ { name = $$1; sub(/-[0-9]+$$/, "", name); \
	    for (i = 3; i < NF; i++) if ($$(i+1) == "ns/op") v[name] = v[name] " " $$i } \
	  function median(s,   a, n, i, j, t) { n = split(s, a, " "); \
	    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t } \
	    return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 } \
	  END { l = v["BenchmarkLintCorpus"]; d = v["BenchmarkDecodeCorpus"]; \
	    if (l == "" || d == "") { print "corpus benchmarks did not run (is ../shared/corpus present?)"; exit } \
	    lm = median(l); dm = median(d); \
	    printf "corpus: podlint lint %.1f ms, decode only %.1f ms, ratio %.2fx (budget 1.50x)\n", lm / 1e6, dm / 1e6, lm / dm }' bench.out

## fuzz: run every fuzz target for FUZZTIME each (not part of CI)
fuzz:
	@set -e; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for target in $$($(GO) test -list '^Fuzz' $$dir | grep '^Fuzz'); do \
	    echo "== $$dir $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$dir; \
	  done; \
	done

## docs: regenerate docs/checks.md from the check catalogue
docs:
	$(GO) generate ./lint/cli
