//go:build unix

package lint

import "syscall"

// openNonBlock makes open(2) of a FIFO return at once even when no writer
// has it open, instead of blocking until one does.
const openNonBlock = syscall.O_NONBLOCK
