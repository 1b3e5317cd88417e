/**
 * @module test/engine/prepared-message — the engine recognises a WebSocket frame pre-built with
 * ws's `Sender.frame` (as socket.io-adapter builds `wsPreEncodedFrame`) and keeps its payload
 * without copying; anything else is refused so the caller encodes the packet itself.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { PreparedMessage, textFrameHeader, textPacketFrame } from "../../core/engine/prepared-message.js";

type FrameFn = (data: Buffer, opts: { readOnly: boolean; mask: boolean; rsv1: boolean; opcode: number; fin: boolean }) => Buffer[];
// ws as socket.io-adapter loads it (CommonJS), where Sender is exported
const frame = (createRequire(import.meta.url)("ws") as { Sender: { frame: FrameFn } }).Sender.frame;
const TEXT = { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true };

test("a text frame of any length class gives back its payload, the same buffer", () => {
  for (const size of [1, 125, 126, 65_535, 65_536]) {
    const data = Buffer.from("4" + "x".repeat(size - 1));
    const parts = frame(data, TEXT);
    const prepared = PreparedMessage.fromFrame(parts);
    assert.ok(prepared !== undefined, `size ${size}`);
    assert.equal(prepared.payload.length, size);
    assert.equal(prepared.payload, parts[1], "no copy of the payload");
  }
});

test("a frame in one buffer is recognised too", () => {
  const parts = frame(Buffer.from('42["a"]'), TEXT);
  const prepared = PreparedMessage.fromFrame([Buffer.concat(parts)]);
  assert.equal(prepared?.payload.toString(), '42["a"]');
});

test("masked, compressed, binary, fragmented, truncated or foreign frames are refused", () => {
  const data = Buffer.from('42["a"]');
  assert.equal(PreparedMessage.fromFrame(frame(data, { ...TEXT, mask: true })), undefined);
  assert.equal(PreparedMessage.fromFrame(frame(data, { ...TEXT, rsv1: true })), undefined);
  assert.equal(PreparedMessage.fromFrame(frame(data, { ...TEXT, opcode: 2 })), undefined);
  assert.equal(PreparedMessage.fromFrame(frame(data, { ...TEXT, fin: false })), undefined);
  const whole = Buffer.concat(frame(data, TEXT));
  assert.equal(PreparedMessage.fromFrame([whole.subarray(0, whole.length - 1)]), undefined);
  assert.equal(PreparedMessage.fromFrame([]), undefined);
  assert.equal(PreparedMessage.fromFrame(["not a buffer"]), undefined);
  assert.equal(PreparedMessage.fromFrame([Buffer.from([0x81])]), undefined);
});

test("fromSocketIoText frames the Socket.IO text as an Engine.IO message", () => {
  assert.equal(PreparedMessage.fromSocketIoText('2["é"]').payload.toString(), '42["é"]');
});

test("the frame header built once per broadcast is the one ws's Sender.frame writes, at every length class", () => {
  for (const size of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
    const parts = frame(Buffer.alloc(size, 0x61), TEXT);
    assert.deepEqual(textFrameHeader(size), parts[0], `size ${size}`);
    const prepared = PreparedMessage.fromFrame(parts);
    assert.deepEqual(prepared?.header, parts[0], `size ${size}: the header of an adapter's frame`);
    if (size > 0) assert.equal(prepared?.header, parts[0], "an adapter's header is reused, not rebuilt");
  }
  const own = PreparedMessage.fromSocketIoText('2["a"]');
  assert.equal(own.header, own.header, "built once");
  assert.deepEqual(own.header, Buffer.from([0x81, 7]));
});

test("a text packet framed in one buffer is the frame ws's Sender.frame writes, at every length class", () => {
  for (const size of [0, 1, 124, 125, 126, 65_534, 65_535, 70_000]) {
    // multi-byte characters: the header carries the UTF-8 length, not the string's
    const data = "é".repeat(size >> 1) + "a".repeat(size & 1);
    const expected = Buffer.concat(frame(Buffer.from("4" + data), TEXT));
    assert.deepEqual(textPacketFrame(0x34, data), expected, `size ${size}`);
  }
  assert.deepEqual(textPacketFrame(0x32, undefined), Buffer.concat(frame(Buffer.from("2"), TEXT)), "a bare ping");
});

test("a prepared message's frame is its header then its payload, one buffer shared by every recipient; over 16 KiB none", () => {
  const own = PreparedMessage.fromSocketIoText('2["a"]');
  assert.deepEqual(own.frame, Buffer.concat([own.header, own.payload]));
  assert.equal(own.frame, own.frame, "built once");
  const big = PreparedMessage.fromSocketIoText("2" + JSON.stringify(["a", "x".repeat(17 * 1024)]));
  assert.equal(big.frame, undefined, "a large payload is not copied");
});
