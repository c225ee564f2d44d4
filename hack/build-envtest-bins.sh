#!/usr/bin/env bash
# Builds the real control-plane binaries that envtest starts in tests:
#   bin/kube-apiserver  from k8s.io/kubernetes/cmd/kube-apiserver
#   bin/etcd            from go.etcd.io/etcd/server/v3
# at the versions pinned in test/tools/go.mod (a separate module, so the
# root module's dependencies are untouched).
#
# Idempotent: a binary that already exists and is newer than
# test/tools/go.sum is kept; set FORCE=1 to rebuild anyway.
#
# Tests point envtest at the binaries with
#   KUBEBUILDER_ASSETS="$(pwd)/bin"   (or envtest.Environment{BinaryAssetsDirectory: ...})
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${root}/test/tools"
bindir="${root}/bin"
force="${FORCE:-0}"

mkdir -p "${bindir}"

# Stamp kube-apiserver with its real version (as Kubernetes' own build does
# in hack/lib/version.sh); without it, --version prints v0.0.0-master.
kube_version="$(cd "${tools}" && GOWORK=off go list -m -f '{{.Version}}' k8s.io/kubernetes)"
kube_major="${kube_version#v}"; kube_major="${kube_major%%.*}"
kube_minor="${kube_version#v*.}"; kube_minor="${kube_minor%%.*}"
kube_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	kube_ldflags+=" -X ${pkg}.gitVersion=${kube_version}"
	kube_ldflags+=" -X ${pkg}.gitMajor=${kube_major} -X ${pkg}.gitMinor=${kube_minor}"
	kube_ldflags+=" -X ${pkg}.gitTreeState=clean"
done

# build NAME PACKAGE [LDFLAGS]
build() {
	local name="$1" pkg="$2" ldflags="${3:-}" out="${bindir}/$1"
	if [[ "${force}" != 1 && -x "${out}" && "${out}" -nt "${tools}/go.sum" ]]; then
		echo "build-envtest-bins: ${out} is up to date, skipping"
		return
	fi
	echo "build-envtest-bins: building ${name} from ${pkg} (this takes several minutes)"
	local start=${SECONDS}
	# Build to a temp name and rename, so an interrupted build never leaves
	# a truncated binary that looks up to date.
	(cd "${tools}" && GOWORK=off CGO_ENABLED=0 go build -trimpath -ldflags="${ldflags}" -o "${out}.tmp" "${pkg}")
	mv -f "${out}.tmp" "${out}"
	echo "build-envtest-bins: built ${out} in $((SECONDS - start))s"
}

build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "${kube_ldflags}"
build etcd go.etcd.io/etcd/server/v3

echo "build-envtest-bins: done; use KUBEBUILDER_ASSETS=${bindir}"
