import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Metrics, type MetricsGaugeSource } from "../../../core/metrics/index.js";

const empty: MetricsGaugeSource = { forEachSession() {}, forEachNamespace() {} };

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe("Metrics", () => {
  test("counts events, bytes, drops, connects and disconnects", () => {
    const m = new Metrics();
    m.countEventIn();
    m.countEventIn();
    m.countEventsOut(5);
    m.countBytesIn(10);
    m.countBytesOut(30);
    m.countVolatileDrop();
    m.countConnect();
    m.countDisconnect("transport close");
    m.countDisconnect("transport close");
    m.countDisconnect("ping timeout");
    const s = m.snapshot(empty);
    assert.equal(s.events.in, 2);
    assert.equal(s.events.out, 5);
    assert.equal(s.bytes.in, 10);
    assert.equal(s.bytes.out, 30);
    assert.equal(s.volatileDropped, 1);
    assert.equal(s.connections.opened, 1);
    assert.equal(s.disconnects.total, 3);
    assert.deepEqual(s.disconnects.byReason, { "transport close": 2, "ping timeout": 1 });
  });

  test("counts frame bytes in and out, and events among the packets written", () => {
    const m = new Metrics();
    m.countFrameIn('2["hi"]');
    m.countFrameIn(new Uint8Array(4));
    const broadcast = '2["msg","é"]'; // é is two bytes in UTF-8
    m.countPacketOut([broadcast]);
    m.countPacketOut([broadcast]);
    m.countPacketOut(['51-["file",{"_placeholder":true,"num":0}]', Buffer.alloc(10)]);
    m.countPacketOut(["31[]"]); // an ACK is not an event
    m.countPacketOut(["0{\"sid\":\"x\"}"]); // nor is a CONNECT
    const s = m.snapshot(empty);
    assert.equal(s.bytes.in, 7 + 4);
    assert.equal(s.events.out, 3);
    const expected = 2 * Buffer.byteLength(broadcast) + 41 + 10 + 4 + 12;
    assert.equal(s.bytes.out, expected);
  });

  test("reads connections by transport and buffered bytes from the source", () => {
    const m = new Metrics();
    const s = m.snapshot({
      forEachSession(fn) {
        fn("polling", 10);
        fn("websocket", 0);
        fn("websocket", 5);
      },
      forEachNamespace() {},
    });
    assert.equal(s.connections.total, 3);
    assert.deepEqual(s.connections.byTransport, { polling: 1, websocket: 2 });
    assert.equal(s.bytes.buffered, 15);
  });

  test("lists application rooms by size and leaves each socket's own room out", () => {
    const m = new Metrics();
    const sockets = new Set(["a", "b", "c"]);
    const rooms = new Map<string, Set<string>>([
      ["a", new Set(["a"])],
      ["b", new Set(["b"])],
      ["c", new Set(["c"])],
      ["small", new Set(["a"])],
      ["big", new Set(["a", "b", "c"])],
      ["mid", new Set(["b", "c"])],
    ]);
    const source: MetricsGaugeSource = {
      forEachSession() {},
      forEachNamespace(fn) {
        fn("/", sockets, rooms);
        fn("/admin", new Set<string>(), new Map());
      },
    };
    const s = m.snapshot(source, { maxRooms: 2 });
    assert.deepEqual(s.namespaces["/"], { sockets: 3, roomCount: 3, rooms: { big: 3, mid: 2 } });
    assert.deepEqual(Object.keys(s.namespaces["/"]!.rooms), ["big", "mid"]);
    assert.deepEqual(s.namespaces["/admin"], { sockets: 0, roomCount: 0, rooms: {} });
  });

  test("computes per-second rates from recent snapshots", () => {
    const c = clock();
    const m = new Metrics(c.now);
    c.advance(1000);
    m.countEventIn();
    m.countEventIn();
    m.countBytesOut(100);
    let s = m.snapshot(empty);
    assert.equal(s.events.inPerSecond, 2, "the first snapshot averages since start");
    assert.equal(s.bytes.outPerSecond, 100);
    c.advance(2000);
    for (let i = 0; i < 10; i++) m.countEventsOut(1);
    s = m.snapshot(empty);
    assert.equal(s.events.outPerSecond, 5);
    assert.equal(s.events.inPerSecond, 0);
    assert.equal(s.uptimeSeconds, 3);
    c.advance(60_000);
    s = m.snapshot(empty);
    assert.equal(s.events.outPerSecond, 0, "an idle minute brings rates back to zero");
  });

  test("bounds the number of distinct disconnect reasons", () => {
    const m = new Metrics();
    for (let i = 0; i < 100; i++) m.countDisconnect(`reason ${i}`);
    const s = m.snapshot(empty);
    assert.equal(s.disconnects.total, 100);
    assert.ok(Object.keys(s.disconnects.byReason).length <= 33);
    assert.equal(s.disconnects.byReason.other, 68);
  });

  test("returns a JSON-serialisable snapshot", () => {
    const m = new Metrics();
    m.countDisconnect("server shutting down");
    const s = m.snapshot(empty);
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  });
});
