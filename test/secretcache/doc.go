// Package secretcache holds the test that no Secret data reaches the
// webhook's informer caches, against the real API server and kubectl.
package secretcache
