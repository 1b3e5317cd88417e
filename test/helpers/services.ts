/**
 * @module test/helpers/services — outside services (Redis, PostgreSQL, Chromium): skip with a reason on a
 * laptop that lacks them, fail under CI=true where .ci/run provides them.
 */
import { connect } from "node:net";
import { existsSync } from "node:fs";

export const IN_CI = process.env.CI === "true";

/** Redis URL for tests: REDIS_URL, or the local default. */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** True when a TCP connection to host:port succeeds within `ms`. */
export function canConnect(host: string, port: number, ms = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(ms, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/**
 * Returns `false` when the service is present, or a skip reason when it is absent on a laptop.
 * Under CI=true an absent service throws, so the test fails instead of skipping.
 */
async function need(name: string, present: boolean, hint: string): Promise<string | false> {
  if (present) return false;
  if (IN_CI) throw new Error(`${name} is required under CI=true but is not available (${hint})`);
  return `${name} not available (${hint})`;
}

/** Use as `test("…", { skip: await needRedis() }, …)`. */
export async function needRedis(): Promise<string | false> {
  const u = new URL(REDIS_URL);
  const ok = await canConnect(u.hostname, Number(u.port || 6379));
  return need("Redis", ok, `nothing answers at ${REDIS_URL}`);
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Use as `test("…", { skip: await needChromium() }, …)`. */
export async function needChromium(): Promise<string | false> {
  return need("Chromium", existsSync(CHROMIUM_PATH), `no browser at ${CHROMIUM_PATH}`);
}

/** PostgreSQL for tests: 127.0.0.1:5432 (trust auth), database `test`; PGUSER or `postgres`. */
export const POSTGRES = { host: "127.0.0.1", port: 5432, database: "test", user: process.env.PGUSER ?? "postgres" } as const;

/** Use as `test("…", { skip: await needPostgres() }, …)`. */
export async function needPostgres(): Promise<string | false> {
  const ok = await canConnect(POSTGRES.host, POSTGRES.port);
  return need("PostgreSQL", ok, `nothing answers at ${POSTGRES.host}:${POSTGRES.port}`);
}
