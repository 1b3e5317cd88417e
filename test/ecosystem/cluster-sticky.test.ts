/**
 * @socket.io/cluster-adapter + @socket.io/sticky on node:cluster (two workers, set up as their
 * READMEs show it): a polling client that upgrades to WebSocket and a WebSocket client on
 * different workers see each other's broadcasts, rooms, fetchSockets, serverSideEmit and acks.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { io as ioc, type ManagerOptions, type SocketOptions } from "socket.io-client";
import { spawnChild, type Child } from "../helpers/child.js";
import { once, withTimeout } from "../helpers/wait.js";
import { COMPAT_TODO, SERVER, peer, waitFor, type Peer, type RemoteSocketInfo } from "./support.js";

const FIXTURE = new URL("./fixtures/cluster.ts", import.meta.url);

interface WhoAmI {
  pid: number;
  transport: string;
}

/** Runs one of the app's operations on the worker `p` is connected to. */
async function run<R>(p: Peer, op: string, ...args: unknown[]): Promise<R> {
  const r = (await withTimeout(p.socket.emitWithAck("do", op, args), 10_000, `${op} on ${p.name}'s worker`)) as { result?: R; error?: string };
  if (r.error !== undefined) throw new Error(r.error);
  return r.result as R;
}

describe(`@socket.io/cluster-adapter + @socket.io/sticky on node:cluster: two ${SERVER} workers`, { todo: COMPAT_TODO["cluster-adapter"] }, () => {
  const stops: (() => unknown)[] = [];
  const sockets: Peer[] = [];
  let primary: Child;
  let up: Peer; // polling, then upgraded to WebSocket
  let ws: Peer; // WebSocket only, on the other worker
  let upPid = 0;
  let wsPid = 0;

  const connect = async (name: string, opts: Partial<ManagerOptions & SocketOptions>): Promise<[Peer, WhoAmI]> => {
    // The worker tells the primary a new session's id over IPC while its handshake answer goes
    // straight to the client: a quick next request can reach the other worker first (a known
    // @socket.io/sticky race, on socket.io too). The client's own reconnection retries it.
    const p = peer(name, ioc(primary.url, { forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 100, auth: { name }, ...opts }));
    sockets.push(p);
    await p.next("connect", 10_000);
    return [p, (await withTimeout(p.socket.emitWithAck("whoami"))) as WhoAmI];
  };

  before(async () => {
    primary = await spawnChild({ after: (fn) => void stops.push(fn) }, FIXTURE, { server: SERVER });
    let who: WhoAmI;
    [up, who] = await connect("up", { transports: ["polling", "websocket"] });
    upPid = who.pid;
    if (up.socket.io.engine.transport.name !== "websocket") await once(up.socket.io.engine, "upgrade", 10_000);
    // Round-robin sends the next new session to the other worker; try a few in case it does not.
    for (let i = 0; i < 4 && wsPid === 0; i++) {
      const [p, w] = await connect(`ws-${i}`, { transports: ["websocket"] });
      if (w.pid !== upPid) [ws, wsPid] = [p, w.pid];
    }
  });
  after(async () => {
    for (const p of sockets) p.socket.disconnect();
    for (const stop of stops) await stop();
  });

  test("the two clients sit on different workers, one upgraded from polling", { todo: COMPAT_TODO["cluster-adapter"] }, async () => {
    const workers = await primary.call<number[]>("workers");
    assert.equal(workers.length, 2);
    assert.notEqual(wsPid, 0, "no WebSocket client landed on the second worker");
    assert.deepEqual([upPid, wsPid].sort(), [...workers].sort());
    const who = (await withTimeout(up.socket.emitWithAck("whoami"))) as WhoAmI;
    assert.deepEqual([who.pid, who.transport], [upPid, "websocket"]);
  });

  test("a broadcast from one worker reaches the client of the other, binary included", { todo: COMPAT_TODO["cluster-adapter"] }, async () => {
    const bytes = Buffer.from([1, 2, 3, 255]);
    const got = [waitFor(ws, "hello", (a) => a[0] === "from-up"), waitFor(up, "hello", (a) => a[0] === "from-up")];
    await run(up, "emit", {}, "hello", "from-up", bytes);
    for (const [, b] of await Promise.all(got)) assert.deepEqual(Buffer.from(b as Uint8Array), bytes);
    const back = waitFor(up, "hello", (a) => a[0] === "from-ws");
    await run(ws, "emit", {}, "hello", "from-ws");
    await back;
  });

  test("rooms, fetchSockets and socketsJoin span both workers", { todo: COMPAT_TODO["cluster-adapter"] }, async () => {
    await withTimeout(ws.socket.emitWithAck("join", "blue"));
    const got = waitFor(ws, "hello", (a) => a[0] === "blue");
    await run(up, "emit", { to: "blue" }, "hello", "blue");
    await got;
    const inBlue = await run<RemoteSocketInfo[]>(up, "fetchSockets", { to: "blue" });
    assert.deepEqual(inBlue.map((s) => s.id), [ws.socket.id]);
    await run(ws, "socketsJoin", { to: up.socket.id }, "green");
    const inGreen = await run<RemoteSocketInfo[]>(ws, "fetchSockets", { to: "green" });
    assert.deepEqual(inGreen.map((s) => s.name), ["up"]);
  });

  test("serverSideEmitWithAck and broadcast acks with timeout() cross workers", { todo: COMPAT_TODO["cluster-adapter"] }, async () => {
    const answers = await run<{ from: string }[]>(up, "serverSideEmitWithAck", "ask", 1);
    assert.deepEqual(answers.map((a) => a.from), [`worker-${wsPid}`]);
    const acks = await run<{ err: string | null; responses: string[] }>(ws, "emitWithAck", {}, 4_000, "q");
    assert.equal(acks.err, null);
    assert.ok(acks.responses.includes("up") && acks.responses.includes(ws.name), JSON.stringify(acks.responses));
  });

  test("disconnectSockets from one worker closes the other worker's client", { todo: COMPAT_TODO["cluster-adapter"] }, async () => {
    const gone = ws.next("disconnect");
    await run(up, "disconnectSockets", { to: ws.socket.id }, false);
    assert.equal((await gone)[0], "io server disconnect");
  });
});
