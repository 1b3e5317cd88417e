/**
 * @module samples/chat/dashboard — pushes `io.metrics()` to the `/dashboard` namespace once a
 * second while at least one dashboard page is open, and renders `/metrics` for Prometheus.
 */
import { renderPrometheus, PROMETHEUS_CONTENT_TYPE, type MetricsSnapshot, type Server } from "socketeer";

/** How often the dashboard gets a snapshot, in ms. */
const INTERVAL_MS = 1_000;

/**
 * Serves live metrics on the `/dashboard` namespace. The timer only runs while a dashboard is
 * connected, so an idle server does no work for it.
 *
 * @param io the server whose metrics are shown
 * @returns `close()` stops the timer (the namespace's sockets close with the server)
 */
export function attachDashboard(io: Server): { close(): void } {
  const nsp = io.of("/dashboard");
  let timer: NodeJS.Timeout | undefined;
  const push = () => nsp.emit("metrics", io.metrics());
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };
  nsp.on("connection", (socket) => {
    socket.emit("metrics", io.metrics());
    timer ??= setInterval(push, INTERVAL_MS).unref();
    socket.on("disconnect", () => {
      if (nsp.sockets.size === 0) stop();
    });
  });
  return { close: stop };
}

/** Body and content type of the `/metrics` route (Prometheus text format). */
export function prometheusResponse(io: Server): { type: string; body: string } {
  return { type: PROMETHEUS_CONTENT_TYPE, body: renderPrometheus(io.metrics()) };
}

/** Body of `/metrics.json`: the raw snapshot. */
export function metricsJson(io: Server): MetricsSnapshot {
  return io.metrics();
}
