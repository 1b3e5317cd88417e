/**
 * @module metrics — `io.metrics()` snapshots and their Prometheus rendering.
 */
export { Metrics } from "./metrics.js";
export { kMetrics } from "../contracts.js";
export type {
  MetricsGaugeSource,
  MetricsRecorder,
  MetricsSnapshot,
  NamespaceMetrics,
  SnapshotOptions,
} from "./metrics.js";
export { renderPrometheus, PROMETHEUS_CONTENT_TYPE } from "./prometheus.js";
export type { PrometheusOptions } from "./prometheus.js";
