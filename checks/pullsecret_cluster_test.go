package checks_test

import "testing"

// TestImagePullSecretWrongTypeCluster proves the static check extends to
// Secrets known only from the cluster (a snapshot), directly and through
// the ServiceAccount.
func TestImagePullSecretWrongTypeCluster(t *testing.T) {
	cluster := `
apiVersion: v1
kind: List
metadata:
  annotations: {podlint.io/listed-kinds: "Secret,ServiceAccount"}
items:
- {apiVersion: v1, kind: Secret, metadata: {name: harbor-pull, namespace: shop}, type: Opaque}
- {apiVersion: v1, kind: Secret, metadata: {name: good-pull, namespace: shop}, type: kubernetes.io/dockerconfigjson}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: builder, namespace: shop}
  imagePullSecrets: [{name: harbor-pull}]
`
	cases := []struct {
		name, workload string
		want           int
	}{
		{"pod names an Opaque cluster secret", deploy("imagePullSecrets: [{name: harbor-pull}]\n" + app), 1},
		{"ServiceAccount names it", deploy("serviceAccountName: builder\n" + app), 1},
		{"right type", deploy("imagePullSecrets: [{name: good-pull}]\n" + app), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := runCluster(t, "image-pull-secret-wrong-type", workload(t, tc.workload), clusterStore(t, cluster))
			if len(fs) != tc.want {
				t.Fatalf("got %d findings, want %d:\n%s", len(fs), tc.want, clusterLines(fs))
			}
		})
	}
}
