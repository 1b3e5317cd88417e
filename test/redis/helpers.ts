/**
 * @module test/redis/helpers — Redis clients, unique key prefixes, key cleanup and private
 * `redis-server` instances for the Redis adapter tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect, createServer, type Socket } from "node:net";
import type { TestContext } from "node:test";
import { Redis } from "ioredis";
import type { Socket as ClientSocket } from "socket.io-client";
import { stopChild } from "../helpers/child.js";
import { REDIS_URL } from "../helpers/services.js";
import { once, until, withTimeout } from "../helpers/wait.js";
import { startNode, type NodeConfig, type RunningNode } from "./fixtures/app.js";

type After = Pick<TestContext, "after">;

/** A key prefix no other test run uses. */
export function uniqueKey(): string {
  return `skt-test-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * An ioredis client connected to `url`, closed after the test. Reconnects quickly so fault
 * tests do not wait long; never gives up retrying.
 */
export async function ioredis(t: After, url = REDIS_URL): Promise<Redis> {
  const client = new Redis(url, {
    retryStrategy: () => 50,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  client.on("error", () => {});
  t.after(() => client.disconnect());
  await client.connect();
  return client;
}

/** Deletes every key starting with `prefix` (tests clean up what they create). */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

const tracked = new Map<string, string>();

/**
 * Marks keys starting with `prefix` (on `url`) for deletion by {@link deleteTrackedKeys}. Nodes
 * may still write (a session persisted while they close) during a test's own after-hooks, so the
 * deletion runs from the test file's top-level `after()`, once everything is closed.
 */
export function cleanupAtEnd(prefix: string, url = REDIS_URL): void {
  tracked.set(prefix, url);
}

/**
 * Deletes every tracked key; call from a top-level `after()` of each test file. Bounded: a Redis
 * that does not answer within 10 s per prefix leaves the keys (their prefixes are unique to the run)
 * and says so on stderr, rather than holding the file's process until the runner's timeout.
 */
export function deleteTrackedKeys(): Promise<void> {
  return deleteTrackedKeysWithin(10_000);
}

/** {@link deleteTrackedKeys} giving each prefix `ms` (its test uses a short bound). */
export async function deleteTrackedKeysWithin(ms: number): Promise<void> {
  for (const [prefix, url] of tracked) {
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    c.on("error", () => {});
    try {
      await withTimeout(
        c.connect().then(() => deleteKeys(c, prefix)),
        ms,
        `deleting the keys ${prefix}*`,
      );
    } catch (err) {
      process.stderr.write(`# left the keys ${prefix}* in Redis: ${String(err)}\n`);
    } finally {
      c.disconnect();
    }
  }
  tracked.clear();
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A private redis-server that a test stops and restarts on the same port. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a private `redis-server` on a free port (no persistence); killed after the test.
 */
export async function privateRedis(t: After): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const handle: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const c = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      child = c;
      let out = "";
      c.stdout!.setEncoding("utf8");
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          const onExit = (): void => reject(new Error(`redis-server exited: ${out}`));
          const onData = (chunk: string): void => {
            out += chunk;
            if (!out.includes("Ready to accept connections")) return;
            c.stdout!.off("data", onData);
            c.off("exit", onExit);
            c.stdout!.resume();
            resolve();
          };
          c.once("exit", onExit);
          c.stdout!.on("data", onData);
        }),
        10_000,
        "redis-server to start",
      );
    },
    async stop() {
      const c = child;
      child = undefined;
      if (c === undefined || c.exitCode !== null) return;
      const exited = once(c, "exit");
      c.kill("SIGKILL");
      await exited;
    },
  };
  t.after(() => handle.stop());
  await handle.start();
  return handle;
}

/** Waits until `client` reports ready. */
export function whenReady(client: Redis): Promise<void> {
  return until(() => client.status === "ready", 10_000, "redis client ready");
}

