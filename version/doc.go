// Package version says which podlint build is running, for --version of
// podlint, kubectl-podlint and podlint-webhook.
//
// Release builds (make release, the Dockerfile) stamp the version at link
// time:
//
//	go build -ldflags "-X github.com/podlint/podlint/version.stamp=v0.1.0" ./cmd/podlint
//
// Other builds fall back on what the Go toolchain recorded: the module
// version for go install pkg@version, else "(devel)" and the VCS revision.
package version
