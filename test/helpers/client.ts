/**
 * @module test/helpers/client — socket.io-client sockets for tests: opened without reconnection,
 * closed after the test, and waited on until connected or refused.
 */
import type { TestContext } from "node:test";
import { io as connect, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from "socket.io-client";
import { withTimeout } from "./wait.js";

export type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/** A new client (its own Manager, no reconnection), disconnected when the test ends. */
export function client(t: Pick<TestContext, "after">, url: string, opts: ClientOptions = {}): ClientSocket {
  const socket = connect(url, { forceNew: true, reconnection: false, ...opts });
  t.after(() => void socket.disconnect());
  return socket;
}

/** Resolves when connected; rejects with the connect_error. */
export function connected(socket: ClientSocket): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    }),
    5_000,
    "connect",
  );
}

/** Resolves with the connect_error (and fails if the socket connects instead). */
export function refused(socket: ClientSocket): Promise<Error & { description?: unknown }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", () => reject(new Error("connected although it should have been refused")));
      socket.once("connect_error", resolve);
    }),
    5_000,
    "connect_error",
  );
}

/** The HTTP status (or message) a refused handshake carried in `connect_error`'s description. */
export function statusOf(err: Error & { description?: unknown }): string {
  const d = err.description;
  return typeof d === "number" ? String(d) : String((d as { message?: unknown } | undefined)?.message ?? d);
}
