package lint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// DefaultMaxInputBytes is the size cap of every read (an input, stdin, the
// configuration file, a cluster snapshot) unless the caller sets another:
// room for a 200 MB single-line JSON snapshot, and a bound for a symlink
// to /dev/zero, which would otherwise be read until the process is killed.
const DefaultMaxInputBytes int64 = 256 << 20

// TooLargeError is a read that went past its size cap.
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return "larger than " + FormatBytes(e.Limit) + ", podlint's size limit for one input (raise it with --max-input-bytes)"
}

// FormatBytes writes a byte count the way the flag takes it (256Mi).
func FormatBytes(n int64) string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"Gi", 30}, {"Mi", 20}, {"Ki", 10}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// NotRegularError is a path that is neither a regular file nor something
// podlint can read as a stream.
type NotRegularError struct {
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return "is " + describeMode(e.Mode) + ", not a regular file"
}

func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file"
}

// streamable tells whether a named non-regular file may be read: pipes
// (podlint <(helm template .), /dev/stdin) and character devices (a
// terminal, /dev/null), always under the size cap and the context.
func streamable(m fs.FileMode) bool {
	return m.IsRegular() || m&fs.ModeNamedPipe != 0 || m&fs.ModeCharDevice != 0
}

// openInput opens a file named by the user without blocking on a FIFO,
// and refuses sockets, devices, directories and a regular file larger
// than limit, both before opening and for what was opened (the path may
// have changed in between).
func openInput(name string, limit int64) (*os.File, fs.FileInfo, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if !streamable(st.Mode()) {
		return nil, nil, &NotRegularError{Mode: st.Mode()}
	}
	if st.Mode().IsRegular() && st.Size() > limit {
		return nil, nil, &TooLargeError{Limit: limit}
	}
	f, err := os.OpenFile(name, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	if st, err = f.Stat(); err != nil || !streamable(st.Mode()) {
		f.Close()
		if err == nil {
			err = &NotRegularError{Mode: st.Mode()}
		}
		return nil, nil, err
	}
	return f, st, nil
}

// ReadFile reads a file named by the user, capped at limit bytes (0 means
// DefaultMaxInputBytes) and abandoned when ctx ends. It opens without
// blocking, so a FIFO nobody writes to is an EmptyStreamError instead of
// a hang in open(2); sockets, block devices and directories are errors.
func ReadFile(ctx context.Context, name string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxInputBytes
	}
	f, st, err := openInput(name, limit)
	if err != nil {
		return nil, err
	}
	if st.Mode().IsRegular() {
		return readCtx(ctx, f, limit, st.Size(), f.Close)
	}
	data, err := readCtx(ctx, f, limit, 0, f.Close)
	if err == nil && len(data) == 0 {
		// Opened without blocking, a FIFO with no writer reads as empty:
		// say so rather than lint nothing in silence.
		return nil, &EmptyStreamError{Mode: st.Mode()}
	}
	return data, err
}

// EmptyStreamError is a named pipe or device that gave nothing to read:
// podlint does not wait for a writer to come.
type EmptyStreamError struct {
	Mode fs.FileMode
}

func (e *EmptyStreamError) Error() string {
	if e.Mode&fs.ModeNamedPipe != 0 {
		return "is a named pipe (FIFO) and nothing was written to it (podlint does not wait for a writer)"
	}
	return "is " + describeMode(e.Mode) + " and nothing was read from it"
}

// ReadAll reads r (standard input) to its end, capped at limit bytes (0
// means DefaultMaxInputBytes) and abandoned when ctx ends: a read that
// never returns (stdin nobody closes) is left behind, and the process
// exits without waiting for it.
func ReadAll(ctx context.Context, r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxInputBytes
	}
	return readCtx(ctx, r, limit, 0, nil)
}

