{{/* Chart name, overridable with nameOverride; 63 characters at most (DNS label). */}}
{{- define "tollgate-edge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's resources: fullnameOverride, else <release>-<name>, else the release name when it already
contains the chart name. 52 characters at most, so the StatefulSet's pods (<name>-<ordinal>) and its controller
revision labels stay within 63.
*/}}
{{- define "tollgate-edge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart label value: name-version. */}}
{{- define "tollgate-edge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "tollgate-edge.labels" -}}
helm.sh/chart: {{ include "tollgate-edge.chart" . }}
{{ include "tollgate-edge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: edge-agent
{{- end }}

{{/* Labels that select the agent pods; never change them in an upgrade (StatefulSet selectors are immutable). */}}
{{- define "tollgate-edge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tollgate-edge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Name of the ServiceAccount the pods run as. */}}
{{- define "tollgate-edge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tollgate-edge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Name of the headless Service that governs the StatefulSet (stable pod DNS names). */}}
{{- define "tollgate-edge.headlessName" -}}
{{- printf "%s-headless" (include "tollgate-edge.fullname" .) }}
{{- end }}

{{/* Name of the Secret with enrollment-token / credential, or "" when the agent needs none (standalone). */}}
{{- define "tollgate-edge.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if or .Values.enrollmentToken .Values.credential }}
{{- include "tollgate-edge.fullname" . }}
{{- end }}
{{- end }}

{{/* Name of the ConfigMap holding policy.json in standalone mode. */}}
{{- define "tollgate-edge.policyConfigMapName" -}}
{{- if .Values.standalone.existingConfigMap }}
{{- .Values.standalone.existingConfigMap }}
{{- else }}
{{- printf "%s-policy" (include "tollgate-edge.fullname" .) }}
{{- end }}
{{- end }}

{{/* The image reference; the tag defaults to the chart's appVersion. */}}
{{- define "tollgate-edge.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Replicas the PodDisruptionBudget can count on: the HPA's floor when autoscaling, else replicas. */}}
{{- define "tollgate-edge.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas | int }}{{ else }}{{ .Values.replicas | int }}{{ end }}
{{- end }}

{{/* The standalone policy as JSON text: a string is used as given, a map is rendered. */}}
{{- define "tollgate-edge.policyJSON" -}}
{{- if not .Values.standalone.policy }}
{{- else if kindIs "string" .Values.standalone.policy }}
{{- .Values.standalone.policy }}
{{- else }}
{{- toPrettyJson .Values.standalone.policy }}
{{- end }}
{{- end }}

{{/* config.json: every setting that comes from values; secrets and per-pod settings are environment variables. */}}
{{- define "tollgate-edge.config" -}}
{{- $config := dict
  "mode" .Values.mode
  "listen" (printf "%s:%d" .Values.bindAddress (.Values.ports.traffic | int))
  "admin_listen" (printf "%s:%d" .Values.bindAddress (.Values.ports.admin | int))
  "fail_mode" .Values.failMode
  "trusted_proxies" .Values.trustedProxies
  "log_level" .Values.log.level
  "log_format" .Values.log.format
}}
{{- if eq .Values.mode "proxy" }}
{{- $_ := set $config "upstream" .Values.upstream.url }}
{{- $_ := set $config "upstream_timeout_seconds" (.Values.upstream.timeoutSeconds | int) }}
{{- end }}
{{- if .Values.controlPlane.url }}
{{- $_ := set $config "control_plane_url" .Values.controlPlane.url }}
{{- end }}
{{- toPrettyJson $config }}
{{- end }}

{{/*
Combinations the schema cannot express; included once, by statefulset.yaml, so `helm template`, `helm lint` and
`helm install` stop with one clear message.
*/}}
{{- define "tollgate-edge.validate" -}}
{{- $standalone := .Values.standalone.enabled }}
{{- if and .Values.controlPlane.url $standalone }}
{{- fail "set either controlPlane.url (managed by a Tollgate control plane) or standalone.enabled=true (local policy file), not both" }}
{{- end }}
{{- if not (or .Values.controlPlane.url $standalone) }}
{{- fail "set controlPlane.url (with enrollmentToken, credential or existingSecret) to connect to a Tollgate control plane, or standalone.enabled=true with standalone.policy to run from a local policy" }}
{{- end }}
{{- $hasSecretValues := or .Values.enrollmentToken .Values.credential }}
{{- if and .Values.existingSecret $hasSecretValues }}
{{- fail "set either existingSecret or enrollmentToken/credential, not both" }}
{{- end }}
{{- if and .Values.credential (or .Values.autoscaling.enabled (gt (.Values.replicas | int) 1)) }}
{{- fail "credential is one agent's identity: pods sharing it would share its usage sequence numbers and charges would be dropped as duplicates; set replicas=1 without autoscaling, or let each pod enroll with enrollmentToken" }}
{{- end }}
{{- if and .Values.controlPlane.url (not (or $hasSecretValues .Values.existingSecret)) }}
{{- fail "controlPlane.url needs enrollmentToken (tge_…), credential (tga_…) or existingSecret" }}
{{- end }}
{{- if and $standalone (or $hasSecretValues .Values.existingSecret) }}
{{- fail "standalone mode talks to no control plane: remove enrollmentToken, credential and existingSecret" }}
{{- end }}
{{- if $standalone }}
{{- $inline := ne (include "tollgate-edge.policyJSON" . | trim) "" }}
{{- if eq $inline (ne .Values.standalone.existingConfigMap "") }}
{{- fail "standalone mode needs exactly one of standalone.policy and standalone.existingConfigMap" }}
{{- end }}
{{- if $inline }}
{{- $parsed := include "tollgate-edge.policyJSON" . | fromJson }}
{{- if or (hasKey $parsed "Error") (eq (len $parsed) 0) }}
{{- fail "standalone.policy must be a non-empty JSON object" }}
{{- end }}
{{- end }}
{{- else if or .Values.standalone.policy .Values.standalone.existingConfigMap }}
{{- fail "standalone.policy and standalone.existingConfigMap need standalone.enabled=true" }}
{{- end }}
{{- if and (eq .Values.mode "proxy") (not .Values.upstream.url) }}
{{- fail "proxy mode needs upstream.url, the site's base URL (e.g. --set upstream.url=http://my-site.default.svc:80), or set mode=forward-auth to sit behind an ingress controller" }}
{{- end }}
{{- if and (ne .Values.mode "proxy") .Values.ingress.enabled }}
{{- fail "ingress.enabled is for proxy mode; in forward-auth mode the site's own Ingress calls the agent (see README.md)" }}
{{- end }}
{{- if and .Values.ingress.enabled (not .Values.ingress.hosts) }}
{{- fail "ingress.enabled needs at least one entry in ingress.hosts" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (.Values.autoscaling.minReplicas | int) (.Values.autoscaling.maxReplicas | int)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- end }}
