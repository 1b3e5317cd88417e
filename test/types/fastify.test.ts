/**
 * @module test/types/fastify.test — type-level checks of the Fastify plugin: `app.io` is the
 * registry-typed `Server`, its events are typed when the registry gives maps, and the options
 * are checked. The assertions are compiled by `tsc --noEmit`; the runtime part checks the value.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import socketeer, {
  fastifyRequest,
  type FastifyIo,
  type FastifySocketeerOptions,
  type FastifySocketeerTypes,
  type ServerFor,
} from "../../integrations/fastify/index.js";
import { Server, type DefaultEventsMap, type DefaultSocketData } from "../../core/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

interface ClientToServer {
  hello: (name: string, ack: (length: number) => void) => void;
}
interface ServerToClient {
  welcome: (message: string) => void;
}
interface InterServer {
  ping: () => void;
}
type Typed = ServerFor<{
  listenEvents: ClientToServer;
  emitEvents: ServerToClient;
  serverSideEvents: InterServer;
  socketData: { user: string };
}>;

// compiled, never called: what a registry with event maps gives
function typedEvents(io: Typed): void {
  io.on("connection", (socket) => {
    socket.on("hello", (name, ack) => {
      expectType<Equal<typeof name, string>>();
      ack(name.length);
    });
    socket.emit("welcome", "hi");
    // @ts-expect-error: not an event of ServerToClient
    socket.emit("unknown", 1);
    // @ts-expect-error: welcome takes a string
    socket.emit("welcome", 1);
    expectType<Equal<typeof socket.data.user, string>>();
  });
  io.emit("welcome", "everyone");
  // @ts-expect-error: welcome takes a string
  io.emit("welcome", {});
}

// compiled, never called: options are the Server's plus preClose
function options(app: FastifyInstance): void {
  void app.register(socketeer, { path: "/rt", pingInterval: 10_000, preClose: (done) => done() });
  // @ts-expect-error: pingInterval is a number
  void app.register(socketeer, { pingInterval: "10s" });
  const opts: FastifySocketeerOptions = { cors: { origin: "https://example.com" } };
  void app.register(socketeer, opts);
}

test("app.io is typed from the FastifySocketeerTypes registry", async (t) => {
  expectType<Equal<FastifyInstance["io"], FastifyIo>>();
  expectType<Equal<FastifyIo, ServerFor<FastifySocketeerTypes>>>();
  // with the registry empty, every map is the untyped default, as in socket.io
  expectType<Equal<FastifyIo, Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, DefaultSocketData>>>();
  const app = Fastify();
  t.after(() => app.close());
  await app.register(socketeer);
  const io: Server = app.io;
  assert.ok(io instanceof Server);
  assert.equal(typeof typedEvents, "function");
  assert.equal(typeof options, "function");
});

test("fastifyRequest() is typed as the Fastify request", () => {
  const req = fastifyRequest({ request: {} as never });
  expectType<Equal<typeof req, import("fastify").FastifyRequest | undefined>>();
  assert.equal(req, undefined);
});

//
// The registry augmentation is global to a program, so it is checked in a program of its own:
// a fixture written to .test-build/ and compiled by tsc (it must compile; its @ts-expect-error
// lines must be errors).
//
const FIXTURE = `
import Fastify from "fastify";
import socketeer from "../../integrations/fastify/index.js";

interface ClientToServer { hello: (name: string, ack: (n: number) => void) => void }
interface ServerToClient { welcome: (message: string) => void }

declare module "../../integrations/fastify/index.js" {
  interface FastifySocketeerTypes {
    listenEvents: ClientToServer;
    emitEvents: ServerToClient;
    socketData: { user: string };
  }
}

const app = Fastify();
await app.register(socketeer);
app.io.on("connection", (socket) => {
  socket.on("hello", (name, ack) => ack(name.length));
  socket.emit("welcome", "hi");
  const user: string = socket.data.user;
  void user;
  // @ts-expect-error: welcome takes a string
  socket.emit("welcome", 42);
  // @ts-expect-error: not an event of ServerToClient
  socket.emit("unknown", "x");
  // @ts-expect-error: hello's first argument is a string
  socket.on("hello", (name: number) => void name);
});
app.io.emit("welcome", "everyone");
`;

test("augmenting FastifySocketeerTypes types app.io and its events", { timeout: 120_000 }, async () => {
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { spawnSync } = await import("node:child_process");
  const root = new URL("../../", import.meta.url);
  const dir = new URL(".test-build/fastify-augment/", root);
  await mkdir(dir, { recursive: true });
  await writeFile(new URL("fixture.ts", dir), FIXTURE);
  await writeFile(
    new URL("tsconfig.json", dir),
    JSON.stringify({ extends: "../../tsconfig.json", compilerOptions: { noEmit: true }, include: ["fixture.ts"], exclude: [] }),
  );
  const tsc = new URL("node_modules/typescript/bin/tsc", root).pathname;
  const r = spawnSync(process.execPath, [tsc, "-p", new URL("tsconfig.json", dir).pathname], { encoding: "utf8" });
  assert.ok(r.status === 0 || r.status === 2, `tsc did not run: ${r.stderr}`);
  // only the fixture's diagnostics count here: the rest of the program is checked by `npm test`'s tsc
  const own = `${r.stdout}${r.stderr}`.split("\n").filter((line) => line.includes("fixture.ts"));
  assert.deepEqual(own, [], "tsc reported errors in the fixture");
});
