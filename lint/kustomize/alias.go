package kustomize

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Limits of what a document may expand to before kustomize sees it, the
// bounds podlint's own decoder keeps (package manifest).
const (
	maxExpanded = 1 << 20
	maxDepth    = 500
)

// aliasTrouble finds what would make kustomize's YAML library recurse
// without end or expand without bound: an alias to a node that contains
// it, more than maxExpanded values once aliases are expanded, or more
// than maxDepth levels. It returns the node where that shows, and why.
func aliasTrouble(doc *yaml.Node) (*yaml.Node, string) {
	w := aliasWalker{open: map[*yaml.Node]bool{}}
	w.walk(doc, 0)
	return w.at, w.why
}

type aliasWalker struct {
	open  map[*yaml.Node]bool
	count int
	at    *yaml.Node
	why   string
}

func (w *aliasWalker) walk(n *yaml.Node, depth int) {
	if n == nil || w.at != nil {
		return
	}
	w.count++
	switch {
	case w.count > maxExpanded:
		w.at, w.why = n, fmt.Sprintf("expands to more than %d values (anchors and aliases)", maxExpanded)
		return
	case depth > maxDepth:
		w.at, w.why = n, fmt.Sprintf("is nested more than %d levels deep", maxDepth)
		return
	}
	if n.Kind == yaml.AliasNode {
		if w.open[n.Alias] {
			w.at, w.why = n, fmt.Sprintf("alias *%s refers to a value that contains it", n.Value)
			return
		}
		w.walk(n.Alias, depth+1)
		return
	}
	w.open[n] = true
	for _, c := range n.Content {
		w.walk(c, depth+1)
	}
	delete(w.open, n)
}
