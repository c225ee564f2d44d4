// Package layout holds tests on the shape of the import graph, the part of
// the architecture a compiler does not check: checks is pure (no I/O, no
// controller-runtime, nothing of a front end), manifest is the shared
// decoder below the front ends, and the front ends (lint for files,
// webhook for admission) do not import each other.
package layout
