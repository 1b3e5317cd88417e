/**
 * @module test/ecosystem/support — fleets of server processes (test/ecosystem/fixtures/node.ts)
 * on one of socket.io's adapters, official socket.io-client connections to them, and the
 * cross-node scenarios every adapter must pass.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { io as ioc, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from "socket.io-client";
import { spawnChild, type Child } from "../helpers/child.js";
import { once, withTimeout } from "../helpers/wait.js";

/** The packages whose tests may be held as `todo` by {@link COMPAT_TODO}. */
export type EcosystemPackage =
  | "redis-adapter"
  | "redis-streams-adapter"
  | "postgres-adapter"
  | "cluster-adapter"
  | "admin-ui"
  | "custom-adapter"
  | "mixed-fleet";

/**
 * The one switch for ecosystem tests that wait on the compatibility layer of issue 15: a package
 * listed here with a reason runs its tests as `todo` (failures reported, the run stays green).
 * Suites and each of their tests pass `{ todo: COMPAT_TODO[pkg] }` (node:test runs the tests of
 * a `todo` suite as ordinary tests). Remove an entry once its tests pass on Socketeer.
 */
export const COMPAT_TODO: Partial<Record<EcosystemPackage, string>> = {};

/**
 * The server the fleets run: Socketeer, or socket.io itself with SKT_ECO_SERVER=socket.io (to
 * check the tests against the original).
 */
export const SERVER: NodeConfig["server"] = process.env.SKT_ECO_SERVER === "socket.io" ? "socket.io" : "socketeer";

/** Which adapter a fleet node is built with (see fixtures/node.ts). */
export type AdapterKind = "redis-ioredis" | "redis-node4" | "redis-node5" | "redis-sharded" | "redis-streams" | "postgres";

/** A fleet node's configuration, handed to fixtures/node.ts. */
export interface NodeConfig {
  name: string;
  server: "socketeer" | "socket.io";
  adapter: AdapterKind;
  /** The channel / stream / table prefix: unique per test run. */
  key: string;
  redisUrl?: string;
  rootNodes?: { url: string }[];
  recovery?: boolean;
}

/** Which sockets an operation addresses on a node. */
export interface Target {
  nsp?: string;
  to?: string | string[];
  except?: string | string[];
}

/** What fetchSockets reports, made serializable. */
export interface RemoteSocketInfo {
  id: string;
  name: string;
  rooms: string[];
}

/** A key prefix no other test run uses (Redis channels and keys, PostgreSQL table and channel). */
export function uniqueKey(tag: string): string {
  return `skt_eco_${tag}_${process.pid}_${randomBytes(3).toString("hex")}`;
}

export const NODE_FIXTURE = new URL("./fixtures/node.ts", import.meta.url);

/** A client that records every event it gets and answers `q` acks with its name. */
export interface Peer {
  readonly name: string;
  readonly socket: ClientSocket;
  readonly seen: Map<string, unknown[][]>;
  /** Resolves with the args of the next `event` (rejects after `ms`, 5 s by default). */
  next(event: string, ms?: number): Promise<unknown[]>;
}

/** Several fixture nodes started once for a whole `describe`, with their clients. */
export interface Fleet {
  readonly nodes: Child[];
  readonly configs: NodeConfig[];
  /** Connects a client to node `i` and waits for `connect`; closed when the suite ends. */
  connect(i: number, name: string, opts?: Partial<ManagerOptions & SocketOptions>, nsp?: string): Promise<Peer>;
  /** Sends `marker` from node `from` to everyone and waits until each peer has it: earlier sends have landed. */
  flush(from: number, peers: Peer[]): Promise<void>;
}

/** Makes a peer out of a client (connected or not yet). */
export function peer(name: string, socket: ClientSocket): Peer {
  const seen = new Map<string, unknown[][]>();
  socket.onAny((ev: string, ...args: unknown[]) => {
    const list = seen.get(ev) ?? [];
    list.push(args);
    seen.set(ev, list);
  });
  socket.on("q", (...args: unknown[]) => {
    const ack = args.pop() as (v: string) => void;
    ack(name);
  });
  return {
    name,
    socket,
    seen,
    next: (event, ms) => once<unknown[]>(socket, event, ms),
  };
}

