/**
 * @module test/unit/adapter — the in-memory adapters against fake sockets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Adapter, SessionAwareAdapter } from "../../../core/adapter/index.js";
import type { AdapterNamespace, AdapterSocket, EncodedPacket, Packet, WriteOptions } from "../../../core/adapter/index.js";
import { kNextAckId, kNotifyOutgoing, kOnServerSideEmit, kWriteEncoded } from "../../../core/contracts.js";

interface FakeSocket extends AdapterSocket {
  written: { encoded: readonly EncodedPacket[]; opts: WriteOptions }[];
  acks: Map<number, (...args: unknown[]) => void>;
}

function setup(AdapterClass: typeof Adapter = Adapter) {
  let encodes = 0;
  let ackId = 0;
  const sockets = new Map<string, FakeSocket>();
  const nsp: AdapterNamespace = {
    name: "/",
    sockets,
    server: {
      encoder: { encode: (p: Packet) => (encodes++, [JSON.stringify(p)]) },
      recovery: { maxDisconnectionDuration: 60_000, maxPersistedPackets: 3 },
    },
    [kNextAckId]: () => ackId++,
    [kOnServerSideEmit]: () => {},
  };
  const adapter = new AdapterClass(nsp);
  const add = (id: string, ...rooms: string[]) => {
    const s: FakeSocket = {
      id,
      handshake: {} as FakeSocket["handshake"],
      rooms: new Set([id, ...rooms]),
      data: {},
      written: [],
      acks: new Map(),
      join: (r) => void adapter.addAll(id, new Set(Array.isArray(r) ? r : [r])),
      leave: (r) => void adapter.del(id, r),
      disconnect: () => adapter.delAll(id),
      [kWriteEncoded](encoded, opts) {
        this.written.push({ encoded, opts });
      },
      [kNotifyOutgoing]() {},
    };
    sockets.set(id, s);
    void adapter.addAll(id, new Set([id, ...rooms]));
    return s;
  };
  return { adapter, add, encodes: () => encodes };
}

test("tracks rooms and emits create/join/leave/delete-room", () => {
  const { adapter, add } = setup();
  const events: string[] = [];
  for (const ev of ["create-room", "delete-room", "join-room", "leave-room"]) {
    adapter.on(ev, (...a: unknown[]) => events.push(`${ev}:${a.join(",")}`));
  }
  add("a", "r1");
  assert.deepEqual([...adapter.rooms.get("r1")!], ["a"]);
  void adapter.del("a", "r1");
  assert.equal(adapter.rooms.has("r1"), false);
  adapter.delAll("a");
  assert.equal(adapter.sids.has("a"), false);
  assert.deepEqual(events, [
    "create-room:a", "join-room:a,a", "create-room:r1", "join-room:r1,a",
    "leave-room:r1,a", "delete-room:r1", "leave-room:a,a", "delete-room:a",
  ]);
});

test("broadcast encodes once and reaches a socket in two target rooms once", () => {
  const { adapter, add, encodes } = setup();
  const a = add("a", "r1", "r2");
  const b = add("b", "r2");
  const c = add("c", "r3");
  adapter.broadcast({ type: 2, nsp: "/", data: ["hi"] }, { rooms: new Set(["r1", "r2"]), except: new Set() });
  assert.equal(encodes(), 1);
  assert.equal(a.written.length, 1);
  assert.equal(b.written.length, 1);
  assert.equal(c.written.length, 0);
  assert.equal(a.written[0]!.encoded, b.written[0]!.encoded);
  // the engine's message is prepared once and shared by every recipient
  assert.equal(a.written[0]!.opts.prepared?.payload.toString(), "4" + String(a.written[0]!.encoded[0]));
  assert.equal(a.written[0]!.opts.prepared, b.written[0]!.opts.prepared);
});

test("broadcast honours except rooms and an empty room set means everyone", async () => {
  const { adapter, add } = setup();
  const a = add("a", "r1");
  const b = add("b");
  adapter.broadcast({ type: 2, nsp: "/", data: ["x"] }, { rooms: new Set(), except: new Set(["r1"]) });
  assert.equal(a.written.length, 0);
  assert.equal(b.written.length, 1);
  assert.deepEqual([...(await adapter.sockets(new Set()))].sort(), ["a", "b"]);
  assert.deepEqual([...(await adapter.sockets(new Set(["r1"])))], ["a"]);
  assert.deepEqual([...adapter.socketRooms("a")!].sort(), ["a", "r1"]);
});

test("broadcastWithAck registers one id on every recipient and reports the count", () => {
  const { adapter, add } = setup();
  const a = add("a");
  const b = add("b");
  let count = -1;
  const packet: Packet = { type: 2, nsp: "/", data: ["q"] };
  adapter.broadcastWithAck(packet, { rooms: new Set() }, (n) => (count = n), () => {});
  assert.equal(count, 2);
  assert.equal(typeof packet.id, "number");
  assert.ok(a.acks.has(packet.id!) && b.acks.has(packet.id!));
});

test("addSockets, delSockets, disconnectSockets and fetchSockets act on matching sockets", async () => {
  const { adapter, add } = setup();
  add("a", "r1");
  add("b");
  adapter.addSockets({ rooms: new Set(["r1"]) }, ["r9"]);
  assert.deepEqual([...adapter.rooms.get("r9")!], ["a"]);
  adapter.delSockets({ rooms: new Set() }, ["r9"]);
  assert.equal(adapter.rooms.has("r9"), false);
  assert.equal((await adapter.fetchSockets({ rooms: new Set() })).length, 2);
  adapter.disconnectSockets({ rooms: new Set(["r1"]) }, false);
  assert.equal(adapter.sids.has("a"), false);
  assert.equal(await adapter.serverCount(), 1);
});

test("serverSideEmit with an ack answers at once with no responses", () => {
  const { adapter } = setup();
  let got: unknown[] | undefined;
  adapter.serverSideEmit(["ev", (err: unknown, r: unknown[]) => (got = [err, r])]);
  assert.deepEqual(got, [null, []]);
});

test("SessionAwareAdapter tags events with offsets and replays missed ones for the session's rooms", async () => {
  const { adapter, add } = setup(SessionAwareAdapter);
  add("a", "r1");
  const p1: Packet = { type: 2, nsp: "/", data: ["e1"] };
  adapter.broadcast(p1, { rooms: new Set() });
  const offset = (p1.data as unknown[])[1] as string;
  assert.equal(typeof offset, "string");
  adapter.persistSession({ sid: "a", pid: "p", rooms: ["a", "r1"], data: {} });
  adapter.broadcast({ type: 2, nsp: "/", data: ["e2"] }, { rooms: new Set(["r1"]) });
  adapter.broadcast({ type: 2, nsp: "/", data: ["e3"] }, { rooms: new Set(["other"]) });
  adapter.broadcast({ type: 2, nsp: "/", data: ["v"] }, { rooms: new Set(), flags: { volatile: true } });
  const session = await adapter.restoreSession("p", offset);
  assert.ok(session);
  assert.deepEqual(session.missedPackets.map((d) => d[0]), ["e2"]);
  assert.equal(await adapter.restoreSession("p", offset), null, "a session is restored once");
  adapter.close();
});

test("SessionAwareAdapter drops the oldest packets past the count cap", async () => {
  const { adapter } = setup(SessionAwareAdapter);
  const first: Packet = { type: 2, nsp: "/", data: ["e0"] };
  adapter.broadcast(first, { rooms: new Set() });
  adapter.persistSession({ sid: "a", pid: "p", rooms: ["a"], data: {} });
  for (let i = 1; i <= 3; i++) adapter.broadcast({ type: 2, nsp: "/", data: [`e${i}`] }, { rooms: new Set() });
  assert.equal(await adapter.restoreSession("p", (first.data as string[])[1]!), null);
  adapter.close();
});

test("SessionAwareAdapter forgets sessions and packets older than maxDisconnectionDuration", async (t) => {
  t.mock.timers.enable({ apis: ["Date", "setInterval"], now: 1_000_000 });
  const { adapter } = setup(SessionAwareAdapter);
  const first: Packet = { type: 2, nsp: "/", data: ["e0"] };
  adapter.broadcast(first, { rooms: new Set() });
  adapter.persistSession({ sid: "a", pid: "p", rooms: ["a"], data: {} });
  adapter.persistSession({ sid: "b", pid: "q", rooms: ["b"], data: {} });
  t.mock.timers.tick(30_000);
  const recent = await adapter.restoreSession("q", (first.data as string[])[1]!);
  assert.ok(recent, "within the window the session is restored");
  t.mock.timers.tick(60_001);
  assert.equal(await adapter.restoreSession("p", (first.data as string[])[1]!), null);
  adapter.close();
});
