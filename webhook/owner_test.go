package webhook

import (
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// TestOwnershipNeedsAController: a Pod's controller ownerReference only
// softens the verdict when a controller sent the request; anyone can write
// ownerReferences by hand.
func TestOwnershipNeedsAController(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name    string
		user    string
		groups  []string
		owner   *bool // the ownerReference's controller field; nil: no owner
		trusted []string
		op      admissionv1.Operation
		deny    bool
	}{
		{name: "replicaset controller", user: "system:serviceaccount:kube-system:replicaset-controller", owner: &yes},
		{name: "job controller", user: "system:serviceaccount:kube-system:job-controller", owner: &yes},
		{name: "kube-controller-manager without per-controller credentials", user: "system:kube-controller-manager", owner: &yes},
		{name: "node (mirror pod)", user: "system:node:worker-1", groups: []string{"system:nodes", "system:authenticated"}, owner: &yes},
		{name: "node name without the nodes group", user: "system:node:worker-1", groups: []string{"system:authenticated"}, owner: &yes, deny: true},
		{name: "hand-written ownerReferences from a human", user: "alice", groups: []string{"system:authenticated"}, owner: &yes, deny: true},
		{name: "hand-written ownerReferences from a service account elsewhere", user: "system:serviceaccount:team:deployer", owner: &yes, deny: true},
		{name: "kube-system look-alike", user: "system:serviceaccount:kube-system-evil:replicaset-controller", owner: &yes, deny: true},
		{name: "empty user", user: "", owner: &yes, deny: true},
		{name: "controller without a controller reference", user: "system:serviceaccount:kube-system:replicaset-controller", owner: &no, deny: true},
		{name: "controller, no owner at all", user: "system:serviceaccount:kube-system:replicaset-controller", deny: true},
		{name: "operator trusted by flag", user: "system:serviceaccount:argo:argo-controller", trusted: []string{"system:serviceaccount:argo:*"}, owner: &yes},
		{name: "operator trusted by exact name", user: "system:serviceaccount:argo:argo-controller", trusted: []string{"system:serviceaccount:argo:argo-controller"}, owner: &yes},
		{name: "flag does not trust others", user: "system:serviceaccount:argo:other", trusted: []string{"system:serviceaccount:argo:argo-controller"}, owner: &yes, deny: true},
		{name: "update from a human", user: "alice", owner: &yes, op: admissionv1.Update, deny: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := cluster.New()
			eng := &checks.Engine{Checks: testChecks(), Config: checks.DefaultConfig()}
			h := NewHandler(HandlerOptions{Engine: func() *checks.Engine { return eng }, Inventory: store.Inventory,
				Timeout: 5 * time.Second, TrustedControllers: tc.trusted})
			hs := &harness{store: store, h: h, http: NewHTTPHandler(h, 1<<20)}
			var mut []func(*corev1.Pod)
			if tc.owner != nil {
				mut = append(mut, func(p *corev1.Pod) {
					p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs", UID: "u", Controller: tc.owner}}
				})
			}
			ro := reviewOpts{user: tc.user, groups: tc.groups, op: tc.op, object: podJSON(t, "p", "error-img", mut...)}
			if tc.op == admissionv1.Update {
				ro.oldObject = podJSON(t, "p", "good", mut...)
			}
			_, ar := hs.post(t, review(t, ro))
			resp := ar.Response
			if resp.Allowed == tc.deny {
				t.Fatalf("allowed=%v, want deny=%v (result %+v, warnings %q)", resp.Allowed, tc.deny, resp.Result, resp.Warnings)
			}
			warnings := strings.Join(resp.Warnings, "\n")
			if !tc.deny && !strings.Contains(warnings, "[test-error]") {
				t.Errorf("controller's Pod: warnings %q lack the finding", warnings)
			}
			// A controller owner claimed by someone else is said so.
			claimed := tc.owner != nil && *tc.owner && tc.deny
			if said := strings.Contains(warnings, "judged as a bare Pod"); said != claimed {
				t.Errorf("untrusted owner warning present=%v, want %v: %q", said, claimed, warnings)
			}
		})
	}
}

func TestParseTrustedControllers(t *testing.T) {
	o, err := ParseFlags([]string{"--trusted-controllers=system:serviceaccount:argo:*,ci-bot"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.TrustedControllers, ",") != "system:serviceaccount:argo:*,ci-bot" {
		t.Errorf("TrustedControllers = %q", o.TrustedControllers)
	}
	if _, err := ParseFlags([]string{"--trusted-controllers=*"}); err == nil {
		t.Error("--trusted-controllers=* accepted: it trusts everyone")
	}
}
