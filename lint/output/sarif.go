package output

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/lint"
)

// SARIF writes a SARIF 2.1.0 log, the format GitHub code scanning and
// other code-review tools import. Uploads reject files that do not match
// the schema, so the test validates against the official one.
type SARIF struct {
	// Version is the podlint version recorded as the driver's version.
	Version string
}

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// InformationURI is where users learn what the tool is.
	InformationURI = "https://github.com/podlint/podlint"
	// DocsURI is the catalogue page; each rule's help links to its section.
	DocsURI = "https://github.com/podlint/podlint/blob/main/docs/checks.md"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	ColumnKind  string            `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifText          `json:"help"`
	HelpURI              string             `json:"helpUri"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags []string `json:"tags"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex *int            `json:"ruleIndex,omitempty"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// Write implements Output.
func (s *SARIF) Write(w io.Writer, r *lint.Report) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "podlint",
			Version:        s.Version,
			InformationURI: InformationURI,
			Rules:          make([]sarifRule, 0, len(r.Checks)),
		}},
		Results:    make([]sarifResult, 0, len(r.Findings)),
		ColumnKind: "unicodeCodePoints",
	}
	index := make(map[string]int, len(r.Checks))
	for i, c := range r.Checks {
		index[c.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:               c.ID,
			Name:             ruleName(c.ID),
			ShortDescription: sarifText{Text: c.Title},
			FullDescription:  sarifText{Text: c.Description},
			Help: sarifText{
				Text:     c.Description + "\n\nStuck state: " + string(c.Symptom) + "\n\nFix: " + c.Remediation,
				Markdown: ruleMarkdown(c),
			},
			HelpURI:              DocsURI + "#" + c.ID,
			DefaultConfiguration: sarifConfiguration{Level: level(c.Severity, "note")},
			Properties:           sarifRuleProps{Tags: []string{"kubernetes", string(c.Symptom)}},
		})
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		res := sarifResult{
			RuleID:    f.Check,
			Level:     level(f.Severity, "note"),
			Message:   sarifText{Text: message(f)},
			Locations: []sarifLocation{location(f.File, f.Line, f.Column)},
		}
		if idx, ok := index[f.Check]; ok {
			res.RuleIndex = &idx
		}
		res.Locations[0].LogicalLocations = []sarifLogical{{
			FullyQualifiedName: f.Object.String(),
			Kind:               "object",
		}}
		run.Results = append(run.Results, res)
	}
	inv := sarifInvocation{ExecutionSuccessful: len(r.Errors) == 0}
	for _, e := range r.Errors {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:     "error",
			Message:   sarifText{Text: e.Message},
			Locations: []sarifLocation{location(e.File, e.Line, 0)},
		})
	}
	run.Invocations = []sarifInvocation{inv}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return err
	}
	_, err := w.Write(escapeJSON(buf.Bytes()))
	return err
}

func location(file string, line, col int) sarifLocation {
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: artifactURI(file)}}}
	if line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: line, StartColumn: col}
	}
	return loc
}

// artifactURI turns a path into the relative URI code scanning resolves
// against the checkout: forward slashes, percent-encoded, no "./".
func artifactURI(file string) string {
	p := filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	p = strings.TrimPrefix(p, "./")
	return (&url.URL{Path: p}).EscapedPath()
}

// ruleName is the ID in PascalCase, the form SARIF viewers expect in
// reportingDescriptor.name (memory-unit-milli → MemoryUnitMilli).
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func ruleMarkdown(c *checks.Check) string {
	var b strings.Builder
	b.WriteString(c.Description + "\n\n**Stuck state:** `" + string(c.Symptom) + "`\n\n**Fix:** " + c.Remediation + "\n")
	if c.Bad != "" {
		b.WriteString("\nBad:\n\n```yaml\n" + strings.TrimRight(c.Bad, "\n") + "\n```\n")
	}
	if c.Good != "" {
		b.WriteString("\nGood:\n\n```yaml\n" + strings.TrimRight(c.Good, "\n") + "\n```\n")
	}
	return b.String()
}
