package webhook

import (
	"runtime"
	"testing"
	"time"
)

func TestWorkers(t *testing.T) {
	w := &workers{jobs: make(chan func()), idle: 200 * time.Millisecond}
	base := runtime.NumGoroutine()

	// Jobs one after another reuse one goroutine.
	for i := range 20 {
		done := make(chan struct{})
		w.run(func() { close(done) })
		<-done
		// Let the worker reach its wait before the next job comes.
		for deadline := time.Now().Add(time.Second); runtime.NumGoroutine() > base+1 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(2 * time.Millisecond)
		if i == 19 && w.started.Load() > 2 {
			t.Errorf("20 jobs in a row started %d goroutines, want 1 (2 if a job came before the worker waited)", w.started.Load())
		}
	}

	// run never waits: a job that blocks does not hold up the next.
	release := make(chan struct{})
	w.run(func() { <-release })
	second := make(chan struct{})
	w.run(func() { close(second) })
	select {
	case <-second:
	case <-time.After(5 * time.Second):
		t.Fatal("the second job did not start while the first was blocked")
	}
	close(release)

	// Idle workers exit.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines left after the idle time, want %d", n, base)
	}
}
