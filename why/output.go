package why

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats are the values of -o.
func Formats() []string { return []string{"text", "json"} }

// Write prints a report as text or json.
func Write(w io.Writer, format string, r *Report) error {
	switch format {
	case "json":
		return writeJSON(w, r)
	case "text":
		return writeText(w, r)
	}
	return fmt.Errorf("unknown output format %q", format)
}

func writeJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// writeText prints one block per diagnosis:
//
//	Pod shop/web-7d9c8b-x2k4f: ImagePullBackOff, container app, node worker-3
//	  image-pull-unauthorized: registry docker02:35000 refused ...
//	  evidence:
//	    [status] status.containerStatuses{app}.state.waiting: ...
//	  fix:
//	    ...
//	  podlint would have caught it before deploy:
//	    Deployment shop/web spec.template.spec.containers[0]: ... [image-pull-secret-missing]
func writeText(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	for i, d := range r.Diagnoses {
		if i > 0 {
			bw.WriteString("\n")
		}
		head := d.Object.String() + ": " + d.State
		if d.Container != "" {
			head += ", container " + d.Container
		}
		if d.Node != "" {
			head += ", node " + d.Node
		}
		fmt.Fprintf(bw, "%s\n  %s: %s\n", head, d.Cause, d.Summary)
		if len(d.Evidence) > 0 {
			bw.WriteString("  evidence:\n")
			for _, e := range d.Evidence {
				fmt.Fprintf(bw, "    [%s] %s\n", e.Source, oneLine(e.Text))
			}
		}
		bw.WriteString("  fix:\n")
		for _, l := range strings.Split(d.Remediation, "\n") {
			fmt.Fprintf(bw, "    %s\n", l)
		}
		if len(d.Findings) > 0 {
			bw.WriteString("  podlint would have caught it before deploy:\n")
			for _, f := range d.Findings {
				fmt.Fprintf(bw, "    %s %s: %s [%s]\n", strings.TrimSpace(f.Object.Kind+" "+nsSlash(f.Object.Namespace)+f.Object.Name), f.Field, f.Message, f.Check)
			}
		}
	}
	if len(r.Diagnoses) > 0 {
		bw.WriteString("\n")
	}
	s := r.Summary
	if s.Stuck == 0 {
		if len(r.Targets) > 0 {
			for _, t := range r.Targets {
				fmt.Fprintf(bw, "%s: nothing stuck\n", t)
			}
		}
		fmt.Fprintf(bw, "Nothing stuck (%s examined).\n", plural(s.Pods, "pod"))
	} else {
		fmt.Fprintf(bw, "%s examined; %d stuck: %d diagnosed, %d unknown.\n", plural(s.Pods, "pod"), s.Stuck, s.Diagnosed, s.Unknown)
	}
	return bw.Flush()
}

func nsSlash(ns string) string {
	if ns == "" {
		return ""
	}
	return ns + "/"
}

// oneLine keeps multi-line messages (kubelet errors, log lines) on the
// evidence line they belong to.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
