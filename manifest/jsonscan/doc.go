// Package jsonscan walks JSON text without building values: it splits a
// List into its items, reads an item's apiVersion and kind, and lets a
// caller copy or skip fields. Each item stays a sub-slice of the input, so
// the expensive typed decoding can run on all cores without copies.
//
// Values it skips are checked only for balanced brackets and closed
// strings; the caller's json.Unmarshal of each item validates them
// properly. The cluster snapshot reader and podlint why's dump reader
// both split their (often very large) JSON inputs with it.
package jsonscan
