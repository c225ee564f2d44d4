package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlint/podlint/cluster"
)

// writeTree writes files (path -> content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func limitRange(ns, max string) string {
	return "apiVersion: v1\nkind: LimitRange\nmetadata: {name: limits, namespace: " + ns + "}\nspec:\n  limits:\n  - type: Container\n    max: {memory: " + max + "}\n"
}

const bigShopDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: big, namespace: shop}
spec:
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec:
      imagePullSecrets: [{name: regcred}]
      containers:
      - name: app
        image: nginx:1.27
        resources: {limits: {memory: 4Gi}}
`

func secret(ns, typ string) string {
	return "apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: " + ns + "}\ntype: " + typ + "\n"
}

func countOf(rep *Report, check string) int {
	n := 0
	for _, f := range rep.Findings {
		if f.Check == check {
			n++
		}
	}
	return n
}

// TestConflictingCopies: copies of one object in two places of the run that
// disagree on what a check reads make it unknown; agreeing copies count.
func TestConflictingCopies(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		check string
		want  int
	}{
		{"agreeing LimitRange copies apply", map[string]string{
			"a/lr.yaml": limitRange("shop", "1Gi"), "b/lr.yaml": limitRange("shop", "1Gi"), "c/deploy.yaml": bigShopDeployment,
		}, "limit-range-violation", 1},
		{"conflicting LimitRange copies are unknown", map[string]string{
			"a/lr.yaml": limitRange("shop", "1Gi"), "b/lr.yaml": limitRange("shop", "2Gi"), "c/deploy.yaml": bigShopDeployment,
		}, "limit-range-violation", 0},
		{"a LimitRange of another namespace does not apply", map[string]string{
			"a/lr.yaml": limitRange("billing", "1Gi"), "c/deploy.yaml": bigShopDeployment,
		}, "limit-range-violation", 0},
		{"agreeing Secret types count", map[string]string{
			"a/s.yaml": secret("shop", "Opaque"), "b/s.yaml": secret("shop", "Opaque"), "c/deploy.yaml": bigShopDeployment,
		}, "image-pull-secret-wrong-type", 1},
		{"conflicting Secret types are unknown", map[string]string{
			"a/s.yaml": secret("shop", "Opaque"), "b/s.yaml": secret("shop", "kubernetes.io/dockerconfigjson"), "c/deploy.yaml": bigShopDeployment,
		}, "image-pull-secret-wrong-type", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			rep := Run(t.Context(), Options{Paths: []string{dir}})
			if got := countOf(rep, tt.check); got != tt.want {
				t.Errorf("%d %s findings, want %d: %+v", got, tt.check, tt.want, rep.Findings)
			}
		})
	}
}

// TestNamespaceOfTheApply: a namespace-less workload's references are
// judged against the cluster only when the namespace of the apply is
// known (-n), and a namespace-less ConfigMap counts only in its own
// directory, or everywhere once -n gives all of them one namespace.
func TestNamespaceOfTheApply(t *testing.T) {
	deploy := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        envFrom: [{configMapRef: {name: web-config}}]
`
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\n"
	store := func() *cluster.Store {
		s := cluster.New()
		s.MarkKnown(cluster.ConfigMaps, cluster.AllNamespaces)
		return s
	}
	tests := []struct {
		name      string
		files     map[string]string
		namespace string
		want      int
	}{
		{"namespace unknown: the cluster's ConfigMaps do not apply", map[string]string{"app/deploy.yaml": deploy}, "", 0},
		{"-n: the cluster says it is missing", map[string]string{"app/deploy.yaml": deploy}, "prod", 1},
		{"the ConfigMap applied with it", map[string]string{"app/deploy.yaml": deploy, "app/cm.yaml": cm}, "prod", 0},
		{"-n: a ConfigMap in another directory is in the same namespace", map[string]string{"app/deploy.yaml": deploy, "config/cm.yaml": cm}, "prod", 0},
		{"an explicit other namespace does not count", map[string]string{"app/deploy.yaml": deploy,
			"config/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: staging}\n"}, "prod", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			rep := Run(t.Context(), Options{Paths: []string{dir}, Store: store(), Namespace: tt.namespace})
			if got := countOf(rep, "configmap-not-found"); got != tt.want {
				t.Errorf("%d configmap-not-found findings, want %d: %+v", got, tt.want, rep.Findings)
			}
			for _, f := range rep.Findings {
				if f.Check == "configmap-not-found" && !strings.Contains(f.Message, `namespace "`+tt.namespace+`"`) {
					t.Errorf("message names another namespace than -n %s: %s", tt.namespace, f.Message)
				}
			}
		})
	}
}

