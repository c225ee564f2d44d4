package lint

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// input is one stream to lint: a file, or stdin ("-").
type input struct {
	name string
	data []byte
	err  error
	// patch marks a file a kustomization lists as a patch: not read.
	patch bool
	// group names the apply the input's objects belong to; "" means
	// applyGroup(name): its directory, or standard input. A source that
	// renders several files into one apply (a kustomization, a chart)
	// sets one group for all of them.
	group string
}

// manifestExt tells whether a file found in a directory is a manifest.
// Files named on the command line are read whatever their extension.
func manifestExt(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// discover lists the files to read, in argument order and, inside a
// directory, in lexical order; a file reached twice is read once.
// Problems with a path become inputs that carry only an error.
func discover(paths []string, exclude []string) []input {
	var out []input
	seen := map[string]bool{}
	add := func(name string) {
		key := filepath.Clean(name)
		if name == "-" {
			key = "-"
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, input{name: name})
	}
	for _, p := range paths {
		if p == "-" {
			add(p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			out = append(out, input{name: p, err: unwrapPathError(err)})
			continue
		}
		if !st.IsDir() {
			if !excluded(p, exclude) {
				add(p)
			}
			continue
		}
		err = filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				out = append(out, input{name: name, err: unwrapPathError(err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			hidden := name != p && strings.HasPrefix(d.Name(), ".")
			if d.IsDir() {
				if hidden || name != p && excluded(name, exclude) {
					return fs.SkipDir
				}
				return nil
			}
			if hidden || !manifestExt(name) || excluded(name, exclude) {
				return nil
			}
			mode := d.Type()
			if mode&fs.ModeSymlink != 0 {
				// A link to a directory is not followed (loops); a link to
				// a file is read.
				st, err := os.Stat(name)
				if err != nil {
					out = append(out, input{name: name, err: unwrapPathError(err)})
					return nil
				}
				if st.IsDir() {
					return nil
				}
				mode = st.Mode()
			}
			if !mode.IsRegular() {
				// A FIFO would block the walk, a device (a link to
				// /dev/zero) never ends: only named paths read streams.
				out = append(out, input{name: name, err: fmt.Errorf("%w; skipped", &NotRegularError{Mode: mode})})
				return nil
			}
			add(name)
			return nil
		})
		if err != nil {
			out = append(out, input{name: p, err: err})
		}
	}
	return out
}

// unwrapPathError drops the path from an error that will be shown next
// to the same path.
func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return fmt.Errorf("cannot %s: %w", pe.Op, pe.Err)
	}
	return err
}

// read fills in the data of an input that has no error yet, within the
// size cap and until ctx ends.
func (in *input) read(ctx context.Context, stdin io.Reader, limit int64) {
	if in.err != nil {
		return
	}
	if in.name == "-" {
		if stdin == nil {
			in.err = fmt.Errorf("no standard input")
			return
		}
		in.data, in.err = ReadAll(ctx, stdin, limit)
		if in.err != nil {
			in.err = fmt.Errorf("cannot read standard input: %w", in.err)
		}
		return
	}
	in.data, in.err = ReadFile(ctx, in.name, limit)
	if in.err != nil {
		in.err = unwrapPathError(in.err)
	}
}

// excluded tells whether a path matches one of the exclude globs. A glob
// with a slash matches the path (relative as given, slash-separated), a
// glob without one matches any single path element, like .gitignore; "**"
// matches any number of directories.
func excluded(name string, globs []string) bool {
	if len(globs) == 0 {
		return false
	}
	p := filepath.ToSlash(filepath.Clean(name))
	p = strings.TrimPrefix(p, "./")
	elems := strings.Split(p, "/")
	for _, g := range globs {
		g = strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(g), "./"), "/")
		if g == "" {
			continue
		}
		if !strings.Contains(g, "/") {
			for _, e := range elems {
				if ok, _ := path.Match(g, e); ok {
					return true
				}
			}
			continue
		}
		if matchSegments(strings.Split(g, "/"), elems) {
			return true
		}
	}
	return false
}

func matchSegments(g, p []string) bool {
	for len(g) > 0 {
		if g[0] == "**" {
			for i := 0; i <= len(p); i++ {
				if matchSegments(g[1:], p[i:]) {
					return true
				}
			}
			return false
		}
		if len(p) == 0 {
			return false
		}
		if ok, _ := path.Match(g[0], p[0]); !ok {
			return false
		}
		g, p = g[1:], p[1:]
	}
	// A glob naming a directory excludes everything below it.
	return true
}
