{{/* The chart name, or nameOverride. */}}
{{- define "kube4j.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<chart> (or fullnameOverride), cut so that "<fullname>-controller-manager" stays a DNS label. */}}
{{- define "kube4j.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; call with (dict "root" $ "component" "apiserver"). */}}
{{- define "kube4j.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "kube4j.selectorLabels" . }}
{{- end -}}

{{/* Selector labels of one component. */}}
{{- define "kube4j.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kube4j.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image of a role; call with (dict "root" $ "role" "apiserver"), "tag" replacing image.tag (etcd's own). */}}
{{- define "kube4j.image" -}}
{{- $img := .root.Values.image -}}
{{- $tag := .tag | default $img.tag | default .root.Chart.AppVersion -}}
{{- $repo := printf "%s/%s" $img.repository .role -}}
{{- if $img.registry -}}
{{- printf "%s/%s:%s" $img.registry $repo $tag -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/* Where the PKI lives: the generated Secret or the user's. */}}
{{- define "kube4j.pkiSecret" -}}
{{- default (printf "%s-pki" (include "kube4j.fullname" .)) .Values.pki.existingSecret -}}
{{- end -}}

{{- define "kube4j.adminKubeconfigSecret" -}}
{{- default (printf "%s-admin-kubeconfig" (include "kube4j.fullname" .)) .Values.pki.adminKubeconfigSecret -}}
{{- end -}}

{{/* The apiserver Service's in-cluster DNS name and URL (what the components and the kubeconfigs use). */}}
{{- define "kube4j.apiserverHost" -}}
{{- printf "%s-apiserver.%s.svc" (include "kube4j.fullname" .) .Release.Namespace -}}
{{- end -}}

{{- define "kube4j.apiserverUrl" -}}
{{- printf "https://%s:%v" (include "kube4j.apiserverHost" .) .Values.apiserver.service.port -}}
{{- end -}}

{{- define "kube4j.gatewayUrl" -}}
{{- if .Values.gateway.externalUrl -}}
{{- .Values.gateway.externalUrl -}}
{{- else -}}
{{- printf "https://%s-gateway.%s.svc:%v" (include "kube4j.fullname" .) .Release.Namespace .Values.gateway.service.port -}}
{{- end -}}
{{- end -}}

{{/* etcd's client URLs, comma-separated: the members of the StatefulSet, or the external ones. */}}
{{- define "kube4j.etcdEndpoints" -}}
{{- if .Values.etcd.enabled -}}
{{- $full := include "kube4j.fullname" . -}}
{{- $eps := list -}}
{{- range $i := until (int .Values.etcd.replicas) -}}
{{- $eps = append $eps (printf "http://%s-etcd-%d.%s-etcd-peer.%s.svc.%s:%v" $full $i $full $.Release.Namespace $.Values.clusterDomain $.Values.etcd.clientPort) -}}
{{- end -}}
{{- join "," $eps -}}
{{- else -}}
{{- if not .Values.etcd.external.endpoints -}}
{{- fail "etcd.enabled is false but etcd.external.endpoints is empty: give the external etcd's client URLs (e.g. --set etcd.external.endpoints={http://etcd:2379}) or set etcd.enabled=true" -}}
{{- end -}}
{{- join "," .Values.etcd.external.endpoints -}}
{{- end -}}
{{- end -}}

{{/* The first address of the service CIDR: the ClusterIP of kube4j's `kubernetes` Service. */}}
{{- define "kube4j.kubernetesServiceIp" -}}
{{- $cidr := .Values.network.serviceCidr -}}
{{- $base := regexReplaceAll "/[0-9]+$" $cidr "" -}}
{{- $octets := splitList "." $base -}}
{{- printf "%s.%s.%s.%d" (index $octets 0) (index $octets 1) (index $octets 2) (add1 (int (index $octets 3))) -}}
{{- end -}}

{{/* Options every Spring Boot component gets: log level. */}}
{{- define "kube4j.commonArgs" -}}
- --logging.level.io.kube4j={{ .Values.logLevel }}
- --management.endpoint.health.probes.enabled=true
{{- end -}}

{{/* The JVM options env (JAVA_OPTS is read by the images' entrypoint). */}}
{{- define "kube4j.javaEnv" -}}
- name: JAVA_OPTS
  value: {{ .Values.javaOpts | quote }}
{{- end -}}

{{/* Pod security context of the control plane (the images' user kube4j, uid 10000; keys readable by its group). */}}
{{- define "kube4j.nonRootPodSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10000
  runAsGroup: 10000
  fsGroup: 10000
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{- define "kube4j.nonRootContainerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: [ALL]
{{- end -}}

{{/*
The PKI Secret as a volume holding only the files a component uses (mode 0440: its group 10000 reads the keys); call
with (dict "root" $ "files" (list "ca.crt" ...)). No control-plane pod gets the CA's key.
*/}}
{{- define "kube4j.pkiVolume" -}}
- name: pki
  secret:
    secretName: {{ include "kube4j.pkiSecret" .root }}
    defaultMode: 0440
    items:
      {{- range .files }}
      - key: {{ . }}
        path: {{ . }}
      {{- end }}
{{- end -}}

{{/* Scheduling settings of a component: call with its values. */}}
{{- define "kube4j.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "kube4j.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
