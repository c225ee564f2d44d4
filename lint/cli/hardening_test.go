package cli

import (
	"bytes"
	"context"
	"strings"
	"syscall"
	"testing"
)

// TestMainInterrupted: a run whose context a signal ended prints no
// report (it would be partial) and exits 128+signal.
func TestMainInterrupted(t *testing.T) {
	workdir(t, map[string]string{"milli.yaml": milliYAML})
	for sig, want := range map[syscall.Signal]int{syscall.SIGTERM: 143, syscall.SIGINT: 130} {
		ctx, cancel := context.WithCancelCause(t.Context())
		cancel(&Interrupted{Signal: sig})
		var out, errOut bytes.Buffer
		code := Main(ctx, []string{"milli.yaml"}, strings.NewReader(""), &out, &errOut)
		if code != want || out.Len() != 0 || !strings.Contains(errOut.String(), "podlint: interrupted (SIG") {
			t.Errorf("%v: exit %d, want %d; stdout %q; stderr %q", sig, code, want, out.String(), errOut.String())
		}
	}
}

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
