/**
 * A chat app written for socket.io v4 (fixtures/chat-app.ts) runs against socket.io and against
 * Socketeer, with only the Server class changed, and must pass the same assertions on both,
 * driven by the official socket.io-client.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { describe, test, type TestContext } from "node:test";
import { io as connect, type Socket as ClientSocket, type ManagerOptions, type SocketOptions } from "socket.io-client";
import { Server as SocketIoServer } from "socket.io";
import { createChatApp, type ChatApp, type ServerClass } from "./fixtures/chat-app.js";
import { closeServer, listen } from "../helpers/listen.js";
import { once, WAIT_MS } from "../helpers/wait.js";

/**
 * Loads Socketeer's Server from core/index.ts. The specifier is a variable so that this file
 * type-checks before core/index.ts exists; the test is skipped until then.
 */
async function loadSocketeer(): Promise<{ Server?: ServerClass; skip?: string }> {
  const specifier = "../../core/index.js";
  if (!existsSync(new URL("../../core/index.ts", import.meta.url))) return { skip: "core Server not available yet" };
  const mod = (await import(specifier)) as { Server?: unknown };
  if (typeof mod.Server !== "function") return { skip: "core Server not available yet (core/index.ts exports no Server)" };
  // The app is written against socket.io's types; Socketeer is a drop-in for that API.
  return { Server: mod.Server as ServerClass };
}

const socketeer = await loadSocketeer();
const implementations: { name: string; Server?: ServerClass; skip?: string }[] = [
  { name: "socket.io", Server: SocketIoServer },
  { name: "Socketeer", ...socketeer },
];

type ClientOptions = Partial<ManagerOptions & SocketOptions>;

interface Harness {
  app: ChatApp;
  url: string;
  /** Connects a client (closed after the test); resolves once connected and welcomed. */
  join(nickname: string, opts?: ClientOptions): Promise<{ socket: ClientSocket; welcome: { id: string; nickname: string } }>;
  /** A client whose connection is expected to fail; resolves with the connect_error. */
  refused(opts: ClientOptions): Promise<Error & { data?: unknown }>;
}

async function start(t: TestContext, Server: ServerClass): Promise<Harness> {
  const httpServer = createServer();
  const app = createChatApp(Server, httpServer);
  const { url } = await listen(undefined, undefined, httpServer);
  const clients: ClientSocket[] = [];
  t.after(async () => {
    for (const c of clients) c.disconnect();
    await app.close();
    // socket.io's close() also closes the HTTP server; make sure it is closed either way.
    await closeServer(httpServer);
  });
  const make = (opts: ClientOptions) => {
    const socket = connect(url, { forceNew: true, reconnection: false, autoConnect: false, ...opts });
    clients.push(socket);
    return socket;
  };
  return {
    app,
    url,
    async join(nickname, opts = {}) {
      const socket = make({ auth: { nickname }, ...opts });
      const welcomed = once<[{ id: string; nickname: string }]>(socket, "welcome");
      const connected = once(socket, "connect");
      socket.connect();
      await connected;
      const [welcome] = await welcomed;
      return { socket, welcome };
    },
    async refused(opts) {
      const socket = make(opts);
      const failed = once<[Error & { data?: unknown }]>(socket, "connect_error");
      socket.connect();
      const [err] = await failed;
      return err;
    },
  };
}

/** Emits with an ack and resolves with the ack's first argument. */
function ask<T>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<T> {
  return socket.timeout(WAIT_MS).emitWithAck(event, ...args) as Promise<T>;
}

/** Collects every `event` a client receives. */
function record<T>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

