/**
 * Fuzzing the Engine.IO v3 codec (socket.io v2 clients, `allowEIO3`): seeded random and mutated
 * text payloads, binary payloads and packets.
 * - The decoders alone: they never throw, return `null` or well-formed packets, and what the
 *   encoders write decodes back to the same packets.
 * - Live, over v3 polling and v3 WebSocket: a refused body gets 400 and the session ends with
 *   `parse error`, an accepted one gets `ok`; no crash, no hang; a real v2 client is served after.
 *
 * Seeded and bounded like fuzz-live.test.ts: SKT_FUZZ_SEED (default 0x5eed), SKT_FUZZ_ITERATIONS
 * live cases per transport (default 120; `npm run fuzz` runs many more).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket } from "ws";
import type { EnginePacket, EnginePacketType } from "../../core/parser/engine-packet.js";
import {
  decodeBinaryPayloadV3,
  decodePacketV3,
  decodePayloadV3,
  encodePacketV3,
  encodePayloadV3,
} from "../../core/parser/engine-packet-v3.js";
import { v2Clients } from "../helpers/client-v2.js";
import { rawRequest } from "../helpers/raw-engine-client.js";
import { once, until } from "../helpers/wait.js";
import { prng, startIo } from "./support.js";

const SEED = Number(process.env.SKT_FUZZ_SEED ?? 0x5eed);
const ITERATIONS = Number(process.env.SKT_FUZZ_ITERATIONS ?? 120);
const CODEC_CASES = Math.max(2_000, ITERATIONS * 20);
const TYPES: EnginePacketType[] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];
const ALPHABET = [..."0123456789:b4-+/=AQIDé\u2028\\n\"{}[] "];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function randomPacket(rand: () => number): EnginePacket {
  const type = pick(rand, TYPES);
  const r = rand();
  if (r < 0.2) return { type };
  if (r < 0.45) return { type, data: Buffer.from(Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * 256))) };
  let s = "";
  const len = Math.floor(rand() * 12);
  while (s.length < len) s += pick(rand, ALPHABET);
  return { type, data: s };
}

function randomText(rand: () => number): string {
  let s = "";
  const len = Math.floor(rand() * 24);
  while (s.length < len) s += pick(rand, ALPHABET);
  return s;
}

/** A valid text payload, mutated in one of the ways v3 framing can lie. */
function mutatedText(rand: () => number): string {
  const packets = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomPacket(rand));
  const valid = encodePayloadV3(packets, false) as string;
  const at = Math.floor(rand() * (valid.length + 1));
  switch (Math.floor(rand() * 7)) {
    case 0:
      return valid.slice(0, at);
    case 1:
      return valid.slice(0, at) + pick(rand, ALPHABET) + valid.slice(at);
    case 2:
      return valid.replace(/^\d+/, (d) => String(Number(d) + (rand() < 0.5 ? 1 : -1)));
    case 3:
      return valid.replace(/^\d+/, (d) => (rand() < 0.5 ? `-${d}` : `${d}${"9".repeat(12)}`));
    case 4:
      return valid.replace(/b(\d)([A-Za-z0-9+/]*)/, (_m, t: string, b: string) => `b${t}${b.slice(0, -1)}!`);
    case 5:
      return valid + randomText(rand);
    default:
      return randomText(rand);
  }
}

/** A valid binary payload, mutated, or random bytes. */
function mutatedBinary(rand: () => number): Buffer {
  const packets = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomPacket(rand));
  const encoded = encodePayloadV3([...packets, { type: "message", data: Buffer.from([1]) }], true);
  const valid = Buffer.isBuffer(encoded) ? encoded : Buffer.from(encoded);
  const out = Buffer.from(valid);
  const r = rand();
  if (r < 0.3) return out.subarray(0, Math.floor(rand() * out.length));
  if (r < 0.7) {
    for (let i = 0; i < 1 + Math.floor(rand() * 3); i++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
    return out;
  }
  return Buffer.from(Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256)));
}

function assertWellFormed(packets: EnginePacket[] | null, input: unknown): void {
  if (packets === null) return;
  assert.ok(packets.length > 0, `empty decode for ${JSON.stringify(input)}`);
  for (const p of packets) {
    assert.ok(TYPES.includes(p.type), `bad type for ${JSON.stringify(input)}`);
    assert.ok(p.data === undefined || typeof p.data === "string" || Buffer.isBuffer(p.data));
  }
}

test("v3 decoders never throw and return null or well-formed packets (seeded)", () => {
  const rand = prng(SEED);
  for (let i = 0; i < CODEC_CASES; i++) {
    const text = mutatedText(rand);
    assert.doesNotThrow(() => assertWellFormed(decodePayloadV3(text), text), `seed ${SEED} case ${i}: ${JSON.stringify(text)}`);
    const bin = mutatedBinary(rand);
    assert.doesNotThrow(() => assertWellFormed(decodeBinaryPayloadV3(bin), bin.toString("hex")), `seed ${SEED} case ${i}: ${bin.toString("hex")}`);
    const one = decodePacketV3(rand() < 0.5 ? text : bin);
    if (one !== null) assertWellFormed([one], text);
  }
});