// TestApplyGroups: a namespace-less LimitRange applies to namespace-less
// workloads of its own directory and of nothing else; stdin is its own
// group.
func TestApplyGroups(t *testing.T) {
	lr := limitRange("x", "1Gi")
	lr = strings.Replace(lr, ", namespace: x", "", 1)
	big := strings.Replace(bigShopDeployment, ", namespace: shop", "", 1)
	dir := writeTree(t, map[string]string{"a/lr.yaml": lr, "a/deploy.yaml": big, "b/deploy.yaml": big})
	rep := Run(t.Context(), Options{Paths: []string{dir, "-"}, Stdin: strings.NewReader(big)})
	var files []string
	for _, f := range rep.Findings {
		if f.Check == "limit-range-violation" {
			files = append(files, filepath.Base(filepath.Dir(f.File))+"/"+filepath.Base(f.File))
		}
	}
	if strings.Join(files, ",") != "a/deploy.yaml" {
		t.Errorf("limit-range-violation in %q, want only a/deploy.yaml", files)
	}
	if n := countOf(rep, "limit-range-violation"); n != 1 {
		t.Errorf("%d findings", n)
	}
}

// TestInputKeysAndClasses: ConfigMap keys count only where the ConfigMap
// is applied with the workload; a PriorityClass among the inputs exists
// for the whole run (classes are cluster-scoped).
func TestInputKeysAndClasses(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {LOG_LEVEL: info}\n"
	wantsKey := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      priorityClassName: PRIORITY
      containers:
      - name: app
        image: nginx:1.27
        env:
        - name: L
          valueFrom: {configMapKeyRef: {name: cfg, key: log_level}}
`
	pc := "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: batch-high}\nvalue: 1000\n"
	dir := writeTree(t, map[string]string{
		"a/cm.yaml":     cm,
		"a/deploy.yaml": strings.Replace(wantsKey, "PRIORITY", "batch-high", 1),
		"b/deploy.yaml": strings.Replace(wantsKey, "PRIORITY", "batch-low", 1),
		"c/pc.yaml":     pc,
	})
	store := cluster.New()
	store.MarkKnown(cluster.PriorityClasses, cluster.AllNamespaces)
	rep := Run(t.Context(), Options{Paths: []string{dir}, Store: store})
	got := map[string][]string{}
	for _, f := range rep.Findings {
		rel, _ := filepath.Rel(dir, f.File)
		got[f.Check] = append(got[f.Check], filepath.ToSlash(rel))
	}
	if g := strings.Join(got["configmap-key-not-found"], ","); g != "a/deploy.yaml" {
		t.Errorf("configmap-key-not-found in %q, want only a/deploy.yaml (b's ConfigMap is not applied with it)", g)
	}
	if g := strings.Join(got["priority-class-not-found"], ","); g != "b/deploy.yaml" {
		t.Errorf("priority-class-not-found in %q, want only b/deploy.yaml (batch-high is among the inputs)", g)
	}
}

// TestInputPodAffinity: pods the workloads of the same apply would create
// satisfy a pod affinity term; those of another directory do not, and a
// namespace-less workload's own namespace is unknown to the cluster.
func TestInputPodAffinity(t *testing.T) {
	consumer := `apiVersion: apps/v1
kind: Deployment
metadata: {name: consumer NS}
spec:
  selector: {matchLabels: {app: consumer}}
  template:
    metadata: {labels: {app: consumer}}
    spec:
      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: queue}}
            topologyKey: kubernetes.io/hostname
      containers: [{name: app, image: nginx:1.27}]
`
	queue := "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: queue NS}\nspec:\n  serviceName: queue\n  selector: {matchLabels: {app: queue}}\n  template:\n    metadata: {labels: {app: queue}}\n    spec:\n      containers: [{name: q, image: nginx:1.27}]\n"
	ns := func(s, ns string) string { return strings.Replace(s, " NS}", ns+"}", 1) }
	dir := writeTree(t, map[string]string{
		"a/consumer.yaml": ns(consumer, ", namespace: shop"),
		"a/queue.yaml":    ns(queue, ", namespace: shop"),
		"b/consumer.yaml": ns(consumer, ", namespace: shop"),
		"c/consumer.yaml": ns(consumer, ", namespace: other"),
		"d/consumer.yaml": ns(consumer, ""),
		"e/consumer.yaml": ns(consumer, ""),
		"e/queue.yaml":    ns(queue, ""),
	})
	store := cluster.New()
	store.MarkKnown(cluster.Pods, cluster.AllNamespaces)
	rep := Run(t.Context(), Options{Paths: []string{dir}, Store: store})
	var got []string
	for _, f := range rep.Findings {
		if f.Check == "pod-affinity-unsatisfiable" {
			rel, _ := filepath.Rel(dir, f.File)
			got = append(got, filepath.ToSlash(rel))
		}
	}
	// b's consumer is in shop like a's queue, and an explicit namespace
	// matches across the run; c's is in another namespace; d's namespace
	// is unknown (no -n), so the cluster's empty pod list says nothing.
	if g := strings.Join(got, ","); g != "c/consumer.yaml" {
		t.Errorf("pod-affinity-unsatisfiable in %q, want only c/consumer.yaml", g)
	}
}
