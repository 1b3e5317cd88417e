import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RequestTracker } from "../../integrations/redis/requests.js";
import { deferred, withTimeout } from "../helpers/wait.js";

describe("RequestTracker", () => {
  test("settles once every expected node answered, counting each node once", async () => {
    const r = new RequestTracker();
    const done = deferred<[unknown, unknown[]]>();
    const rid = r.expect<string>("fetchSockets", 2, 5_000, (err, res) => done.resolve([err, res]));
    assert.equal(r.answer(rid, "a", "one"), true);
    assert.equal(r.answer(rid, "a", "again"), false);
    assert.equal(r.size, 1);
    r.answer(rid, "b", "two");
    const [err, res] = await withTimeout(done.promise);
    assert.equal(err, null);
    assert.deepEqual(res, ["one", "two"]);
    assert.equal(r.size, 0);
    assert.equal(r.answer(rid, "c", "late"), false);
  });

  test("settles at once when no other node is present", async () => {
    const r = new RequestTracker();
    const done = deferred<unknown[]>();
    r.expect("allRooms", 0, 5_000, (_e, res) => done.resolve(res));
    assert.deepEqual(await withTimeout(done.promise), []);
    assert.equal(r.size, 0);
  });

  test("times out with SKT_ERR_ADAPTER_REQUEST_TIMEOUT saying how many answered", async () => {
    const r = new RequestTracker();
    const done = deferred<[{ code?: string; message: string } | null, unknown[]]>();
    const rid = r.expect("serverSideEmit", 3, 30, (err, res) => done.resolve([err, res]));
    r.answer(rid, "a", 1);
    const [err, res] = await withTimeout(done.promise);
    assert.equal(err?.code, "SKT_ERR_ADAPTER_REQUEST_TIMEOUT");
    assert.match(err!.message, /1 of 3/);
    assert.deepEqual(res, [1]);
    assert.equal(r.size, 0);
  });

  test("ids are unique across trackers", () => {
    const a = new RequestTracker();
    const b = new RequestTracker();
    const ids = new Set([a.nextId(), a.nextId(), b.nextId(), b.nextId()]);
    assert.equal(ids.size, 4);
  });

  test("listen() routes every answer until its lifetime ends, then forgets the id", async () => {
    const r = new RequestTracker();
    const got: unknown[] = [];
    const rid = r.listen(20, (from, v) => got.push([from, v]));
    r.answer(rid, "a", 1);
    r.answer(rid, "a", 2);
    assert.deepEqual(got, [["a", 1], ["a", 2]]);
    await withTimeout(
      (async () => {
        while (r.size > 0) await new Promise<void>((res) => setImmediate(res));
      })(),
    );
    assert.equal(r.answer(rid, "a", 3), false);
  });

  test("close() settles pending requests and drops listeners", async () => {
    const r = new RequestTracker();
    const done = deferred<{ code?: string } | null>();
    r.expect("fetchSockets", 1, 5_000, (err) => done.resolve(err));
    r.listen(5_000, () => {});
    r.close();
    assert.equal((await done.promise)?.code, "SKT_ERR_ADAPTER_REQUEST_TIMEOUT");
    assert.equal(r.size, 0);
    const after = deferred<unknown>();
    r.expect("fetchSockets", 2, 5_000, (err) => after.resolve(err));
    assert.equal(await withTimeout(after.promise), null);
  });

  test("fail() settles one request early with the given error", async () => {
    const r = new RequestTracker();
    const done = deferred<unknown>();
    const rid = r.expect("x", 1, 5_000, (err) => done.resolve(err));
    const e = Object.assign(new Error("no"), { code: "SKT_ERR_REDIS_NOT_READY" as const });
    r.fail(rid, e as never);
    assert.equal(await done.promise, e);
    assert.equal(r.size, 0);
  });
});
