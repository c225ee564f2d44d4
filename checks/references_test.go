package checks_test

import "testing"

// shopKnown lists every reference kind as known, with a few objects in the
// shop namespace.
const shopKnown = `
apiVersion: v1
kind: List
metadata:
  annotations: {podlint.io/listed-kinds: "Namespace,ConfigMap,Secret,PersistentVolumeClaim,ServiceAccount"}
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: shop}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: app-config, namespace: shop}}
- {apiVersion: v1, kind: Secret, metadata: {name: db-creds, namespace: shop}, type: Opaque}
- {apiVersion: v1, kind: Secret, metadata: {name: regcred, namespace: shop}, type: kubernetes.io/dockerconfigjson}
- {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data, namespace: shop}}
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: deployer, namespace: shop}}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: builder, namespace: shop}
  imagePullSecrets: [{name: old-regcred}]
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: default, namespace: shop}
  imagePullSecrets: [{name: regcred}]
`

// nothingKnown lists only Nodes: every reference kind stays Unknown, so
// the reference checks must say nothing.
const nothingKnown = `
apiVersion: v1
kind: List
metadata:
  annotations: {podlint.io/listed-kinds: "Node"}
items: []
`

func TestConfigMapNotFound(t *testing.T) {
	b := "spec.template.spec."
	runClusterCases(t, "configmap-not-found", []clusterCase{
		{
			name:    "volume, projected, env and envFrom",
			cluster: shopKnown,
			workload: deploy(`containers:
- name: app
  image: nginx
  env:
  - name: MODE
    valueFrom: {configMapKeyRef: {name: app-settings, key: mode}}
  - name: OK
    valueFrom: {configMapKeyRef: {name: app-config, key: ok}}
  envFrom:
  - configMapRef: {name: app-env}
volumes:
- name: config
  configMap: {name: app-confg}
- name: bundle
  projected:
    sources:
    - configMap: {name: app-config}
    - configMap: {name: ca-bundle}
`),
			want: []string{
				b + "volumes[0].configMap.name: MountVolume.SetUp failed for volume \"config\": configmap \"app-confg\" not found in namespace \"shop\"; the pod stays in ContainerCreating (FailedMount)",
				b + "volumes[1].projected.sources[1].configMap.name: configmap \"ca-bundle\" not found",
				b + "containers[0].env[0].valueFrom.configMapKeyRef.name: configmap \"app-settings\" not found in namespace \"shop\"; container \"app\" does not start (CreateContainerConfigError)",
				b + "containers[0].envFrom[0].configMapRef.name: configmap \"app-env\" not found",
			},
		},
		{
			name:    "optional references are skipped",
			cluster: shopKnown,
			workload: deploy(`containers:
- name: app
  image: nginx
  envFrom: [{configMapRef: {name: app-env, optional: true}}]
volumes:
- {name: config, configMap: {name: app-confg, optional: true}}
`),
		},
		{
			name:     "unknown kind: silent",
			cluster:  nothingKnown,
			workload: deploy("containers:\n- name: app\n  image: nginx\n  envFrom: [{configMapRef: {name: app-env}}]\n"),
		},
		{
			name:     "no cluster at all: silent",
			workload: deploy("containers:\n- name: app\n  image: nginx\n  envFrom: [{configMapRef: {name: app-env}}]\n"),
		},
	})
}

func TestSecretNotFound(t *testing.T) {
	b := "spec.template.spec."
	runClusterCases(t, "secret-not-found", []clusterCase{
		{
			name:    "volume, env, envFrom; present ones pass",
			cluster: shopKnown,
			workload: deploy(`initContainers:
- name: migrate
  image: migrate
  env:
  - name: PW
    valueFrom: {secretKeyRef: {name: db-credentials, key: password}}
containers:
- name: app
  image: nginx
  envFrom: [{secretRef: {name: db-creds}}, {secretRef: {name: api-keys}}]
volumes:
- {name: tls, secret: {secretName: tls-cert}}
- {name: extra, projected: {sources: [{secret: {name: db-creds}}]}}
`),
			want: []string{
				b + "volumes[0].secret.secretName: MountVolume.SetUp failed for volume \"tls\": secret \"tls-cert\" not found",
				b + "initContainers[0].env[0].valueFrom.secretKeyRef.name: secret \"db-credentials\" not found in namespace \"shop\"; container \"migrate\"",
				b + "containers[0].envFrom[1].secretRef.name: secret \"api-keys\" not found",
			},
		},
		{
			name:     "optional",
			cluster:  shopKnown,
			workload: deploy("containers:\n- name: app\n  image: nginx\n  env: [{name: X, valueFrom: {secretKeyRef: {name: nope, key: x, optional: true}}}]\n"),
		},
		{
			name:     "unknown kind: silent",
			cluster:  nothingKnown,
			workload: deploy("containers:\n- name: app\n  image: nginx\nvolumes: [{name: tls, secret: {secretName: tls-cert}}]\n"),
		},
	})
}

