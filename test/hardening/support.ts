/**
 * @module test/hardening/support — a Socketeer server with every disconnect recorded, raw Socket.IO
 * clients over WebSocket and polling, and a seeded PRNG, for the hardening suite.
 */
import type { TestContext } from "node:test";
import { WebSocket } from "ws";
import { Server, type ServerOptions, type Socket } from "../../core/index.js";
import { listen } from "../helpers/listen.js";
import { RawPolling, RawWebSocket } from "../helpers/raw-engine-client.js";
import { WAIT_MS } from "../helpers/wait.js";
export { prng } from "../helpers/prng.js";


/** One server-side disconnect, as the application sees it. */
export interface Disconnect {
  id: string;
  reason: string;
  description: unknown;
}

/** A running Socketeer server on 127.0.0.1 with its disconnects recorded. */
export interface IoFixture {
  io: Server;
  port: number;
  url: string;
  /** `http://127.0.0.1:<port>/socket.io/` */
  base: string;
  /** `ws://127.0.0.1:<port>/socket.io/` */
  wsBase: string;
  /** Every disconnect of a socket of the main namespace, in order. */
  disconnects: Disconnect[];
  /** Resolves with the disconnect of the socket with this id (or rejects after `ms`). */
  disconnectOf(id: string, ms?: number): Promise<Disconnect>;
}

/** Starts a Server on a fresh HTTP server; closes both after the test. */
export async function startIo(t: Pick<TestContext, "after">, opts?: ServerOptions): Promise<IoFixture> {
  const { server, port, url } = await listen(undefined);
  const io = new Server(server, opts);
  const disconnects: Disconnect[] = [];
  const waiters = new Map<string, (d: Disconnect) => void>();
  io.on("connection", (socket: Socket) => {
    socket.on("disconnect", (reason: string, description: unknown) => {
      const d = { id: socket.id, reason, description };
      disconnects.push(d);
      waiters.get(socket.id)?.(d);
    });
  });
  t.after(() => io.close());
  const disconnectOf = (id: string, ms = WAIT_MS): Promise<Disconnect> => {
    const done = disconnects.find((d) => d.id === id);
    if (done !== undefined) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(id);
        reject(new Error(`socket ${id} did not disconnect within ${ms} ms`));
      }, ms);
      waiters.set(id, (d) => {
        clearTimeout(timer);
        waiters.delete(id);
        resolve(d);
      });
    });
  };
  return {
    io,
    port,
    url,
    base: `${url}/socket.io/`,
    wsBase: `ws://127.0.0.1:${port}/socket.io/`,
    disconnects,
    disconnectOf,
  };
}

/** The socket id in a Socket.IO CONNECT reply (`0{"sid":"…"}`, without the Engine.IO type). */
export function sidOfConnect(frame: string): string {
  const m = /^0(?:\/[^,]*,)?(\{.*\})$/.exec(frame);
  if (m === null) throw new Error(`not a CONNECT reply: ${frame}`);
  return (JSON.parse(m[1] as string) as { sid: string }).sid;
}

/** A raw WebSocket Socket.IO client connected to the main namespace. */
export interface RawSioWs {
  raw: RawWebSocket;
  /** The Socket.IO socket id. */
  id: string;
  /** Next text frame that is not a ping (pings are answered). */
  nextData(ms?: number): Promise<string | Buffer>;
}

/** Opens a WebSocket, reads the open packet, connects to `/` and returns the socket id. */
export async function rawSioWs(f: IoFixture, t: Pick<TestContext, "after">): Promise<RawSioWs> {
  const raw = await RawWebSocket.connect(f.wsBase);
  t.after(() => raw.close());
  const open = await raw.next();
  if (typeof open !== "string" || !open.startsWith("0")) throw new Error(`expected open, got ${String(open)}`);
  const nextData = async (ms = WAIT_MS): Promise<string | Buffer> => {
    for (;;) {
      const m = await raw.next(ms);
      if (m === "2") {
        raw.send("3");
        continue;
      }
      return m;
    }
  };
  raw.send("40");
  const reply = await nextData();
  return { raw, id: sidOfConnect((reply as string).slice(1)), nextData };
}

/** A raw polling Socket.IO client connected to the main namespace. */
export async function rawSioPolling(f: IoFixture): Promise<{ poll: RawPolling; id: string }> {
  const poll = new RawPolling(f.base);
  await poll.handshake();
  await poll.post("40");
  const res = await poll.poll();
  const frame = res.body.split("\x1e").find((r) => r.startsWith("40"));
  if (frame === undefined) throw new Error(`no CONNECT reply in ${res.body}`);
  return { poll, id: sidOfConnect(frame.slice(1)) };
}

/** True when the `ws` socket is closed or closing. */
export function wsGone(ws: WebSocket): boolean {
  return ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING;
}

/** The SKT_ERR code of a disconnect description, if it has one. */
export function codeOf(description: unknown): string | undefined {
  const c = (description as { code?: unknown } | undefined)?.code;
  return typeof c === "string" ? c : undefined;
}
