/**
 * The published shape: `npm run build` output is consumable with `require` and `import`, every
 * entry of the exports map resolves, and the CommonJS entry is callable as socket.io's is.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(import.meta.dirname, "../..");
let built = false;
function buildOnce(): void {
  if (built) return;
  const build = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { cwd: root, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr + build.stdout);
  built = true;
}

const entries = ["socketeer", "socketeer/engine", "socketeer/fastify", "socketeer/express", "socketeer/nestjs", "socketeer/redis", "socketeer/decorators"];

test("the built package loads through every exports entry with require and import", { timeout: 300_000 }, (t) => {
  buildOnce();
  const dir = mkdtempSync(join(tmpdir(), "socketeer-consumer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "socketeer"), "dir");
  writeFileSync(join(dir, "c.cjs"), `
    const s = require("socketeer");
    const io = s();
    const out = { callable: typeof s, hasServer: typeof s.Server, engine: typeof io.engine.handleRequest };
    io.close();
    for (const e of ${JSON.stringify(entries)}) out[e] = Object.keys(require(e)).length;
    console.log(JSON.stringify(out));`);
  writeFileSync(join(dir, "m.mjs"), `
    const out = {};
    for (const e of ${JSON.stringify(entries)}) out[e] = Object.keys(await import(e)).length;
    const { Server } = await import("socketeer");
    out.hasServer = typeof Server;
    console.log(JSON.stringify(out));`);
  const cjs = spawnSync(process.execPath, ["c.cjs"], { cwd: dir, encoding: "utf8" });
  assert.equal(cjs.status, 0, cjs.stderr);
  const c = JSON.parse(cjs.stdout) as Record<string, unknown>;
  assert.equal(c.callable, "function");
  assert.equal(c.hasServer, "function");
  assert.equal(c.engine, "function");
  const esm = spawnSync(process.execPath, ["m.mjs"], { cwd: dir, encoding: "utf8" });
  assert.equal(esm.status, 0, esm.stderr);
  const m = JSON.parse(esm.stdout) as Record<string, unknown>;
  assert.equal(m.hasServer, "function");
  for (const e of entries) {
    assert.ok((c[e] as number) > 0, `require("${e}") has exports`);
    assert.ok((m[e] as number) > 0, `import("${e}") has exports`);
  }
});

/**
 * A NestJS app as users write it, without TypeScript (decorators applied by hand): a gateway whose
 * handleConnection refuses some clients with a WsException, served by `SocketeerAdapter` from the built
 * package. The adapter's `instanceof WsException` only works if the package uses the app's own Nest.
 */
function nestConsumer(kind: "cjs" | "esm"): string {
  const load = kind === "cjs"
    ? `require("reflect-metadata");
       const { Module } = require("@nestjs/common");
       const { NestFactory } = require("@nestjs/core");
       const { WebSocketGateway, SubscribeMessage, WsException } = require("@nestjs/websockets");
       const { SocketeerAdapter } = require("socketeer/nestjs");
       const { io } = require("socket.io-client");
       const nest = require("@nestjs/core/package.json").version;`
    : `import "reflect-metadata";
       import { createRequire } from "node:module";
       import { Module } from "@nestjs/common";
       import { NestFactory } from "@nestjs/core";
       import { WebSocketGateway, SubscribeMessage, WsException } from "@nestjs/websockets";
       import { SocketeerAdapter } from "socketeer/nestjs";
       import { io } from "socket.io-client";
       const nest = createRequire(import.meta.url)("@nestjs/core/package.json").version;`;
  return `${load}
    class Gateway {
      handleConnection(client) { if (client.handshake.auth.bad) throw new WsException("go away"); }
      ping(client, data) { return { pong: data, id: client.id.length > 0 }; }
    }
    SubscribeMessage("ping")(Gateway.prototype, "ping", Object.getOwnPropertyDescriptor(Gateway.prototype, "ping"));
    WebSocketGateway()(Gateway);
    class AppModule {}
    Module({ providers: [Gateway] })(AppModule);
    const within = (p, what) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error("no " + what)), 10000).unref())]);
    (async () => {
      const app = await NestFactory.create(AppModule, { logger: false });
      app.useWebSocketAdapter(new SocketeerAdapter(app));
      await app.listen(0, "127.0.0.1");
      const url = "http://127.0.0.1:" + app.getHttpServer().address().port;
      const good = io(url, { transports: ["websocket"] });
      const bad = io(url, { auth: { bad: true } });
      const refused = new Promise((resolve) => bad.on("exception", resolve));
      const gone = new Promise((resolve) => bad.on("disconnect", resolve));
      const pong = await within(good.emitWithAck("ping", 1), "ack");
      const exception = await within(refused, "exception");
      const reason = await within(gone, "disconnect");
      good.close(); bad.close();
      await app.close();
      console.log(JSON.stringify({ nest, pong, exception, reason }));
    })().catch((err) => { console.error(err); process.exit(1); });
  `;
}

function checkNestConsumer(out: { status: number | null; stdout: string; stderr: string }, major: number): void {
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout) as Record<string, unknown>;
  assert.equal(Number.parseInt(String(r.nest), 10), major);
  assert.deepEqual(r.pong, { pong: 1, id: true });
  assert.deepEqual(r.exception, { status: "error", message: "go away", cause: { pattern: "handleConnection" } });
  assert.equal(r.reason, "io server disconnect");
}

test("a NestJS 11 app (CommonJS) runs a gateway on the built package with require", { timeout: 300_000 }, (t) => {
  buildOnce();
  // Inside the repository, so that the app resolves Nest 11 from the root node_modules, as the package does.
  mkdirSync(join(root, ".test-build"), { recursive: true });
  const dir = mkdtempSync(join(root, ".test-build", "nest11-consumer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "socketeer"), "dir");
  writeFileSync(join(dir, "app.cjs"), nestConsumer("cjs"));
  checkNestConsumer(spawnSync(process.execPath, ["app.cjs"], { cwd: dir, encoding: "utf8", timeout: 60_000 }), 11);
});

const nest12 = join(root, "test", "nest12");
const noNest12 = existsSync(join(nest12, "node_modules", "@nestjs", "core"))
  ? false
  : process.env.CI === "true"
    ? false // fail below rather than skip: CI installs it (scripts/test.mjs)
    : "Nest 12 harness not installed (npm test installs it: npm ci in test/nest12)";

test("a NestJS 12 app (ESM) runs a gateway on the built package with import", { timeout: 300_000, skip: noNest12 }, (t) => {
  buildOnce();
  // An installed copy (not a symlink) under the Nest 12 harness, so that the package resolves Nest 12 as
  // an app's dependency would, not the root's Nest 11.
  const dir = mkdtempSync(join(nest12, ".consumer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = join(dir, "node_modules", "socketeer");
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, "package.json"), join(pkg, "package.json"));
  cpSync(join(root, "dist"), join(pkg, "dist"), { recursive: true });
  writeFileSync(join(dir, "app.mjs"), nestConsumer("esm"));
  checkNestConsumer(spawnSync(process.execPath, ["app.mjs"], { cwd: dir, encoding: "utf8", timeout: 60_000 }), 12);
});
