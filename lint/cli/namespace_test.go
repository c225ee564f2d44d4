package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestKubeconfigNamespace: with --live and no -n, namespace-less objects
// go where kubectl apply would put them with the same kubeconfig: the
// context's namespace, else default.
func TestKubeconfigNamespace(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	data := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: x}
contexts:
- name: ops
  context: {cluster: c, user: u, namespace: ops}
- name: plain
  context: {cluster: c, user: u}
current-context: ops
`
	if err := os.WriteFile(kc, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ context, want string }{
		{"", "ops"},
		{"ops", "ops"},
		{"plain", "default"},
	} {
		if got := kubeconfigNamespace(&Config{Kubeconfig: kc, KubeContext: tt.context}); got != tt.want {
			t.Errorf("context %q: namespace %q, want %q", tt.context, got, tt.want)
		}
	}
}
