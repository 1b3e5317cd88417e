/**
 * @socket.io/postgres-adapter on two server processes, on the PostgreSQL of this machine
 * (127.0.0.1:5432, database `test`), set up as its README shows it; then its LISTEN connection is
 * killed with pg_terminate_backend and delivery resumes.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import pg from "pg";
import { POSTGRES, needPostgres } from "../helpers/services.js";
import { withTimeout } from "../helpers/wait.js";
import { COMPAT_TODO, SERVER, clusterScenarios, uniqueKey, useFleet, waitFor } from "./support.js";

const skip = await needPostgres();

describe(`@socket.io/postgres-adapter: two ${SERVER} nodes`, { skip, todo: COMPAT_TODO["postgres-adapter"] }, () => {
  const key = uniqueKey("pg");
  // Two processes running the README's CREATE TABLE IF NOT EXISTS at the same instant can race in
  // PostgreSQL (duplicate pg_type row): the table exists before they start, so theirs is a no-op.
  before(async () => {
    const pool = new pg.Pool({ ...POSTGRES });
    await pool.query(`CREATE TABLE IF NOT EXISTS ${key} (id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`);
    await pool.end();
  });
  const fleet = useFleet(
    () => {
      return ["A", "B"].map((name) => ({ name, server: SERVER, adapter: "postgres" as const, key }));
    },
    async () => {
      const pool = new pg.Pool({ ...POSTGRES });
      await pool.query(`DROP TABLE IF EXISTS ${key}`);
      await pool.end();
    },
  );
  clusterScenarios(fleet, { waitServerCount: true, todo: COMPAT_TODO["postgres-adapter"] });

  test("pg_terminate_backend on the adapter's LISTEN connections: no crash, delivery resumes", { todo: COMPAT_TODO["postgres-adapter"] }, async (t) => {
    const [a, b] = fleet.nodes;
    const pool = new pg.Pool({ ...POSTGRES });
    t.after(() => pool.end());
    const c = await fleet.connect(1, "after-kill");
    const killed = await pool.query<{ pid: number }>(
      "SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE query LIKE $1",
      [`LISTEN "${key}%`],
    );
    assert.ok(killed.rowCount! >= 2, `expected both nodes' LISTEN connections, found ${killed.rowCount}`);
    let n = 0;
    await withTimeout(
      (async () => {
        for (;;) {
          const tag = `after-${++n}`;
          const got = waitFor(c, "hello", (x) => x[0] === tag, 500).then(() => true, () => false);
          await a!.call("emit", {}, "hello", tag);
          if (await got) return;
        }
      })(),
      20_000,
      "a broadcast after the LISTEN connections were terminated",
    );
    assert.equal(a!.process.exitCode, null);
    assert.equal(b!.process.exitCode, null);
  });
});
