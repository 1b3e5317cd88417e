/**
 * @module test/helpers/redis-cluster — a real Redis Cluster for the tests that need one (sharded
 * Pub/Sub, `createShardedAdapter`): three `redis-server --cluster-enabled yes` masters on free
 * ports, joined with `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`, each in its
 * own temporary folder (its `nodes.conf` survives a stop, so a restarted master takes its slots
 * back). Everything is killed and removed after the test.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IN_CI } from "./services.js";

/** What `t.after` is on node:test's test context (and on `describe`'s). */
interface After {
  after(fn: () => unknown): void;
}

/** One master of the cluster. */
export interface ClusterNode {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly url: string;
  /** Kills the process (SIGKILL: a crash, not a shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same ports with the same `nodes.conf`. */
  start(): Promise<void>;
}

/** A running Redis Cluster. */
export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** `[{ url }]` for node-redis `createCluster({ rootNodes })`. */
  readonly rootNodes: { url: string }[];
  /** `[{ host, port }]` for ioredis `new Cluster(startupNodes)`. */
  readonly startupNodes: { host: string; port: number }[];
  /** Resolves once every master reports `cluster_state:ok` (e.g. after a restart). */
  waitHealthy(ms?: number): Promise<void>;
  /** Kills every node and removes the folders. */
  stop(): Promise<void>;
}

/**
 * `false` when `redis-server` and `redis-cli` are on the PATH, else a skip reason (a failure under
 * CI=true, where .ci/run provides them).
 */
export function needRedisCluster(): string | false {
  const ok = ["redis-server", "redis-cli"].every((cmd) => spawnSync(cmd, ["--version"]).status === 0);
  if (ok) return false;
  if (IN_CI) throw new Error("redis-server and redis-cli are required under CI=true (Debian package redis-server)");
  return "redis-server / redis-cli not on the PATH";
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function waitForReady(child: ChildProcess, what: string, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => done(new Error(`timed out after ${ms} ms waiting for ${what}: ${out}`)), ms);
    const onExit = (): void => done(new Error(`${what} exited: ${out}`));
    const onData = (chunk: string): void => {
      out += chunk;
      if (out.includes("Ready to accept connections")) done();
    };
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.off("exit", onExit);
      child.stdout!.resume();
      if (err) reject(err);
      else resolve();
    };
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", onData);
    child.once("exit", onExit);
  });
}

async function clusterInfoOk(port: number): Promise<boolean> {
  const r = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "cluster", "info"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("cluster_state:ok");
}

async function pollUntil(predicate: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    // polling an outside process: a short pause between polls, not a sleep standing in for an event
    await new Promise<void>((r) => setTimeout(r, 50));
  }
}

/**
 * Starts a three-master Redis Cluster (no replicas) and registers its teardown with `t.after`.
 *
 * @param t the test (or suite) whose end stops the cluster
 * @param size the number of masters (3 at least, as `redis-cli --cluster create` requires)
 */
export async function startRedisCluster(t: After, size = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "skt-redis-cluster-"));
  const nodes: ClusterNode[] = [];
  const children = new Map<number, ChildProcess>();
  for (let i = 0; i < size; i++) {
    const port = await freePort();
    const busPort = await freePort();
    const nodeDir = join(dir, String(port));
    spawnSync("mkdir", ["-p", nodeDir]);
    const node: ClusterNode = {
      host: "127.0.0.1",
      port,
      url: `redis://127.0.0.1:${port}`,
      async start() {
        const child = spawn(
          "redis-server",
          [
            "--port", String(port),
            "--cluster-port", String(busPort),
            "--bind", "127.0.0.1",
            "--cluster-enabled", "yes",
            "--cluster-config-file", join(nodeDir, "nodes.conf"),
            "--cluster-node-timeout", "2000",
            "--dir", nodeDir,
            "--save", "",
            "--appendonly", "no",
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        children.set(port, child);
        await waitForReady(child, `redis-server :${port}`, 10_000);
      },
      async stop() {
        const child = children.get(port);
        children.delete(port);
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGKILL");
        await exited;
      },
    };
    nodes.push(node);
  }
  const cluster: RedisCluster = {
    nodes,
    rootNodes: nodes.map((n) => ({ url: n.url })),
    startupNodes: nodes.map((n) => ({ host: n.host, port: n.port })),
    async waitHealthy(ms = 20_000) {
      await pollUntil(async () => {
        for (const n of nodes) if (!(await clusterInfoOk(n.port))) return false;
        return true;
      }, "cluster_state:ok on every master", ms);
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.after(() => cluster.stop());
  await Promise.all(nodes.map((n) => n.start()));
  const create = spawnSync(
    "redis-cli",
    ["--cluster", "create", ...nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-replicas", "0", "--cluster-yes"],
    { encoding: "utf8", timeout: 30_000 },
  );
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
  await cluster.waitHealthy();
  return cluster;
}
