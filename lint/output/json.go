package output

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/podlint/podlint/lint"
)

// JSON writes the report as one object whose shape is a contract with
// users' scripts: every key is always present (empty strings, zeros and
// empty arrays rather than omissions or null).
type JSON struct{}

type jsonReport struct {
	Findings []jsonFinding `json:"findings"`
	Errors   []jsonError   `json:"errors"`
	Summary  jsonSummary   `json:"summary"`
}

type jsonFinding struct {
	Check       string     `json:"check"`
	Severity    string     `json:"severity"`
	File        string     `json:"file"`
	Line        int        `json:"line"`
	Column      int        `json:"column"`
	Object      jsonObject `json:"object"`
	Container   string     `json:"container"`
	Field       string     `json:"field"`
	Message     string     `json:"message"`
	Symptom     string     `json:"symptom"`
	Remediation string     `json:"remediation"`
}

type jsonObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

type jsonError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// jsonSummary repeats lint.Summary's fields without its tags, so that a
// change there cannot silently change this format.
type jsonSummary struct {
	Files      int `json:"files"`
	Objects    int `json:"objects"`
	Findings   int `json:"findings"`
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Infos      int `json:"infos"`
	Skipped    int `json:"skipped"`
	Suppressed int `json:"suppressed"`
	Patches    int `json:"patches"`
}

// Write implements Output.
func (*JSON) Write(w io.Writer, r *lint.Report) error {
	out := jsonReport{
		Findings: make([]jsonFinding, 0, len(r.Findings)),
		Errors:   make([]jsonError, 0, len(r.Errors)),
		Summary:  jsonSummary(r.Summary),
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, jsonFinding{
			Check:    f.Check,
			Severity: f.Severity.String(),
			File:     f.File,
			Line:     f.Line,
			Column:   f.Column,
			Object: jsonObject{
				APIVersion: f.Object.APIVersion,
				Kind:       f.Object.Kind,
				Namespace:  f.Object.Namespace,
				Name:       f.Object.Name,
			},
			Container:   f.Container,
			Field:       f.Field,
			Message:     f.Message,
			Symptom:     string(f.Symptom),
			Remediation: f.Remediation,
		})
	}
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, jsonError(e))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := w.Write(escapeJSON(buf.Bytes()))
	return err
}
