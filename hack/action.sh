#!/usr/bin/env bash
# The shell steps of the podlint GitHub Action (action.yml). test/action
# runs this script with the same environment the action gives it.
#
#   hack/action.sh install   build or install podlint, put it on PATH
#   hack/action.sh run       lint INPUT_PATHS: SARIF file, then annotations
#
# Inputs (all optional):
#   INPUT_VERSION       go install github.com/podlint/podlint/cmd/podlint@VERSION;
#                       empty: build the checkout this script is in
#   PODLINT_ACTION_REF  the ref in "uses: podlint/podlint@REF", stamped as the
#                       version of a checkout build
#   INPUT_PATHS         paths to lint, separated by spaces or newlines (default .)
#   INPUT_CONFIG        --config FILE
#   INPUT_FAIL_ON       --fail-on LEVEL (default error)
#   INPUT_FORMAT        output format of the log (default github: annotations)
#   INPUT_SARIF_UPLOAD  "true" (default): also write SARIF for code scanning
# From the runner: RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT (each defaulted
# when absent, so the script also runs outside Actions).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
output="${GITHUB_OUTPUT:-/dev/null}"
module="github.com/podlint/podlint"

# fail prints an error annotation and stops as podlint does on bad usage.
fail() {
	echo "::error title=podlint::$*"
	echo "exit-code=2" >>"${output}"
	exit 2
}

install() {
	local bindir="${tmp}/podlint-bin"
	mkdir -p "${bindir}"
	command -v go >/dev/null 2>&1 || fail "go is not on PATH (the action runs actions/setup-go first)"
	local version="${INPUT_VERSION:-}"
	if [[ -n "${version}" ]]; then
		case "${version}" in
		*[!A-Za-z0-9._+-]*) fail "version \"${version}\" is not a tag, commit or latest" ;;
		esac
		echo "podlint: go install ${module}/cmd/podlint@${version}"
		GOBIN="${bindir}" go install "${module}/cmd/podlint@${version}"
	else
		# The action's own checkout: the code of the ref in "uses:".
		local ref="${PODLINT_ACTION_REF:-}" ldflags=""
		if [[ "${ref}" =~ ^v[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.-]+)?$ ]]; then
			ldflags="-X ${module}/version.stamp=${ref}"
		fi
		echo "podlint: building ${here}${ref:+ (${ref})}"
		(cd "${here}" && CGO_ENABLED=0 go build -trimpath -ldflags "${ldflags}" -o "${bindir}/podlint" ./cmd/podlint)
	fi
	if [[ -n "${GITHUB_PATH:-}" ]]; then
		echo "${bindir}" >>"${GITHUB_PATH}"
	fi
	"${bindir}/podlint" --version
}

run() {
	# The install step's podlint, else one on PATH.
	local podlint="${tmp}/podlint-bin/podlint"
	if [[ ! -x "${podlint}" ]]; then
		podlint="$(command -v podlint)" || fail "podlint is not installed (run the install step first)"
	fi

	# Split on spaces, tabs and newlines, with globbing off: a path is taken as
	# written, and podlint walks directories itself.
	local paths=()
	set -f
	# shellcheck disable=SC2206
	paths=(${INPUT_PATHS:-.})
	set +f
	((${#paths[@]} > 0)) || paths=(.)

	local common=()
	if [[ -n "${INPUT_CONFIG:-}" ]]; then
		[[ -f "${INPUT_CONFIG}" ]] || fail "config file ${INPUT_CONFIG} not found"
		common+=(--config "${INPUT_CONFIG}")
	fi

	local sarif=""
	if [[ "${INPUT_SARIF_UPLOAD:-true}" == "true" ]]; then
		sarif="${tmp}/podlint.sarif"
		# Every finding goes to code scanning, whatever fail-on says; an
		# input error (exit 2) still writes SARIF with the notification. Only
		# a usage error leaves no SARIF to upload.
		local code=0
		"${podlint}" ${common[@]+"${common[@]}"} --output sarif --fail-on none -- "${paths[@]}" >"${sarif}" || code=$?
		if [[ ${code} -ne 0 && ! -s "${sarif}" ]]; then
			rm -f "${sarif}"
			sarif=""
		fi
		echo "sarif-file=${sarif}" >>"${output}"
	fi

	local code=0
	"${podlint}" ${common[@]+"${common[@]}"} --output "${INPUT_FORMAT:-github}" --fail-on "${INPUT_FAIL_ON:-error}" -- "${paths[@]}" || code=$?
	echo "exit-code=${code}" >>"${output}"
	case "${code}" in
	0) ;;
	1)
		# The github format annotated each finding already.
		if [[ "${INPUT_FORMAT:-github}" != "github" ]]; then
			echo "::error title=podlint::findings at or above ${INPUT_FAIL_ON:-error} (fail-on); see the log"
		fi
		;;
	*) echo "::error title=podlint::podlint exited with ${code}: a usage error, an invalid configuration or an input that could not be read (see the log)" ;;
	esac
	return "${code}"
}

case "${1:-}" in
install) install ;;
run) run ;;
*)
	echo "usage: $0 install|run" >&2
	exit 2
	;;
esac
