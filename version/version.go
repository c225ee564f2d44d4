package version

import "runtime/debug"

// stamp is set by the linker (-X) in release builds and never written at
// run time; empty means "not a release build".
var stamp string

// String is the version of the running binary: the stamped release version,
// else the module version when installed with go install, else "(devel)"
// plus the VCS revision when the build recorded one.
func String() string {
	if stamp != "" {
		return stamp
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	return of(info)
}

func of(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev != "" && v == "(devel)" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev + modified
	}
	return v
}
