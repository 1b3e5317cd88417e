/**
 * Robustness of the Socket.IO decoder against random and mutated input: for every chunk it either
 * returns (possibly emitting valid packets) or throws a SocketeerError: never another exception
 * type, never a hang. Inputs come from a seeded PRNG so a failure can be replayed (the seed and
 * the input are in the assertion message).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Decoder, Encoder, PacketType, type Packet } from "../../../core/parser/index.js";
import { isPacketValid } from "../../../core/parser/validate.js";
import { isSocketeerError } from "../../../core/errors.js";
import { prng } from "../../helpers/prng.js";


const SEED = Number(process.env.SKT_FUZZ_SEED ?? 0x5eed);
/** Time budget per test, so the suite stays fast on a loaded machine. */
const BUDGET_MS = 1_500;
const MAX_CASES = 20_000;

type Chunk = string | Buffer;

/** Feeds chunks to a decoder; checks the outcome of every add(). Returns how many packets came out. */
function feed(decoder: Decoder, chunks: readonly Chunk[], describeCase: () => string): number {
  let emitted = 0;
  const onDecoded = (p: Packet) => {
    emitted++;
    assert.ok(isPacketValid(p), `emitted an invalid packet ${JSON.stringify(p)} for ${describeCase()}`);
    assert.ok(p.type !== PacketType.BINARY_EVENT && p.type !== PacketType.BINARY_ACK, "binary types are resolved");
    assert.equal(p.attachments, undefined);
  };
  decoder.on("decoded", onDecoded);
  try {
    for (const chunk of chunks) {
      try {
        decoder.add(chunk);
      } catch (err) {
        assert.ok(isSocketeerError(err), `threw a non-Socketeer error ${String(err)} for ${describeCase()}`);
        assert.match(err.code, /^SKT_ERR_PARSER_/);
      }
    }
  } finally {
    decoder.off("decoded", onDecoded);
  }
  return emitted;
}

const ALPHABET = '0123456789-/,[]{}":_\\ abcnultrefsphorm.eE+\u00e9\u2028';
const TOKENS = ["_placeholder", "true", "false", "null", "num", '"__proto__"', '"constructor"', "[", "]", "{", "}", ",", ":", '"', "-", "/admin", "1e400", "-0", "\\u0000"];

function randomText(rand: () => number, maxLen: number): string {
  let s = String(Math.floor(rand() * 8));
  const len = Math.floor(rand() * maxLen);
  while (s.length < len) {
    s += rand() < 0.7 ? ALPHABET[Math.floor(rand() * ALPHABET.length)] : TOKENS[Math.floor(rand() * TOKENS.length)];
  }
  return s;
}

/** Keys that a payload may use; `_placeholder` is only mixed in when `tricky` (it is reserved). */
function randomValue(rand: () => number, depth: number, tricky = false): unknown {
  const r = rand();
  if (depth > 4 || r < 0.3) {
    const leaves = [0, -1, 1.5, "s", "", "é\u2028", true, false, null, Number.MAX_SAFE_INTEGER];
    return leaves[Math.floor(rand() * leaves.length)];
  }
  if (r < 0.45) return Buffer.from([Math.floor(rand() * 256)]);
  if (r < 0.75) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1, tricky));
  const obj: Record<string, unknown> = {};
  const keys = tricky ? ["a", "b", "_placeholder", "num", "__proto__"] : ["a", "b", "num", "x y"];
  for (let i = Math.floor(rand() * 4); i > 0; i--) {
    Object.defineProperty(obj, keys[Math.floor(rand() * keys.length)]!, {
      value: randomValue(rand, depth + 1, tricky),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return obj;
}

function randomPacket(rand: () => number, tricky = false): Packet {
  const type = Math.floor(rand() * 5) as PacketType;
  const nsp = rand() < 0.5 ? "/" : ["/admin", "/a/b", "/ü"][Math.floor(rand() * 3)]!;
  const packet: Packet = { type, nsp };
  if (type === PacketType.EVENT || type === PacketType.ACK) {
    const args = Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, 1, tricky));
    packet.data = type === PacketType.EVENT ? ["ev" + Math.floor(rand() * 3), ...args] : args;
    if (rand() < 0.5) packet.id = Math.floor(rand() * 1000);
  } else if (type === PacketType.CONNECT && rand() < 0.5) {
    packet.data = { token: "t" };
  } else if (type === PacketType.CONNECT_ERROR) {
    packet.data = { message: "no" };
  }
  return packet;
}