/** Polls an async predicate until it holds, or rejects after `ms`. */
export async function untilAsync(predicate: () => Promise<boolean>, what = "condition", ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** A cluster node running in a child process (test/redis/fixtures/node.ts). */
export interface ChildNode {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** Runs an operation in the child and resolves with its result. */
  call<R = unknown>(op: string, ...args: unknown[]): Promise<R>;
  /** Closes the node and waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx test/redis/fixtures/<fixture>` (default node.ts, a Socketeer node; sio-node.ts
 * is a socket.io node) with an IPC channel; stopped after the test.
 */
export async function spawnNode(t: After, config: Record<string, unknown>, fixture = "node.ts"): Promise<ChildNode> {
  const script = new URL(`./fixtures/${fixture}`, import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
    env: { ...process.env, SKT_NODE_CONFIG: JSON.stringify(config) },
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let seq = 0;
  child.on("message", (m: { id?: number; result?: unknown; error?: { code?: string; message?: string } }) => {
    if (m.id === undefined) return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    else p?.resolve(m.result);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = (): Promise<void> => stopChild(child, exited);
  t.after(stop);
  const [ready] = await withTimeout(
    new Promise<[{ type: string; port: number }]>((resolve, reject) => {
      child.once("message", (m: { type: string; port: number }) => resolve([m]));
      child.once("exit", (code) => reject(new Error(`node exited early (${code})`)));
    }),
    20_000,
    "the child node to start",
  );
  return {
    port: ready.port,
    url: `http://127.0.0.1:${ready.port}`,
    child,
    call<R>(op: string, ...args: unknown[]): Promise<R> {
      const id = ++seq;
      return withTimeout(
        new Promise<R>((resolve, reject) => {
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
          child.send({ id, op, args });
        }),
        10_000,
        `child op ${op}`,
      );
    },
    stop,
  };
}

/** A TCP proxy standing for a load balancer: it forwards to one node, and can cut every connection. */
export interface Proxy {
  readonly port: number;
  readonly url: string;
  /** The node's port new connections go to; undefined refuses them (as a balancer with no node up). */
  target: number | undefined;
  /** Destroys every open connection, both sides, without any close handshake (a cut transport). */
  cut(): void;
}

/** Starts a TCP proxy on 127.0.0.1; closed after the test. */
export async function tcpProxy(t: After, target?: number): Promise<Proxy> {
  const open = new Set<Socket>();
  const server = createServer((down) => {
    const port = proxy.target;
    if (port === undefined) {
      down.destroy();
      return;
    }
    const up = connect({ host: "127.0.0.1", port });
    for (const s of [down, up]) {
      open.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        open.delete(s);
        down.destroy();
        up.destroy();
      });
    }
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const proxy: Proxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    target,
    cut() {
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
  };
  t.after(async () => {
    proxy.cut();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return proxy;
}

/**
 * Three nodes on one Redis key: A and B in this process, C in a child process (so that it can be
 * killed); resolves once A sees all three. All are closed after the test.
 */
export async function startThreeNodes(
  t: After,
  config: Omit<NodeConfig, "name">,
): Promise<{ a: RunningNode; b: RunningNode; c: ChildNode }> {
  const a = await startNode({ ...config, name: "A" });
  t.after(() => a.close());
  const b = await startNode({ ...config, name: "B" });
  t.after(() => b.close());
  const c = await spawnNode(t, { ...config, name: "C" });
  await untilAsync(async () => (await a.io.of("/").adapter.serverCount()) === 3, "three nodes");
  return { a, b, c };
}

/** Records every event a client receives, by name. */
export function record(s: ClientSocket): Map<string, unknown[][]> {
  const seen = new Map<string, unknown[][]>();
  s.onAny((ev: string, ...args: unknown[]) => {
    const list = seen.get(ev) ?? [];
    list.push(args);
    seen.set(ev, list);
  });
  return seen;
}