test("what the v3 encoders write decodes back to the same packets (seeded)", () => {
  const rand = prng(SEED + 1);
  const norm = (p: EnginePacket) => ({ type: p.type, data: Buffer.isBuffer(p.data) ? [...p.data] : (p.data ?? "") });
  for (let i = 0; i < CODEC_CASES; i++) {
    // a packet with no data and one with empty data are the same on the wire
    const packets = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => randomPacket(rand));
    const text = encodePayloadV3(packets, false) as string;
    assert.deepEqual(decodePayloadV3(text)?.map(norm), packets.map(norm), `seed ${SEED + 1} case ${i}`);
    const bin = encodePayloadV3(packets, true);
    const back = typeof bin === "string" ? decodePayloadV3(bin) : decodeBinaryPayloadV3(bin);
    assert.deepEqual(back?.map(norm), packets.map(norm), `seed ${SEED + 1} case ${i} (binary)`);
    for (const p of packets) {
      assert.deepEqual(norm(decodePacketV3(encodePacketV3(p, true))!), norm(p));
    }
  }
});

test("live v3 polling: refused bodies get 400 and parse error, accepted ones ok; a v2 client is served after", async (t) => {
  const fx = await startIo(t, { allowEIO3: true, pingInterval: 60_000, pingTimeout: 60_000, connectTimeout: 60_000 });
  const rand = prng(SEED + 2);
  for (let i = 0; i < ITERATIONS; i++) {
    const open = await rawRequest(`${fx.base}?EIO=3&transport=polling`);
    const sid = (JSON.parse(open.body.slice(open.body.indexOf(":") + 2)) as { sid: string }).sid;
    const binary = rand() < 0.35;
    const body = binary ? mutatedBinary(rand) : mutatedText(rand);
    const decoded = Buffer.isBuffer(body) ? decodeBinaryPayloadV3(body) : decodePayloadV3(body);
    const headers = binary ? { "Content-Type": "application/octet-stream" } : { "Content-Type": "text/plain;charset=UTF-8" };
    const res = await rawRequest(`${fx.base}?EIO=3&transport=polling&sid=${sid}`, { method: "POST", body, headers });
    const what = `seed ${SEED + 2} case ${i}: ${Buffer.isBuffer(body) ? body.toString("hex") : JSON.stringify(body)}`;
    if (decoded === null) {
      assert.equal(res.status, 400, what);
      // the main namespace socket (joined at once for a v2 client) ends with the session
      await until(() => fx.disconnects.some((d) => d.id === sid), 5_000, what);
      assert.equal(fx.disconnects.find((d) => d.id === sid)?.reason, "parse error", what);
    } else {
      assert.equal(res.status, 200, what);
      assert.equal(res.body, "ok", what);
    }
  }
  await servesV2Client(t, fx.url, fx.io);
});

test("live v3 WebSocket: an undecodable frame ends the session with parse error; a v2 client is served after", async (t) => {
  const fx = await startIo(t, { allowEIO3: true, pingInterval: 60_000, pingTimeout: 60_000, connectTimeout: 60_000 });
  const rand = prng(SEED + 3);
  for (let i = 0; i < ITERATIONS; i++) {
    const ws = new WebSocket(`${fx.wsBase}?EIO=3&transport=websocket`);
    const [first] = await once<[Buffer]>(ws, "message");
    const sid = (JSON.parse(first.toString().slice(1)) as { sid: string }).sid;
    const frame = rand() < 0.5 ? mutatedText(rand).replace(/^\d+:/, "") : mutatedBinary(rand);
    const what = `seed ${SEED + 3} case ${i}: ${Buffer.isBuffer(frame) ? frame.toString("hex") : JSON.stringify(frame)}`;
    ws.send(frame);
    if (decodePacketV3(frame) === null) {
      const d = await fx.disconnectOf(sid).catch((e: Error) => assert.fail(`${what}: ${e.message}`));
      assert.equal(d.reason, "parse error", what);
    }
    ws.terminate();
  }
  await servesV2Client(t, fx.url, fx.io);
});

async function servesV2Client(t: Parameters<typeof v2Clients>[0], url: string, io: { on(ev: "connection", fn: (s: { on(e: string, f: (...a: unknown[]) => void): void }) => void): unknown }): Promise<void> {
  io.on("connection", (s) => s.on("echo", (...a: unknown[]) => (a.pop() as (...x: unknown[]) => void)(...a)));
  const client = v2Clients(t, url)("/", { transports: ["polling", "websocket"] });
  await once(client as never, "connect");
  const echoed = await new Promise((resolve) => client.emit("echo", "still alive", (...a: unknown[]) => resolve(a)));
  assert.deepEqual(echoed, ["still alive"]);
}
