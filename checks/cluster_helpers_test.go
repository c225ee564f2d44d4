package checks_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// listedKindsAnnotation mirrors snapshot.ListedKindsAnnotation: kinds
// listed completely in a snapshot, even when none came back.
const listedKindsAnnotation = "podlint.io/listed-kinds"

// yamlDocs splits a multi-document YAML stream, flattening v1 Lists, and
// returns the kinds a List's annotation declares listed.
func yamlDocs(t testing.TB, data string) (docs [][]byte, listed []string) {
	t.Helper()
	for _, doc := range strings.Split("\n"+data, "\n---") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatalf("bad yaml: %v\n%s", err, doc)
		}
		if bytes.Equal(bytes.TrimSpace(j), []byte("null")) {
			continue
		}
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(j, &head); err != nil {
			t.Fatal(err)
		}
		if head.Kind == "List" {
			for _, k := range strings.Split(head.Metadata.Annotations[listedKindsAnnotation], ",") {
				if k = strings.TrimSpace(k); k != "" {
					listed = append(listed, k)
				}
			}
			for _, it := range head.Items {
				docs = append(docs, it)
			}
			continue
		}
		docs = append(docs, j)
	}
	return docs, listed
}

func decodeTyped(t testing.TB, j []byte) (runtime.Object, string, string) {
	t.Helper()
	var tm metav1.TypeMeta
	if err := json.Unmarshal(j, &tm); err != nil {
		t.Fatal(err)
	}
	var obj runtime.Object
	switch tm.Kind {
	case "Pod":
		obj = &corev1.Pod{}
	case "Deployment":
		obj = &appsv1.Deployment{}
	case "StatefulSet":
		obj = &appsv1.StatefulSet{}
	case "DaemonSet":
		obj = &appsv1.DaemonSet{}
	case "Job":
		obj = &batchv1.Job{}
	case "CronJob":
		obj = &batchv1.CronJob{}
	case "Node":
		obj = &corev1.Node{}
	case "Namespace":
		obj = &corev1.Namespace{}
	case "ServiceAccount":
		obj = &corev1.ServiceAccount{}
	case "Secret":
		obj = &corev1.Secret{}
	case "ConfigMap":
		obj = &corev1.ConfigMap{}
	case "PersistentVolumeClaim":
		obj = &corev1.PersistentVolumeClaim{}
	case "LimitRange":
		obj = &corev1.LimitRange{}
	case "ResourceQuota":
		obj = &corev1.ResourceQuota{}
	case "StorageClass":
		obj = &storagev1.StorageClass{}
	case "PriorityClass":
		obj = &schedulingv1.PriorityClass{}
	case "RuntimeClass":
		obj = &nodev1.RuntimeClass{}
	default:
		t.Fatalf("test loader: unsupported kind %q", tm.Kind)
	}
	if err := json.Unmarshal(j, obj); err != nil {
		t.Fatalf("decoding %s: %v", tm.Kind, err)
	}
	return obj, tm.APIVersion, tm.Kind
}

// workload decodes one pod-spec object into a target.
func workload(t testing.TB, src string) *checks.Target {
	t.Helper()
	docs, _ := yamlDocs(t, src)
	if len(docs) != 1 {
		t.Fatalf("want one workload, got %d documents", len(docs))
	}
	obj, av, kind := decodeTyped(t, docs[0])
	return checks.NewTarget(obj, av, kind)
}

// clusterStore loads cluster objects into a real store the way a snapshot
// does: every kind that appears, or that the List annotation names, is
// known in all namespaces.
func clusterStore(t testing.TB, src string) *cluster.Store {
	t.Helper()
	st := cluster.New()
	docs, listed := yamlDocs(t, src)
	known := map[cluster.Kind]bool{}
	for _, k := range listed {
		known[cluster.Kind(k)] = true
	}
	for _, d := range docs {
		obj, _, kind := decodeTyped(t, d)
		addToStore(st, obj)
		known[cluster.Kind(kind)] = true
	}
	for k := range known {
		st.MarkKnown(k, cluster.AllNamespaces)
	}
	return st
}

// addToStore feeds one cluster object through its row of the kinds
// table. A Secret in a cluster fixture has its type: the API server
// always sets one.
func addToStore(st *cluster.Store, obj runtime.Object) {
	row, ok := cluster.ForObject(obj)
	if !ok {
		return
	}
	if sec, ok := obj.(*corev1.Secret); ok && sec.Type == "" {
		sec.Type = corev1.SecretTypeOpaque
	}
	st.Add(row.Kind, obj.(cluster.Object))
}

// runCluster runs one registered check on a target against a store.
func runCluster(t testing.TB, id string, target *checks.Target, st *cluster.Store) []checks.Finding {
	t.Helper()
	ch := checks.Lookup(id)
	if ch == nil {
		t.Fatalf("check %q is not registered", id)
	}
	e := &checks.Engine{Checks: []*checks.Check{ch}, Config: checks.DefaultConfig()}
	return e.RunTarget(target, st.Inventory()).Findings
}

type clusterCase struct {
	name     string
	cluster  string
	workload string
	// want lists "field: message substring" per finding, in order; empty
	// means no finding.
	want []string
	// severity, when set, is the expected severity of every finding.
	severity string
}

func runClusterCases(t *testing.T, id string, cases []clusterCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := runCluster(t, id, workload(t, tc.workload), clusterStore(t, tc.cluster))
			if len(fs) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(fs), len(tc.want), clusterLines(fs))
			}
			for i, w := range tc.want {
				field, msg, _ := strings.Cut(w, ": ")
				if fs[i].Field != field || !strings.Contains(fs[i].Message, msg) {
					t.Errorf("finding %d:\n got  %s: %s\n want %s: …%s…", i, fs[i].Field, fs[i].Message, field, msg)
				}
				if tc.severity != "" && fs[i].Severity.String() != tc.severity {
					t.Errorf("finding %d severity %s, want %s", i, fs[i].Severity, tc.severity)
				}
				if fs[i].Check != id {
					t.Errorf("finding %d from %s", i, fs[i].Check)
				}
			}
		})
	}
}

func clusterLines(fs []checks.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.Severity.String() + " " + f.Field + ": " + f.Message + "\n")
	}
	return b.String()
}

// genNodes builds n nodes; every tenth has disktype=ssd, every 500th
// gpu=true with one GPU, the first five canary=true.
func genNodes(n int) []*corev1.Node {
	out := make([]*corev1.Node, 0, n)
	for i := range n {
		labels := map[string]string{
			"kubernetes.io/hostname": "node-" + strconv.Itoa(i),
			"kubernetes.io/os":       "linux",
			"disktype":               "hdd",
		}
		alloc := corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("4"),
			corev1.ResourceMemory: resource.MustParse("16Gi"),
			corev1.ResourcePods:   resource.MustParse("110"),
		}
		if i%10 == 0 {
			labels["disktype"] = "ssd"
		}
		if i < 5 {
			labels["canary"] = "true"
		}
		if i%500 == 0 {
			labels["gpu"] = "true"
			alloc["nvidia.com/gpu"] = resource.MustParse("1")
		}
		out = append(out, &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "node-" + strconv.Itoa(i), Labels: labels},
			Status:     corev1.NodeStatus{Allocatable: alloc},
		})
	}
	return out
}
