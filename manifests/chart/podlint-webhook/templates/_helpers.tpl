{{/*
Names are fixed, not derived from the release name: they are podlint-webhook's
defaults (--service-name, --secret-name, --webhook-config-name), and a
cluster has one podlint webhook.
*/}}

{{- define "podlint-webhook.namespace" -}}
{{- required "namespace.name is required" .Values.namespace.name -}}
{{- end }}

{{/* Labels on every object podlint-webhook owns. */}}
{{- define "podlint-webhook.labels" -}}
app.kubernetes.io/name: podlint-webhook
app.kubernetes.io/part-of: podlint
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* What the Deployment, Service, PDB and spread constraint select on. */}}
{{- define "podlint-webhook.selectorLabels" -}}
app.kubernetes.io/name: podlint-webhook
{{- end }}

{{- define "podlint-webhook.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}
{{- end }}

{{/* cert-manager writes the serving certificate into this Secret. */}}
{{- define "podlint-webhook.certSecret" -}}podlint-webhook-cert{{- end }}
