{{- define "fundflow.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fundflow.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component (api, worker, codec-server, migrate). */}}
{{- define "fundflow.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "fundflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fundflow.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "fundflow.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "fundflow.tlsDir" -}}/etc/fundflow/temporal-tls{{- end -}}

{{/*
The environment every fundflow container gets: the chart's own settings, `config`, then every key of the existing
Secret (envFrom). Inline rather than a ConfigMap, so the pre-install migration hook has it before any chart resource
exists and a configuration change rolls the pods.
*/}}
{{- define "fundflow.env" -}}
{{- $tls := .Values.temporal.tls -}}
- name: NODE_ENV
  value: production
- name: HTTP_HOST
  value: 0.0.0.0
- name: npm_config_cache
  value: /tmp/.npm
- name: TEMPORAL_ADDRESS
  value: {{ .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
- name: TEMPORAL_UI_URL
  value: {{ .Values.temporal.uiUrl | quote }}
{{- if $tls.enabled }}
- name: TEMPORAL_TLS
  value: "true"
{{- end }}
{{- if $tls.existingSecret }}
{{- if $tls.caKey }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: {{ printf "%s/%s" (include "fundflow.tlsDir" .) $tls.caKey | quote }}
{{- end }}
{{- if and $tls.certKey $tls.keyKey }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: {{ printf "%s/%s" (include "fundflow.tlsDir" .) $tls.certKey | quote }}
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: {{ printf "%s/%s" (include "fundflow.tlsDir" .) $tls.keyKey | quote }}
{{- end }}
{{- end }}
{{- if $tls.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ $tls.serverName | quote }}
{{- end }}
- name: HTTP_PORT
  value: {{ .Values.api.port | quote }}
- name: API_INTERNAL_PORT
  value: {{ .Values.api.internalPort | quote }}
- name: SHUTDOWN_GRACE_SECONDS
  value: {{ .Values.api.shutdownGraceSeconds | quote }}
- name: WORKER_HTTP_PORT
  value: {{ .Values.worker.port | quote }}
- name: WORKER_SDK_METRICS_PORT
  value: {{ .Values.worker.sdkMetricsPort | quote }}
- name: CODEC_SERVER_PORT
  value: {{ .Values.codecServer.port | quote }}
{{- if .Values.codecServer.corsOrigins }}
- name: CODEC_SERVER_CORS_ORIGINS
  value: {{ .Values.codecServer.corsOrigins | quote }}
{{- end }}
{{- range $name, $value := .Values.config }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{- define "fundflow.envFrom" -}}
- secretRef:
    name: {{ required "existingSecret: name the Secret that holds fundflow's secret variables (values never hold secrets)" .Values.existingSecret }}
{{- end -}}

{{- define "fundflow.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: {{ include "fundflow.tlsDir" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "fundflow.volumes" -}}
- name: tmp
  emptyDir: {}
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.existingSecret }}
    defaultMode: 288 # 0440: owner and group read (decimal, which every YAML parser reads alike)
{{- end }}
{{- end -}}

{{/* The pod spec parts every component shares. */}}
{{- define "fundflow.podCommon" -}}
serviceAccountName: {{ include "fundflow.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  {{- include "fundflow.volumes" . | nindent 2 }}
{{- end -}}
