import assert from "node:assert/strict";
import { test } from "node:test";
import { PassThrough } from "node:stream";
import { BoundedQueue } from "../../core/util/bounded-queue.js";
import { parseEngineQuery, parseUrl, writeRawResponse } from "../../core/util/http.js";
import { generateId } from "../../core/util/ids.js";

test("BoundedQueue refuses an item past either cap and drains in order", () => {
  const q = new BoundedQueue<string>(2, 10);
  assert.equal(q.push("a", 4), true);
  assert.equal(q.wouldOverflow(7), "bytes");
  assert.equal(q.push("big", 7), false);
  assert.equal(q.push("b", 6), true);
  assert.equal(q.wouldOverflow(0), "items");
  assert.equal(q.push("c", 0), false);
  assert.equal(q.length, 2);
  assert.equal(q.bytes, 10);
  assert.deepEqual(q.drain(), ["a", "b"]);
  assert.equal(q.length, 0);
  assert.equal(q.bytes, 0);
});

test("generateId gives 20 unguessable base64url characters", () => {
  const ids = new Set(Array.from({ length: 1000 }, () => generateId()));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{20}$/);
});

test("parseUrl splits pathname and query, first value winning", () => {
  assert.deepEqual(parseUrl("/engine.io/?EIO=4&transport=polling&EIO=3"), {
    pathname: "/engine.io/",
    query: Object.assign(Object.create(null), { EIO: "4", transport: "polling" }),
  });
  assert.equal(parseUrl(undefined).pathname, "/");
});

test("parseEngineQuery reads the engine's parameters as parseUrl (URLSearchParams) does", () => {
  const urls = [
    "/engine.io/?EIO=4&transport=polling&sid=hG3k9_x0aZ-QpL2mN8bVt",
    "/engine.io/?EIO=4&transport=polling&EIO=3&sid=&sid=x", // first value wins, even an empty one
    "/engine.io/??sid=a&j", // URLSearchParams drops one leading "?"; a key without "=" is ""
    "/engine.io/?&&SID=1&si=2&sidx=3&transport&b64=1&jj=2&j=0",
    "/engine.io/?%73id=a%20b&transport=web+socket&j=%E2%82%AC", // decoded by URLSearchParams
    "/engine.io/?sid=é&EIO=4",
    "/engine.io/",
  ];
  for (const url of urls) {
    const { query } = parseUrl(url);
    const expected = { EIO: query.EIO, transport: query.transport, sid: query.sid, j: query.j, b64: query.b64 };
    assert.deepEqual({ ...parseEngineQuery(url) }, expected, url);
  }
  assert.equal(parseEngineQuery("/engine.io/?%73id=a%20b").sid, "a b");
  assert.equal(parseEngineQuery(undefined).sid, undefined);
});

test("writeRawResponse writes a complete HTTP response and closes the socket", async () => {
  const socket = new PassThrough();
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  writeRawResponse(socket, 401, "Unauthorized", { "X-A": ["1", "2"] }, "no");
  await closed;
  const text = Buffer.concat(chunks).toString();
  assert.match(text, /^HTTP\/1\.1 401 Unauthorized\r\n/);
  assert.match(text, /\r\nX-A: 1\r\nX-A: 2\r\n/);
  assert.match(text, /\r\nContent-Length: 2\r\n\r\nno$/);
});
