/**
 * @module test/redis/helpers — Redis clients, unique key prefixes, key cleanup and private
 * `redis-server` instances for the Redis adapter tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { TestContext } from "node:test";
import { Redis } from "ioredis";
import { REDIS_URL } from "../helpers/services.js";
import { once, until, withTimeout } from "../helpers/wait.js";

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

/** Registers key cleanup after the test, on a dedicated connection to `url`. */
export function cleanupAfter(t: After, prefix: string, url = REDIS_URL): void {
  t.after(async () => {
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    c.on("error", () => {});
    try {
      await c.connect();
      await deleteKeys(c, prefix);
    } finally {
      c.disconnect();
    }
  });
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
