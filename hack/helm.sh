#!/usr/bin/env bash
# Prints the path of a helm CLI at HELM_VERSION, building it from the Go
# module proxy the first time (go install, a few minutes) and keeping it in
# the user cache. test/chart renders the webhook chart with it; .ci/run
# calls this first, so that the build is not timed as part of a test.
# helm is not a dependency of podlint's module: it is built with its own
# go.mod.
set -euo pipefail
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
cache="${XDG_CACHE_HOME:-${HOME}/.cache}/podlint/helm-${HELM_VERSION}"
if [[ ! -x "${cache}/helm" ]]; then
	mkdir -p "${cache%/*}"
	tmp="$(mktemp -d "${cache%/*}/.build.XXXXXX")"
	trap 'rm -rf "${tmp}"' EXIT
	echo "helm.sh: building helm ${HELM_VERSION} (once; kept in ${cache})" >&2
	(cd "${tmp}" && GOBIN="${tmp}/bin" go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}")
	mkdir -p "${cache}"
	mv "${tmp}/bin/helm" "${cache}/helm.new"
	mv "${cache}/helm.new" "${cache}/helm"
fi
echo "${cache}/helm"
