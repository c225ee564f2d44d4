package cluster_test

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/podlint/podlint/cluster"
)

// roles reads the Roles and ClusterRoles of a manifest file by kind/name.
func roles(t *testing.T, path string) map[string][]rbacv1.PolicyRule {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]rbacv1.PolicyRule{}
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		var r struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
			Rules []rbacv1.PolicyRule `json:"rules"`
		}
		if err := yaml.Unmarshal(doc, &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if r.Kind == "Role" || r.Kind == "ClusterRole" {
			out[r.Kind+"/"+r.Metadata.Name] = r.Rules
		}
	}
	return out
}

// grants splits rules into resource -> verbs ("daemonsets.apps"), leaving
// out the rules that exceptions match exactly.
func grants(t *testing.T, rules []rbacv1.PolicyRule, exceptions []rbacv1.PolicyRule) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, r := range rules {
		if slices.ContainsFunc(exceptions, func(e rbacv1.PolicyRule) bool { return reflect.DeepEqual(e, r) }) {
			continue
		}
		if len(r.ResourceNames) > 0 || len(r.NonResourceURLs) > 0 {
			t.Errorf("rule %+v is neither a cluster kind nor a documented exception", r)
			continue
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				gr := res
				if g != "" {
					gr += "." + g
				}
				out[gr] = append(out[gr], r.Verbs...)
			}
		}
	}
	for gr := range out {
		slices.Sort(out[gr])
	}
	return out
}

// TestRBACMatchesKinds: the RBAC in manifests/ grants exactly what the
// table's sources need, no more, no less: list/watch on every kind the
// webhook watches (base/rbac.yaml), list on every kind --live reads
// (rbac-ci/). A new row without its RBAC, or RBAC left behind by a removed
// row, fails here.
func TestRBACMatchesKinds(t *testing.T) {
	t.Run("webhook", func(t *testing.T) {
		r := roles(t, "../manifests/base/rbac.yaml")
		want := map[string][]string{}
		for _, row := range cluster.Kinds() {
			if row.Watch != "" {
				want[row.GroupResource()] = []string{"list", "watch"}
			}
		}
		// Not cluster kinds: what self-managed certificates need
		// (certs/selfmanaged.go), restricted to podlint's own objects.
		certs := []rbacv1.PolicyRule{{
			APIGroups: []string{"admissionregistration.k8s.io"}, Resources: []string{"validatingwebhookconfigurations"},
			ResourceNames: []string{"podlint"}, Verbs: []string{"get", "update", "patch"},
		}, {
			APIGroups: []string{""}, Resources: []string{"secrets"},
			ResourceNames: []string{"podlint-webhook-tls"}, Verbs: []string{"get", "update"},
		}, {
			// RBAC cannot restrict create by name.
			APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"create"},
		}}
		if got := grants(t, r["ClusterRole/podlint-webhook"], certs); !reflect.DeepEqual(got, want) {
			t.Errorf("ClusterRole podlint-webhook grants\n%v\nthe table's watched kinds need\n%v", got, want)
		}
		if got := grants(t, r["Role/podlint-webhook"], certs); len(got) > 0 {
			t.Errorf("Role podlint-webhook grants %v beyond the certificate's needs", got)
		}
	})
	t.Run("live", func(t *testing.T) {
		r := roles(t, "../manifests/rbac-ci/clusterrole.yaml")
		got := grants(t, r["ClusterRole/podlint-reader"], nil)
		for _, row := range cluster.Kinds() {
			verbs := got[row.GroupResource()]
			if !slices.Contains(verbs, "list") {
				t.Errorf("podlint-reader cannot list %s, which --live reads", row.GroupResource())
			}
			delete(got, row.GroupResource())
			// get is granted for kubectl users of the same account.
			if extra := slices.DeleteFunc(verbs, func(v string) bool { return v == "list" || v == "get" }); len(extra) > 0 {
				t.Errorf("podlint-reader may %v %s; --live only lists", extra, row.GroupResource())
			}
		}
		if len(got) > 0 {
			t.Errorf("podlint-reader grants %v, which no row of the table reads", got)
		}
	})
}
