/**
 * The migration guide, done for real: a small Express + socket.io app (fixtures/express-socketio-app.ts)
 * and the same app after the migration (fixtures/express-socketeer-app.ts) differ only in the import of
 * `Server`, pass the same client checks with the official socket.io-client, and the guide
 * (docs/migrating-from-socket-io.md) shows the migrated file as it is.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { once } from "../helpers/wait.js";
import { codeBlocks, root } from "./support.js";
import * as before from "./fixtures/express-socketio-app.js";
import * as after from "./fixtures/express-socketeer-app.js";

const fixtures = join(root, "test", "docs", "fixtures");
/** A fixture's code without its module comment. */
const code = (name: string): string => readFileSync(join(fixtures, name), "utf8").replace(/^\/\*\*[\s\S]*?\*\/\n/, "");
const importOfServer = /^import \{ Server \} from "(socket\.io|socketeer)";$/m;

test("the migrated app is the socket.io app with one import changed", () => {
  const was = code("express-socketio-app.ts");
  const now = code("express-socketeer-app.ts");
  assert.equal(importOfServer.exec(was)?.[1], "socket.io");
  assert.equal(importOfServer.exec(now)?.[1], "socketeer");
  assert.equal(now.replace(importOfServer, ""), was.replace(importOfServer, ""));
});

test("docs/migrating-from-socket-io.md shows the migrated app as it is", () => {
  const blocks = codeBlocks("docs/migrating-from-socket-io.md").map((b) => b.code.trim());
  assert.ok(blocks.includes(code("express-socketeer-app.ts").trim()), "the guide's example is not the tested file");
});

type Client = ClientSocket;

function client(t: TestContext, url: string, nick: string | undefined, transports: ("polling" | "websocket")[]): Client {
  const c = ioc(url, { forceNew: true, reconnection: false, transports, auth: nick === undefined ? {} : { nick } });
  t.after(() => {
    c.disconnect();
  });
  return c;
}

async function connected(c: Client): Promise<Client> {
  if (!c.connected) await once(c, "connect");
  return c;
}

for (const [name, app] of [["socket.io", before], ["Socketeer", after]] as const) {
  for (const transports of [["websocket"], ["polling"]] as ("polling" | "websocket")[][]) {
    describe(`the Express chat on ${name} (${transports.join("")})`, () => {
      test("serves its routes, refuses a client without nickname, joins, broadcasts to a room", async (t) => {
        const running = await app.startApp();
        t.after(() => running.close());

        const health = await fetch(`${running.url}/health`);
        assert.deepEqual(await health.json(), { ok: true });

        const anonymous = client(t, running.url, undefined, transports);
        const [err] = await once<[Error]>(anonymous, "connect_error");
        assert.equal(err.message, "nickname required");

        const alice = await connected(client(t, running.url, "alice", transports));
        const bob = await connected(client(t, running.url, "bob", transports));
        const carol = await connected(client(t, running.url, "carol", transports));

        assert.deepEqual(await alice.emitWithAck("join", "lobby"), { room: "lobby", members: ["alice"] });
        const joined = once<[string]>(alice, "joined");
        assert.deepEqual(await bob.emitWithAck("join", "lobby"), { room: "lobby", members: ["alice", "bob"] });
        assert.deepEqual(await joined, ["bob"]);

        let carolHeard = 0;
        carol.on("said", () => carolHeard++);
        let aliceHeardHerself = 0;
        alice.on("said", () => aliceHeardHerself++);
        const said = once<[string, string]>(bob, "said");
        carol.emit("say", "lobby", "not a member"); // refused: carol is not in the room
        alice.emit("say", "lobby", "hello");
        assert.deepEqual(await said, ["alice", "hello"]);
        // a round trip after the broadcast: anything else would have arrived before the ack
        assert.deepEqual(await carol.emitWithAck("join", "other"), { room: "other", members: ["carol"] });
        assert.deepEqual(await alice.emitWithAck("join", "lobby"), { room: "lobby", members: ["alice", "bob"] });
        assert.equal(carolHeard, 0);
        assert.equal(aliceHeardHerself, 0);
      });
    });
  }
}
