package manifest

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestParseAdmission(t *testing.T) {
	const pod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"team"},` +
		`"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":"1024m"}},"imagePullSecret":"s"}]}}`
	tests := []struct {
		name    string
		data    string
		wantErr string
		// For a target:
		wantKind   string
		wantSpec   bool
		wantIssues []string // fields
	}{
		{name: "no object", data: "", wantErr: "no object in the request"},
		{name: "syntax error", data: `{"kind": [`, wantErr: "decoding the object: did not find expected node content"},
		{name: "null", data: "null", wantErr: "decoding the object: found 0 objects, want 1"},
		{name: "not an object", data: `"x"`, wantErr: "decoding the object: document is a scalar, not a Kubernetes object"},
		{name: "two objects", data: `{"apiVersion":"v1","kind":"List","items":[` + pod + `,` + pod + `]}`, wantErr: "decoding the object: found 2 objects, want 1"},
		{name: "custom resource", data: `{"apiVersion":"example.com/v1","kind":"Widget","spec":{}}`, wantErr: `decoding the object: kind "Widget" is not one podlint reads`},
		{name: "pre-release version", data: `{"apiVersion":"extensions/v1beta1","kind":"Deployment"}`, wantErr: `kind "Deployment" is not one podlint reads`},
		{
			name: "pod", data: pod, wantKind: "Pod", wantSpec: true,
			wantIssues: []string{"spec.containers[0].imagePullSecret"},
		},
		// Choosing kinds is the caller's business: any decodable kind
		// gives a target.
		{name: "config map", data: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`, wantKind: "ConfigMap"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := ParseAdmission([]byte(tc.data))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if tg != nil {
					t.Errorf("target %v with the error", tg.Ref)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tg.Ref.Kind != tc.wantKind || (tg.Spec != nil) != tc.wantSpec {
				t.Errorf("target %v with spec %v, want kind %s with spec %v", tg.Ref, tg.Spec != nil, tc.wantKind, tc.wantSpec)
			}
			var issues []string
			for _, is := range tg.Issues {
				issues = append(issues, is.Field)
			}
			if strings.Join(issues, ",") != strings.Join(tc.wantIssues, ",") {
				t.Errorf("issues at %v, want %v", issues, tc.wantIssues)
			}
		})
	}
}

// TestParseAdmissionKeepsScalars: the webhook's target must carry the
// values as sent, with their columns, like the CLI's (memory-unit-milli
// reads "1024m", not the parsed quantity).
func TestParseAdmissionKeepsScalars(t *testing.T) {
	data := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"memory":"1024m"}}}]}}}}`
	tg, err := ParseAdmission([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	p := field.NewPath("spec", "template", "spec", "containers").Index(0).Child("resources", "limits").Key("memory")
	s, ok := tg.Raw.Scalar(p)
	if !ok || s.Text != "1024m" || s.Line != 1 || s.Column != strings.Index(data, `"1024m"`)+1 {
		t.Errorf("Raw.Scalar(%s) = %+v, %v; want 1024m at 1:%d", p, s, ok, strings.Index(data, `"1024m"`)+1)
	}
	if tg.Replicas != 1 || tg.SpecPath.String() != "spec.template.spec" {
		t.Errorf("replicas %d, spec path %s", tg.Replicas, tg.SpecPath)
	}
}
