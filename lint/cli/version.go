package cli

import "github.com/podlint/podlint/version"

// Version describes the running binary (package version): the stamped
// release version, the module version when installed with go install, or
// "(devel)" plus the VCS revision for a local build.
func Version() string { return version.String() }
