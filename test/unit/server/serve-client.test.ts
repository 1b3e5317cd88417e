import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { gunzipSync, brotliDecompressSync, inflateSync } from "node:zlib";
import { CLIENT_FILES, createClientFileHandler, findClientBundle } from "../../../core/server/serve-client.js";
import { listen } from "../../helpers/listen.js";

const require = createRequire(import.meta.url);
const clientPkgPath = require.resolve("socket.io-client/package.json");
const clientVersion = (JSON.parse(readFileSync(clientPkgPath, "utf8")) as { version: string }).version;
const distDir = join(dirname(clientPkgPath), "dist");

/** A server whose fallback answers 404 "fallthrough", so tests can tell handled from not. */
async function start(t: Parameters<typeof listen>[0], handler = createClientFileHandler("/socket.io")) {
  return listen(t, (req, res) => {
    if (handler(req, res)) return;
    res.writeHead(404).end("fallthrough");
  });
}

describe("findClientBundle", () => {
  test("finds the installed socket.io-client and its version", () => {
    const bundle = findClientBundle();
    assert.ok(bundle);
    assert.equal(bundle.version, clientVersion);
    assert.equal(bundle.dir, distDir);
  });
});

describe("createClientFileHandler", () => {
  test("serves every client bundle and source map with socket.io's headers", async (t) => {
    const { url } = await start(t);
    for (const name of CLIENT_FILES) {
      const res = await fetch(`${url}/socket.io/${name}`, { headers: { "accept-encoding": "identity" } });
      assert.equal(res.status, 200, name);
      const isMap = name.endsWith(".map");
      assert.equal(res.headers.get("content-type"), `application/${isMap ? "json" : "javascript"}; charset=utf-8`);
      assert.equal(res.headers.get("cache-control"), "public, max-age=0");
      assert.equal(res.headers.get("etag"), `"${clientVersion}"`);
      const body = Buffer.from(await res.arrayBuffer());
      assert.ok(body.equals(readFileSync(join(distDir, name))), `${name} content`);
    }
  });

  test("ignores the query string", async (t) => {
    const { url } = await start(t);
    const res = await fetch(`${url}/socket.io/socket.io.min.js?v=123`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });

  test("answers 304 when If-None-Match holds the strong or weak ETag", async (t) => {
    const { url } = await start(t);
    for (const tag of [`"${clientVersion}"`, `W/"${clientVersion}"`, `"other", "${clientVersion}"`]) {
      const res = await fetch(`${url}/socket.io/socket.io.js`, { headers: { "if-none-match": tag } });
      assert.equal(res.status, 304, tag);
      assert.equal(res.headers.get("etag"), `"${clientVersion}"`);
      assert.equal((await res.arrayBuffer()).byteLength, 0);
    }
    const stale = await fetch(`${url}/socket.io/socket.io.js`, { headers: { "if-none-match": '"0.0.1"' } });
    assert.equal(stale.status, 200);
    await stale.arrayBuffer();
  });

  test("compresses with gzip, brotli or deflate when accepted (q-values, then the client's order)", async (t) => {
    const { port } = await start(t);
    const { request } = await import("node:http");
    const raw = readFileSync(join(distDir, "socket.io.js"));
    for (const [accept, expected, decode] of [
      ["gzip", "gzip", gunzipSync],
      ["gzip, deflate, br", "gzip", gunzipSync],
      ["br, gzip", "br", brotliDecompressSync],
      ["deflate", "deflate", inflateSync],
      ["br;q=0, gzip", "gzip", gunzipSync],
    ] as const) {
      const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const req = request({ port, host: "127.0.0.1", path: "/socket.io/socket.io.js", headers: { "accept-encoding": accept } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end();
      });
      assert.equal(headers["content-encoding"], expected, accept);
      assert.equal(headers["vary"], "Accept-Encoding");
      assert.ok(decode(body).equals(raw), `${accept} decodes to the file`);
    }
  });

  test("answers HEAD with headers only", async (t) => {
    const { url } = await start(t);
    const res = await fetch(`${url}/socket.io/socket.io.js`, { method: "HEAD", headers: { "accept-encoding": "identity" } });
    assert.equal(res.status, 200);
    assert.equal(Number(res.headers.get("content-length")), readFileSync(join(distDir, "socket.io.js")).length);
  });

  test("lets other paths, files and methods fall through", async (t) => {
    const { url } = await start(t);
    for (const [path, method] of [
      ["/socket.io/", "GET"],
      ["/socket.io/?EIO=4&transport=polling", "GET"],
      ["/socket.io/index.js", "GET"],
      ["/socket.io/../package.json", "GET"],
      ["/socket.io.js", "GET"],
      ["/other/socket.io.js", "GET"],
      ["/socket.io/socket.io.js", "POST"],
    ] as const) {
      const res = await fetch(`${url}${path}`, { method });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(await res.text(), "fallthrough");
    }
  });

  test("honours a custom path, with or without a trailing slash", async (t) => {
    const { url } = await start(t, createClientFileHandler("/rt/"));
    const res = await fetch(`${url}/rt/socket.io.esm.min.js`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const miss = await fetch(`${url}/socket.io/socket.io.js`);
    assert.equal(miss.status, 404);
    await miss.arrayBuffer();
  });

  test("serves nothing when no client is installed", async (t) => {
    const { url } = await start(t, createClientFileHandler("/socket.io", null));
    const res = await fetch(`${url}/socket.io/socket.io.js`);
    assert.equal(res.status, 404);
    assert.equal(await res.text(), "fallthrough");
  });

  test("lets a bundle file missing from an older client fall through", async (t) => {
    const { url } = await start(t, createClientFileHandler("/socket.io", { dir: join(distDir, "nowhere"), version: "1.0.0" }));
    const res = await fetch(`${url}/socket.io/socket.io.js`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });
});
