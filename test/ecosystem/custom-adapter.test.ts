/**
 * A company's own adapter, written as socket.io's docs show it: `class extends Adapter` from
 * socket.io-adapter, overriding `broadcast`, given to the server as the `adapter` option.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Server as SocketIoServer } from "socket.io";
import { Adapter, type BroadcastOptions } from "socket.io-adapter";
import { io as ioc } from "socket.io-client";
import { Server as SocketeerServer } from "../../core/index.js";
import { listen } from "../helpers/listen.js";
import { withTimeout } from "../helpers/wait.js";
import { installApp, type Io } from "./fixtures/app.js";
import { COMPAT_TODO, SERVER, peer, waitFor } from "./support.js";

const Server = (SERVER === "socket.io" ? SocketIoServer : SocketeerServer) as unknown as typeof SocketIoServer;

interface Seen {
  nsp: string;
  data: unknown;
  rooms: string[];
  except: string[];
  flags: unknown;
}

/** Records what it is asked to broadcast, drops events named "secret", delivers the rest. */
class AuditAdapter extends Adapter {
  static readonly seen: Seen[] = [];

  override broadcast(packet: { data?: unknown[] }, opts: BroadcastOptions): void {
    AuditAdapter.seen.push({ nsp: this.nsp.name, data: packet.data, rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: { ...opts.flags } });
    if (packet.data?.[0] === "secret") return;
    super.broadcast(packet, opts);
  }
}

describe(`a custom adapter (class extends Adapter, overriding broadcast) on ${SERVER}`, { todo: COMPAT_TODO["custom-adapter"] }, () => {
  test("every broadcast goes through the override, which decides what reaches the clients", { todo: COMPAT_TODO["custom-adapter"] }, async (t) => {
    const { server, url } = await listen(undefined);
    const io: Io = new Server(server, { adapter: AuditAdapter as unknown as NonNullable<ConstructorParameters<typeof SocketIoServer>[1]>["adapter"] });
    t.after(() => {
      const closing = io.close();
      server.closeAllConnections();
      return closing;
    });
    installApp(io, "A", () => {});
    assert.ok(io.of("/").adapter instanceof AuditAdapter);

    const connect = async (name: string, transports: ("polling" | "websocket")[]) => {
      const p = peer(name, ioc(url, { forceNew: true, reconnection: false, transports, auth: { name } }));
      t.after(() => p.socket.disconnect());
      await p.next("connect");
      return p;
    };
    const [one, two] = await Promise.all([connect("one", ["websocket"]), connect("two", ["polling"])]);
    const joined: [string, string][] = [];
    io.of("/").adapter.on("join-room", (room: string, id: string) => void joined.push([room, id]));
    await withTimeout(one.socket.emitWithAck("join", "red"));
    assert.deepEqual(joined, [["red", one.socket.id]]);
    assert.deepEqual([...(io.of("/").adapter.rooms.get("red") ?? [])], [one.socket.id]);

    const all = [waitFor(one, "hello"), waitFor(two, "hello")];
    io.emit("hello", 1);
    for (const args of await Promise.all(all)) assert.deepEqual(args, [1]);

    const red = waitFor(one, "hello", (a) => a[0] === "red");
    io.to("red").except("blue").emit("hello", "red");
    await red;

    io.emit("secret", "x");
    const marker = [waitFor(one, "marker"), waitFor(two, "marker")];
    io.emit("marker");
    await Promise.all(marker);
    assert.equal(one.seen.has("secret") || two.seen.has("secret"), false);

    const mine = AuditAdapter.seen.filter((s) => s.nsp === "/");
    assert.deepEqual(
      mine.map((s) => [s.data, s.rooms, s.except]),
      [
        [["hello", 1], [], []],
        [["hello", "red"], ["red"], ["blue"]],
        [["secret", "x"], [], []],
        [["marker"], [], []],
      ],
    );

    // The flags socket.io hands its adapter, as it hands them.
    AuditAdapter.seen.length = 0;
    const flagged = [waitFor(one, "flagged", (a) => a[0] === "local"), waitFor(two, "flagged", (a) => a[0] === "local")];
    io.volatile.emit("flagged", "volatile");
    io.compress(false).emit("flagged", "uncompressed");
    io.local.emit("flagged", "local");
    await Promise.all(flagged);
    assert.deepEqual(
      AuditAdapter.seen.map((s) => s.flags),
      [{ volatile: true }, { compress: false }, { local: true }],
    );

    // The broadcast acks of socket.io-adapter's base class still reach every client.
    const acks = await withTimeout(io.timeout(2_000).emitWithAck("q"));
    assert.deepEqual([...(acks as string[])].sort(), ["one", "two"]);
  });
});