func TestPVCNotFound(t *testing.T) {
	runClusterCases(t, "pvc-not-found", []clusterCase{
		{
			name:     "missing claim",
			cluster:  shopKnown,
			workload: deploy(app + "volumes:\n- {name: data, persistentVolumeClaim: {claimName: data-pvc}}\n- {name: ok, persistentVolumeClaim: {claimName: data}}\n"),
			want:     []string{"spec.template.spec.volumes[0].persistentVolumeClaim.claimName: persistentvolumeclaim \"data-pvc\" not found in namespace \"shop\"; the scheduler places the pod on no node and it stays Pending"},
		},
		{
			name:    "StatefulSet volumeClaimTemplates are not references",
			cluster: shopKnown,
			workload: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: db, image: postgres, volumeMounts: [{name: pgdata, mountPath: /data}]}]
      volumes: [{name: pgdata, persistentVolumeClaim: {claimName: pgdata}}]
  volumeClaimTemplates:
  - metadata: {name: pgdata}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
		},
		{
			name:     "unknown kind: silent",
			cluster:  nothingKnown,
			workload: deploy(app + "volumes:\n- {name: data, persistentVolumeClaim: {claimName: data-pvc}}\n"),
		},
	})
}

func TestServiceAccountNotFound(t *testing.T) {
	runClusterCases(t, "service-account-not-found", []clusterCase{
		{
			name:     "missing account",
			cluster:  shopKnown,
			workload: deploy("serviceAccountName: deploy-bot\n" + app),
			want:     []string{"spec.template.spec.serviceAccountName: error looking up service account shop/deploy-bot: serviceaccount \"deploy-bot\" not found; every pod creation is refused (FailedCreate)"},
		},
		{
			name:     "deprecated serviceAccount field",
			cluster:  shopKnown,
			workload: deploy("serviceAccount: deploy-bot\n" + app),
			want:     []string{"spec.template.spec.serviceAccount: serviceaccount \"deploy-bot\" not found"},
		},
		{
			name:     "existing account",
			cluster:  shopKnown,
			workload: deploy("serviceAccountName: deployer\n" + app),
		},
		{
			name: "implicit default account exists with its namespace",
			// ServiceAccounts are listed but "default" is not among them
			// (a partial snapshot): still never reported.
			cluster:  "apiVersion: v1\nkind: List\nmetadata: {annotations: {podlint.io/listed-kinds: ServiceAccount}}\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: shop}}\n",
			workload: deploy("serviceAccountName: default\n" + app),
		},
		{
			name:     "unknown kind: silent",
			cluster:  nothingKnown,
			workload: deploy("serviceAccountName: deploy-bot\n" + app),
		},
	})
}

func TestImagePullSecretNotFound(t *testing.T) {
	b := "spec.template.spec."
	runClusterCases(t, "image-pull-secret-not-found", []clusterCase{
		{
			name:     "pod's own pull secret missing",
			cluster:  shopKnown,
			workload: deploy("imagePullSecrets: [{name: regcred}, {name: ghcr-creds}]\n" + app),
			want:     []string{b + "imagePullSecrets[1].name: Unable to retrieve some image pull secrets (ghcr-creds): secret \"ghcr-creds\" not found in namespace \"shop\""},
		},
		{
			name:     "ServiceAccount's pull secret missing",
			cluster:  shopKnown,
			workload: deploy("serviceAccountName: builder\n" + app),
			want:     []string{b + "serviceAccountName: ServiceAccount shop/builder gives the pod image pull secret \"old-regcred\", which is not found"},
		},
		{
			name:     "pod's own list replaces the account's",
			cluster:  shopKnown,
			workload: deploy("serviceAccountName: builder\nimagePullSecrets: [{name: regcred}]\n" + app),
		},
		{
			name:     "implicit default account with an existing secret",
			cluster:  shopKnown,
			workload: deploy(app),
		},
		{
			name:     "unknown secrets: silent",
			cluster:  nothingKnown,
			workload: deploy("imagePullSecrets: [{name: ghcr-creds}]\n" + app),
		},
	})
}
