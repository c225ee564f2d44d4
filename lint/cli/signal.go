package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Interrupted is why a run's context ends when podlint receives SIGINT
// or SIGTERM.
type Interrupted struct {
	Signal os.Signal
}

func (e *Interrupted) Error() string {
	switch e.Signal {
	case os.Interrupt:
		return "interrupted (SIGINT)"
	case syscall.SIGTERM:
		return "interrupted (SIGTERM)"
	}
	return "interrupted (" + e.Signal.String() + ")"
}

// ExitCode is 128 plus the signal number, what shells report for a
// command a signal stopped: 130 for SIGINT (Ctrl-C), 143 for SIGTERM.
func (e *Interrupted) ExitCode() int {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return ExitError
}

// InterruptGrace is how long a run may take to wind down after the first
// signal before the process exits anyway: reads stop at once, but a check
// or a decoder busy with a huge input does not look at the context.
const InterruptGrace = 500 * time.Millisecond

// NotifySignals returns a context that SIGINT and SIGTERM cancel, with an
// *Interrupted cause. After the first signal Main has grace to return;
// past it, or on a second signal, the process exits with the signal's
// exit code, so podlint always ends promptly whatever it is waiting on.
// stop releases the signals.
func NotifySignals(parent context.Context, stderr io.Writer, grace time.Duration) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		var in *Interrupted
		select {
		case sig := <-sigs:
			in = &Interrupted{Signal: sig}
			cancel(in)
		case <-done:
			return
		}
		select {
		case <-sigs:
		case <-time.After(grace):
		case <-done:
			return
		}
		fmt.Fprintf(stderr, "podlint: %v\n", in)
		os.Exit(in.ExitCode())
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel(nil)
		})
	}
}

// interrupted returns the exit code for a run whose context ended, and
// whether it did.
func interrupted(ctx context.Context, stderr io.Writer) (int, bool) {
	if ctx.Err() == nil {
		return 0, false
	}
	cause := context.Cause(ctx)
	fmt.Fprintf(stderr, "podlint: %v\n", cause)
	var in *Interrupted
	if errors.As(cause, &in) {
		return in.ExitCode(), true
	}
	return ExitError, true
}
