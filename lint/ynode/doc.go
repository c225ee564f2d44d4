// Package ynode holds what the renderers of package lint (lint/kustomize,
// lint/helm) share to place findings in the files a render was made
// from: field paths (spec.containers[0].resources.limits[memory]) resolved
// in go.yaml.in/yaml/v3 node trees and followed in other files' trees,
// node helpers that follow aliases a bounded number of times, and the
// reading of source files (regular files only, under the run's size cap).
package ynode
