/**
 * @module metrics/prometheus — renders a {@link MetricsSnapshot} in the Prometheus text
 * exposition format (version 0.0.4) for a `/metrics` route.
 */
import { createError } from "../errors.js";
import type { MetricsSnapshot } from "./metrics.js";

/** The `Content-Type` a `/metrics` route answers with. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Options of {@link renderPrometheus}. */
export interface PrometheusOptions {
  /**
   * Prefix of every metric name.
   * @default "socketeer_"
   */
  readonly prefix?: string;
  /**
   * Emit one `room_sockets` series per listed room. Rooms are unbounded label values, so a
   * server with many short-lived rooms may want them off.
   * @default true
   */
  readonly rooms?: boolean;
}

type Labels = Readonly<Record<string, string>>;

/** Label values escape backslash, double quote and newline (exposition format, "Line format"). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

class Writer {
  readonly #prefix: string;
  #out = "";

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  family(name: string, type: "counter" | "gauge", help: string, series: Iterable<[Labels, number]>): void {
    const full = this.#prefix + name;
    this.#out += `# HELP ${full} ${help}\n# TYPE ${full} ${type}\n`;
    for (const [labels, value] of series) {
      const keys = Object.keys(labels);
      const body = keys.length === 0 ? "" : `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(",")}}`;
      this.#out += `${full}${body} ${formatValue(value)}\n`;
    }
  }

  toString(): string {
    return this.#out;
  }
}

function* entries(record: Readonly<Record<string, number>>, label: string): Iterable<[Labels, number]> {
  for (const [key, value] of Object.entries(record)) yield [{ [label]: key }, value];
}

/**
 * Renders a snapshot as Prometheus text. Counters end in `_total`; rates are left out
 * (Prometheus derives them with `rate()`).
 *
 * @param snapshot what `io.metrics()` returned
 * @param options metric-name prefix and whether to list rooms
 * @returns the exposition text, ending with a newline
 * @throws SKT_ERR_INVALID_ARG when `prefix` is not a valid metric-name prefix
 * @example
 * app.get("/metrics", (_req, reply) =>
 *   reply.type(PROMETHEUS_CONTENT_TYPE).send(renderPrometheus(io.metrics())));
 */
export function renderPrometheus(snapshot: MetricsSnapshot, options: PrometheusOptions = {}): string {
  const prefix = options.prefix ?? "socketeer_";
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw createError("SKT_ERR_INVALID_ARG", "prefix", "a metric name prefix matching [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  const w = new Writer(prefix);
  const nsps = Object.entries(snapshot.namespaces);

  w.family("connections", "gauge", "Open Engine.IO connections by transport.", [
    ...entries(snapshot.connections.byTransport, "transport"),
  ]);
  w.family("connections_opened_total", "counter", "Engine.IO connections opened since start.", [
    [{}, snapshot.connections.opened],
  ]);
  w.family(
    "namespace_sockets",
    "gauge",
    "Sockets connected, by namespace.",
    nsps.map(([name, n]) => [{ namespace: name }, n.sockets]),
  );
  w.family(
    "namespace_rooms",
    "gauge",
    "Application rooms, by namespace.",
    nsps.map(([name, n]) => [{ namespace: name }, n.roomCount]),
  );
  if (options.rooms ?? true) {
    w.family(
      "room_sockets",
      "gauge",
      "Sockets in a room (largest rooms only).",
      nsps.flatMap(([name, n]) =>
        Object.entries(n.rooms).map(([room, size]): [Labels, number] => [{ namespace: name, room }, size]),
      ),
    );
  }
  w.family("events_received_total", "counter", "Socket.IO events received from clients.", [
    [{}, snapshot.events.in],
  ]);
  w.family("events_sent_total", "counter", "Socket.IO events sent to clients (one per recipient).", [
    [{}, snapshot.events.out],
  ]);
  w.family("bytes_received_total", "counter", "Engine.IO payload bytes received.", [[{}, snapshot.bytes.in]]);
  w.family("bytes_sent_total", "counter", "Engine.IO payload bytes sent.", [[{}, snapshot.bytes.out]]);
  w.family("buffered_bytes", "gauge", "Bytes queued for clients, not yet written.", [
    [{}, snapshot.bytes.buffered],
  ]);
  w.family("volatile_dropped_total", "counter", "Volatile packets dropped on a busy transport.", [
    [{}, snapshot.volatileDropped],
  ]);
  w.family("disconnects_total", "counter", "Socket disconnections, by reason.", [
    ...entries(snapshot.disconnects.byReason, "reason"),
  ]);
  w.family("uptime_seconds", "gauge", "Seconds since the server started.", [[{}, snapshot.uptimeSeconds]]);
  return w.toString();
}
