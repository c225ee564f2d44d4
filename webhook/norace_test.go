//go:build !race

package webhook

// raceSlack stretches the timing limits of the HTTPS tests under the race
// detector; without it, 1.
const raceSlack = 1
