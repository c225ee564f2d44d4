package webhook

import (
	"fmt"
	"os"
	"slices"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/podlint/podlint/checks"
)

// TestAdmissionRulesMatchWorkloadKinds reads the ValidatingWebhookConfiguration
// of manifests/base and requires its rules to send podlint exactly the
// requests the handler judges: each workload kind of checks.WorkloadKinds
// that runs pods, at its group, version and plural, for each operation the
// handler does not skip, once; nothing else. A kind added to the list but
// not to the rules (podlint would never see it) or to the rules but not to
// the list (the API server would call podlint for nothing) fails here.
func TestAdmissionRulesMatchWorkloadKinds(t *testing.T) {
	const file = "../manifests/base/validatingwebhookconfiguration.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := sigsyaml.UnmarshalStrict(data, &vwc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	type route struct {
		group, version, resource string
		op                       admissionregistrationv1.OperationType
	}
	sent := map[route]int{}
	for _, w := range vwc.Webhooks {
		for _, r := range w.Rules {
			for _, g := range r.APIGroups {
				for _, v := range r.APIVersions {
					for _, res := range r.Resources {
						for _, op := range r.Operations {
							sent[route{g, v, res, op}]++
						}
					}
				}
			}
		}
	}

	h := NewHandler(HandlerOptions{})
	judged := map[route]int{}
	ops := []admissionv1.Operation{admissionv1.Create, admissionv1.Update, admissionv1.Delete, admissionv1.Connect}
	for _, w := range checks.WorkloadKinds() {
		obj := fmt.Appendf(nil, `{"apiVersion":%q,"kind":%q,"metadata":{"name":"x","namespace":"team"}}`, w.GroupVersion(), w.Kind)
		for _, op := range ops {
			req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
				UID: "u", Operation: op, Namespace: "team", Name: "x",
				Kind: metav1.GroupVersionKind{Group: w.Group, Version: w.Version, Kind: w.Kind},
			}}
			req.Object.Raw, req.OldObject.Raw = obj, obj
			_, decision, _ := h.handle(t.Context(), req)
			switch decision {
			case decisionSkipped:
			case decisionError, decisionPanic, decisionTimeout, decisionOverload:
				t.Errorf("%s %s: decision %s; the object was not checked", op, w.GroupVersionKind, decision)
			default:
				judged[route{w.Group, w.Version, w.Resource, admissionregistrationv1.OperationType(op)}]++
			}
		}
	}
	if len(judged) == 0 {
		t.Fatal("the handler judges no workload kind")
	}

	var problems []string
	for r, n := range sent {
		switch {
		case judged[r] == 0:
			problems = append(problems, fmt.Sprintf("a rule sends %s %s/%s/%s, which the handler does not judge", r.op, r.group, r.version, r.resource))
		case n > 1:
			problems = append(problems, fmt.Sprintf("%s %s/%s/%s is sent by %d rules", r.op, r.group, r.version, r.resource, n))
		}
	}
	for r := range judged {
		if sent[r] == 0 {
			problems = append(problems, fmt.Sprintf("no rule sends %s %s/%s/%s, which the handler judges", r.op, r.group, r.version, r.resource))
		}
	}
	slices.Sort(problems)
	for _, p := range problems {
		t.Errorf("%s: %s", file, p)
	}
}
