#!/usr/bin/env bash
# bench-why.sh: time `podlint why --from` on the dump of 10,000 pods and
# 50,000 events that why's TestLargeDump builds (about 70 MB of
# `kubectl get ... -A -o json`), medians of RUNS runs with peak RSS from
# /usr/bin/time, beside jq reading the same file (the cost of parsing the
# dump at all). Usage: [PODLINT=bin] hack/bench-why.sh [RUNS] (default 5).
set -euo pipefail

runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x /usr/bin/time ]; then
	echo "bench-why: /usr/bin/time is needed for peak memory (apt-get install time)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
podlint=${PODLINT:-$tmp/podlint}
if [ -z "${PODLINT:-}" ]; then
	go build -o "$podlint" "$root/cmd/podlint"
fi
(cd "$root" && PODLINT_WRITE_LARGE_DUMP="$tmp/dump.json" go test -count=1 -run '^TestLargeDump$' ./why >/dev/null)

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "podlint why on 10,000 pods and 50,000 events ($(du -m "$tmp/dump.json" | cut -f1) MB), median of $runs runs ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at start)"
printf '%-36s %8s %8s %14s\n' command "wall s" "cpu s" "peak RSS MiB"
run() {
	local label=$1
	shift
	: >"$tmp/times"
	for _ in $(seq "$runs"); do
		# podlint why exits 1 when something is stuck, as it is here.
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$@" >/dev/null || [ $? -eq 1 ]
		cat "$tmp/t" >>"$tmp/times"
	done
	printf '%-36s %8s %8s %14s\n' "$label" \
		"$(awk '{print $1}' "$tmp/times" | median)" \
		"$(awk '{print $2 + $3}' "$tmp/times" | median)" \
		"$(awk '{print $4 / 1024}' "$tmp/times" | median | xargs printf '%.0f')"
}
run "podlint why --from dump.json -A" "$podlint" why --from "$tmp/dump.json" -A -o json
if command -v jq >/dev/null; then
	run "jq '.items | length' dump.json" jq '.items | length' "$tmp/dump.json"
fi
