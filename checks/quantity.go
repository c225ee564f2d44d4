package checks

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// quantityValue is one resource quantity of a pod spec together with how
// it was written. The unit checks need the text: "1000m" and "1" decode to
// the same resource.Quantity.
type quantityValue struct {
	Path      *field.Path
	Container string
	// What names the value for messages: "memory limit", "pod memory
	// request", "memory overhead".
	What  string
	Limit bool
	Name  corev1.ResourceName
	Q     resource.Quantity
	// Text is the value as written when Raw knows it, else the decoded
	// quantity's canonical string (what the webhook sees).
	Text string
}

// resourceValues lists the quantities named names in every container's
// requests and limits, the pod-level spec.resources and spec.overhead.
func resourceValues(t *Target, names ...corev1.ResourceName) []quantityValue {
	if t.Spec == nil {
		return nil
	}
	var out []quantityValue
	add := func(list corev1.ResourceList, path *field.Path, container, what string, limit bool) {
		for _, n := range names {
			q, ok := list[n]
			if !ok {
				continue
			}
			p := path.Key(string(n))
			out = append(out, quantityValue{
				Path: p, Container: container, What: strings.TrimSpace(what + " " + string(n)),
				Limit: limit, Name: n, Q: q, Text: writtenText(t, p, q),
			})
		}
	}
	for _, c := range t.Containers() {
		r := &c.Container.Resources
		rp := c.Path.Child("resources")
		add(r.Requests, rp.Child("requests"), c.Container.Name, "", false)
		add(r.Limits, rp.Child("limits"), c.Container.Name, "", true)
	}
	if r := t.Spec.Resources; r != nil {
		rp := t.SpecPath.Child("resources")
		add(r.Requests, rp.Child("requests"), "", "pod", false)
		add(r.Limits, rp.Child("limits"), "", "pod", true)
	}
	add(t.Spec.Overhead, t.SpecPath.Child("overhead"), "", "", false)
	for i := range out {
		role := " request"
		switch {
		case out[i].Limit:
			role = " limit"
		case strings.Contains(out[i].Path.String(), ".overhead["):
			role = " overhead"
		}
		out[i].What += role
	}
	return out
}

func writtenText(t *Target, p *field.Path, q resource.Quantity) string {
	if t.Raw != nil {
		if s, ok := t.Raw.Scalar(p); ok && strings.TrimSpace(s.Text) != "" {
			return strings.TrimSpace(s.Text)
		}
	}
	return q.String()
}

// quantityForm says whether a quantity was written with a unit, as a bare
// number, or as a number with the milli suffix.
type quantityForm int

const (
	formUnit quantityForm = iota
	formBare
	formMilli
)

// classify returns the form of text and its number without suffix.
// YAML ints (`memory: 4`) and strings (`memory: "4"`) have the same text,
// so both are bare.
func classify(text string) (quantityForm, string) {
	if num, ok := strings.CutSuffix(text, "m"); ok && isDecimal(num, false) {
		return formMilli, num
	}
	if isDecimal(text, true) {
		return formBare, text
	}
	return formUnit, text
}

// isDecimal reports whether s is a signed decimal number (12, -1.5, .5,
// 3.), with an exponent (1e3, 2.5E-2) if exp is set. It replaces a regexp
// on the webhook's path: every quantity of every review is classified.
func isDecimal(s string, exp bool) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits := func() int {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		return n
	}
	n := digits()
	s = s[n:]
	if s != "" && s[0] == '.' {
		s = s[1:]
		m := digits()
		s = s[m:]
		n += m
	}
	if n == 0 {
		return false
	}
	if exp && s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s != "" && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		if digits() == 0 {
			return false
		}
		s = s[digits():]
	}
	return s == ""
}

// decimalString prints a quantity's value in base units without
// exponent or trailing zeros: 1024m -> "1.024", 1000m -> "1".
func decimalString(q resource.Quantity) string {
	s := q.AsDec().String()
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
