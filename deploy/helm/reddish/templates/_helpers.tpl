{{/* Names, labels and small values shared by the templates. */}}

{{- define "reddish.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "reddish.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "reddish.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ include "reddish.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "reddish.selectorLabels" -}}
app.kubernetes.io/name: {{ include "reddish.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Data nodes and Sentinels are told apart by app.kubernetes.io/component. */}}
{{- define "reddish.nodeSelectorLabels" -}}
{{ include "reddish.selectorLabels" . }}
app.kubernetes.io/component: node
{{- end -}}

{{- define "reddish.sentinelSelectorLabels" -}}
{{ include "reddish.selectorLabels" . }}
app.kubernetes.io/component: sentinel
{{- end -}}

{{- define "reddish.headless" -}}
{{- printf "%s-headless" (include "reddish.fullname" .) -}}
{{- end -}}

{{- define "reddish.sentinel" -}}
{{- printf "%s-sentinel" (include "reddish.fullname" .) -}}
{{- end -}}

{{- define "reddish.sentinelHeadless" -}}
{{- printf "%s-sentinel-headless" (include "reddish.fullname" .) -}}
{{- end -}}

{{- define "reddish.secretName" -}}
{{- if .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecret -}}
{{- else -}}
{{- printf "%s-auth" (include "reddish.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "reddish.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "reddish.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "reddish.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Data pods: the master plus the replicas. */}}
{{- define "reddish.nodeCount" -}}
{{- if .Values.replication.enabled -}}
{{- add 1 .Values.replication.replicas -}}
{{- else -}}
1
{{- end -}}
{{- end -}}

{{- define "reddish.sentinelEnabled" -}}
{{- if and .Values.replication.enabled .Values.sentinel.enabled -}}true{{- end -}}
{{- end -}}

{{- define "reddish.roleLabelerEnabled" -}}
{{- if and .Values.replication.enabled .Values.roleLabeler.enabled -}}true{{- end -}}
{{- end -}}

{{/* The DNS name of data pod 0, the first master. */}}
{{- define "reddish.firstMaster" -}}
{{- printf "%s-0.%s.%s.svc.%s" (include "reddish.fullname" .) (include "reddish.headless" .) .Release.Namespace .Values.clusterDomain -}}
{{- end -}}

{{/* podAntiAffinity for one component ("node" or "sentinel"). Arguments: (dict "ctx" $ "component" "node"). */}}
{{- define "reddish.affinity" -}}
{{- $ctx := .ctx -}}
{{- if $ctx.Values.affinity -}}
{{- toYaml $ctx.Values.affinity -}}
{{- else if eq $ctx.Values.podAntiAffinity "hard" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "reddish.selectorLabels" $ctx | nindent 10 }}
          app.kubernetes.io/component: {{ .component }}
{{- else if eq $ctx.Values.podAntiAffinity "soft" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "reddish.selectorLabels" $ctx | nindent 12 }}
            app.kubernetes.io/component: {{ .component }}
{{- end -}}
{{- end -}}
