package helm

import (
	"github.com/podlint/podlint/manifest"

	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/ignore"

	"github.com/podlint/podlint/lint/ynode"
)

// ChartFile is the file that makes a directory a chart.
const ChartFile = "Chart.yaml"

// Error is a chart that cannot be rendered, or a problem in one, at its
// file and line when known;
// it is the decoder's error type (file:line: message).
type Error = manifest.Error

// IsChart tells whether dir holds a Chart.yaml (a regular file or a link
// to one).
func IsChart(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, ChartFile))
	return err == nil && st.Mode().IsRegular()
}

// ChartOf returns the top chart a path belongs to: the outermost chart
// directory holding it through charts/ directories (a subchart renders
// with its parent), or "" when the path is in no chart. A chart's own
// directory belongs to it.
func ChartOf(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	dir := abs
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		dir = filepath.Dir(abs)
	}
	found := ""
	for {
		if IsChart(dir) {
			found = dir
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
	return TopChart(found)
}

// TopChart climbs from a chart directory to the chart that vendors it:
// a chart at P/charts/NAME is a subchart of P when P is a chart.
func TopChart(dir string) string {
	for {
		parent := filepath.Dir(dir)
		if filepath.Base(parent) != "charts" {
			return dir
		}
		up := filepath.Dir(parent)
		if !IsChart(up) {
			return dir
		}
		dir = up
	}
}

// source is a chart loaded from disk, with what positions need: the
// directory of each chart of the tree by its template path prefix.
type source struct {
	dir   string
	chart *chart.Chart
	// files are the chart's files as read, by slash path relative to dir.
	files map[string][]byte
}

// load reads a chart directory as loader.LoadDir does (.helmignore and
// its defaults honoured, a UTF-8 BOM dropped), but only regular files
// under the size cap; a link to a directory is not followed (it could
// loop).
func load(dir string, limit int64) (*source, error) {
	rules := ignore.Empty()
	if data, err := ynode.ReadRegular(filepath.Join(dir, ignore.HelmIgnore), limit); err == nil {
		r, err := ignore.Parse(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
		}
		rules = r
	}
	rules.AddDefaults()
	src := &source{dir: dir, files: map[string][]byte{}}
	var files []*loader.BufferedFile
	err := filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if name == dir {
			return err
		}
		rel, rerr := filepath.Rel(dir, name)
		if rerr != nil {
			return rerr
		}
		n := filepath.ToSlash(rel)
		if err != nil {
			return fmt.Errorf("%s: %w", n, ynode.UnwrapPathError(err))
		}
		fi, err := os.Stat(name)
		if err != nil {
			if d.Type()&fs.ModeSymlink != 0 {
				// A dangling link: Helm fails on it too.
				return fmt.Errorf("%s: %w", n, ynode.UnwrapPathError(err))
			}
			return err
		}
		if d.IsDir() {
			if rules.Ignore(n, fi) {
				return fs.SkipDir
			}
			return nil
		}
		if fi.IsDir() || rules.Ignore(n, fi) {
			return nil
		}
		data, err := ynode.ReadRegular(name, limit)
		if err != nil {
			return fmt.Errorf("%s: %w", n, ynode.UnwrapPathError(err))
		}
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		src.files[n] = data
		files = append(files, &loader.BufferedFile{Name: n, Data: data})
		return nil
	})
	if err != nil {
		return nil, err
	}
	c, err := loadFiles(files)
	if err != nil {
		return nil, err
	}
	src.chart = c
	return src, nil
}

// loadFiles is loader.LoadFiles, which podlint survives panicking.
func loadFiles(files []*loader.BufferedFile) (c *chart.Chart, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("loading the chart failed: %v", r)
		}
	}()
	return loader.LoadFiles(files)
}

// chartDir returns the directory on disk of the chart a template path
// names ("app/charts/db/templates/x.yaml" names the chart app/charts/db),
// and the template's path relative to it; archive is set when the
// subchart came from a .tgz in charts/, which holds the file instead.
func (s *source) chartDir(tmpl string) (dir, rel, archive string) {
	parts := strings.Split(tmpl, "/")
	if len(parts) < 2 {
		return s.dir, tmpl, ""
	}
	dir = s.dir
	parts = parts[1:]
	for len(parts) >= 2 && parts[0] == "charts" {
		name := parts[1]
		sub, ok := subchartDir(dir, name)
		if !ok {
			// From an archive: the archive's path, whatever lies below.
			if a := archiveOf(dir, name); a != "" {
				return dir, strings.Join(parts[2:], "/"), a
			}
			return dir, strings.Join(parts, "/"), ""
		}
		dir = sub
		parts = parts[2:]
	}
	return dir, strings.Join(parts, "/"), ""
}

// subchartDir finds the directory in dir/charts that holds the chart
// named name (its Chart.yaml name, or the alias Chart.yaml gives it).
func subchartDir(dir, name string) (string, bool) {
	cand := filepath.Join(dir, "charts", name)
	if IsChart(cand) {
		return cand, true
	}
	entries, err := os.ReadDir(filepath.Join(dir, "charts"))
	if err != nil {
		return "", false
	}
	aliases := aliasesOf(dir)
	for _, e := range entries {
		p := filepath.Join(dir, "charts", e.Name())
		if !IsChart(p) {
			continue
		}
		n := chartName(p)
		if n == name || slices.Contains(aliases[n], name) {
			return p, true
		}
	}
	return "", false
}

// archiveOf finds the .tgz in dir/charts a subchart named name came from.
func archiveOf(dir, name string) string {
	entries, err := os.ReadDir(filepath.Join(dir, "charts"))
	if err != nil {
		return ""
	}
	names := []string{name}
	for real, as := range aliasesOf(dir) {
		if slices.Contains(as, name) {
			names = append(names, real)
		}
	}
	var last string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".tgz") {
			continue
		}
		last = filepath.Join(dir, "charts", e.Name())
		for _, n := range names {
			if strings.HasPrefix(e.Name(), n+"-") {
				return last
			}
		}
	}
	return ""
}
