package kustomize

import (
	"github.com/podlint/podlint/manifest"

	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/podlint/podlint/lint/ynode"
)

// Error is a kustomization that cannot be rendered, placed at the line
// that says why when that is known;
// it is the decoder's error type (file:line: message).
type Error = manifest.Error

// node is one kustomization directory of the plan.
type node struct {
	// dir names the directory the way the run does; abs is its absolute,
	// cleaned path.
	dir, abs string
	// file is the kustomization file (as the run names it); k is that
	// file read, nil when it could not be.
	file string
	k    *kustFile
	// problems make the kustomization unrenderable offline: an
	// unreadable file, a remote or missing reference.
	problems []problem
	// children are the kustomizations it builds on: resource directories,
	// components, generator or transformer directories.
	children []*node
	// files are the absolute paths of the files it consumes itself,
	// its own kustomization file included; names the same files as the
	// run names them.
	files, names []string
}

// problem is one reason a kustomization cannot be rendered.
type problem struct {
	Error
	// remote is a reference podlint will not fetch.
	remote bool
}

// Kustomization is one top-level kustomization of a run.
type Kustomization struct {
	// Dir is its directory as the run names it, the apply group of its
	// objects; File its kustomization file.
	Dir, File string
	n         *node
}

// Plan says what kustomize changes in one lint run: which kustomizations
// are rendered and which files they consume.
type Plan struct {
	nodes map[string]*node // by absolute directory
	found []*node
	top   []Kustomization
	// consumed holds the absolute paths of the files the top-level
	// kustomizations read, their own kustomization files included.
	consumed map[string]bool
	sources  *sources
	wd       string
	// maxBytes caps each file a render reads.
	maxBytes int64
}

// NewPlan reads the kustomizations in dirs (directories holding a
// kustomization file, as the run met them) and everything they build on,
// without rendering anything. Every file a render reads must be a regular
// file of at most maxBytes.
func NewPlan(dirs []string, maxBytes int64) *Plan {
	p := &Plan{nodes: map[string]*node{}, consumed: map[string]bool{}, maxBytes: maxBytes}
	p.sources = newSources(p.read)
	p.wd, _ = os.Getwd()
	seen := map[*node]bool{}
	for _, d := range dirs {
		if n := p.load(d); n != nil && !seen[n] {
			seen[n] = true
			p.found = append(p.found, n)
		}
	}
	closures := map[*node]map[*node]bool{}
	closure := func(n *node) map[*node]bool {
		c, ok := closures[n]
		if !ok {
			c = reach(n)
			closures[n] = c
		}
		return c
	}
	renderable := func(n *node) bool {
		for m := range closure(n) {
			if len(m.problems) > 0 {
				return false
			}
		}
		return true
	}
	for _, n := range p.found {
		top := true
		for _, m := range p.found {
			// n is linted through m when m builds on it, unless the two
			// build on each other (kustomize reports the cycle for each)
			// or m cannot be rendered offline while n can.
			if m != n && closure(m)[n] && !closure(n)[m] && (renderable(m) || !renderable(n)) {
				top = false
				break
			}
		}
		if top {
			p.top = append(p.top, Kustomization{Dir: n.dir, File: n.file, n: n})
			for m := range closure(n) {
				for _, f := range m.files {
					p.consumed[f] = true
				}
			}
		}
	}
	return p
}

// reach returns the kustomizations n builds on, n included.
func reach(n *node) map[*node]bool {
	out := map[*node]bool{}
	var walk func(*node)
	walk = func(m *node) {
		if out[m] {
			return
		}
		out[m] = true
		for _, c := range m.children {
			walk(c)
		}
	}
	walk(n)
	return out
}

// Top returns the kustomizations to render, in the order the run met
// them.
func (p *Plan) Top() []Kustomization { return p.top }

// Consumes tells whether a top-level kustomization reads the file name,
// so that it is linted through the render and not on its own.
func (p *Plan) Consumes(name string) bool {
	abs, err := filepath.Abs(name)
	return err == nil && p.consumed[abs]
}

// Files counts the files the top-level kustomizations read.
func (p *Plan) Files() int { return len(p.consumed) }

// load reads the kustomization of dir and, recursively, the ones it
// builds on. It returns nil when dir holds no kustomization file.
func (p *Plan) load(dir string) *node {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	if n, ok := p.nodes[abs]; ok {
		return n
	}
	file := FileIn(dir)
	if file == "" {
		return nil
	}
	n := &node{dir: filepath.Clean(dir), abs: abs, file: file}
	n.addFile(file)
	p.nodes[abs] = n
	k, perr := p.readKust(file)
	if perr != nil {
		n.problems = append(n.problems, problem{Error: *perr})
		return n
	}
	if av := ynode.Scalar(kget(k.root, "apiVersion")); av != "" && !strings.HasPrefix(av, "kustomize.config.k8s.io/") {
		// Another tool's object in a file of that name (a Flux
		// Kustomization): not kustomize's, so read like any file.
		delete(p.nodes, abs)
		return nil
	}
	n.k = k
	for _, r := range k.refs {
		if isRemote(r.value) {
			n.problems = append(n.problems, problem{remote: true, Error: Error{File: file, Line: r.node.Line,
				Message: fmt.Sprintf("%q is remote, and podlint renders kustomizations offline, fetching nothing", r.value)}})
			continue
		}
		target := r.value
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
		st, err := os.Stat(target)
		if err != nil {
			msg := fmt.Sprintf("%q: %v", r.value, ynode.UnwrapPathError(err))
			if errors.Is(err, fs.ErrNotExist) {
				msg = fmt.Sprintf("%q does not exist", r.value)
			}
			n.problems = append(n.problems, problem{Error: Error{File: file, Line: r.node.Line, Message: msg}})
			continue
		}
		if st.IsDir() {
			// A directory without a kustomization is kustomize's error
			// to report, with its own words.
			if r.kind != refFile {
				if c := p.load(target); c != nil {
					n.children = append(n.children, c)
				}
			}
			continue
		}
		if err := ynode.CheckFile(st, p.maxBytes); err != nil {
			n.problems = append(n.problems, problem{Error: Error{File: file, Line: r.node.Line, Message: fmt.Sprintf("%q %v", r.value, err)}})
			continue
		}
		n.addFile(target)
	}
	return n
}

func (n *node) addFile(name string) {
	if abs, err := filepath.Abs(name); err == nil {
		n.files = append(n.files, abs)
		n.names = append(n.names, filepath.Clean(name))
	}
}

// read reads a file a render needs, under the plan's limits.
func (p *Plan) read(name string) ([]byte, error) { return ynode.ReadRegular(name, p.maxBytes) }

// rel turns an absolute path inside the working directory into a relative
// one, for messages from kustomize, which speaks in absolute paths.
func (p *Plan) rel(s string) string {
	if p.wd == "" {
		return s
	}
	return strings.ReplaceAll(s, p.wd+string(filepath.Separator), "")
}
