/**
 * The socket.io v2 browser bundle (`socket.io-client@2.5.0`'s dist/socket.io.js) in headless
 * Chromium against Socketeer with `allowEIO3`: polling then the upgrade, an event with binary both
 * ways (an ArrayBuffer from the page), an ack, a namespace with a query, and a forced-base64
 * (`b64=1`) client.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { test } from "node:test";
import { Server } from "../../core/index.js";
import { needChromium } from "../helpers/services.js";
import { listen } from "../helpers/listen.js";
import { launchBrowser, openPage, pageErrors } from "../samples/browser.js";

const require = createRequire(import.meta.url);
const BUNDLE = readFileSync(require.resolve("socket.io-client-v2/dist/socket.io.js"), "utf8");

const PAGE = `<!doctype html><meta charset="utf-8"><title>v2</title>
<script src="/v2.js"></script>
<script>
  window.run = (opts) => new Promise((resolve, reject) => {
    const out = {};
    const main = io("/", Object.assign({ forceNew: true, reconnection: false }, opts));
    main.on("error", reject);
    main.on("connect_error", (e) => reject(new Error("connect_error " + e)));
    main.on("server-bin", (text, bin) => { out.fromServer = [text, Array.from(new Uint8Array(bin))]; });
    main.on("connect", () => {
      main.emit("echo", "hi", new Uint8Array([1, 2, 250]).buffer, (text, bin) => {
        out.echo = [text, Array.from(new Uint8Array(bin))];
        const check = () => {
          out.transport = main.io.engine.transport.name;
          if (!opts.waitUpgrade || out.transport === "websocket") return admin();
          setTimeout(check, 20);
        };
        check();
      });
    });
    const admin = () => {
      const nsp = io("/admin?room=blue", Object.assign({ reconnection: false }, opts));
      nsp.on("welcome", (room) => { out.admin = room; out.id = main.id; nsp.close(); main.close(); resolve(out); });
    };
  });
</script>`;

test("the socket.io v2 browser bundle talks to Socketeer (allowEIO3) in headless Chromium", { skip: await needChromium() }, async (t) => {
  // closed first (after-hooks run in order): its kept-alive connections would hold the server open
  const browser = await launchBrowser(t);
  const http = createServer();
  const io = new Server(http, { allowEIO3: true, serveClient: false });
  http.on("request", (req, res) => {
    if (req.url === "/v2.js") res.writeHead(200, { "Content-Type": "text/javascript" }).end(BUNDLE);
    else if (req.url === "/") res.writeHead(200, { "Content-Type": "text/html" }).end(PAGE);
  });
  const { url } = await listen(undefined, undefined, http);
  t.after(() => io.close());
  const protocols: number[] = [];
  io.on("connection", (socket) => {
    protocols.push(socket.conn.protocol);
    socket.emit("server-bin", "from server", Buffer.from([9, 8, 7]));
    socket.on("echo", (text: string, bin: Buffer, ack: (...a: unknown[]) => void) => ack(text.toUpperCase(), bin));
  });
  io.of("/admin").on("connection", (socket) => socket.emit("welcome", socket.handshake.auth.room));

  const page = await openPage(browser, url + "/");
  for (const opts of [{ waitUpgrade: true }, { transports: ["polling"], forceBase64: true }]) {
    const out = (await page.evaluate((o) => (globalThis as unknown as { run(o: unknown): Promise<unknown> }).run(o), opts)) as Record<string, unknown>;
    assert.deepEqual(out.echo, ["HI", [1, 2, 250]], JSON.stringify(opts));
    assert.deepEqual(out.fromServer, ["from server", [9, 8, 7]]);
    assert.equal(out.admin, "blue");
    assert.equal(out.transport, opts.waitUpgrade === true ? "websocket" : "polling");
  }
  // each run opens two v2 connections (the namespace socket has its own manager), each in "/"
  assert.deepEqual(protocols, [3, 3, 3, 3]);
  assert.deepEqual(pageErrors(page), []);
});
