package snapshot

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Format is a snapshot file's encoding.
type Format int

// Snapshot formats. JSON loads several times faster than YAML.
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

type namedItem struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   nameMeta   `json:"metadata"`
	Type       string     `json:"type,omitempty"`
	Spec       *podSpec   `json:"spec,omitempty"`
	Status     *podStatus `json:"status,omitempty"`
}

// Write encodes the snapshot as a v1 List that DecodeSnapshot and kubectl
// read. The ListedKindsAnnotation records every listed kind, so a kind that
// was listed but empty stays known when the file is loaded again. Secrets
// are written as metadata and type: the snapshot never had their data.
func (s *Snapshot) Write(w io.Writer, f Format) error {
	s.sort()
	var kinds []string
	for _, k := range s.ListedKinds() {
		kinds = append(kinds, string(k))
	}
	list := snapshotList{
		APIVersion: "v1",
		Kind:       "List",
		Metadata:   snapshotListMeta{Annotations: map[string]string{ListedKindsAnnotation: strings.Join(kinds, ",")}},
	}
	// add keeps the first encoding error and skips the rest, so the loops
	// below stay one line each.
	var err error
	add := func(v any) {
		if err != nil {
			return
		}
		b, e := json.Marshal(v)
		if e != nil {
			err = e
			return
		}
		list.Items = append(list.Items, b)
	}
	tm := func(apiVersion, kind string) metav1.TypeMeta {
		return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
	}
	for _, n := range s.Nodes {
		c := *n
		c.TypeMeta = tm("v1", "Node")
		add(&c)
	}
	for _, n := range s.Namespaces {
		c := *n
		c.TypeMeta = tm("v1", "Namespace")
		add(&c)
	}
	for _, ds := range s.DaemonSets {
		c := *ds
		c.TypeMeta = tm("apps/v1", "DaemonSet")
		add(&c)
	}
	for _, sa := range s.ServiceAccounts {
		c := *sa
		c.TypeMeta = tm("v1", "ServiceAccount")
		add(&c)
	}
	for _, m := range s.Secrets {
		// A Secret whose type was not read is written without one, which
		// the loader reads back as "type unknown".
		typ := string(m.Type)
		if !m.TypeKnown {
			typ = ""
		}
		add(namedItem{APIVersion: "v1", Kind: "Secret", Metadata: nameMeta{Name: m.Name, Namespace: m.Namespace}, Type: typ})
	}
	for _, c := range s.ConfigMaps {
		add(namedItem{APIVersion: "v1", Kind: "ConfigMap", Metadata: nameMeta{Name: c.Name, Namespace: c.Namespace}})
	}
	for _, c := range s.PVCs {
		add(namedItem{APIVersion: "v1", Kind: "PersistentVolumeClaim", Metadata: nameMeta{Name: c.Name, Namespace: c.Namespace}})
	}
	for _, lr := range s.LimitRanges {
		c := *lr
		c.TypeMeta = tm("v1", "LimitRange")
		add(&c)
	}
	for _, q := range s.ResourceQuotas {
		c := *q
		c.TypeMeta = tm("v1", "ResourceQuota")
		add(&c)
	}
	for _, p := range s.Pods {
		add(namedItem{
			APIVersion: "v1", Kind: "Pod", Metadata: nameMeta{Name: p.Name, Namespace: p.Namespace},
			Spec: &podSpec{NodeName: p.NodeName}, Status: &podStatus{Phase: p.Phase},
		})
	}
	if err != nil {
		return fmt.Errorf("encoding snapshot: %w", err)
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
