package plugin

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Manifest is a krew Plugin manifest (krew.googlecontainertools.github.com/
// v1alpha2), every field krew reads.
type Manifest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string     `json:"version"`
		Homepage         string     `json:"homepage"`
		ShortDescription string     `json:"shortDescription"`
		Description      string     `json:"description"`
		Caveats          string     `json:"caveats"`
		Platforms        []Platform `json:"platforms"`
	} `json:"spec"`
}

// Platform is one platform's archive.
type Platform struct {
	Selector *struct {
		MatchLabels      map[string]string `json:"matchLabels"`
		MatchExpressions []struct {
			Key      string   `json:"key"`
			Operator string   `json:"operator"`
			Values   []string `json:"values"`
		} `json:"matchExpressions"`
	} `json:"selector"`
	URI    string `json:"uri"`
	Sha256 string `json:"sha256"`
	Bin    string `json:"bin"`
	Files  []struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"files"`
}

// OSArch is the platform's os/arch from its matchLabels.
func (p *Platform) OSArch() string {
	if p.Selector == nil {
		return ""
	}
	return p.Selector.MatchLabels["os"] + "/" + p.Selector.MatchLabels["arch"]
}

var (
	safeName = regexp.MustCompile(`^[\w-]+$`)
	sha256Re = regexp.MustCompile(`^[a-f0-9]{64}$`)
	// krew parses versions with its semver package: a leading v, then
	// MAJOR.MINOR.PATCH with an optional pre-release and build.
	krewVersion = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
)

// Validate decodes a krew manifest strictly (an unknown field is an error)
// and applies the rules of krew's validation package (internal/index/
// validation in sigs.k8s.io/krew): API version and kind, a safe name that
// is also the file name, a one-line short description, a semver version,
// and for each platform a uri, a 64-hex sha256, a bin, well-formed files
// and a selector on os and arch only. It also requires what krew checks
// only at install time: https URIs naming the archive, bin among the files,
// no two platforms with one selector.
func Validate(file string, data []byte) (*Manifest, error) {
	var m Manifest
	if err := yaml.UnmarshalStrict(data, &m); err != nil {
		return nil, err
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if m.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" {
		bad("apiVersion %q", m.APIVersion)
	}
	if m.Kind != "Plugin" {
		bad("kind %q, want Plugin", m.Kind)
	}
	name := m.Metadata.Name
	if !safeName.MatchString(name) {
		bad("name %q does not match %s", name, safeName)
	}
	if want := strings.TrimSuffix(path.Base(file), ".yaml"); name != want {
		bad("plugin named %q in %s, krew wants %q", name, file, want)
	}
	if m.Spec.ShortDescription == "" || strings.ContainsAny(m.Spec.ShortDescription, "\r\n") {
		bad("shortDescription %q: must be one non-empty line", m.Spec.ShortDescription)
	}
	if !krewVersion.MatchString(m.Spec.Version) {
		bad("version %q is not vMAJOR.MINOR.PATCH", m.Spec.Version)
	}
	if len(m.Spec.Platforms) == 0 {
		bad("no platforms")
	}
	var seen []string
	for i, p := range m.Spec.Platforms {
		where := fmt.Sprintf("platforms[%d] (%s)", i, p.OSArch())
		switch {
		case p.URI == "":
			bad("%s: no uri", where)
		case !strings.HasPrefix(p.URI, "https://"):
			bad("%s: uri %q is not https", where, p.URI)
		}
		if !sha256Re.MatchString(p.Sha256) {
			bad("%s: sha256 %q is not 64 lower-case hex digits", where, p.Sha256)
		}
		if p.Bin == "" {
			bad("%s: no bin", where)
		}
		if p.Files != nil && len(p.Files) == 0 {
			bad("%s: files is empty (leave it out or list files)", where)
		}
		binCopied := p.Files == nil
		for _, f := range p.Files {
			if f.From == "" || f.To == "" {
				bad("%s: files entry %+v needs from and to", where, f)
			}
			if f.From == p.Bin || path.Join(f.To, f.From) == p.Bin {
				binCopied = true
			}
		}
		if !binCopied {
			bad("%s: bin %q is not among the files", where, p.Bin)
		}
		if p.Selector == nil {
			bad("%s: no selector", where)
			continue
		}
		if len(p.Selector.MatchLabels) == 0 && len(p.Selector.MatchExpressions) == 0 {
			bad("%s: empty selector", where)
		}
		for k := range p.Selector.MatchLabels {
			if k != "os" && k != "arch" {
				bad("%s: selector key %q (krew knows os and arch)", where, k)
			}
		}
		for _, e := range p.Selector.MatchExpressions {
			if e.Key != "os" && e.Key != "arch" {
				bad("%s: selector key %q (krew knows os and arch)", where, e.Key)
			}
		}
		if slices.Contains(seen, p.OSArch()) {
			bad("%s: a second platform with this selector", where)
		}
		seen = append(seen, p.OSArch())
	}
	return &m, errors.Join(errs...)
}
