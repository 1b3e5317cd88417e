/**
 * @module engine/heartbeat-v3 — the Engine.IO v3 heartbeat deadline (socket.io v2 clients, `allowEIO3`).
 *
 * In v3 the direction is reversed: the client pings every `pingInterval`, the server answers each
 * ping with a pong, and the server closes the session ("ping timeout") when no ping came within
 * `pingInterval + pingTimeout` of the previous one (or of the handshake). One shared
 * {@link DeadlineQueue} per engine serves every v3 session, as the v4 queues do.
 */
import { DeadlineQueue } from "./heartbeat.js";

const queues = new WeakMap<object, DeadlineQueue<never>>();

/**
 * The shared v3 ping-timeout queue of the sessions created with one options object.
 *
 * @param key the engine's resolved options (one per engine)
 * @param pingInterval the interval the client pings at, ms
 * @param pingTimeout how late a ping may be, ms
 * @param onOverdue called when a session's client stopped pinging
 * @returns the queue (delay `pingInterval + pingTimeout`)
 */
export function v3PingTimeoutQueue<T>(
  key: object,
  pingInterval: number,
  pingTimeout: number,
  onOverdue: (target: T) => void,
): DeadlineQueue<T> {
  let q = queues.get(key) as DeadlineQueue<T> | undefined;
  if (q === undefined) {
    q = new DeadlineQueue<T>(pingInterval + pingTimeout, onOverdue);
    queues.set(key, q as unknown as DeadlineQueue<never>);
  }
  return q;
}
