package checks

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

// TestBareMemorySuggestions pins memory-unit-missing's one documented
// rule: n Mi and n Gi, without a reading below the memory minimum.
func TestBareMemorySuggestions(t *testing.T) {
	minimum := resource.MustParse("6Mi")
	tests := []struct {
		text string
		want string
	}{
		{"4", `"4Gi"`},
		{"5", `"5Gi"`},
		{"6", `"6Mi" or "6Gi"`},
		{"64", `"64Mi" or "64Gi"`},
		{"128", `"128Mi" or "128Gi"`},
		{"512", `"512Mi" or "512Gi"`},
		{"0.5", `"0.5Gi"`},
		{"1e3", ``},
	}
	for _, tt := range tests {
		if got := strings.Join(bareMemorySuggestions(tt.text, minimum), " or "); got != tt.want {
			t.Errorf("bareMemorySuggestions(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
	if got := strings.Join(bareMemorySuggestions("64", resource.MustParse("100Mi")), " or "); got != `"64Gi"` {
		t.Errorf("with a 100Mi minimum, 64 suggests %s, want only \"64Gi\"", got)
	}
}