/**
 * Starts `configs.length` fixture nodes in `before` (each on its own process) and stops them in
 * `after`; the returned object is filled once `before` has run.
 *
 * @param configs called in `before`: one config per node, all sharing one `key`
 * @param cleanup run after the nodes stop (delete keys, drop tables)
 */
export function useFleet(configs: () => NodeConfig[], cleanup?: () => Promise<unknown>): Fleet {
  const cleanups: (() => unknown)[] = [];
  const scope = { after: (fn: () => unknown) => void cleanups.push(fn) };
  const sockets: ClientSocket[] = [];
  let marker = 0;
  const fleet = {
    nodes: [] as Child[],
    configs: [] as NodeConfig[],
    async connect(i: number, name: string, opts: Partial<ManagerOptions & SocketOptions> = {}, nsp = "/"): Promise<Peer> {
      const node = fleet.nodes[i]!;
      const socket = ioc(node.url + nsp, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { name }, ...opts });
      sockets.push(socket);
      const p = peer(name, socket);
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          socket.once("connect", () => resolve());
          socket.once("connect_error", reject);
        }),
        10_000,
        `${name} to connect to node ${i}`,
      );
      return p;
    },
    async flush(from: number, peers: Peer[]): Promise<void> {
      const n = ++marker;
      const all = peers.map((p) => waitFor(p, "marker", (args) => args[0] === n));
      await fleet.nodes[from]!.call("emit", {}, "marker", n);
      await Promise.all(all);
    },
  };
  before(async () => {
    fleet.configs = configs();
    fleet.nodes = await Promise.all(fleet.configs.map((c) => spawnChild(scope, NODE_FIXTURE, c)));
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    for (const fn of cleanups.reverse()) await fn();
    await cleanup?.();
  });
  return fleet;
}

/** Waits for an `event` on `p` whose args satisfy `match`. */
export function waitFor(p: Peer, event: string, match: (args: unknown[]) => boolean = () => true, ms = 5_000): Promise<unknown[]> {
  const waiting = withTimeout(
    new Promise<unknown[]>((resolve) => {
      const handler = (...args: unknown[]): void => {
        if (!match(args)) return;
        p.socket.off(event, handler);
        resolve(args);
      };
      p.socket.on(event, handler);
    }),
    ms,
    `${p.name} to get "${event}"`,
  );
  // One failed wait among several (Promise.all) must not leave the others' timeouts unhandled.
  waiting.catch(() => {});
  return waiting;
}

