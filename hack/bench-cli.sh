#!/usr/bin/env bash
# bench-cli.sh: time the podlint binary on the corpus the way the corpus
# README timed the other tools: every corpus file concatenated into one
# stream (1x, about 3,300 objects, 17 MB) and that stream repeated (2x,
# 5x, 20x: 65,000 objects, 343 MB), medians of RUNS runs of wall time,
# CPU (user+system) and peak RSS from /usr/bin/time, printed as a growth
# table (each figure also as a multiple of the 1x one).
# Usage: [PODLINT=bin] [CORPUS=dir] [SIZES="1 2 5 20"] hack/bench-cli.sh [RUNS]
# (default 3 runs). Skips, exit 0, when the corpus is absent.
set -euo pipefail

runs=${1:-3}
sizes=${SIZES:-1 2 5 20}
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

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > 0) ? a / b : 0 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "podlint CLI on the corpus stream, median of $runs runs ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at start)"
printf '%-4s %8s %8s %9s %7s %9s %7s %9s %7s\n' input MB objects "wall s" "x1" "cpu s" "x1" "RSS MiB" "x1"
base_wall= base_cpu= base_rss=
for n in $sizes; do
	x=x$n
	if [ ! -f "$tmp/$x.yaml" ]; then
		for _ in $(seq "$n"); do cat "$tmp/x1.yaml"; done >"$tmp/$x.yaml"
	fi
	: >"$tmp/$x.times"
	objects=?
	for _ in $(seq "$runs"); do
		# Exit 1 means findings, which the corpus has; 2 would be an
		# input error. The 20x stream is past the default 256Mi cap.
		rc=0
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$podlint" -o json --max-input-bytes 1Gi "$tmp/$x.yaml" >"$tmp/out.json" || rc=$?
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
	: "${base_wall:=$wall}" "${base_cpu:=$cpu}" "${base_rss:=$rss}"
	mb=$(($(stat -c %s "$tmp/$x.yaml") / 1000000))
	printf '%-4s %8s %8s %9.2f %6.1fx %9.2f %6.1fx %9.0f %6.1fx\n' "$x" "$mb" "$objects" \
		"$wall" "$(ratio "$wall" "$base_wall")" "$cpu" "$(ratio "$cpu" "$base_cpu")" \
		"$rss" "$(ratio "$rss" "$base_rss")"
	# The larger streams are made from this one; free the disk as we go.
	[ "$x" = x1 ] || rm -f "$tmp/$x.yaml"
done
