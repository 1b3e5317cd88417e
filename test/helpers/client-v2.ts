/**
 * @module test/helpers/client-v2 — the real socket.io v2 client (`socket.io-client@2.5.0`, installed
 * as the `socket.io-client-v2` alias) with the few types the tests use; connections closed after the test.
 */
import type { TestContext } from "node:test";
import { createRequire } from "node:module";

/** The parts of a socket.io-client v2 socket the tests use. */
export interface V2Socket {
  readonly id: string;
  readonly connected: boolean;
  readonly io: { engine: { transport: { name: string }; id: string; on(ev: string, fn: (...a: unknown[]) => void): void } & Record<string, unknown> };
  on(event: string, fn: (...args: any[]) => void): this;
  once(event: string, fn: (...args: any[]) => void): this;
  off(event: string, fn?: (...args: any[]) => void): this;
  emit(event: string, ...args: unknown[]): this;
  close(): this;
  open(): this;
}

/** Options of a v2 client (engine.io-client v3 / socket.io-client v2 names). */
export interface V2Options {
  transports?: ("polling" | "websocket")[];
  upgrade?: boolean;
  query?: Record<string, string> | string;
  forceBase64?: boolean;
  reconnection?: boolean;
  forceNew?: boolean;
  multiplex?: boolean;
  [key: string]: unknown;
}

const require = createRequire(import.meta.url);
const ioV2 = require("socket.io-client-v2") as (uri: string, opts?: V2Options) => V2Socket;

/** Opens v2 clients to `url`; every one is closed after the test. */
export function v2Clients(t: Pick<TestContext, "after">, url: string): (nsp?: string, opts?: V2Options) => V2Socket {
  const opened: V2Socket[] = [];
  t.after(() => {
    for (const c of opened) c.close();
  });
  return (nsp = "/", opts = {}) => {
    const c = ioV2(url + nsp, { forceNew: true, reconnection: false, ...opts });
    opened.push(c);
    return c;
  };
}
