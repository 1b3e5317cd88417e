/**
 * @module test/unit/adapter/room-index — a socket's own room without a Set (issue 18): the
 * adapter's `rooms` and `sids` still read as socket.io's `Map<string, Set<string>>`, each Set live
 * and stable once read, and the adapter's room events unchanged.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { Adapter } from "../../../core/adapter/index.js";
import type { AdapterNamespace, Packet } from "../../../core/adapter/index.js";
import { RoomIndex, roomSizes } from "../../../core/adapter/room-index.js";
import { kNextAckId, kOnServerSideEmit } from "../../../core/contracts.js";

function adapter(): { adapter: Adapter; events: string[] } {
  const nsp: AdapterNamespace = {
    name: "/",
    sockets: new Map(),
    server: { encoder: { encode: (p: Packet) => [JSON.stringify(p)] }, recovery: undefined },
    [kNextAckId]: () => 0,
    [kOnServerSideEmit]: () => {},
  };
  const a = new Adapter(nsp);
  const events: string[] = [];
  for (const ev of ["create-room", "delete-room", "join-room", "leave-room"]) {
    a.on(ev, (...args: unknown[]) => events.push(`${ev}:${args.join(",")}`));
  }
  return { adapter: a, events };
}

test("RoomIndex: a self entry reads as the Set of its key, built once and kept", () => {
  const index = new RoomIndex();
  index.setSelf("a");
  index.set("r", new Set(["a", "b"]));
  assert.equal(index.peek("a"), true);
  assert.equal(index.size, 2);
  assert.deepEqual([...roomSizes(index)].map(([k, v]) => [k, v.size]), [["a", 1], ["r", 2]]);
  assert.equal(index.peek("a"), true, "roomSizes builds no Set");
  assert.match(inspect(index), /'a' => Set\(1\) \{ 'a' \}/);
  assert.equal(index.peek("a"), true, "inspect keeps no Set");
  const first = index.get("a")!;
  assert.deepEqual([...first], ["a"]);
  assert.equal(index.get("a"), first, "the same Set on every read");
  first.add("z");
  assert.deepEqual([...index.get("a")!], ["a", "z"], "a reader's change is kept, as with a plain Map");
  const other = new RoomIndex();
  other.setSelf("x");
  assert.deepEqual([...other].map(([k, v]) => [k, [...v]]), [["x", ["x"]]]);
  assert.deepEqual([...other.values()].map((v) => [...v]), [["x"]]);
  const seen: string[] = [];
  other.forEach((v, k) => seen.push(`${k}:${[...v].join()}`));
  assert.deepEqual(seen, ["x:x"]);
  assert.deepEqual([...new Map(other)].map(([k, v]) => [k, [...v]]), [["x", ["x"]]]);
});

test("Adapter: the own room is held without a Set and reads as socket.io's", () => {
  const { adapter: a, events } = adapter();
  void a.addAll("s1", new Set(["s1"]));
  void a.addAll("s2", new Set(["s2"]));
  assert.equal((a.rooms as RoomIndex).peek("s1"), true);
  assert.equal((a.sids as RoomIndex).peek("s1"), true);
  assert.deepEqual(events, ["create-room:s1", "join-room:s1,s1", "create-room:s2", "join-room:s2,s2"]);
  assert.deepEqual([...a.rooms.keys()], ["s1", "s2"]);
  assert.deepEqual([...a.sids.get("s1")!], ["s1"]);
  assert.deepEqual([...a.rooms.get("s1")!], ["s1"]);
  // joining a room: the socket's rooms become a real Set
  events.length = 0;
  void a.addAll("s2", new Set(["red"]));
  assert.deepEqual([...a.sids.get("s2")!], ["s2", "red"]);
  assert.deepEqual(events, ["create-room:red", "join-room:red,s2"]);
  // another socket joining a room named after a socket id
  events.length = 0;
  void a.addAll("s2", new Set(["s1"]));
  assert.deepEqual([...a.rooms.get("s1")!], ["s1", "s2"]);
  assert.deepEqual(events, ["join-room:s1,s2"]);
  // joining one's own room again: nothing happens
  events.length = 0;
  void a.addAll("s1", new Set(["s1"]));
  assert.deepEqual(events, []);
});

test("Adapter: leaving the own room and disconnecting emit as before", async () => {
  const { adapter: a, events } = adapter();
  void a.addAll("s1", new Set(["s1"]));
  void a.addAll("s3", new Set(["s3"]));
  events.length = 0;
  void a.del("s1", "s1");
  assert.deepEqual(events, ["leave-room:s1,s1", "delete-room:s1"]);
  assert.equal(a.rooms.has("s1"), false);
  // as socket.io-adapter: the socket is still known, in no room
  assert.deepEqual([...a.sids.get("s1")!], []);
  events.length = 0;
  a.delAll("s3");
  assert.deepEqual(events, ["leave-room:s3,s3", "delete-room:s3"]);
  assert.equal(a.sids.has("s3"), false);
  assert.equal(a.rooms.size, 0);
  // broadcasting to a socket's own room still finds it
  void a.addAll("s4", new Set(["s4"]));
  assert.deepEqual([...(await a.sockets(new Set(["s4"])))], []);
  assert.equal((a.rooms as RoomIndex).peek("s4"), true, "a broadcast builds no Set");
});
