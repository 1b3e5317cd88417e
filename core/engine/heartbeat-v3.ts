/**
 * @module engine/heartbeat-v3 — the Engine.IO v3 heartbeat deadline (socket.io v2 clients, `allowEIO3`).
 *
 * In v3 the direction is reversed: the client pings every `pingInterval`, the server answers each
 * ping with a pong, and the server closes the session ("ping timeout") when no ping came within
 * `pingInterval + pingTimeout` of the previous one (or of the handshake). One shared
 * {@link DeadlineList} per engine serves every v3 session, as the v4 queues do.
 */
import { DeadlineList, type DeadlineEntry } from "./deadline-list.js";

const queues = new WeakMap<object, DeadlineList<never>>();

/**
 * The shared v3 ping-timeout queue of the sessions created with one options object.
 *
 * @param key the engine's resolved options (one per engine)
 * @param pingInterval the interval the client pings at, ms
 * @param pingTimeout how late a ping may be, ms
 * @param onOverdue called when a session's client stopped pinging
 * @returns the queue (delay `pingInterval + pingTimeout`)
 */
export function v3PingTimeoutQueue<T extends DeadlineEntry>(
  key: object,
  pingInterval: number,
  pingTimeout: number,
  onOverdue: (target: T) => void,
): DeadlineList<T> {
  let q = queues.get(key) as DeadlineList<T> | undefined;
  if (q === undefined) {
    q = new DeadlineList<T>(pingInterval + pingTimeout, onOverdue);
    queues.set(key, q as unknown as DeadlineList<never>);
  }
  return q;
}
