/**
 * The relayed response (integrations/redis/relay/relayed-http.ts) collects what the engine's
 * polling path writes: headers as an object or, as the polling transport writes its common
 * answers, as raw pairs (`[name, value, name, value…]`, which node:http's writeHead takes too).
 * No Redis needed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RelayedResponse, type RelayedAnswer } from "../../integrations/redis/relay/relayed-http.js";

function answer(write: (res: RelayedResponse) => void): RelayedAnswer {
  let out: RelayedAnswer | undefined;
  const res = new RelayedResponse((a) => (out = a));
  write(res);
  assert.ok(out !== undefined, "end() hands the answer over at once");
  return out;
}

test("writeHead with raw header pairs keeps every pair, names lower-cased, as with an object", () => {
  const pairs = answer((res) => res.writeHead(200, ["Content-Type", "text/html", "Content-Length", "2"]).end("ok"));
  const object = answer((res) => res.writeHead(200, { "Content-Type": "text/html", "Content-Length": "2" }).end("ok"));
  assert.deepEqual(pairs.headers, { "content-type": "text/html", "content-length": "2" });
  assert.deepEqual(pairs, object);
  assert.equal(pairs.body.toString(), "ok");
});

test("writeHead with raw pairs adds to headers set before, the later value winning", () => {
  const a = answer((res) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Content-Type", "text/plain");
    res.writeHead(200, ["Content-Type", "text/plain; charset=UTF-8", "Content-Length", "3"]).end("4hi");
  });
  assert.deepEqual(a.headers, {
    "access-control-allow-origin": "*",
    "content-type": "text/plain; charset=UTF-8",
    "content-length": "3",
  });
});
