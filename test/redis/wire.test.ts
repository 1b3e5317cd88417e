import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeFrame, encodeFrame } from "../../integrations/redis/wire.js";
import * as notepack from "notepack.io";
import { MESSAGE_TYPE, parseMessage, type NodeMessage } from "../../integrations/redis/messages.js";
import { classicRecoveryKeys, shardedRecoveryKeys } from "../../integrations/redis/channels.js";
import { msgpack } from "../../integrations/redis/codec.js";
import { ClassicWire } from "../../integrations/redis/protocol-classic.js";
import { ShardedWire } from "../../integrations/redis/protocol-sharded.js";
import type { Wire } from "../../integrations/redis/wires.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe("encodeFrame / decodeFrame", () => {
  test("round-trips JSON values as JSON.stringify would serialize them", () => {
    const when = new Date(0);
    const value = { a: 1, b: "two", c: [true, null, undefined], d: { e: when }, f: undefined };
    assert.deepEqual(decodeFrame(encodeFrame(value)), JSON.parse(JSON.stringify(value)));
    assert.equal(decodeFrame(encodeFrame(undefined)), null);
    assert.equal(decodeFrame(encodeFrame("é✓")), "é✓");
  });

  test("carries binary values raw, at any depth, and returns them as Buffers", () => {
    const u8 = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const ab = new Uint8Array([9, 8]).buffer;
    const big = Buffer.alloc(70_000, 7);
    const out = decodeFrame(encodeFrame(["file", { u8, nested: [ab, { big }] }, Buffer.from("hi")])) as unknown[];
    assert.equal(out[0], "file");
    const obj = out[1] as { u8: Buffer; nested: [Buffer, { big: Buffer }] };
    assert.ok(Buffer.isBuffer(obj.u8));
    assert.deepEqual([...obj.u8], [2, 3]);
    assert.deepEqual([...obj.nested[0]], [9, 8]);
    assert.ok(obj.nested[1].big.equals(big));
    assert.equal((out[2] as Buffer).toString(), "hi");
  });

  test("keeps user keys that look like the placeholder key distinct from placeholders", () => {
    const tricky = { "\u0000b": 0, "\u0000\u0000x": "y", plain: Buffer.from([5]) };
    const out = decodeFrame(encodeFrame(tricky)) as Record<string, unknown>;
    assert.equal(out["\u0000b"], 0);
    assert.equal(out["\u0000\u0000x"], "y");
    assert.deepEqual([...(out.plain as Buffer)], [5]);
  });

  test("is smaller than base64 for binary payloads", () => {
    const payload = Buffer.alloc(3000, 1);
    assert.ok(encodeFrame([payload]).length < payload.toString("base64").length);
  });

  test("rejects malformed frames with SKT_ERR_REDIS_INVALID_MESSAGE", () => {
    const good = encodeFrame(["x", Buffer.from([1, 2, 3])]);
    const cases: Buffer[] = [
      Buffer.alloc(3),
      Buffer.concat([Buffer.from([2]), good.subarray(1)]),
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Buffer.from([0])]),
      (() => {
        const b = Buffer.from(good);
        b.writeUInt32BE(0xffffffff, 1);
        return b;
      })(),
      (() => {
        const json = Buffer.from('{"\\u0000b":3}');
        const b = Buffer.alloc(9 + json.length);
        b.writeUInt8(1, 0);
        b.writeUInt32BE(json.length, 1);
        json.copy(b, 5);
        b.writeUInt32BE(0, 5 + json.length);
        return b;
      })(),
      (() => {
        const json = Buffer.from("{not json");
        const b = Buffer.alloc(9 + json.length);
        b.writeUInt8(1, 0);
        b.writeUInt32BE(json.length, 1);
        json.copy(b, 5);
        return b;
      })(),
    ];
    for (const frame of cases) assert.equal(codeOf(() => decodeFrame(frame)), "SKT_ERR_REDIS_INVALID_MESSAGE");
  });

  test("refuses values nested deeper than the limit instead of overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    assert.equal(codeOf(() => encodeFrame(deep)), "SKT_ERR_REDIS_INVALID_MESSAGE");
  });
});

const classic = (uid = "n"): ClassicWire => new ClassicWire({ key: "app", parser: msgpack, publishOnSpecificResponseChannel: false }, "/", uid);

