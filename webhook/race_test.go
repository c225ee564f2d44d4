//go:build race

package webhook

// raceSlack stretches the timing limits of the HTTPS tests: the race
// detector makes TLS handshakes and the checks several times slower.
const raceSlack = 4
