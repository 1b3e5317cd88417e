import assert from "node:assert/strict";
import { test } from "node:test";
import { rawRequest, startEngine } from "../helpers/raw-engine-client.js";

test("answers a CORS preflight with 204 and the configured headers", async (t) => {
  const { base } = await startEngine(t, {
    cors: { origin: "https://app.example", credentials: true, methods: ["GET", "POST"], maxAge: 600 },
  });
  const res = await rawRequest(`${base}?EIO=4&transport=polling`, {
    method: "OPTIONS",
    headers: {
      origin: "https://app.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "x-custom",
    },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers["access-control-allow-origin"], "https://app.example");
  assert.equal(res.headers["access-control-allow-credentials"], "true");
  assert.equal(res.headers["access-control-allow-methods"], "GET,POST");
  assert.equal(res.headers["access-control-allow-headers"], "x-custom");
  assert.equal(res.headers["access-control-max-age"], "600");
  assert.match(String(res.headers.vary), /Origin/);
});

test("adds CORS headers to the handshake and to error answers", async (t) => {
  const { base } = await startEngine(t, { cors: { origin: "*" } });
  const ok = await rawRequest(`${base}?EIO=4&transport=polling`, { headers: { origin: "https://x.example" } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers["access-control-allow-origin"], "*");
  const bad = await rawRequest(`${base}?EIO=4&transport=nope`, { headers: { origin: "https://x.example" } });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers["access-control-allow-origin"], "*");
});

test("reflects an allowed origin from an array or RegExp, and omits the header otherwise", async (t) => {
  const { base } = await startEngine(t, { cors: { origin: ["https://a.example", /\.trusted\.example$/] } });
  const url = `${base}?EIO=4&transport=polling`;
  const a = await rawRequest(url, { headers: { origin: "https://a.example" } });
  assert.equal(a.headers["access-control-allow-origin"], "https://a.example");
  const b = await rawRequest(url, { headers: { origin: "https://api.trusted.example" } });
  assert.equal(b.headers["access-control-allow-origin"], "https://api.trusted.example");
  const c = await rawRequest(url, { headers: { origin: "https://evil.example" } });
  assert.equal(c.headers["access-control-allow-origin"], undefined);
});

test("supports an origin function and reflects with origin: true", async (t) => {
  const fn = await startEngine(t, {
    cors: { origin: (origin, cb) => cb(null, origin === "https://ok.example") },
  });
  const yes = await rawRequest(`${fn.base}?EIO=4&transport=polling`, { headers: { origin: "https://ok.example" } });
  assert.equal(yes.headers["access-control-allow-origin"], "https://ok.example");
  const no = await rawRequest(`${fn.base}?EIO=4&transport=polling`, { headers: { origin: "https://no.example" } });
  assert.equal(no.headers["access-control-allow-origin"], undefined);
  const reflect = await startEngine(t, { cors: { origin: true, exposedHeaders: ["x-id"] } });
  const r = await rawRequest(`${reflect.base}?EIO=4&transport=polling`, { headers: { origin: "https://any.example" } });
  assert.equal(r.headers["access-control-allow-origin"], "https://any.example");
  assert.equal(r.headers["access-control-expose-headers"], "x-id");
});

test("without cors, no CORS header is sent and OPTIONS is a bad handshake", async (t) => {
  const { base } = await startEngine(t);
  const res = await rawRequest(`${base}?EIO=4&transport=polling`, { method: "OPTIONS", headers: { origin: "https://x.example" } });
  assert.equal(res.headers["access-control-allow-origin"], undefined);
  assert.equal(res.status, 400);
});
