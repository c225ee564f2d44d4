# bench-corpus.awk: the corpus lines of `make bench`, podlint next to
# decode-only. Reads `go test -bench` output; prints the median of every
# metric for BenchmarkDecodeCorpus and BenchmarkLintCorpus, the ratio, and
# whether podlint stays within the 1.5x budget (wall and CPU time).
/^Benchmark(Lint|Decode)Corpus(-[0-9]+)?[ \t]/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	runs[name]++
	for (i = 3; i < NF; i += 2) {
		unit = $(i + 1)
		v[name, unit] = v[name, unit] " " $i
		units[unit] = 1
	}
}

function median(s,   a, n, i, j, t) {
	n = split(s, a, " ")
	if (n == 0)
		return ""
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

function row(label, unit, scale, digits,   d, l) {
	d = median(v["BenchmarkDecodeCorpus", unit])
	l = median(v["BenchmarkLintCorpus", unit])
	if (d == "" || l == "")
		return
	printf "%-14s %14." digits "f %14." digits "f %8.2fx\n", label, d / scale, l / scale, (d > 0 ? l / d : 0)
	ratio[unit] = d > 0 ? l / d : 0
}

END {
	d = runs["BenchmarkDecodeCorpus"]; l = runs["BenchmarkLintCorpus"]
	if (!d || !l) {
		print "corpus benchmarks did not run (is ../shared/corpus present?)"
		exit
	}
	printf "corpus, medians of %d (decode only) and %d (podlint) runs\n", d, l
	printf "%-14s %14s %14s %9s\n", "", "decode only", "podlint", "ratio"
	row("wall ms/op", "ns/op", 1e6, 0)
	row("cpu ms/op", "cpu-ms/op", 1, 0)
	row("MB/op", "B/op", 1e6, 1)
	row("allocs/op", "allocs/op", 1, 0)
	verdict = (ratio["ns/op"] <= 1.5 && (!("cpu-ms/op" in ratio) || ratio["cpu-ms/op"] <= 1.5)) ? "within" : "OVER"
	printf "podlint is %s the 1.50x budget of decode-only time\n", verdict
}