/** Polls a node operation until `check` holds on its result. */
export async function untilNode<R>(node: Child, what: string, check: (r: R) => boolean, ms = 10_000, ...call: [string, ...unknown[]]): Promise<R> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await node.call<R>(...call);
    if (check(r)) return r;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(r)}`);
    // polling another process: yield a macrotask between calls
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Options for {@link clusterScenarios}. */
export interface ScenarioOptions {
  /** Adapters with a heartbeat know the other nodes only after it: wait for `serverCount()`. */
  waitServerCount?: boolean;
  /** A {@link COMPAT_TODO} reason: each test runs as `todo` (node:test does not pass a suite's on). */
  todo?: string;
}

/**
 * Registers the cross-node tests every adapter must pass on a two-node fleet, in both directions
 * (from node 0 to node 1's clients and back): broadcast to all / rooms / except, binary,
 * `fetchSockets`, `socketsJoin/Leave`, `disconnectSockets`, `serverSideEmit` with and without
 * acks, and broadcast acks with `timeout()`.
 */
export function clusterScenarios(fleet: Fleet, opts: ScenarioOptions = {}): void {
  let peers: Peer[] = [];
  const byName = (n: string): Peer => peers.find((p) => p.name === n)!;
  // Clients a test opens for itself (mute-*, victim-*) may still be leaving when the next test runs.
  const ours = (names: string[]): string[] => names.filter((n) => peers.some((p) => p.name === n)).sort();

  before(async () => {
    if (opts.waitServerCount) {
      for (const node of fleet.nodes) await untilNode<number>(node, "serverCount 2", (n) => n === 2, 15_000, "serverCount");
    }
    // Both write paths on each node: WebSocket (pre-encoded frames) and HTTP long-polling.
    peers = await Promise.all([
      fleet.connect(0, "a-ws"),
      fleet.connect(0, "a-poll", { transports: ["polling"] }),
      fleet.connect(1, "b-ws"),
      fleet.connect(1, "b-up", { transports: ["polling", "websocket"] }),
    ]);
  });

  for (const [from, other] of [[0, 1], [1, 0]] as const) {
    const dir = from === 0 ? "A → B" : "B → A";
    const here = from === 0 ? "a" : "b";
    const there = from === 0 ? "b" : "a";

    test(`broadcast to all reaches every client on every node (${dir})`, { todo: opts.todo }, async () => {
      const got = peers.map((p) => waitFor(p, "hello", (a) => a[0] === dir));
      await fleet.nodes[from]!.call("emit", {}, "hello", dir, { n: 1 });
      // With connection state recovery on, each packet ends with its offset: not part of the event.
      for (const args of await Promise.all(got)) assert.deepEqual(args.slice(0, 2), [dir, { n: 1 }]);
    });

    test(`broadcast to a room and except a room reach exactly their members (${dir})`, { todo: opts.todo }, async () => {
      const room = `r-${from}`;
      const out = `x-${from}`;
      await withTimeout(byName(`${there}-ws`).socket.emitWithAck("join", room));
      await withTimeout(byName(`${here}-ws`).socket.emitWithAck("join", room));
      await withTimeout(byName(`${there}-ws`).socket.emitWithAck("join", out));
      const tag = `room-${from}`;
      const exceptTag = `except-${from}`;
      const inRoom = [`${here}-ws`, `${there}-ws`];
      const notOut = peers.map((p) => p.name).filter((n) => n !== `${there}-ws`);
      // Cluster adapters may publish two broadcasts on two connections: wait for each delivery.
      const arrived = [
        ...inRoom.map((n) => waitFor(byName(n), "hello", (a) => a[0] === tag)),
        ...notOut.map((n) => waitFor(byName(n), "hello", (a) => a[0] === exceptTag)),
      ];
      await fleet.nodes[from]!.call("emit", { to: room }, "hello", tag);
      await fleet.nodes[from]!.call("emit", { except: out }, "hello", exceptTag);
      await Promise.all(arrived);
      await fleet.flush(from, peers);
      const got = (p: Peer, t: string): boolean => (p.seen.get("hello") ?? []).some((a) => a[0] === t);
      assert.deepEqual(peers.filter((p) => got(p, tag)).map((p) => p.name).sort(), inRoom.sort());
      assert.deepEqual(peers.filter((p) => got(p, exceptTag)).map((p) => p.name).sort(), notOut.sort());
    });

    test(`binary payloads arrive intact on the other node (${dir})`, { todo: opts.todo }, async () => {
      const bytes = Buffer.from([0, 1, 2, 254, 255]);
      const got = [`${there}-ws`, `${there}-${there === "a" ? "poll" : "up"}`].map((n) => waitFor(byName(n), "bin", (a) => a[0] === dir));
      await fleet.nodes[from]!.call("emit", {}, "bin", dir, { file: bytes, nested: [bytes] });
      for (const [, payload] of await Promise.all(got)) {
        const { file, nested } = payload as { file: Uint8Array; nested: Uint8Array[] };
        assert.deepEqual(Buffer.from(file), bytes);
        assert.deepEqual(Buffer.from(nested[0]!), bytes);
      }
    });

    test(`a namespace other than "/" gets its own cross-node broadcasts and fetchSockets (${dir})`, { todo: opts.todo }, async () => {
      const [near, far] = await Promise.all([fleet.connect(from, `chat-${here}`, {}, "/chat"), fleet.connect(other, `chat-${there}`, {}, "/chat")]);
      const got = [near, far].map((p) => waitFor(p, "hello", (a) => a[0] === dir));
      await fleet.nodes[from]!.call("emit", { nsp: "/chat" }, "hello", dir);
      await Promise.all(got);
      const inChat = await fleet.nodes[from]!.call<RemoteSocketInfo[]>("fetchSockets", { nsp: "/chat" });
      assert.deepEqual(ours(inChat.map((s) => s.name)), []);
      assert.ok(inChat.some((s) => s.name === far.name) && inChat.some((s) => s.name === near.name), JSON.stringify(inChat));
      near.socket.disconnect();
      far.socket.disconnect();
    });

    test(`fetchSockets lists the sockets of every node with their rooms (${dir})`, { todo: opts.todo }, async () => {
      const room = `f-${from}`;
      await withTimeout(byName(`${there}-ws`).socket.emitWithAck("join", room));
      const all = await fleet.nodes[from]!.call<RemoteSocketInfo[]>("fetchSockets", {});
      assert.deepEqual(ours(all.map((s) => s.name)), peers.map((p) => p.name).sort());
      for (const s of all.filter((x) => ours([x.name]).length === 1)) assert.equal(s.id, byName(s.name).socket.id);
      const inRoom = await fleet.nodes[from]!.call<RemoteSocketInfo[]>("fetchSockets", { to: room });
      assert.deepEqual(inRoom.map((s) => s.name), [`${there}-ws`]);
      assert.ok(inRoom[0]!.rooms.includes(room));
      assert.ok(inRoom[0]!.rooms.includes(inRoom[0]!.id));
    });

    test(`socketsJoin and socketsLeave act on the other node's sockets (${dir})`, { todo: opts.todo }, async () => {
      const team = `team-${from}`;
      const target = byName(`${there}-ws`);
      await fleet.nodes[from]!.call("socketsJoin", { to: target.socket.id }, team);
      let inTeam = await untilNode<RemoteSocketInfo[]>(fleet.nodes[other]!, "socketsJoin", (r) => r.length === 1, 5_000, "fetchSockets", { to: team });
      assert.equal(inTeam[0]!.name, target.name);
      await fleet.nodes[from]!.call("socketsLeave", { to: team }, team);
      inTeam = await untilNode<RemoteSocketInfo[]>(fleet.nodes[other]!, "socketsLeave", (r) => r.length === 0, 5_000, "fetchSockets", { to: team });
      assert.deepEqual(inTeam, []);
    });

    test(`serverSideEmit reaches the other node and not the sender (${dir})`, { todo: opts.todo }, async () => {
      const events: unknown[][] = [];
      const onEvent = (...args: unknown[]): void => void events.push(args);
      fleet.nodes[from]!.events.on("serverSide", onEvent);
      const got = once<unknown[]>(fleet.nodes[other]!.events, "serverSide");
      got.catch(() => {}); // awaited below; a failed call first must not leave it unhandled
      await fleet.nodes[from]!.call("serverSideEmit", "note", dir, { n: 2 });
      assert.deepEqual(await got, [fleet.configs[other]!.name, dir, { n: 2 }]);
      // a round trip through the sender after the emit: had it delivered to itself, it would show by now
      await fleet.nodes[from]!.call("serverSideEmitWithAck", "ask");
      fleet.nodes[from]!.events.off("serverSide", onEvent);
      assert.deepEqual(events, []);
    });

    test(`serverSideEmitWithAck collects the other node's answer (${dir})`, { todo: opts.todo }, async () => {
      const responses = await fleet.nodes[from]!.call<unknown[]>("serverSideEmitWithAck", "ask", dir);
      assert.deepEqual(responses, [{ from: fleet.configs[other]!.name, got: [dir] }]);
    });

    test(`broadcast with timeout() collects every client's ack, and reports the missing ones (${dir})`, { todo: opts.todo }, async () => {
      const all = await fleet.nodes[from]!.call<{ err: string | null; responses: string[] }>("emitWithAck", {}, 4_000, "q");
      assert.equal(all.err, null);
      assert.deepEqual(ours(all.responses), peers.map((p) => p.name).sort());
      // A client that never answers: the timeout fires with the answers that did come.
      const mute = await fleet.connect(other, `mute-${from}`);
      mute.socket.off("q");
      mute.socket.on("q", () => {});
      const partial = await fleet.nodes[from]!.call<{ err: string | null; responses: string[] }>("emitWithAck", {}, 500, "q");
      mute.socket.disconnect();
      assert.notEqual(partial.err, null);
      assert.deepEqual(ours(partial.responses), peers.map((p) => p.name).sort());
    });

    test(`disconnectSockets disconnects a socket on the other node (${dir})`, { todo: opts.todo }, async () => {
      const victim = await fleet.connect(other, `victim-${from}`);
      const reason = victim.next("disconnect", 5_000);
      await fleet.nodes[from]!.call("disconnectSockets", { to: victim.socket.id! }, false);
      assert.equal((await reason)[0], "io server disconnect");
    });
  }
}
