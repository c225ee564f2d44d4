package webhook

import "testing"

func TestGoMemoryLimit(t *testing.T) {
	tests := []struct {
		env       map[string]string
		wantLimit int64
		wantDesc  string
	}{
		{map[string]string{MemoryLimitEnv: "268435456"}, 241591860, "230 MiB (90% of the container's 256 MiB)"},
		{map[string]string{MemoryLimitEnv: " 134217728\n"}, 120795930, "115 MiB (90% of the container's 128 MiB)"},
		{map[string]string{MemoryLimitEnv: "268435456", "GOMEMLIMIT": "100MiB"}, 0, "GOMEMLIMIT=100MiB (set explicitly)"},
		{map[string]string{}, 0, "none (no PODLINT_MEMORY_LIMIT)"},
		{map[string]string{MemoryLimitEnv: "256Mi"}, 0, `none (PODLINT_MEMORY_LIMIT="256Mi" is not a number of bytes)`},
		{map[string]string{MemoryLimitEnv: "0"}, 0, `none (PODLINT_MEMORY_LIMIT="0" is not a number of bytes)`},
	}
	for _, tc := range tests {
		limit, desc := goMemoryLimit(func(k string) string { return tc.env[k] })
		if limit != tc.wantLimit || desc != tc.wantDesc {
			t.Errorf("goMemoryLimit(%v) = %d, %q; want %d, %q", tc.env, limit, desc, tc.wantLimit, tc.wantDesc)
		}
	}
}
