/**
 * engine/handshake-request.ts: the slim request's headers (issue 18) are a copy that apps cannot
 * tell from Node's object: same keys in the same order, same values, plain and writable; headers
 * the copy could not reproduce (an accessor, a frozen object, another prototype) are kept as is.
 */
import assert from "node:assert/strict";
import { IncomingMessage, type IncomingHttpHeaders } from "node:http";
import { Socket as NetSocket } from "node:net";
import { test } from "node:test";
import { keptRequest } from "../../core/engine/handshake-request.js";

function requestWith(headers: IncomingHttpHeaders): IncomingMessage {
  const req = new IncomingMessage(new NetSocket());
  req.headers = headers;
  req.method = "GET";
  req.url = "/socket.io/?EIO=4&transport=websocket";
  return req;
}

test("headers of 1 to 14 entries: the kept request's are equal, in the same order, plain and writable", () => {
  for (let n = 1; n <= 14; n++) {
    const headers: IncomingHttpHeaders = {};
    for (let i = 0; i < n; i++) headers[`x-h${i}`] = `v${i}`;
    if (n > 2) headers["set-cookie"] = ["a=1", "b=2"];
    const kept = keptRequest(requestWith(headers));
    assert.notEqual(kept, undefined);
    const copy = kept.headers;
    // 5 to 10 plain headers are copied (see compactHeaders); the test is about the copies
    const count = Object.keys(headers).length;
    if (count >= 5 && count <= 10) assert.notEqual(copy, headers, `a copy of ${count}`);
    assert.deepEqual(Object.keys(copy), Object.keys(headers), `order of ${n}`);
    assert.deepEqual(copy, headers);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal(copy.constructor, Object);
    assert.equal(copy["set-cookie"], headers["set-cookie"], "array values are the same arrays");
    for (const k of Object.keys(copy)) {
      assert.deepEqual(Object.getOwnPropertyDescriptor(copy, k), { value: headers[k], writable: true, enumerable: true, configurable: true });
    }
    copy["x-new"] = "1";
    delete copy["x-h0"];
    assert.equal(copy["x-new"], "1");
    assert.equal("x-h0" in copy, false);
    assert.equal(kept.headersDistinct["x-new"]?.[0], "1");
  }
});

test("headers the copy would not reproduce are kept as they are", () => {
  const keys = ["host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version"];
  const base = (): IncomingHttpHeaders => Object.fromEntries(keys.map((k) => [k, "v"]));
  const frozen = Object.freeze(base());
  assert.equal(keptRequest(requestWith(frozen)).headers, frozen);
  const withGetter = base();
  Object.defineProperty(withGetter, "x-live", { get: () => "now", enumerable: true, configurable: true });
  assert.equal(keptRequest(requestWith(withGetter)).headers, withGetter);
  const hidden = base();
  Object.defineProperty(hidden, "x-hidden", { value: "h", enumerable: false, writable: true, configurable: true });
  assert.equal(keptRequest(requestWith(hidden)).headers, hidden);
  const nullProto = Object.assign(Object.create(null) as IncomingHttpHeaders, base());
  assert.equal(keptRequest(requestWith(nullProto)).headers, nullProto);
});