function mutate(rand: () => number, s: string): string {
  const ops = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rand() * (s.length + 1));
    const op = rand();
    const piece = rand() < 0.5 ? ALPHABET[Math.floor(rand() * ALPHABET.length)]! : TOKENS[Math.floor(rand() * TOKENS.length)]!;
    if (op < 0.33) s = s.slice(0, at) + piece + s.slice(at);
    else if (op < 0.66) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 3));
    else s = s.slice(0, at) + piece + s.slice(at + 1);
  }
  return s;
}

function withinBudget(run: (rand: () => number, i: number) => void): number {
  const rand = prng(SEED);
  const deadline = Date.now() + BUDGET_MS;
  let i = 0;
  for (; i < MAX_CASES && Date.now() < deadline; i++) run(rand, i);
  return i;
}

describe(`decoder fuzzing (seed ${SEED})`, () => {
  test("random text only ever decodes to valid packets or throws a parser error", () => {
    const cases = withinBudget((rand, i) => {
      const input = randomText(rand, 60);
      feed(new Decoder({ maxDepth: 8, maxAttachments: 3 }), [input], () => `case ${i}: ${JSON.stringify(input)}`);
    });
    assert.ok(cases > 100, `ran ${cases} cases`);
  });

  test("mutated valid encodings (text and attachments) behave the same way", () => {
    const encoder = new Encoder();
    let decodedSome = 0;
    const cases = withinBudget((rand, i) => {
      const chunks: Chunk[] = encoder.encode(randomPacket(rand, true)).map((c) => (typeof c === "string" ? c : Buffer.from(c as Uint8Array)));
      const mutated = chunks.map((c) => (typeof c === "string" && rand() < 0.8 ? mutate(rand, c) : c));
      // Sometimes drop, duplicate or reorder chunks to confuse the attachment state machine.
      const r = rand();
      if (r < 0.1 && mutated.length > 1) mutated.splice(1, 1);
      else if (r < 0.2) mutated.push(Buffer.from([1]));
      else if (r < 0.3) mutated.reverse();
      const decoder = new Decoder({ maxDepth: 6 });
      decodedSome += feed(decoder, mutated, () => `case ${i}: ${JSON.stringify(mutated)}`);
      // After any error the decoder must still decode a fresh valid packet (or report the
      // leftover binary state with a parser error, which feed() checks).
      decoder.destroy();
      assert.equal(feed(decoder, ['2["after"]'], () => `recovery after case ${i}`), 1);
    });
    assert.ok(cases > 100, `ran ${cases} cases`);
    assert.ok(decodedSome > 0, "some mutated inputs still decode");
  });

  test("unmutated encodings of random packets round-trip exactly", () => {
    const encoder = new Encoder();
    const cases = withinBudget((rand, i) => {
      const packet = randomPacket(rand);
      const out: Packet[] = [];
      const decoder = new Decoder({ maxAttachments: 1_000 });
      decoder.on("decoded", (p) => out.push(p));
      for (const c of encoder.encode(packet)) decoder.add(c as string | Buffer);
      assert.equal(out.length, 1, `case ${i}`);
      assert.deepEqual(out[0], packet, `case ${i}`);
    });
    assert.ok(cases > 100, `ran ${cases} cases`);
  });

  test("pathological inputs are refused quickly", () => {
    const started = Date.now();
    const huge = [
      "2" + "[".repeat(1_000_000),
      '2["a",' + "{\"a\":".repeat(200_000) + "1" + "}".repeat(200_000) + "]",
      "5" + "9".repeat(100_000) + "-[]",
      "2" + "9".repeat(100_000) + '["a"]',
      "0/" + "a".repeat(1_000_000),
      '2["' + "\\\\".repeat(500_000) + '"]',
    ];
    for (const input of huge) feed(new Decoder(), [input], () => `pathological ${input.slice(0, 20)}…`);
    assert.ok(Date.now() - started < 5_000, "took under 5 s");
  });
});
