package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/test/need"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: app
        image: docker02:35000/web:1
        resources:
          limits:
            memory: 4
            cpu: "1000m"
          requests:
            memory: "4"
`

func parseOne(t *testing.T, name, src string) *Object {
	t.Helper()
	objs, errs := Parse(name, []byte(src))
	if len(errs) > 0 {
		t.Fatalf("Parse errors: %v", errs)
	}
	if len(objs) != 1 {
		t.Fatalf("got %d objects, want 1", len(objs))
	}
	return objs[0]
}

func TestRawScalars(t *testing.T) {
	o := parseOne(t, "d.yaml", deployment)
	res := field.NewPath("spec", "template", "spec", "containers").Index(0).Child("resources")
	tests := []struct {
		path      *field.Path
		text, tag string
		line, col int
	}{
		{res.Child("limits").Key("memory"), "4", "!!int", 15, 21},
		{res.Child("limits").Key("cpu"), "1000m", "!!str", 16, 18},
		{res.Child("requests").Key("memory"), "4", "!!str", 18, 21},
		{field.NewPath("spec", "replicas"), "2", "!!int", 7, 13},
	}
	for _, tt := range tests {
		t.Run(tt.path.String(), func(t *testing.T) {
			s, ok := o.Target.Raw.Scalar(tt.path)
			if !ok {
				t.Fatal("scalar not found")
			}
			if s.Text != tt.text || s.Tag != tt.tag || s.Line != tt.line || s.Column != tt.col {
				t.Errorf("got %+v, want %q %s %d:%d", s, tt.text, tt.tag, tt.line, tt.col)
			}
		})
	}
	if _, ok := o.Target.Raw.Scalar(res.Child("limits")); ok {
		t.Error("a mapping is not a scalar")
	}
	d := o.Target.Object.(*appsv1.Deployment)
	if q := d.Spec.Template.Spec.Containers[0].Resources.Limits.Cpu(); q.MilliValue() != 1000 {
		t.Errorf("cpu decoded as %v", q)
	}
	if o.Target.Ref != (checks.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}) {
		t.Errorf("ref %+v", o.Target.Ref)
	}
	if o.Target.Spec == nil || o.Target.Replicas != 2 {
		t.Errorf("target without pod spec or replicas: %+v", o.Target)
	}
}

func TestPosition(t *testing.T) {
	o := parseOne(t, "d.yaml", deployment)
	tests := []struct {
		path      string
		line, col int
	}{
		{"", 1, 1},
		{"metadata.name", 4, 9},
		{"spec", 6, 1},
		{"spec.template.spec.containers", 10, 7},
		{"spec.template.spec.containers[0]", 11, 9},
		{"spec.template.spec.containers[0].image", 12, 16},
		{"spec.template.spec.containers[0].resources.limits[memory]", 15, 21},
		{"spec.template.spec.containers[0].resources.limits", 14, 11},
		// Absent fields fall back to the nearest ancestor.
		{"spec.template.spec.imagePullSecrets", 9, 5},
		{"spec.template.spec.containers[3].image", 10, 7},
		{"spec.template.spec.containers[0].resources.limits[ephemeral-storage]", 14, 11},
		{"spec.template.spec.containers[x]", 10, 7},
		{"nonsense[[]]..", 1, 1},
	}
	for _, tt := range tests {
		l, c := o.Position(tt.path)
		if l != tt.line || c != tt.col {
			t.Errorf("Position(%q) = %d:%d, want %d:%d", tt.path, l, c, tt.line, tt.col)
		}
	}
}

func TestParseStreams(t *testing.T) {
	svc := "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n"
	tests := []struct {
		name string
		src  string
		want []string // File:Line Kind/Name known
		errs []string // File:Line
	}{
		{"multi-document", "---\n" + svc + "---\n\n---\n# only a comment\n---\n" + strings.Replace(svc, "name: s", "name: t", 1),
			[]string{"x.yaml:2 Service/s true", "x.yaml:14 Service/t true"}, nil},
		{"CRLF", strings.ReplaceAll(deployment, "\n", "\r\n"), []string{"x.yaml:1 Deployment/shop/web true"}, nil},
		{"BOM", "\xef\xbb\xbf" + svc, []string{"x.yaml:1 Service/s true"}, nil},
		{"JSON with tabs", "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"ConfigMap\",\n\t\"metadata\": {\"name\": \"c\"},\n\t\"data\": {\"a\": \"b\\tc\"}\n}\n",
			[]string{"x.yaml:1 ConfigMap/c true"}, nil},
		{"kind List", "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(strings.TrimSpace(svc), "\n", "\n  ") + "\n- apiVersion: example.com/v1\n  kind: Widget\n  metadata: {name: w}\n",
			[]string{"x.yaml:4 Service/s true", "x.yaml:11 Widget/w false"}, nil},
		{"DeploymentList items without kind", "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- metadata: {name: a}\n  spec: {template: {spec: {containers: [{name: c, image: x}]}}}\n",
			[]string{"x.yaml:4 Deployment/a true"}, nil},
		{"Helm Source comments", "---\n# Source: chart/templates/svc.yaml\n" + svc + "---\n# Source: chart/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
			[]string{"x.yaml:3 Service/s true", "x.yaml:12 ConfigMap/c true"}, nil},
		{"kustomize $patch documents are patches, not objects",
			"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n$patch: delete\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n      - name: sidecar\n        $patch: delete\n---\n" + svc,
			[]string{"x.yaml:1 Job/j patch", "x.yaml:6 Deployment/d patch", "x.yaml:16 Service/s true"}, nil},
		{"CRD and removed apiVersion are unknown", "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\n---\napiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\n",
			[]string{"x.yaml:1 Certificate/c false", "x.yaml:5 Deployment/d false"}, nil},
		{"syntax error keeps the documents around it", svc + "---\nmetadata: [\n---\n" + svc,
			[]string{"x.yaml:1 Service/s true", "x.yaml:11 Service/s true"}, []string{"x.yaml:9"}},
		{"scalar document", "just text\n", nil, []string{"x.yaml:1"}},
		{"no kind", "replicaCount: 1\n", []string{"x.yaml:1 / false"}, nil},
		{"empty", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, errs := Parse("x.yaml", []byte(tt.src))
			var got []string
			for _, o := range objs {
				l, _ := o.Position("")
				state := map[bool]string{true: "true", false: "false"}[o.Known]
				if o.Patch {
					state = "patch"
				}
				got = append(got, o.File+":"+itoa(l)+" "+o.Ref.String()+" "+state)
				if o.Known && len(o.Target.Issues) > 0 {
					t.Errorf("unexpected issues: %+v", o.Target.Issues)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var gotErrs []string
			for _, e := range errs {
				gotErrs = append(gotErrs, e.File+":"+itoa(e.Line))
				if e.Message == "" {
					t.Errorf("error without message: %+v", e)
				}
			}
			if strings.Join(gotErrs, ",") != strings.Join(tt.errs, ",") {
				t.Errorf("errors %v, want %v (%v)", gotErrs, tt.errs, errs)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestCRLFBlockScalar(t *testing.T) {
	o := parseOne(t, "x.yaml", "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: c\r\ndata:\r\n  f: |\r\n    a\r\n    b\r\n")
	cm := o.Target.Object.(*corev1.ConfigMap)
	if cm.Data["f"] != "a\nb\n" {
		t.Errorf("data kept carriage returns: %q", cm.Data["f"])
	}
}

func TestSchemaIssues(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want is "field line:col substring" per issue.
		want []string
		// check inspects the object decoded around the problem.
		check func(t *testing.T, o *Object)
	}{
		{"unknown field with suggestion", `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  imagePullSecret:
  - name: regcred
  containers:
  - name: c
    image: x
