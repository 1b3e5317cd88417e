/**
 * @socket.io/admin-ui's instrument(io, { auth: false }) on a Socketeer server: the /admin
 * namespace serves the server stats, the socket list (id, transport, address, rooms), room,
 * transport and event updates, and its join / leave / disconnect actions act on our sockets.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { instrument } from "@socket.io/admin-ui";
import { Server as SocketIoServer } from "socket.io";
import { io as ioc } from "socket.io-client";
import { Server as SocketeerServer } from "../../core/index.js";
import { listen } from "../helpers/listen.js";
import { once, withTimeout } from "../helpers/wait.js";
import { installApp, type Io } from "./fixtures/app.js";
import { COMPAT_TODO, SERVER, peer, waitFor, type Peer } from "./support.js";

const Server = (SERVER === "socket.io" ? SocketIoServer : SocketeerServer) as unknown as typeof SocketIoServer;

interface Serialized {
  id: string;
  nsp: string;
  transport: string;
  handshake: { address: string };
  rooms: string[];
}

interface Stats {
  clientsCount: number;
  namespaces: { name: string; socketsCount: number }[];
}

describe(`@socket.io/admin-ui instrument(io, { auth: false }) on ${SERVER}`, { todo: COMPAT_TODO["admin-ui"] }, () => {
  test("the /admin namespace reports and acts on the server's sockets", { todo: COMPAT_TODO["admin-ui"] }, async (t) => {
    // io.close() closes the HTTP server too (socket.io's contract); its WebSocket connections are
    // upgraded sockets that the HTTP server's own close would wait on forever.
    const { server, url } = await listen(undefined);
    const io: Io = new Server(server);
    t.after(() => {
      const closing = io.close();
      server.closeAllConnections(); // idle keep-alive polling connections would hold close() open
      return closing;
    });
    installApp(io, "A", () => {});
    // As the README shows it; `mode` pinned so a NODE_ENV=production CI keeps the verbose events.
    instrument(io, { auth: false, mode: "development" });

    // The admin first, so it sees the user arrive over polling and upgrade to WebSocket.
    const admin = peer("admin", ioc(`${url}/admin`, { forceNew: true, reconnection: false, transports: ["websocket"] }));
    t.after(() => admin.socket.disconnect());
    const config = admin.next("config");
    await admin.next("connect");
    const features = ((await config)[0] as { supportedFeatures: string[] }).supportedFeatures;
    for (const f of ["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "ALL_EVENTS"]) assert.ok(features.includes(f), f);

    const arrived = waitFor(admin, "socket_connected", (a) => (a[0] as Serialized).nsp === "/");
    const upgraded = waitFor(admin, "socket_updated", (a) => (a[0] as { transport?: string }).transport === "websocket");
    const user: Peer = peer("user", ioc(url, { forceNew: true, reconnection: false, auth: { name: "user" } }));
    t.after(() => user.socket.disconnect());
    await user.next("connect");
    const [connected] = (await arrived) as [Serialized];
    assert.deepEqual([connected.id, connected.transport, connected.rooms], [user.socket.id, "polling", [user.socket.id]]);
    assert.match(connected.handshake.address, /127\.0\.0\.1/);
    assert.equal(((await upgraded)[0] as { id: string }).id, user.socket.id);

    // A second admin gets the socket list, and the stats every 2 s.
    const admin2 = peer("admin2", ioc(`${url}/admin`, { forceNew: true, reconnection: false, transports: ["websocket"] }));
    t.after(() => admin2.socket.disconnect());
    const allSockets = admin2.next("all_sockets");
    const stats = waitFor(admin2, "server_stats", (a) => (a[0] as Stats).namespaces.some((n) => n.name === "/" && n.socketsCount === 1), 5_000);
    const [list] = (await allSockets) as [Serialized[]];
    const listed = list.find((s) => s.id === user.socket.id);
    assert.ok(listed, `user socket ${user.socket.id} not in ${JSON.stringify(list.map((s) => s.id))}`);
    assert.deepEqual([listed.nsp, listed.transport, listed.rooms], ["/", "websocket", [user.socket.id]]);
    assert.match(listed.handshake.address, /127\.0\.0\.1/);
    const [s] = (await stats) as [Stats];
    assert.ok(s.clientsCount >= 3, JSON.stringify(s));
    assert.deepEqual(s.namespaces.map((n) => n.name).sort(), ["/", "/admin", "/chat"]);

    // Room and event updates.
    const joined = waitFor(admin, "room_joined", (a) => a[1] === "lobby");
    await withTimeout(user.socket.emitWithAck("join", "lobby"));
    assert.deepEqual((await joined).slice(0, 3), ["/", "lobby", user.socket.id]);
    const received = waitFor(admin, "event_received", (a) => a[1] === user.socket.id);
    user.socket.emit("chat", "hi");
    assert.deepEqual((await received).slice(0, 3), ["/", user.socket.id, ["chat", "hi"]]);
    const sent = waitFor(admin, "event_sent", (a) => a[1] === user.socket.id);
    io.to(user.socket.id!).emit("news", 1);
    assert.deepEqual((await sent).slice(0, 3), ["/", user.socket.id, ["news", 1]]);

    // Actions.
    const vip = waitFor(admin, "room_joined", (a) => a[1] === "vip");
    admin.socket.emit("join", "/", "vip", user.socket.id);
    await vip;
    assert.ok(io.of("/").sockets.get(user.socket.id!)!.rooms.has("vip"));
    const left = waitFor(admin, "room_left", (a) => a[1] === "vip");
    admin.socket.emit("leave", "/", "vip", user.socket.id);
    await left;
    assert.equal(io.of("/").sockets.get(user.socket.id!)!.rooms.has("vip"), false);
    const emitted = waitFor(user, "from-admin");
    admin.socket.emit("emit", "/", user.socket.id, "from-admin", 42);
    assert.deepEqual(await emitted, [42]);
    const id = user.socket.id;
    const bye = waitFor(admin, "socket_disconnected", (a) => a[1] === id);
    const gone = once<[string]>(user.socket, "disconnect");
    admin.socket.emit("_disconnect", "/", false, id);
    assert.equal((await gone)[0], "io server disconnect");
    assert.deepEqual((await bye).slice(0, 3), ["/", id, "server namespace disconnect"]);
  });
});
