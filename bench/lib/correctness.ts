/**
 * @module bench/lib/correctness — before measuring, the official `socket.io-client` checks that a
 * Socket.IO server runs the scenario app correctly: connect (WebSocket and long-polling), emit
 * with ack, join + server broadcast, publish fan-out.
 */
import { io, type Socket } from "socket.io-client";
import type { ServerHandle } from "./scenarios.js";

/** Outcome of the correctness pass for one server. */
export interface CorrectnessResult {
  readonly ok: boolean;
  /** check name → passed */
  readonly checks: Record<string, boolean>;
  readonly error?: string;
}

const WAIT_MS = 5_000;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${WAIT_MS} ms`)), WAIT_MS);
    }),
  ]);
}

function connected(socket: Socket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => reject(err));
  });
}

function received(socket: Socket, event: string): Promise<unknown> {
  return new Promise<unknown>((resolve) => socket.once(event, (data: unknown) => resolve(data)));
}

/**
 * Runs the checks against `server`; never throws.
 * @returns every check with its outcome, and the first failure's message
 */
export async function checkServer(server: ServerHandle): Promise<CorrectnessResult> {
  const checks: Record<string, boolean> = {};
  const sockets: Socket[] = [];
  const check = async (name: string, fn: () => Promise<boolean>): Promise<void> => {
    checks[name] = false;
    checks[name] = await within(fn(), name);
  };
  try {
    const data = { text: "héllo ✓", n: [1, 2.5, null], nested: { ok: true } };
    for (const transport of ["websocket", "polling"] as const) {
      const socket = io(server.origin, { transports: [transport], reconnection: false, forceNew: true });
      sockets.push(socket);
      await check(`connect (${transport})`, async () => {
        await connected(socket);
        return socket.connected;
      });
      await check(`emit with ack (${transport})`, async () => {
        const answer: unknown = await socket.emitWithAck("echo", data);
        return JSON.stringify(answer) === JSON.stringify(data);
      });
    }
    const [a, b] = sockets as [Socket, Socket];
    await check("join with ack", async () => {
      await Promise.all([a.emitWithAck("join", "check"), b.emitWithAck("join", "check")]);
      return true;
    });
    await check("server broadcast to a room", async () => {
      const got = Promise.all([received(a, "b"), received(b, "b")]);
      await server.rpc.call("broadcast", { room: "check", emits: 1, perTurn: 1, payload: "to the room" });
      const values = await got;
      return values.every((v) => v === "to the room");
    });
    await check("publish fans out to the room", async () => {
      const got = Promise.all([received(a, "msg"), received(b, "msg")]);
      a.emit("pub", "check", "published");
      const values = await got;
      return values.every((v) => v === "published");
    });
    return { ok: Object.values(checks).every(Boolean), checks };
  } catch (err) {
    return { ok: false, checks, error: err instanceof Error ? err.message : String(err) };
  } finally {
    for (const s of sockets) s.disconnect();
    await server.rpc.call("waitConnections", { n: 0, timeoutMs: 10_000 }).catch(() => undefined);
  }
}
