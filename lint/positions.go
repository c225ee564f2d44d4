package lint

import (
	"os"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/manifest"
)

// A kept object's node tree is dropped once its own checks have run (see
// stream.go). What is asked about it later — the position of a finding of
// a check that had to wait for the whole inventory, the place an object
// that causes a finding was written, a scalar as written — is answered by
// reading its document again from the spool and parsing it once more:
// such findings are few, and the spool costs disk, not memory.

// positions places fields of one kept object.
type positions struct {
	// line and col are the object's own position, where a finding
	// without a field goes.
	line, col int
	// doc is the object's document in the spool; nil when it was not
	// spooled (a Secret's document, whose data never leaves memory).
	doc *docRef
	// fixed holds the positions computed before the tree was dropped,
	// for objects without a spooled document (a Secret's "type").
	fixed map[string][2]int
	run   *reparser
}

// position returns the line and column of a field path of the object, as
// manifest.Object.Position does.
func (p *positions) position(path string) (int, int) {
	if path == "" {
		return p.line, p.col
	}
	if p.doc != nil {
		if o := p.run.object(p.doc); o != nil {
			return o.Position(path)
		}
	}
	if lc, ok := p.fixed[path]; ok {
		return lc[0], lc[1]
	}
	return p.line, p.col
}

// docRef locates a document in the spool and an object in it.
type docRef struct {
	off   int64
	n     int
	start int
	// index is the object's place among the document's objects.
	index int
	name  string
}

// spool holds the documents of kept objects for the run's end: an
// unlinked temporary file, or memory when no file can be made.
type spool struct {
	f    *os.File
	size atomic.Int64
	mu   sync.Mutex
	mem  [][]byte
}

func newSpool() *spool {
	s := &spool{}
	if f, err := os.CreateTemp("", "podlint-spool-*"); err == nil {
		s.f = f
		// On Unix the file lives on unnamed until closed; elsewhere
		// close removes it.
		_ = os.Remove(f.Name())
	}
	return s
}

// put stores a document and returns its offset (an index in memory);
// inMemory keeps it off the disk (a document with a Secret in it). Safe
// for concurrent use.
func (s *spool) put(text []byte, inMemory bool) int64 {
	if s.f != nil && !inMemory {
		off := s.size.Add(int64(len(text))) - int64(len(text))
		if _, err := s.f.WriteAt(text, off); err == nil {
			return off
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem = append(s.mem, text)
	return -int64(len(s.mem))
}

func (s *spool) get(off int64, n int) []byte {
	if off < 0 {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.mem[-off-1]
	}
	buf := make([]byte, n)
	if _, err := s.f.ReadAt(buf, off); err != nil {
		return nil
	}
	return buf
}

func (s *spool) close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		os.Remove(name)
	}
}

// reparser parses spooled documents again, keeping the last one: the
// findings of one object, and the objects one finding names, come
// together.
type reparser struct {
	spool *spool
	mu    sync.Mutex
	last  *docRef
	objs  []*manifest.Object
}

func (r *reparser) object(d *docRef) *manifest.Object {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil || r.last.off != d.off {
		r.last, r.objs = d, nil
		if text := r.spool.get(d.off, d.n); text != nil {
			r.objs, _ = manifest.ParseDocument(d.name, manifest.Document{Text: text, Start: d.start})
		}
	}
	if d.index < len(r.objs) {
		return r.objs[d.index]
	}
	return nil
}

// rawSource gives a kept target's scalars as written, from its spooled
// document.
type rawSource struct{ p *positions }

func (s rawSource) Scalar(path *field.Path) (checks.Scalar, bool) {
	if s.p.doc == nil {
		return checks.Scalar{}, false
	}
	o := s.p.run.object(s.p.doc)
	if o == nil || o.Target == nil || o.Target.Raw == nil {
		return checks.Scalar{}, false
	}
	return o.Target.Raw.Scalar(path)
}
