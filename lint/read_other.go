//go:build !unix

package lint

// openNonBlock is unix-only; elsewhere there are no FIFOs to block on.
const openNonBlock = 0