`, []string{`spec.imagePullSecret 5:3 did you mean "imagePullSecrets"`}, func(t *testing.T, o *Object) {
			if len(o.Target.Spec.Containers) != 1 {
				t.Error("the rest of the pod spec was not decoded")
			}
		}},
		{"case matters", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    Image: x\n",
			[]string{`spec.containers[0].Image 7:5 did you mean "image"`}, nil},
		{"far-off unknown field has no suggestion", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nfrobnicate: 1\n",
			[]string{`frobnicate 4:1 unknown field "frobnicate": kubectl`}, nil},
		{"string where int expected", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports:\n    - containerPort: PORT\n      name: http\n",
			[]string{`spec.containers[0].ports[0].containerPort 9:22 "PORT" (a string) where Kubernetes expects an integer`}, func(t *testing.T, o *Object) {
				if p := o.Target.Spec.Containers[0].Ports; len(p) != 1 || p[0].Name != "http" {
					t.Errorf("port not kept: %+v", p)
				}
			}},
		{"unquoted bool in env value", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    env:\n    - name: A\n      value: true\n    - name: B\n      value: on\n    - name: C\n      value: \"yes\"\n",
			[]string{`spec.containers[0].env[0].value 10:14 quote it: "true"`, `spec.containers[0].env[1].value 12:14 on (a boolean)`}, func(t *testing.T, o *Object) {
				if e := o.Target.Spec.Containers[0].Env; len(e) != 3 || e[2].Value != "yes" {
					t.Errorf("env %+v", e)
				}
			}},
		{"unparseable quantity", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    resources:\n      limits:\n        nvidia.com/gpu: ${ACCELERATOR_QUANTITY}\n        memory: 1Gi\n",
			[]string{`spec.containers[0].resources.limits[nvidia.com/gpu] 10:25 unrendered template placeholder`}, func(t *testing.T, o *Object) {
				if l := o.Target.Spec.Containers[0].Resources.Limits; len(l) != 1 || l.Memory().String() != "1Gi" {
					t.Errorf("limits %v", l)
				}
			}},
		{"duplicate key", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector:\n    matchLabels: {app: a}\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n  selector:\n    matchLabels: {app: b}\n",
			[]string{`spec.selector 10:3 duplicate key "selector" (first at line 5): the first value is silently lost`}, func(t *testing.T, o *Object) {
				if d := o.Target.Object.(*appsv1.Deployment); d.Spec.Selector.MatchLabels["app"] != "b" {
					t.Errorf("the later value should win: %v", d.Spec.Selector)
				}
				if l, c := o.Position("spec.selector"); l != 10 || c != 3 {
					t.Errorf("Position points at %d:%d, want the kept (second) key", l, c)
				}
			}},
		{"duplicate map key", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    a: x1\n    a: x2\n",
			[]string{`metadata.labels[a] 7:5 duplicate key "a" (first at line 6)`}, func(t *testing.T, o *Object) {
				if o.Target.Issues[0].Harmless {
					t.Error("a duplicate that drops x1 is marked harmless")
				}
			}},
		// kubernetes/examples' openshift-origin Deployments repeat their
		// selector verbatim; the corpus Secret repeats type, once quoted.
		{"duplicate key with the same value", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector:\n    matchLabels:\n      name: etcd\n  replicas: 3\n  selector:\n    matchLabels: {name: \"etcd\"}\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n",
			[]string{`spec.selector 9:3 duplicate key "selector" (first at line 5) with the same value: nothing is lost`}, func(t *testing.T, o *Object) {
				if !o.Target.Issues[0].Harmless {
					t.Error("an identical duplicate is not marked harmless")
				}
			}},
		{"duplicate scalar with the same value, quoted once", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: \"kubernetes.io/quobyte\"\ndata: {}\ntype: kubernetes.io/quobyte\n",
			[]string{`type 6:1 with the same value`}, func(t *testing.T, o *Object) {
				if !o.Target.Issues[0].Harmless {
					t.Error("an identical duplicate is not marked harmless")
				}
			}},
		{"duplicate key differing only in a nested value", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector:\n    matchLabels: {name: etcd}\n  selector:\n    matchLabels: {name: etcd2}\n",
			[]string{`spec.selector 7:3 the first value is silently lost`}, func(t *testing.T, o *Object) {
				if o.Target.Issues[0].Harmless {
					t.Error("a duplicate that drops a value is marked harmless")
				}
			}},
		{"mapping where a list is expected", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    name: c\n",
			[]string{`spec.containers 6:5 a mapping where Kubernetes expects a list`}, nil},
		{"number in a label", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    version: 1.0\n",
			[]string{`metadata.labels[version] 6:14 1.0 (a number) where Kubernetes expects a string`}, nil},
		{"bad base64", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: not base64!\n",
			[]string{`data[password] 5:13 not valid base64`}, nil},
		{"bad timestamp", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  creationTimestamp: yesterday\n",
			[]string{`metadata.creationTimestamp 5:22 cannot be read`}, nil},
		{"merge keys and anchors are fine", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - &c\n    name: a\n    image: x\n  - <<: *c\n    name: b\n",
			nil, func(t *testing.T, o *Object) {
				if c := o.Target.Spec.Containers; len(c) != 2 || c[1].Name != "b" || c[1].Image != "x" {
					t.Errorf("containers %+v", c)
				}
				if l, c := o.Position("spec.containers[1].image"); l != 8 || c != 12 {
					t.Errorf("merged field at %d:%d, want its anchor's 8:12", l, c)
				}
			}},
		{"int-or-string and null", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  creationTimestamp: null\nspec:\n  ports:\n  - port: 80\n    targetPort: http\n  - port: 81\n    targetPort: 8081\n",
			nil, func(t *testing.T, o *Object) {
				s := o.Target.Object.(*corev1.Service)
				if s.Spec.Ports[0].TargetPort.StrVal != "http" || s.Spec.Ports[1].TargetPort.IntVal != 8081 {
					t.Errorf("ports %+v", s.Spec.Ports)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := parseOne(t, "x.yaml", tt.src)
			if !o.Known {
				t.Fatal("object not decoded")
			}
			if len(o.Target.Issues) != len(tt.want) {
				t.Errorf("got %d issues %+v, want %d", len(o.Target.Issues), o.Target.Issues, len(tt.want))
			}
			for i, w := range tt.want {
				if i >= len(o.Target.Issues) {
					break
				}
				is := o.Target.Issues[i]
				parts := strings.SplitN(w, " ", 3)
				fld, pos, sub := parts[0], parts[1], parts[2]
				if is.Field != fld || itoa(is.Line)+":"+itoa(is.Column) != pos || !strings.Contains(is.Message, sub) {
					t.Errorf("issue %d = %s %d:%d %q\nwant %s", i, is.Field, is.Line, is.Column, is.Message, w)
				}
			}
			if tt.check != nil {
				tt.check(t, o)
			}
		})
	}
}

// TestHelmSourceIsAHint: a "# Source:" comment names the template as a
// hint; positions stay in the stream that was read, since the value may
// come from another template or from further down in this one.
func TestHelmSourceIsAHint(t *testing.T) {
	src := "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  nmae: x\n"
	o := parseOne(t, "-", src)
	if o.File != "-" || o.Rendered != "c/templates/cm.yaml" {
		t.Errorf("file %q rendered %q, want - and c/templates/cm.yaml", o.File, o.Rendered)
	}
	if len(o.Target.Issues) != 1 || o.Target.Issues[0].Line != 7 {
		t.Errorf("issues %+v, want one at line 7 of the stream", o.Target.Issues)
	}
}

// TestCorpus parses every file of the shared corpus: nothing may panic and
// every file yields objects or a located error.
func TestCorpus(t *testing.T) {
	root := need.Corpus(t)
	var files, objects, known, issues, errors int
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		objs, errs := Parse(path, data)
		for _, e := range errs {
			if e.Line <= 0 || e.File == "" {
				t.Errorf("unlocated error %+v", e)
			}
			t.Logf("error: %v", e)
		}
		if len(objs) == 0 && len(errs) == 0 && len(strings.TrimSpace(string(data))) > 0 && hasContent(data) {
			t.Errorf("%s: no objects and no error", path)
		}
		objects += len(objs)
		errors += len(errs)
		for _, o := range objs {
			if o.Known {
				known++
				issues += len(o.Target.Issues)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d objects (%d known), %d schema issues, %d errors", files, objects, known, issues, errors)
	if files == 0 || known == 0 {
		t.Error("corpus yielded nothing")
	}
}

func hasContent(data []byte) bool {
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") && l != "---" {
			return true
		}
	}
	return false
}

// TestCRLFPositions: Windows line ends change neither lines nor columns.
func TestCRLFPositions(t *testing.T) {
	lf := parseOne(t, "x.yaml", deployment)
	crlf := parseOne(t, "x.yaml", strings.ReplaceAll(deployment, "\n", "\r\n"))
	for _, p := range []string{"metadata.name", "spec.template.spec.containers[0].resources.limits[memory]", "spec.template.spec.containers[0].image"} {
		l1, c1 := lf.Position(p)
		l2, c2 := crlf.Position(p)
		if l1 != l2 || c1 != c2 {
			t.Errorf("%s: LF %d:%d, CRLF %d:%d", p, l1, c1, l2, c2)
		}
	}
	s, ok := crlf.Target.Raw.Scalar(field.NewPath("spec", "template", "spec", "containers").Index(0).Child("image"))
	if !ok || s.Text != "docker02:35000/web:1" {
		t.Errorf("image as written %q", s.Text)
	}
}

// Unknown kinds (CRDs, custom resources) are most of the bytes in real
// streams and no check reads them; the run keeps every object until it
// ends, so their node trees must not be kept with them.
func TestUnknownObjectsKeepNoTree(t *testing.T) {
	src := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n"
	objs, errs := Parse("s.yaml", []byte(src))
	if len(errs) > 0 || len(objs) != 2 {
		t.Fatalf("objs %d, errs %v", len(objs), errs)
	}
	crd := objs[1]
	if crd.Known || crd.Ref.Kind != "CustomResourceDefinition" || crd.Ref.Name != "widgets.example.com" {
		t.Fatalf("crd %+v", crd.Ref)
	}
	if len(crd.root.Content) != 0 {
		t.Errorf("unknown object keeps %d root nodes", len(crd.root.Content))
	}
	if l := crd.Line(); l != 5 {
		t.Errorf("unknown object at line %d, want 5", l)
	}
	if l, _ := crd.Position("spec.group"); l != 5 {
		t.Errorf("a field of an unknown object at line %d, want the object's 5", l)
	}
	if len(objs[0].root.Content) == 0 {
		t.Error("a known object lost its tree")
	}
}

// A stream of 1 MiB or more decodes its documents on all cores; the
// result must be what decoding them one after another gives, in order.
func TestParallelParseKeepsOrder(t *testing.T) {
	unit := "# Source: chart/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n---\n" +
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x, imagePullSecret: r}]\n---\n" +
		"key: [unclosed\n---\n"
	var b strings.Builder
	for i := 0; b.Len() < parallelBytes+len(unit); i++ {
		b.WriteString(strings.ReplaceAll(unit, "name: a}", "name: a"+strconv.Itoa(i)+"}"))
	}
	data := []byte(b.String())
	objs, errs := Parse("big.yaml", data)

	var want parser
	for _, c := range splitDocuments(data) {
		r := parseChunk("big.yaml", c)
		want.objs = append(want.objs, r.objs...)
		want.errs = append(want.errs, r.errs...)
	}
	if len(objs) != len(want.objs) || len(errs) != len(want.errs) || len(errs) == 0 {
		t.Fatalf("got %d objects, %d errors; want %d, %d", len(objs), len(errs), len(want.objs), len(want.errs))
	}
	for i, o := range objs {
		w := want.objs[i]
		if o.Ref != w.Ref || o.File != w.File || o.Line() != w.Line() || len(o.Target.Issues) != len(w.Target.Issues) {
			t.Fatalf("object %d: %+v %s:%d, want %+v %s:%d", i, o.Ref, o.File, o.Line(), w.Ref, w.File, w.Line())
		}
	}
	for i, e := range errs {
		if e != want.errs[i] {
			t.Fatalf("error %d: %v, want %v", i, e, want.errs[i])
		}
	}
}

func TestDuplicateKeysInUnknownKinds(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "field line:col message-substring"
	}{
		{"custom resource loses a requests block",
			"apiVersion: platform.confluent.io/v1beta1\nkind: Kafka\nmetadata: {name: kafka, namespace: confluent}\nspec:\n  podTemplate:\n    resources:\n      requests:\n        cpu: 200m\n      requests:\n        memory: 512Mi\n",
			[]string{`spec.podTemplate.resources.requests 9:7 the first value is silently lost`}},
		{"inside a list", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  items:\n  - a: 1\n    a: 2\n",
			[]string{`spec.items[0].a 7:5 duplicate key "a"`}},
		{"clean custom resource has no target", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {a: 1, b: 2}\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := parseOne(t, "x.yaml", tt.src)
			if o.Known {
				t.Fatal("a custom resource was decoded as a known kind")
			}
			if tt.want == nil {
				if o.Target != nil {
					t.Fatalf("clean unknown object got a target with issues %+v", o.Target.Issues)
				}
				return
			}
			if o.Target == nil || o.Target.Spec != nil {
				t.Fatalf("target %+v: want one without a pod spec", o.Target)
			}
			if o.Target.Ref.Name != o.Ref.Name || o.Target.Ref.Kind != o.Ref.Kind {
				t.Errorf("target names %v, object %v", o.Target.Ref, o.Ref)
			}
			if len(o.Target.Issues) != len(tt.want) {
				t.Fatalf("issues %+v, want %d", o.Target.Issues, len(tt.want))
			}
			for i, w := range tt.want {
				is := o.Target.Issues[i]
				got := fmt.Sprintf("%s %d:%d %s", is.Field, is.Line, is.Column, is.Message)
				field, rest, _ := strings.Cut(w, " ")
				pos, msg, _ := strings.Cut(rest, " ")
				if !strings.HasPrefix(got, field+" "+pos+" ") || !strings.Contains(got, msg) {
					t.Errorf("issue %d = %q, want %q", i, got, w)
				}
			}
		})
	}
}