describe("messages on both wires", () => {
  const opts = { rooms: ["r1"], except: ["x"], flags: { volatile: true } };
  const messages: NodeMessage[] = [
    { type: MESSAGE_TYPE.BROADCAST, uid: "n", packet: { type: 2, nsp: "/", data: ["ev", Buffer.from([1])] }, opts },
    { type: MESSAGE_TYPE.BROADCAST, uid: "n", packet: { type: 2, nsp: "/", data: ["ev"] }, opts, offset: "o1" },
    { type: MESSAGE_TYPE.BROADCAST, uid: "n", packet: { type: 2, nsp: "/", data: ["ev"] }, opts, rid: "r" },
    { type: MESSAGE_TYPE.BROADCAST_CLIENT_COUNT, uid: "n", rid: "r", count: 3 },
    { type: MESSAGE_TYPE.BROADCAST_ACK, uid: "n", rid: "r", args: [Buffer.from([2])] },
    { type: MESSAGE_TYPE.SOCKETS_JOIN, uid: "n", opts, rooms: ["a"] },
    { type: MESSAGE_TYPE.SOCKETS_LEAVE, uid: "n", opts, rooms: ["a"] },
    { type: MESSAGE_TYPE.DISCONNECT_SOCKETS, uid: "n", opts, close: true },
    { type: MESSAGE_TYPE.FETCH_SOCKETS, uid: "n", rid: "r", opts },
    { type: MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE, uid: "n", rid: "r", sockets: [{ id: "s", handshake: { auth: {} } as never, rooms: ["s"], data: { k: 1 } }] },
    { type: MESSAGE_TYPE.SERVER_SIDE_EMIT, uid: "n", data: ["hello", 1] },
    { type: MESSAGE_TYPE.SERVER_SIDE_EMIT, uid: "n", rid: "r", data: ["hello", Buffer.from([7])] },
    { type: MESSAGE_TYPE.SERVER_SIDE_EMIT_RESPONSE, uid: "n", rid: "r", arg: { x: 1 } },
    { type: MESSAGE_TYPE.ALL_ROOMS, uid: "n", rid: "r" },
    { type: MESSAGE_TYPE.ALL_ROOMS_RESPONSE, uid: "n", rid: "r", rooms: ["a", "b"] },
  ];
  const wires: [string, Wire, (m: NodeMessage) => NodeMessage][] = [
    // socket.io's classic requests carry no flags: targeting survives, flags do not.
    ["classic", classic(), (m) => ("opts" in m && m.type !== MESSAGE_TYPE.BROADCAST ? { ...m, opts: { ...m.opts, flags: {} } } : m)],
    ["sharded", new ShardedWire("app", "dynamic", "/", "n"), (m) => m],
  ];
  for (const [name, wire, expected] of wires) {
    test(`every message type survives encode/decode on the ${name} wire`, () => {
      for (const m of messages) {
        const out = wire.encode(m, "req");
        assert.deepEqual(wire.decode(out.channel, out.bytes, () => true), expected(m), JSON.stringify(m));
      }
    });
  }

  test("the classic wire writes socket.io's bytes: the broadcast tuple and its channels", () => {
    const w = classic();
    const packet = { type: 2, nsp: "/", data: ["ev", 1] };
    const out = w.encode({ type: MESSAGE_TYPE.BROADCAST, uid: "n", packet, opts: { rooms: ["room1"], except: [], flags: {} } });
    assert.equal(out.channel, "app#/#room1#");
    assert.deepEqual(out.bytes, notepack.encode(["n", packet, { rooms: ["room1"], except: [], flags: {} }]));
    const join = w.encode({ type: MESSAGE_TYPE.SOCKETS_JOIN, uid: "n", opts: { rooms: [], except: [], flags: {} }, rooms: ["r"] });
    assert.equal(join.channel, "app-request#/#");
    assert.deepEqual(notepack.decode(join.bytes), { uid: "n", type: 2, opts: { rooms: [], except: [] }, rooms: ["r"] });
    assert.deepEqual(w.channels, ["app-request#/#", "app-response#/#", "app-response#/#n#"]);
    assert.deepEqual(w.patterns, ["app#/#*"]);
    const specific = new ClassicWire({ key: "app", parser: msgpack, publishOnSpecificResponseChannel: true }, "/", "me");
    assert.equal(specific.encode({ type: MESSAGE_TYPE.ALL_ROOMS_RESPONSE, uid: "me", rid: "r", rooms: [] }, "them").channel, "app-response#/#them#");
  });

  test("the classic wire reads socket.io's JSON requests and the emitter's uid-less ones", () => {
    const w = classic("me");
    const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
    assert.deepEqual(w.decode("app-request#/#", json({ type: 2, opts: { rooms: ["a"], except: [] }, rooms: ["b"] }), () => true), {
      type: MESSAGE_TYPE.SOCKETS_JOIN,
      uid: "emitter",
      opts: { rooms: ["a"], except: [], flags: {} },
      rooms: ["b"],
    });
    assert.deepEqual(w.decode("app-response#/#", json({ requestId: "q", sockets: [] }), () => true), {
      type: MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE,
      uid: "?1",
      rid: "q",
      sockets: [],
    });
    // Another namespace's broadcast, and one for a room this node lacks: not ours, not errors.
    assert.equal(w.decode("app#/#", notepack.encode(["x", { type: 2, nsp: "/other", data: ["e"] }, { rooms: [], except: [] }]), () => true), undefined);
    assert.equal(w.decode("app#/#nowhere#", Buffer.from("garbage"), () => false), undefined);
  });

  test("garbage on any channel is SKT_ERR_REDIS_INVALID_MESSAGE, never another error", () => {
    const w = classic();
    const sharded = new ShardedWire("app", "static", "/", "n");
    const garbage = [notepack.encode(["u", { type: 2, nsp: "/", data: "not an array" }, { rooms: [], except: [] }]), Buffer.from("garbage"), Buffer.alloc(0), Buffer.from("{not json"), notepack.encode([1, 2]), notepack.encode({ type: 42 }), Buffer.from([0x93, 0xa1])];
    for (const bytes of garbage) {
      for (const channel of ["app#/#", "app-request#/#", "app-response#/#"]) {
        assert.equal(codeOf(() => w.decode(channel, bytes, () => true)), "SKT_ERR_REDIS_INVALID_MESSAGE", `${channel} ${bytes.toString("hex")}`);
      }
      assert.equal(codeOf(() => sharded.decode("app#/#", bytes)), "SKT_ERR_REDIS_INVALID_MESSAGE", bytes.toString("hex"));
    }
  });

  test("rejects messages whose shape does not match their type", () => {
    const bad: unknown[] = [
      null,
      [],
      { type: 1 },
      { type: 99, uid: "n" },
      { type: MESSAGE_TYPE.BROADCAST, uid: "n", packet: {}, opts: { rooms: [1], except: [], flags: {} } },
      { type: MESSAGE_TYPE.BROADCAST_CLIENT_COUNT, uid: "n", rid: "r", count: -1 },
      { type: MESSAGE_TYPE.BROADCAST_ACK, uid: "n", rid: "r", args: "x" },
      { type: MESSAGE_TYPE.SOCKETS_JOIN, uid: "n", opts: { rooms: [], except: [], flags: {} }, rooms: [1] },
      { type: MESSAGE_TYPE.FETCH_SOCKETS, uid: "n", opts: { rooms: [], except: [], flags: {} } },
      { type: MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE, uid: "n", rid: "r", sockets: [{ id: 1 }] },
      { type: MESSAGE_TYPE.SERVER_SIDE_EMIT, uid: "n", data: [1] },
      { type: MESSAGE_TYPE.ALL_ROOMS_RESPONSE, uid: "n", rid: "r", rooms: "a" },
    ];
    for (const v of bad) assert.equal(codeOf(() => parseMessage(v)), "SKT_ERR_REDIS_INVALID_MESSAGE", JSON.stringify(v));
  });
});

describe("recovery keys", () => {
  test("live under their own names, never on a channel socket.io's nodes hear", () => {
    const k = classicRecoveryKeys("app", "/chat");
    assert.equal(k.stream, "app-stream#/chat#");
    assert.equal(k.session("p"), "app-session#/chat#p");
    assert.equal(shardedRecoveryKeys("app", "/").stream, "app-stream{app#/#}");
  });
});