// readCtx reads in a goroutine so that the caller can return when ctx
// ends; closeFn (for files opened here) also wakes a read that waits in
// the runtime's poller (pipes, terminals).
func readCtx(ctx context.Context, r io.Reader, limit, hint int64, closeFn func() error) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := readLimited(r, limit, hint)
		done <- result{data, err}
	}()
	select {
	case res := <-done:
		if closeFn != nil {
			closeFn()
		}
		return res.data, res.err
	case <-ctx.Done():
		if closeFn != nil {
			closeFn()
		}
		return nil, fmt.Errorf("reading stopped: %w", context.Cause(ctx))
	}
}

// readLimited reads r to its end or to one byte past limit, which is an
// error; hint (a regular file's size) sizes the buffer once.
func readLimited(r io.Reader, limit, hint int64) ([]byte, error) {
	size := min(hint, limit) + 1
	if size < 512 {
		size = 512
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		hi := cap(buf)
		if int64(hi) > limit+1 {
			hi = int(limit + 1)
		}
		n, err := r.Read(buf[len(buf):hi])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, &TooLargeError{Limit: limit}
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// OpenFile opens a file named by the user for streaming, as ReadFile
// reads it: without blocking on a FIFO, refusing sockets, devices and
// directories, and a regular file larger than limit (0 means
// DefaultMaxInputBytes) at once. Reads stop one byte past limit with a
// TooLargeError, and with ctx.
func OpenFile(ctx context.Context, name string, limit int64) (io.ReadCloser, error) {
	if limit <= 0 {
		limit = DefaultMaxInputBytes
	}
	f, st, err := openInput(name, limit)
	if err != nil {
		return nil, err
	}
	// A regular file's read returns; a pipe's or a terminal's may wait
	// for ever, so it is read where ctx can abandon it.
	s := newStream(ctx, f, limit, !st.Mode().IsRegular(), f.Close)
	if !st.Mode().IsRegular() {
		// Opened without blocking, a FIFO with no writer reads as empty:
		// say so rather than lint nothing in silence.
		s.empty = &EmptyStreamError{Mode: st.Mode()}
	}
	return s, nil
}

// stream is an input being read: capped at limit bytes, and abandoned
// when ctx ends.
type stream struct {
	ctx     context.Context
	r       io.Reader
	limit   int64
	n       int64
	async   bool
	closeFn func() error
	closed  bool
	// buf is what readAsync reads into; after a read is abandoned the
	// stream is not read again.
	buf []byte
	// empty is the error for a stream that ends before its first byte.
	empty error
}

func newStream(ctx context.Context, r io.Reader, limit int64, async bool, closeFn func() error) *stream {
	return &stream{ctx: ctx, r: r, limit: limit, async: async, closeFn: closeFn}
}

func (s *stream) Read(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		s.Close()
		return 0, fmt.Errorf("reading stopped: %w", context.Cause(s.ctx))
	}
	// One byte past the limit tells a stream at the limit from a larger
	// one.
	if room := s.limit + 1 - s.n; int64(len(p)) > room {
		p = p[:room]
	}
	var n int
	var err error
	if s.async {
		n, err = s.readAsync(p)
	} else {
		n, err = s.r.Read(p)
	}
	s.n += int64(n)
	if s.n > s.limit {
		return 0, &TooLargeError{Limit: s.limit}
	}
	if s.n == 0 && s.empty != nil && errors.Is(err, io.EOF) {
		return 0, s.empty
	}
	return n, err
}

// readAsync reads in a goroutine so that the caller can return when ctx
// ends; a read that never returns (stdin nobody closes) is left behind,
// and closing a file wakes one that waits in the runtime's poller.
func (s *stream) readAsync(p []byte) (int, error) {
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	if cap(s.buf) < len(p) {
		s.buf = make([]byte, len(p))
	}
	buf := s.buf[:len(p)]
	go func() {
		n, err := s.r.Read(buf)
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		copy(p, buf[:res.n])
		return res.n, res.err
	case <-s.ctx.Done():
		s.Close()
		return 0, fmt.Errorf("reading stopped: %w", context.Cause(s.ctx))
	}
}

func (s *stream) Close() error {
	if s.closed || s.closeFn == nil {
		return nil
	}
	s.closed = true
	return s.closeFn()
}
