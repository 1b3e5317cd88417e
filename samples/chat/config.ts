/**
 * @module samples/chat/config — what the three versions of the chat share besides the page and the
 * handlers: environment settings, server options, the optional Redis adapter and the banner.
 */
import type { Server } from "socketeer";

/**
 * `PORT` (default 3000; 0 picks a free port), `HOST` (default localhost), `REDIS_URL` (optional),
 * `REDIS_KEY` (prefix of the Redis channels, default `socketeer-chat`: nodes with the same key
 * share one chat, other apps on the same Redis stay apart).
 */
export const env = {
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? "localhost",
  redisUrl: process.env.REDIS_URL || undefined,
  redisKey: process.env.REDIS_KEY || "socketeer-chat",
} as const;

/**
 * Server options of the chat: connection state recovery keeps a disconnected client's session
 * (id, rooms, missed events) for two minutes, so a dropped tab gets back what it missed.
 */
export const serverOptions = {
  connectionStateRecovery: {
    maxDisconnectionDuration: 2 * 60_000,
    // A recovered session was authenticated already: do not ask for the nickname again.
    skipMiddlewares: true,
  },
} as const;

/** What `io.adapter()` takes. */
type AdapterFactory = Parameters<Server["adapter"]>[0];

/**
 * The Redis adapter when `REDIS_URL` is set: two ioredis connections (publish, subscribe) and
 * `createAdapter(pub, sub)`. Loaded on demand, so the in-memory chat needs no Redis client.
 */
export async function redisAdapter(url: string): Promise<{ adapter: AdapterFactory; close(): Promise<void> }> {
  const { Redis } = await import("ioredis");
  const { createAdapter } = await import("socketeer/redis");
  const pub = new Redis(url);
  const sub = pub.duplicate();
  return {
    adapter: createAdapter(pub, sub, { key: env.redisKey }) as AdapterFactory,
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}

/** Prints where to go; the first line is what a newcomer (and the browser tests) read. */
export function announce(framework: string, url: string): void {
  console.log(`Socketeer chat (${framework}) running at ${url}`);
  console.log(`  open it in two tabs and chat; live dashboard: ${url}/dashboard; Prometheus: ${url}/metrics`);
  console.log(`  adapter: ${env.redisUrl ? `Redis (${env.redisUrl}, key ${env.redisKey})` : "in-memory"}; stop with Ctrl+C`);
}

/** Closes `close` on SIGINT/SIGTERM, then exits; a second signal or a stuck close exits at once. */
export function exitOnSignal(close: () => Promise<void>): void {
  let closing = false;
  const onSignal = () => {
    if (closing) process.exit(1);
    closing = true;
    setTimeout(() => process.exit(1), 5_000).unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** The URL to print for a listening address (`localhost` stays readable; 0.0.0.0/:: too). */
export function urlFor(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
