import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodePacket,
  decodePayload,
  encodePacket,
  encodePayload,
  packetByteLength,
} from "../../../core/parser/engine-packet.js";

test("encodes each packet type with its digit", () => {
  assert.equal(encodePacket({ type: "open", data: "{}" }, true), "0{}");
  assert.equal(encodePacket({ type: "close" }, true), "1");
  assert.equal(encodePacket({ type: "ping", data: "probe" }, true), "2probe");
  assert.equal(encodePacket({ type: "pong" }, false), "3");
  assert.equal(encodePacket({ type: "message", data: "héllo" }, true), "4héllo");
  assert.equal(encodePacket({ type: "upgrade" }, true), "5");
  assert.equal(encodePacket({ type: "noop" }, true), "6");
});

test("encodes binary as a raw buffer for WebSocket and as b+base64 for polling", () => {
  const bin = Buffer.from([1, 2, 3, 255]);
  assert.deepEqual(encodePacket({ type: "message", data: bin }, true), bin);
  assert.equal(encodePacket({ type: "message", data: bin }, false), "bAQID/w==");
  assert.equal(encodePacket({ type: "message", data: new Uint8Array([1, 2, 3, 255]) }, false), "bAQID/w==");
  assert.equal(encodePacket({ type: "message", data: new Uint8Array([1, 2, 3, 255]).buffer }, false), "bAQID/w==");
});

test("decodes text packets, base64 binary and binary frames", () => {
  assert.deepEqual(decodePacket("4hello"), { type: "message", data: "hello" });
  assert.deepEqual(decodePacket("3"), { type: "pong" });
  assert.deepEqual(decodePacket("bAQID/w=="), { type: "message", data: Buffer.from([1, 2, 3, 255]) });
  assert.deepEqual(decodePacket(Buffer.from([9])), { type: "message", data: Buffer.from([9]) });
});

test("rejects empty input and unknown types", () => {
  assert.equal(decodePacket(""), null);
  assert.equal(decodePacket("7"), null);
  assert.equal(decodePacket("x"), null);
  assert.equal(decodePayload("4a\x1e9b"), null);
});

test("joins and splits payloads on the record separator", () => {
  const packets = [
    { type: "message" as const, data: "a" },
    { type: "message" as const, data: Buffer.from([1]) },
    { type: "ping" as const },
  ];
  const payload = encodePayload(packets);
  assert.equal(payload, "4a\x1ebAQ==\x1e2");
  assert.deepEqual(decodePayload(payload), packets);
});

test("counts wire bytes for buffer accounting", () => {
  assert.equal(packetByteLength({ type: "message", data: "€" }), 4);
  assert.equal(packetByteLength({ type: "message", data: Buffer.alloc(7) }), 7);
  assert.equal(packetByteLength({ type: "ping" }), 1);
});