for (const impl of implementations) {
  describe(`chat app on ${impl.name}`, { skip: impl.skip ?? false }, () => {
    const Server = impl.Server!;

    test("refuses a client without a nickname, passing the middleware's err.data", async (t) => {
      const h = await start(t, Server);
      const err = await h.refused({});
      assert.equal(err.message, "nickname required");
      assert.deepEqual(err.data, { code: "NO_NICKNAME", hint: "pass auth: { nickname }" });
      const blank = await h.refused({ auth: { nickname: "  " }, transports: ["websocket"] });
      assert.equal(blank.message, "nickname required");
    });

    test("welcomes clients on polling and websocket with their id and nickname", async (t) => {
      const h = await start(t, Server);
      const alice = await h.join("alice");
      const bob = await h.join("bob", { transports: ["websocket"] });
      assert.deepEqual(alice.welcome, { id: alice.socket.id, nickname: "alice" });
      assert.deepEqual(bob.welcome, { id: bob.socket.id, nickname: "bob" });
      assert.notEqual(alice.socket.id, bob.socket.id);
    });

    test("joins rooms, lists members and announces newcomers to the room only", async (t) => {
      const h = await start(t, Server);
      const alice = await h.join("alice");
      const bob = await h.join("bob", { transports: ["websocket"] });
      const carol = await h.join("carol");
      const carolJoins = record(carol.socket, "user joined");

      assert.deepEqual(await ask(alice.socket, "join", "general"), { ok: true, room: "general", members: ["alice"] });
      assert.deepEqual(await ask(carol.socket, "join", "random"), { ok: true, room: "random", members: ["carol"] });
      const announced = once<[unknown]>(alice.socket, "user joined");
      assert.deepEqual(await ask(bob.socket, "join", "general"), { ok: true, room: "general", members: ["alice", "bob"] });
      assert.deepEqual((await announced)[0], { room: "general", nickname: "bob" });
      assert.deepEqual(await ask(bob.socket, "join", ""), { ok: false, error: "bad room" });

      // Anything meant for carol would have been written to her before this ack.
      assert.deepEqual(await ask(carol.socket, "join", "random"), { ok: true, room: "random", members: ["carol"] });
      assert.deepEqual(carolJoins, []);
    });

    test("broadcasts a message to the room, excluding the sender and other rooms", async (t) => {
      const h = await start(t, Server);
      const alice = await h.join("alice");
      const bob = await h.join("bob", { transports: ["websocket"] });
      const carol = await h.join("carol");
      await ask(alice.socket, "join", "general");
      await ask(bob.socket, "join", "general");
      await ask(carol.socket, "join", "random");
      const aliceGot = record(alice.socket, "message");
      const carolGot = record(carol.socket, "message");

      const received = once<[unknown]>(bob.socket, "message");
      const sent = await ask<{ ok: boolean; seq: number }>(alice.socket, "message", { room: "general", text: "héllo ✓" });
      assert.equal(sent.ok, true);
      assert.deepEqual((await received)[0], { room: "general", from: "alice", text: "héllo ✓", seq: sent.seq });

      assert.deepEqual(await ask(carol.socket, "message", { room: "general", text: "let me in" }), { ok: false, error: "not in room" });
      assert.deepEqual(await ask(alice.socket, "leave", "random"), { ok: false });
      assert.deepEqual(aliceGot, [], "the sender does not get its own message");
      assert.deepEqual(carolGot, [], "another room does not get it");
    });

    test("relays binary payloads and nickname changes to the room", async (t) => {
      const h = await start(t, Server);
      const alice = await h.join("alice", { transports: ["websocket"] });
      const bob = await h.join("bob");
      await ask(alice.socket, "join", "general");
      await ask(bob.socket, "join", "general");

      const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
      const got = once<[{ nickname: string; image: Buffer }]>(bob.socket, "avatar");
      assert.deepEqual(await ask(alice.socket, "avatar", image), { bytes: image.length });
      const [avatar] = await got;
      assert.equal(avatar.nickname, "alice");
      assert.ok(Buffer.isBuffer(avatar.image));
      assert.ok(avatar.image.equals(image));

      const renamed = once<[unknown]>(bob.socket, "user renamed");
      assert.deepEqual(await ask(alice.socket, "nick", "alicia"), { ok: true, previous: "alice" });
      assert.deepEqual((await renamed)[0], { room: "general", from: "alice", to: "alicia" });
    });

    test("collects an ack from every client for a server broadcast", async (t) => {
      const h = await start(t, Server);
      const alice = await h.join("alice");
      const bob = await h.join("bob", { transports: ["websocket"] });
      alice.socket.on("are you there", (ack: (a: string) => void) => ack("alice here"));
      bob.socket.on("are you there", (ack: (a: string) => void) => ack("bob here"));
      assert.deepEqual(await h.app.rollCall(WAIT_MS), ["alice here", "bob here"]);
    });

    test("serves the browser client bundle with a version ETag and revalidation", async (t) => {
      const h = await start(t, Server);
      const res = await fetch(`${h.url}/socket.io/socket.io.min.js`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/javascript; charset=utf-8");
      assert.equal(res.headers.get("cache-control"), "public, max-age=0");
      const etag = res.headers.get("etag");
      assert.match(etag ?? "", /^"\d+\.\d+\.\d+"$/);
      assert.match(await res.text(), /Socket\.IO/);
      const again = await fetch(`${h.url}/socket.io/socket.io.min.js`, { headers: { "if-none-match": etag! } });
      assert.equal(again.status, 304);
      await again.arrayBuffer();
    });

    test("announces departures to the rooms and reports the disconnect reason", async (t) => {
      const h = await start(t, Server);
      const alice = await h.join("alice");
      const bob = await h.join("bob", { transports: ["websocket"] });
      await ask(alice.socket, "join", "general");
      await ask(bob.socket, "join", "general");
      await ask(bob.socket, "join", "games");

      const left = once<[unknown]>(alice.socket, "user left");
      bob.socket.disconnect();
      assert.deepEqual((await left)[0], { room: "general", nickname: "bob" });
      assert.deepEqual(h.app.disconnects, [{ nickname: "bob", reason: "client namespace disconnect" }]);

      const members = await ask<{ members: string[] }>(alice.socket, "join", "general");
      assert.deepEqual(members.members, ["alice"]);
    });
  });
}
