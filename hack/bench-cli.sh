#!/usr/bin/env bash
# bench-cli.sh: time the podlint binary on the corpus the way the corpus
# README timed the other tools: every corpus file concatenated into one
# stream (1x, about 3,300 objects) and that stream repeated 20 times (20x,
# about 65,000 objects), medians of RUNS runs, with peak RSS from
# /usr/bin/time. Usage: [PODLINT=bin] [CORPUS=dir] hack/bench-cli.sh [RUNS]
# (default 3 runs).
set -euo pipefail

runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS:-$root/../shared/corpus/files}
if [ ! -d "$corpus" ]; then
	echo "bench-cli: corpus not present at $corpus; nothing to measure"
	exit 0
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench-cli: /usr/bin/time is needed for peak memory (apt-get install time)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# PODLINT names a prebuilt binary; by default the working tree is built.
podlint=${PODLINT:-$tmp/podlint}
if [ -z "${PODLINT:-}" ]; then
	go build -o "$podlint" "$root/cmd/podlint"
fi

# The same files podlint reads from the directory, in the same order.
(cd "$corpus" && find . -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | LC_ALL=C sort |
	while IFS= read -r f; do printf -- '---\n'; cat "$f"; printf '\n'; done) >"$tmp/x1.yaml"
for _ in $(seq 20); do cat "$tmp/x1.yaml"; done >"$tmp/x20.yaml"

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "podlint CLI on the corpus stream, median of $runs runs ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at start)"
printf '%-4s %10s %12s %10s %14s\n' input objects "wall s" "cpu s" "peak RSS MiB"
for x in x1 x20; do
	: >"$tmp/$x.times"
	objects=?
	for _ in $(seq "$runs"); do
		# Exit 1 means findings, which the corpus has; 2 would be an input error.
		rc=0
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$podlint" -o json "$tmp/$x.yaml" >"$tmp/out.json" || rc=$?
		if [ "$rc" -gt 1 ]; then
			echo "bench-cli: podlint exited $rc on $x" >&2
			exit 1
		fi
		# time adds "Command exited with non-zero status 1" on its own line.
		grep -v '^Command' "$tmp/t" >>"$tmp/$x.times"
		objects=$(grep -o '"objects": *[0-9]*' "$tmp/out.json" | head -1 | tr -dc 0-9)
	done
	wall=$(awk '{ print $1 }' "$tmp/$x.times" | median)
	cpu=$(awk '{ print $2 + $3 }' "$tmp/$x.times" | median)
	rss=$(awk '{ print $4 / 1024 }' "$tmp/$x.times" | median)
	printf '%-4s %10s %12.2f %10.2f %14.0f\n' "$x" "$objects" "$wall" "$cpu" "$rss"
done
