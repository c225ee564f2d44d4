package cli

import (
	"strings"
	"testing"
)

func TestMaxInputBytesFlag(t *testing.T) {
	for _, tt := range []struct {
		arg  string
		want int64
	}{{"512Mi", 512 << 20}, {"2Gi", 2 << 30}, {"1000", 1000}, {"1M", 1_000_000}} {
		cfg, err := ParseFlags([]string{"--max-input-bytes", tt.arg})
		if err != nil || cfg.MaxInputBytes != tt.want {
			t.Errorf("--max-input-bytes %s: %d, %v; want %d", tt.arg, cfg.MaxInputBytes, err, tt.want)
		}
	}
	for _, arg := range []string{"0", "-1Mi", "lots", "0.5"} {
		if _, err := ParseFlags([]string{"--max-input-bytes", arg}); err == nil || !strings.Contains(err.Error(), "max-input-bytes") {
			t.Errorf("--max-input-bytes %s: err = %v", arg, err)
		}
	}
	var help strings.Builder
	Usage(&help)
	if !strings.Contains(help.String(), "--max-input-bytes size") || !strings.Contains(help.String(), `(default 256Mi)`) {
		t.Errorf("help lacks the flag and its default:\n%s", help.String())
	}
}
