package checks

import (
	"regexp"
	"testing"
)

// The grammars classify had as regexps before isDecimal replaced them on
// the webhook's path; isDecimal must accept exactly what they accept.
var (
	bareNumberRE   = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)
	plainDecimalRE = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$`)
)

func TestIsDecimal(t *testing.T) {
	for _, tc := range []struct {
		in         string
		plain, exp bool
	}{
		{"4", true, true}, {"1024", true, true}, {"+1", true, true}, {"-1.5", true, true},
		{".5", true, true}, {"3.", true, true}, {"0.000", true, true},
		{"1e3", false, true}, {"2.5E-2", false, true}, {".5e+7", false, true}, {"3.e1", false, true},
		{"", false, false}, {"+", false, false}, {"-", false, false}, {".", false, false}, {"+.", false, false},
		{"1e", false, false}, {"1e+", false, false}, {"e3", false, false}, {"1..2", false, false},
		{"1.2.3", false, false}, {"1Gi", false, false}, {"100m", false, false}, {" 1", false, false},
		{"1 ", false, false}, {"--1", false, false}, {"1e3e3", false, false}, {"0x10", false, false}, {"１", false, false},
	} {
		if got := isDecimal(tc.in, false); got != tc.plain {
			t.Errorf("isDecimal(%q, false) = %v, want %v", tc.in, got, tc.plain)
		}
		if got := isDecimal(tc.in, true); got != tc.exp {
			t.Errorf("isDecimal(%q, true) = %v, want %v", tc.in, got, tc.exp)
		}
	}
}

func FuzzIsDecimal(f *testing.F) {
	for _, s := range []string{"4", "-1.5", ".5", "3.", "1e3", "2.5E-2", "1e", "+.", "100m", "1Gi", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isDecimal(s, false), plainDecimalRE.MatchString(s); got != want {
			t.Errorf("isDecimal(%q, false) = %v, the regexp says %v", s, got, want)
		}
		if got, want := isDecimal(s, true), bareNumberRE.MatchString(s); got != want {
			t.Errorf("isDecimal(%q, true) = %v, the regexp says %v", s, got, want)
		}
	})
}
