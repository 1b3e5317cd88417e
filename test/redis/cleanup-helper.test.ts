/**
 * The Redis tests' key cleanup (deleteTrackedKeys, run from each file's top-level `after`) is
 * bounded: a Redis that accepts the connection and never answers leaves the keys and says so,
 * instead of holding the test file's process until the runner's timeout.
 */
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { withTimeout } from "../helpers/wait.js";
import { cleanupAtEnd, deleteTrackedKeysWithin, uniqueKey } from "./helpers.js";

test("deleteTrackedKeys gives up on a Redis that never answers, and says which keys it left", async (t) => {
  const held = new Set<Socket>();
  const silent = createServer((s) => {
    held.add(s);
    s.on("error", () => {});
    s.resume(); // reads the commands, answers none
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    for (const s of held) s.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const prefix = uniqueKey();
  cleanupAtEnd(prefix, `redis://127.0.0.1:${(silent.address() as { port: number }).port}`);

  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await withTimeout(deleteTrackedKeysWithin(300), 5_000, "the cleanup to give up");
  } finally {
    process.stderr.write = write;
  }
  assert.ok(held.size >= 1, "the cleanup connected");
  assert.match(written.join(""), new RegExp(`left the keys ${prefix}\\* in Redis: .*timed out after 300 ms`));
});
