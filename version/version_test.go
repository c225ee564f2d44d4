package version

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install", debug.BuildInfo{Main: debug.Module{Version: "v0.3.1"}}, "v0.3.1"},
		{"local without vcs", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"empty version", debug.BuildInfo{}, "(devel)"},
		{"local with vcs", debug.BuildInfo{
			Main:     debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}},
		}, "(devel) 0123456789ab+dirty"},
		{"tagged ignores vcs", debug.BuildInfo{
			Main:     debug.Module{Version: "v1.0.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}},
		}, "v1.0.0"},
	}
	for _, tt := range tests {
		if got := of(&tt.info); got != tt.want {
			t.Errorf("%s: of = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStampWins(t *testing.T) {
	old := stamp
	t.Cleanup(func() { stamp = old })
	stamp = "v1.2.3"
	if got := String(); got != "v1.2.3" {
		t.Errorf("String() = %q with stamp v1.2.3", got)
	}
	stamp = ""
	if got := String(); got == "" || got == "v1.2.3" {
		t.Errorf("String() = %q without a stamp, want the build info's version", got)
	}
}
