//go:build unix

package lint

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFileCaps(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(small, []byte(strings.Repeat("a", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		limit int64
		want  string // error substring; "" for success
	}{
		{"regular under the cap", small, 1000, ""},
		{"regular over the cap", small, 999, "larger than 999 bytes"},
		{"device without end", "/dev/zero", 1 << 20, "larger than 1Mi, podlint's size limit for one input (raise it with --max-input-bytes)"},
		{"empty device", "/dev/null", 0, "is a character device and nothing was read from it"},
		{"directory", dir, 0, "is a directory, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := ReadFile(t.Context(), tt.path, tt.limit)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || data != nil {
				t.Errorf("err = %v (%d bytes), want %q", err, len(data), tt.want)
			}
		})
	}
	var tl *TooLargeError
	if _, err := ReadAll(t.Context(), strings.NewReader("12345"), 4); !errors.As(err, &tl) || tl.Limit != 4 {
		t.Errorf("ReadAll over the cap: %v", err)
	}
	if data, err := ReadAll(t.Context(), strings.NewReader("1234"), 4); err != nil || string(data) != "1234" {
		t.Errorf("ReadAll at the cap: %q, %v", data, err)
	}
	if DefaultMaxInputBytes < 200_000_000 {
		t.Errorf("the default cap %d is below the 200 MB single-line JSON podlint must read", DefaultMaxInputBytes)
	}
}

// TestReadFileFIFO: a FIFO without a writer does not block open(2) and is
// reported as empty; one whose writer never writes is abandoned when the
// context ends.
func TestReadFileFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "p.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadFile(t.Context(), fifo, 0)
		done <- err
	}()
	select {
	case err := <-done:
		var empty *EmptyStreamError
		if !errors.As(err, &empty) || !strings.Contains(err.Error(), "named pipe (FIFO) and nothing was written to it") {
			t.Errorf("FIFO without a writer: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFile blocked on a FIFO without a writer")
	}

	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancelCause(t.Context())
	go func() {
		_, err := ReadFile(ctx, fifo, 0)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel(errors.New("test over"))
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "reading stopped: test over") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFile ignored the cancelled context")
	}
}

// blockingReader never returns, like a stdin nobody closes.
type blockingReader struct{ stop chan struct{} }

func (b blockingReader) Read([]byte) (int, error) {
	<-b.stop
	return 0, io.EOF
}

func TestReadAllCancelled(t *testing.T) {
	r := blockingReader{stop: make(chan struct{})}
	defer close(r.stop)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := ReadAll(ctx, r, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

// TestRunReportsNonRegular: a directory walk reports a FIFO and a link to
// a device once each and skips them; named, a FIFO is read.
func TestRunReportsNonRegular(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "p.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "z.yml")); err != nil {
		t.Fatal(err)
	}
	rep := Run(t.Context(), Options{Paths: []string{dir}})
	var got []string
	for _, e := range rep.Errors {
		got = append(got, filepath.Base(e.File)+": "+e.Message)
	}
	want := []string{
		"p.yaml: is a named pipe (FIFO), not a regular file; skipped",
		"z.yml: is a character device, not a regular file; skipped",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || rep.Summary.Objects != 1 {
		t.Errorf("errors %q, objects %d; want %q and 1 object", got, rep.Summary.Objects, want)
	}
}
