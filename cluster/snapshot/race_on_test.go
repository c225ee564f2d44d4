//go:build race

package snapshot

// raceEnabled skips the peak-memory test: the race detector multiplies
// memory use and would measure itself, not the loader.
const raceEnabled = true
