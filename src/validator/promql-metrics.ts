/**
 * Metrics an alert about the stack can read, with the labels their series carry: kube-state-metrics
 * (v2), the kubelet's volume statistics, cert-manager, the Argo Rollouts controller (kube-state-metrics
 * knows no Rollouts), and the components' OpenTelemetry HTTP server
 * metrics as the Prometheus exporter names them. Every scraped series also carries the target
 * labels in {@link TARGET_LABELS}.
 */
export const KNOWN_METRICS: Readonly<Record<string, { readonly source: string; readonly labels: readonly string[] }>> = {
  kube_deployment_status_replicas_available: { source: 'kube-state-metrics', labels: ['namespace', 'deployment'] },
  kube_deployment_status_replicas_ready: { source: 'kube-state-metrics', labels: ['namespace', 'deployment'] },
  kube_deployment_status_replicas_unavailable: { source: 'kube-state-metrics', labels: ['namespace', 'deployment'] },
  kube_deployment_spec_replicas: { source: 'kube-state-metrics', labels: ['namespace', 'deployment'] },
  kube_statefulset_status_replicas_ready: { source: 'kube-state-metrics', labels: ['namespace', 'statefulset'] },
  kube_statefulset_status_replicas_available: { source: 'kube-state-metrics', labels: ['namespace', 'statefulset'] },
  kube_pod_container_status_restarts_total: { source: 'kube-state-metrics', labels: ['namespace', 'pod', 'container', 'uid'] },
  kube_pod_container_status_waiting_reason: { source: 'kube-state-metrics', labels: ['namespace', 'pod', 'container', 'uid', 'reason'] },
  kube_pod_status_ready: { source: 'kube-state-metrics', labels: ['namespace', 'pod', 'uid', 'condition'] },
  kube_horizontalpodautoscaler_status_current_replicas: { source: 'kube-state-metrics', labels: ['namespace', 'horizontalpodautoscaler'] },
  kube_horizontalpodautoscaler_status_desired_replicas: { source: 'kube-state-metrics', labels: ['namespace', 'horizontalpodautoscaler'] },
  kube_horizontalpodautoscaler_spec_max_replicas: { source: 'kube-state-metrics', labels: ['namespace', 'horizontalpodautoscaler'] },
  kube_horizontalpodautoscaler_spec_min_replicas: { source: 'kube-state-metrics', labels: ['namespace', 'horizontalpodautoscaler'] },
  kube_cronjob_created: { source: 'kube-state-metrics', labels: ['namespace', 'cronjob'] },
  kube_cronjob_status_last_successful_time: { source: 'kube-state-metrics', labels: ['namespace', 'cronjob'] },
  kube_cronjob_status_last_schedule_time: { source: 'kube-state-metrics', labels: ['namespace', 'cronjob'] },
  kube_job_status_failed: { source: 'kube-state-metrics', labels: ['namespace', 'job_name', 'reason'] },
  kube_persistentvolumeclaim_status_phase: { source: 'kube-state-metrics', labels: ['namespace', 'persistentvolumeclaim', 'phase'] },
  kubelet_volume_stats_available_bytes: { source: 'kubelet', labels: ['namespace', 'persistentvolumeclaim'] },
  kubelet_volume_stats_capacity_bytes: { source: 'kubelet', labels: ['namespace', 'persistentvolumeclaim'] },
  kubelet_volume_stats_used_bytes: { source: 'kubelet', labels: ['namespace', 'persistentvolumeclaim'] },
  kubelet_volume_stats_inodes_free: { source: 'kubelet', labels: ['namespace', 'persistentvolumeclaim'] },
  // The Argo Rollouts controller's metrics about each Rollout (scraped with honorLabels: namespace is the Rollout's).
  rollout_info_replicas_available: { source: 'Argo Rollouts', labels: ['namespace', 'name'] },
  rollout_info_replicas_unavailable: { source: 'Argo Rollouts', labels: ['namespace', 'name'] },
  rollout_info_replicas_desired: { source: 'Argo Rollouts', labels: ['namespace', 'name'] },
  rollout_info: { source: 'Argo Rollouts', labels: ['namespace', 'name', 'strategy', 'traffic_router', 'phase'] },
  certmanager_certificate_expiration_timestamp_seconds: { source: 'cert-manager', labels: ['namespace', 'name', 'issuer_name', 'issuer_kind', 'issuer_group'] },
  certmanager_certificate_renewal_timestamp_seconds: { source: 'cert-manager', labels: ['namespace', 'name', 'issuer_name', 'issuer_kind', 'issuer_group'] },
  certmanager_certificate_ready_status: { source: 'cert-manager', labels: ['namespace', 'name', 'condition', 'issuer_name', 'issuer_kind', 'issuer_group'] },
  ...Object.fromEntries(
    ['_count', '_sum', '_bucket'].map((suffix) => [
      `http_server_request_duration_seconds${suffix}`,
      {
        source: 'OpenTelemetry HTTP server metrics',
        labels: ['http_request_method', 'http_response_status_code', 'http_route', 'network_protocol_version', 'url_scheme', 'error_type', 'otel_scope_name', ...(suffix === '_bucket' ? ['le'] : [])],
      },
    ]),
  ),
};

/** Labels Prometheus adds to every scraped series (target labels of kube-prometheus scrape configs). */
export const TARGET_LABELS: readonly string[] = ['job', 'instance', 'namespace', 'pod', 'container', 'service', 'endpoint', 'node', 'metrics_path'];
