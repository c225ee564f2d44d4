package snapshot

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/podlint/podlint/cluster"
)

// Format is a snapshot file's encoding.
type Format int

// Snapshot formats. JSON loads somewhat faster than YAML (about 1.5× less
// CPU for kubectl output; see docs/benchmarks.md).
const (
	JSON Format = iota
	YAML
)

// FormatForPath picks YAML for .yaml and .yml files and JSON otherwise.
func FormatForPath(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return YAML
	}
	return JSON
}

type snapshotList struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   snapshotListMeta  `json:"metadata"`
	Items      []json.RawMessage `json:"items"`
}

type snapshotListMeta struct {
	Annotations map[string]string `json:"annotations"`
}

// Write encodes the snapshot as a v1 List that Decode and kubectl read,
// objects in table order, then by namespace and name, so that the file is
// the same whatever order the server or the workers produced. The
// ListedKindsAnnotation records every listed kind, so a kind that was
// listed but empty stays known when the file is loaded again.
func (s *Snapshot) Write(w io.Writer, f Format) error {
	if s.err != nil {
		return fmt.Errorf("encoding snapshot: %w", s.err)
	}
	var kinds []string
	for _, k := range s.Listed() {
		kinds = append(kinds, string(k))
	}
	list := snapshotList{
		APIVersion: "v1",
		Kind:       "List",
		Metadata:   snapshotListMeta{Annotations: map[string]string{ListedKindsAnnotation: strings.Join(kinds, ",")}},
	}
	for _, r := range cluster.Kinds() {
		items := s.items[r.Kind]
		slices.SortFunc(items, func(a, b item) int {
			return cmp.Or(strings.Compare(a.namespace, b.namespace), strings.Compare(a.name, b.name))
		})
		for _, it := range items {
			list.Items = append(list.Items, it.json)
		}
	}
	out, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding snapshot: %w", err)
	}
	if f == YAML {
		if out, err = yaml.JSONToYAML(out); err != nil {
			return fmt.Errorf("encoding snapshot: %w", err)
		}
	} else {
		out = append(out, '\n')
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("writing snapshot: %w", err)
	}
	return nil
}

// WriteFile writes the snapshot to path, in YAML for .yaml/.yml files and
// JSON otherwise, replacing the file only once it is complete.
func (s *Snapshot) WriteFile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".podlint-snapshot-*")
	if err != nil {
		return fmt.Errorf("writing snapshot: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := s.Write(tmp, FormatForPath(path)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing snapshot: %w", err)
	}
	return nil
}
