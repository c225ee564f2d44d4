package checks_test

import (
	"testing"

	"github.com/podlint/podlint/checks"
)

const cmCluster = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: shop
data:
  A: "1"
`

func cmWorkload(key string, optional bool) string {
	opt := ""
	if optional {
		opt = "\n              optional: true"
	}
	return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - name: X
          valueFrom:
            configMapKeyRef:
              name: app
              key: ` + key + opt + `
`
}

func TestConfigMapKeyNotFound(t *testing.T) {
	runClusterCases(t, "configmap-key-not-found", []clusterCase{
		{name: "present", cluster: cmCluster, workload: cmWorkload("A", false)},
		{name: "missing", cluster: cmCluster, workload: cmWorkload("B", false), severity: "error",
			want: []string{"spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.key: couldn't find key B in ConfigMap shop/app"}},
		{name: "optional", cluster: cmCluster, workload: cmWorkload("B", true)},
		{name: "keys unknown", cluster: "", workload: cmWorkload("B", false)},
		// A ConfigMap without any key is treated as unread: an old snapshot
		// kept names only.
		{name: "no keys read", cluster: `
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: shop
`, workload: cmWorkload("B", false)},
	})
}

// TestConfigMapKeyFromInputs: a ConfigMap among the inputs adds its keys
// to the cluster's version; it never removes one (a run often holds a
// kustomize base and the partial ConfigMaps of its patches).
func TestConfigMapKeyFromInputs(t *testing.T) {
	for _, tc := range []struct {
		input string
		key   string
		want  int
	}{
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata: {A: '1', B: '2'}\n", "B", 0},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata: {C: '3'}\n", "A", 0},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata: {C: '3'}\n", "D", 1},
	} {
		st := clusterStore(t, cmCluster)
		st.AddTarget(workload(t, tc.input))
		got := runCluster(t, "configmap-key-not-found", workload(t, cmWorkload(tc.key, false)), st)
		if len(got) != tc.want {
			t.Errorf("key %s after input %q: %d findings, want %d:\n%s", tc.key, tc.input, len(got), tc.want, clusterLines(got))
		}
	}
}

func TestPriorityClassBuiltins(t *testing.T) {
	cluster := "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 10\n"
	pod := func(name string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  priorityClassName: " + name + "\n  containers: [{name: c, image: nginx:1.27}]\n"
	}
	runClusterCases(t, "priority-class-not-found", []clusterCase{
		{name: "system-node-critical", cluster: cluster, workload: pod("system-node-critical")},
		{name: "system-cluster-critical", cluster: cluster, workload: pod("system-cluster-critical")},
		{name: "missing", cluster: cluster, workload: pod("low"), want: []string{"spec.priorityClassName: no PriorityClass with name low"}},
	})
}

func TestStorageClassOnPVC(t *testing.T) {
	def := "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: std\n  annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}\nprovisioner: x\n"
	pvc := func(spec string) *checks.Target {
		return workload(t, "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: db}\nspec:\n"+spec+"  accessModes: [ReadWriteOnce]\n")
	}
	for _, tc := range []struct {
		name, cluster, spec string
		want                int
	}{
		{"default exists", def, "", 0},
		{"named missing", def, "  storageClassName: fast\n", 1},
		{"named present", def, "  storageClassName: std\n", 0},
		{"no default", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: std}\nprovisioner: x\n", "", 1},
		{"explicit none", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: std}\nprovisioner: x\n", "  storageClassName: \"\"\n", 0},
		{"unknown", "", "  storageClassName: fast\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCluster(t, "storage-class-not-found", pvc(tc.spec), clusterStore(t, tc.cluster))
			if len(got) != tc.want {
				t.Errorf("%d findings, want %d:\n%s", len(got), tc.want, clusterLines(got))
			}
			for _, f := range got {
				if f.Severity != checks.Warning {
					t.Errorf("severity %s, want warning", f.Severity)
				}
			}
		})
	}
}
