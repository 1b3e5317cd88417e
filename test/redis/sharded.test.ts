/**
 * createShardedAdapter on a real Redis Cluster (three masters, sharded Pub/Sub) with node-redis 5:
 * two Socketeer nodes and a socket.io node on @socket.io/redis-adapter's createShardedAdapter,
 * official clients on each, in every subscription mode; then a master killed and restarted.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createShardedAdapter as sioShardedAdapter } from "@socket.io/redis-adapter";
import { Cluster } from "ioredis";
import { createCluster } from "redis5";
import { Server as SioServer } from "socket.io";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { Server, type SocketeerError } from "../../core/index.js";
import { createShardedAdapter, type SubscriptionMode } from "../../integrations/redis/index.js";
import { needRedisCluster, startRedisCluster, type RedisCluster } from "../helpers/redis-cluster.js";
import { once, until, withTimeout } from "../helpers/wait.js";
import { record, uniqueKey, untilAsync } from "./helpers.js";

const skip = needRedisCluster();


type Cleanup = () => unknown;

interface AnyNode {
  name: string;
  url: string;
  io: Server | SioServer;
  errors: SocketeerError[];
  serverSide: unknown[][];
}

async function clusterClients(cluster: RedisCluster, cleanups: Cleanup[]): Promise<[unknown, unknown]> {
  const pub = createCluster({ rootNodes: cluster.rootNodes });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on("error", () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  cleanups.push(() => Promise.allSettled([pub.close(), sub.close()]));
  return [pub, sub];
}

function handlers(io: Server | SioServer, name: string, serverSide: unknown[][]): void {
  (io as Server).on("connection", (socket) => {
    socket.on("join", (room: string, ack?: (v: string) => void) => {
      void socket.join(room);
      ack?.("joined");
    });
  });
  (io as Server).of("/").on("ping-node", (...args: unknown[]) => {
    const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (v: unknown) => void) : undefined;
    serverSide.push(args);
    ack?.(`${name}:${String(args[0])}`);
  });
}

async function listen(io: Server | SioServer, cleanups: Cleanup[]): Promise<string> {
  const http = createServer();
  io.attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    http.closeAllConnections?.();
    await new Promise<void>((resolve) => (io as SioServer).close(() => resolve()));
  });
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

async function ioredisClients(cluster: RedisCluster, cleanups: Cleanup[]): Promise<[unknown, unknown]> {
  const make = (): Cluster => {
    const c = new Cluster(cluster.startupNodes, { shardedSubscribers: true, lazyConnect: true });
    c.on("error", () => {});
    return c;
  };
  const pub = make();
  const sub = make();
  await Promise.all([pub.connect(), sub.connect()]);
  cleanups.push(() => Promise.allSettled([pub.quit(), sub.quit()]));
  return [pub, sub];
}

async function socketeerNode(cluster: RedisCluster, name: string, prefix: string, mode: SubscriptionMode, cleanups: Cleanup[], client: "node-redis" | "ioredis" = "node-redis"): Promise<AnyNode> {
  const [pub, sub] = client === "ioredis" ? await ioredisClients(cluster, cleanups) : await clusterClients(cluster, cleanups);
  const io = new Server({
    adapter: createShardedAdapter(pub, sub, { channelPrefix: prefix, subscriptionMode: mode, requestsTimeout: 3_000 }),
    connectionStateRecovery: { maxDisconnectionDuration: 30_000 },
  });
  const errors: SocketeerError[] = [];
  (io.of("/").adapter as unknown as { on(e: string, f: (err: SocketeerError) => void): void }).on("error", (err) => errors.push(err));
  await (io.of("/").adapter as unknown as { init(): Promise<void> }).init();
  const serverSide: unknown[][] = [];
  handlers(io, name, serverSide);
  return { name, url: await listen(io, cleanups), io, errors, serverSide };
}

async function socketIoNode(cluster: RedisCluster, prefix: string, mode: SubscriptionMode, cleanups: Cleanup[]): Promise<AnyNode> {
  const [pub, sub] = await clusterClients(cluster, cleanups);
  // socket.io's sharded adapter neither awaits nor catches the SUNSUBSCRIBE it sends when a room
  // goes away: node-redis rejects those still in flight when the test closes the clients, as an
  // unhandled rejection. Its subscriber client gets a catch here (test-side only).
  const s = sub as { sUnsubscribe: (...args: unknown[]) => Promise<unknown> };
  const sUnsubscribe = s.sUnsubscribe.bind(sub);
  s.sUnsubscribe = (...args) => sUnsubscribe(...args).catch(() => undefined);
  const io = new SioServer({ adapter: sioShardedAdapter(pub, sub, { channelPrefix: prefix, subscriptionMode: mode }) });
  const serverSide: unknown[][] = [];
  handlers(io, "sio", serverSide);
  return { name: "sio", url: await listen(io, cleanups), io, errors: [], serverSide };
}

const count = (seen: Map<string, unknown[][]>, ev: string): number => seen.get(ev)?.length ?? 0;

describe("createShardedAdapter on a Redis Cluster (node-redis 5)", { skip }, () => {
  const cleanups: Cleanup[] = [];
  let cluster: RedisCluster;

  before(async () => {
    if (skip !== false) return;
    cluster = await startRedisCluster({ after: (fn) => void cleanups.push(fn) });
  });

  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  async function fleet(
    mode: SubscriptionMode,
    bClient: "node-redis" | "ioredis" = "node-redis",
  ): Promise<{ nodes: AnyNode[]; clients: ClientSocket[]; seen: Map<string, unknown[][]>[]; subscribers(room: string): Promise<number> }> {
    const prefix = uniqueKey();
    const [probe] = (await clusterClients(cluster, cleanups)) as unknown as [{ sendCommand(key: string, ro: boolean, args: string[]): Promise<unknown> }];
    // How many nodes listen on a room's own channel (dynamic modes subscribe as rooms appear).
    const subscribers = async (room: string): Promise<number> => {
      const channel = `${prefix}#/#${room}#`;
      return Number(((await probe.sendCommand(channel, false, ["PUBSUB", "SHARDNUMSUB", channel])) as unknown[])[1]);
    };
    const a = await socketeerNode(cluster, "a", prefix, mode, cleanups);
    const b = await socketeerNode(cluster, "b", prefix, mode, cleanups, bClient);
    const s = await socketIoNode(cluster, prefix, mode, cleanups);
    const nodes = [a, b, s];
    await untilAsync(async () => { const n = await a.io.of("/").adapter.serverCount(); if (process.env.DBG) console.log("count", mode, n); return n === 3; }, "three nodes");
    const clients: ClientSocket[] = [];
    for (const n of nodes) {
      const c = ioc(n.url, { transports: ["websocket"], forceNew: true, reconnection: false });
      cleanups.push(() => c.disconnect());
      c.on("ask", (ack: (v: string) => void) => ack(`${n.name}:yes`));
      await once(c, "connect");
      clients.push(c);
    }
    return { nodes, clients, seen: clients.map(record), subscribers };
  }

  const variants = [
    ["static", "node-redis"],
    ["dynamic", "node-redis"],
    ["dynamic-private", "node-redis"],
    ["dynamic", "ioredis"],
  ] as const;
  for (const [mode, bClient] of variants) {
    test(`subscriptionMode "${mode}", node b on ${bClient}: broadcasts to all and to rooms, fetchSockets, serverSideEmit, acks, across Socketeer and socket.io`, async () => {
      const { nodes, clients, seen, subscribers } = await fleet(mode, bClient);
      const [a, b, s] = nodes as [AnyNode, AnyNode, AnyNode];
      for (const c of [clients[1]!, clients[2]!]) await withTimeout(c.emitWithAck("join", "red"));
      // A node hears a room's own channel once its SSUBSCRIBE is done: wait for it, as a broadcast
      // published before would not reach it (in socket.io's adapter as in ours).
      if (mode !== "static") await untilAsync(async () => (await subscribers("red")) === 2, "room channel subscriptions");
      if (mode === "dynamic-private") await untilAsync(async () => (await subscribers(clients[2]!.id!)) === 1, "private room channel subscription");
      for (const n of nodes) {
        n.io.emit(`all-from-${n.name}`, Buffer.from([1, 2]));
        n.io.to("red").emit(`red-from-${n.name}`);
        // A socket's own room (a private room): the dynamic-private channel in that mode.
        n.io.to(clients[2]!.id!).emit(`private-from-${n.name}`);
      }
      await until(() => nodes.every((n) => seen.every((sn) => count(sn, `all-from-${n.name}`) === 1)), 5_000, "broadcasts to all");
      await until(() => nodes.every((n) => count(seen[2]!, `private-from-${n.name}`) === 1), 5_000, "private room broadcasts");
      await until(() => nodes.every((n) => count(seen[1]!, `red-from-${n.name}`) === 1 && count(seen[2]!, `red-from-${n.name}`) === 1), 5_000, "room broadcasts");
      for (const n of nodes) assert.equal(count(seen[0]!, `red-from-${n.name}`), 0);
      assert.deepEqual([...new Uint8Array(seen[2]!.get("all-from-a")![0]![0] as ArrayBuffer)], [1, 2]);
      for (const n of [a, s]) {
        const found = await withTimeout((n.io as Server).fetchSockets());
        assert.deepEqual(found.map((x) => x.id).sort(), clients.map((c) => c.id).sort(), `fetchSockets from ${n.name}`);
      }
      assert.deepEqual([...(await withTimeout((a.io as Server).serverSideEmitWithAck("ping-node", "q")))].sort(), ["b:q", "sio:q"]);
      assert.deepEqual([...(await withTimeout((s.io as SioServer).serverSideEmitWithAck("ping-node", "r")))].sort(), ["a:r", "b:r"]);
      const acks = await withTimeout((b.io as Server).timeout(3_000).emitWithAck("ask"));
      assert.deepEqual([...acks].sort(), ["a:yes", "b:yes", "sio:yes"]);
      assert.deepEqual([...a.errors, ...b.errors], []);
    });
  }

  test("a master killed and restarted: no crash, delivery between nodes resumes", async () => {
    const { nodes, seen } = await fleet("dynamic");
    const [a] = nodes as [AnyNode];
    await cluster.nodes[0]!.stop();
    a.io.emit("during-outage");
    await cluster.nodes[0]!.start();
    await cluster.waitHealthy();
    // Messages sent while a shard was away may be lost; new ones must arrive everywhere again.
    let n = 0;
    await untilAsync(
      async () => {
        for (const node of nodes) node.io.emit("after-restart", ++n);
        await new Promise((r) => setTimeout(r, 100));
        return nodes.every((node) => seen.every((sn) => (sn.get("after-restart") ?? []).length >= nodes.length && node !== undefined));
      },
      "delivery after the restart",
      20_000,
    );
  });
});
