package live

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/podlint/podlint/test/apiserver"

	"github.com/podlint/podlint/lint/cli"
)

func startAPIServer(t *testing.T) *envtest.Environment { return apiserver.Start(t) }

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      nodeSelector:
        disktype: nvme
      containers:
      - name: app
        image: registry.example.com/web:v1
        envFrom:
        - configMapRef:
            name: web-config
        - secretRef:
            name: db-credentials
`

type jsonReport struct {
	Findings []struct {
		Check   string `json:"check"`
		Message string `json:"message"`
		Line    int    `json:"line"`
	} `json:"findings"`
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Main(t.Context(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func checksOf(t *testing.T, stdout string) []string {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.Check)
	}
	slices.Sort(ids)
	return ids
}

func TestPodlintLive(t *testing.T) {
	env := startAPIServer(t)
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	node, err := cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "worker-1", Labels: map[string]string{"disktype": "ssd"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Allocatable = corev1.ResourceList{corev1.ResourcePods: *resourcePods()}
	if _, err := cs.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web-config"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	u, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	input := filepath.Join(dir, "web.yaml")
	snapshot := filepath.Join(dir, "cluster.json")
	for p, data := range map[string][]byte{kubeconfig: kc, input: []byte(manifest)} {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"node-selector-unsatisfiable", "secret-not-found"}

	code, stdout, stderr := run(t, "--live", "--kubeconfig", kubeconfig, "--write-snapshot", snapshot, "-o", "json", input)
	if code != cli.ExitFindings {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, cli.ExitFindings, stderr)
	}
	if got := checksOf(t, stdout); !slices.Equal(got, want) {
		t.Errorf("--live findings %v, want %v (web-config exists, db-credentials does not, no node has disktype=nvme)", got, want)
	}

	// The snapshot it wrote gives the same findings offline.
	code, stdout, stderr = run(t, "--cluster-snapshot", snapshot, "-o", "json", input)
	if code != cli.ExitFindings {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, cli.ExitFindings, stderr)
	}
	if got := checksOf(t, stdout); !slices.Equal(got, want) {
		t.Errorf("--cluster-snapshot findings %v, want %v", got, want)
	}

	// Without cluster knowledge the same input has no cluster findings.
	code, stdout, _ = run(t, "-o", "json", input)
	if got := checksOf(t, stdout); code != cli.ExitOK || len(got) != 0 {
		t.Errorf("without cluster knowledge: exit %d, findings %v; want 0 and none", code, got)
	}

	// The secret-keys opt-in: the cluster Secret's key names answer
	// secret-key-not-found; nothing of the Secret but its name and type
	// reaches the snapshot written.
	const value = "hunter2-never-written"
	if _, err := cs.CoreV1().Secrets("shop").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "api-token"},
		Data: map[string][]byte{"token": []byte(value)}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	keysInput, keysSnapshot := filepath.Join(dir, "keys.yaml"), filepath.Join(dir, "keys.json")
	if err := os.WriteFile(keysInput, []byte(keysManifest), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, "--live", "--secret-keys", "--enable", "secret-key-not-found", "--kubeconfig", kubeconfig, "--write-snapshot", keysSnapshot, "-o", "json", keysInput)
	if got := checksOf(t, stdout); code != cli.ExitFindings || !slices.Equal(got, []string{"secret-key-not-found"}) {
		t.Errorf("--live --secret-keys: exit %d, findings %v; want 1 and secret-key-not-found (api-token has token, not password); stderr:\n%s", code, got, stderr)
	}
	written, err := os.ReadFile(keysSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(written, []byte(value)) || bytes.Contains(written, []byte(`"token"`)) || !bytes.Contains(written, []byte(`"api-token"`)) {
		t.Errorf("the snapshot written under --secret-keys holds Secret data or keys, or lacks the Secret:\n%s", written)
	}
	code, stdout, _ = run(t, "--live", "--enable", "secret-key-not-found", "--kubeconfig", kubeconfig, "-o", "json", keysInput)
	if got := checksOf(t, stdout); code != cli.ExitOK || len(got) != 0 {
		t.Errorf("--live without --secret-keys: exit %d, findings %v; want 0 and none (the cluster side stays silent)", code, got)
	}
}

const keysManifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        env:
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: api-token, key: token}}
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: api-token, key: password}}
`

func TestPodlintLiveUnreachable(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	kc := `apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: gone
  context: {cluster: gone, user: nobody}
current-context: gone
users:
- name: nobody
  user: {token: x}
`
	input := filepath.Join(dir, "web.yaml")
	for p, data := range map[string]string{kubeconfig: kc, input: manifest} {
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := run(t, "--live", "--kubeconfig", kubeconfig, "--live-timeout", "10s", input)
	if code != cli.ExitError {
		t.Errorf("exit %d, want %d", code, cli.ExitError)
	}
	if strings.Count(stderr, "cannot reach the API server at https://127.0.0.1:1") != 1 {
		t.Errorf("stderr should say once that the server cannot be reached:\n%s", stderr)
	}
	// Nothing read is an input error, and the manifest is linted anyway.
	if !strings.Contains(stdout, "--live: error: reading cluster https://127.0.0.1:1: no cluster data could be read") || !strings.Contains(stdout, "in 1 file, 1 object") {
		t.Errorf("stdout should report the failed read and the linted manifest:\n%s", stdout)
	}
}

func resourcePods() *resource.Quantity {
	q := resource.MustParse("110")
	return &q
}
