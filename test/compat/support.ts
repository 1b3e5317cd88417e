/**
 * @module test/compat/support — a Socketeer server on 127.0.0.1:0 and official socket.io-client
 * connections to it, all closed after the test.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { io as ioc, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from "socket.io-client";
import { Server as SocketIoServer } from "socket.io";
import { Server, type ServerOptions, type Socket as CoreSocket } from "../../core/index.js";
import { RawPolling } from "../helpers/raw-engine-client.js";
import { listen } from "../helpers/listen.js";
import { once } from "../helpers/wait.js";

export type Transports = ("polling" | "websocket")[];

/** The three ways a client reaches the server. */
export const TRANSPORT_MODES: { name: string; transports: Transports; upgrade: boolean }[] = [
  { name: "polling", transports: ["polling"], upgrade: false },
  { name: "websocket", transports: ["websocket"], upgrade: false },
  { name: "upgrade", transports: ["polling", "websocket"], upgrade: true },
];

/**
 * socket.io's Server and Socketeer's, for differential tests: the same scenario runs on both and
 * must give the same outcome. Typed as Socketeer's (a drop-in for socket.io's API).
 */
export const IMPLEMENTATIONS: { name: string; Server: typeof Server }[] = [
  { name: "socket.io", Server: SocketIoServer as unknown as typeof Server },
  { name: "Socketeer", Server },
];

export interface Setup {
  io: Server;
  port: number;
  url: string;
  /** Opens a client (not yet waited on); closed after the test. */
  client(nsp?: string, opts?: Partial<ManagerOptions & SocketOptions>): ClientSocket;
  /** Opens a client and waits for `connect`. */
  connect(nsp?: string, opts?: Partial<ManagerOptions & SocketOptions>): Promise<ClientSocket>;
}

/** Starts a Server (Socketeer's, or `ServerClass`, e.g. socket.io's) attached to a fresh HTTP server. */
export async function setup(
  t: Pick<TestContext, "after">,
  opts?: ServerOptions,
  ServerClass: typeof Server = Server,
): Promise<Setup> {
  const { server, port, url } = await listen(undefined);
  const io = new ServerClass(server, opts);
  const clients: ClientSocket[] = [];
  t.after(async () => {
    for (const c of clients) {
      c.io.reconnection(false);
      c.disconnect();
      c.io.engine?.close();
    }
    await io.close();
  });
  const client = (nsp = "/", o: Partial<ManagerOptions & SocketOptions> = {}): ClientSocket => {
    const c = ioc(url + nsp, { forceNew: true, reconnection: false, transports: ["websocket"], ...o });
    clients.push(c);
    return c;
  };
  const connect = async (nsp = "/", o: Partial<ManagerOptions & SocketOptions> = {}): Promise<ClientSocket> => {
    const c = client(nsp, o);
    if (!c.connected) await waitFor(c, "connect");
    return c;
  };
  return { io, port, url, client, connect };
}

/** Waits for an event on any emitter (typed server sockets, client sockets, engines). */
export function waitFor<T extends unknown[] = unknown[]>(emitter: object, event: string, ms?: number): Promise<T> {
  return once<T>(emitter as Parameters<typeof once>[0], event, ms);
}

/** A raw polling session joined to `/` (CONNECT answered), with its server-side socket. */
export async function rawSession(s: Setup): Promise<{ poll: RawPolling; socket: CoreSocket }> {
  const poll = new RawPolling(`${s.url}/socket.io/`);
  await poll.handshake();
  const connected = waitFor<[CoreSocket]>(s.io, "connection");
  await poll.post("40");
  const [socket] = await connected;
  assert.match((await poll.poll()).body, /^40\{"sid":/);
  return { poll, socket };
}
