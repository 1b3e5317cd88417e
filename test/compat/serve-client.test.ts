/**
 * @module test/compat/serve-client — the client bundle as socket.io serves it: the encoding is
 * chosen by the Accept-Encoding q-values, then the client's order (`deflate` offered too); the
 * `cors` option's headers are on bundle responses; with `serveClient: false`, requests under
 * `<path>/` are the engine's (400 "Transport unknown") even on a bare `http.Server`.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { rawRequest } from "../helpers/raw-engine-client.js";
import { IMPLEMENTATIONS, setup } from "./support.js";

const ENCODINGS: [string, string | undefined][] = [
  ["gzip, br", "gzip"],
  ["br, gzip", "br"],
  ["gzip;q=0.5, br", "br"],
  ["br;q=0.4, gzip;q=0.8", "gzip"],
  ["deflate", "deflate"],
  ["deflate, gzip", "deflate"],
  ["br;q=0, gzip", "gzip"],
  ["*", "br"],
  ["identity", undefined],
  ["", undefined],
];

for (const { name, Server } of IMPLEMENTATIONS) {
  describe(name, () => {
    test("the bundle's encoding follows the q-values, then the client's order", async (t) => {
      const s = await setup(t, undefined, Server);
      for (const [accept, expected] of ENCODINGS) {
        const res = await rawRequest(`${s.url}/socket.io/socket.io.min.js`, { headers: { "Accept-Encoding": accept } });
        assert.equal(res.status, 200, accept);
        assert.equal(res.headers["content-encoding"], expected, `Accept-Encoding: ${accept}`);
        if (expected === "deflate" || expected === "gzip" || expected === undefined) assert.match(res.body, /io/);
      }
    });

    test("bundle responses carry the cors option's headers", async (t) => {
      const s = await setup(t, { cors: { origin: "https://app.example", credentials: true } }, Server);
      const res = await rawRequest(`${s.url}/socket.io/socket.io.js`, { headers: { Origin: "https://app.example" } });
      assert.equal(res.status, 200);
      assert.equal(res.headers["access-control-allow-origin"], "https://app.example");
      assert.equal(res.headers["access-control-allow-credentials"], "true");
    });

    for (const url of ["/socket.io/socket.io.js", "/socket.io/anything-else"]) {
      test(`with serveClient: false, ${url} is the engine's: 400 Transport unknown`, async (t) => {
        const s = await setup(t, { serveClient: false }, Server);
        const res = await rawRequest(`${s.url}${url}`);
        assert.equal(res.status, 400);
        assert.deepEqual(JSON.parse(res.body), { code: 0, message: "Transport unknown" });
      });
    }

    test("with serveClient on, a name under the path that is no bundle is the engine's too", async (t) => {
      const s = await setup(t, undefined, Server);
      const res = await rawRequest(`${s.url}/socket.io/not-a-bundle.js`);
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.body), { code: 0, message: "Transport unknown" });
    });
  });
}
