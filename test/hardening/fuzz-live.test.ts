/**
 * Live fuzzing: random, hostile and mutated Engine.IO / Socket.IO packets sent to a running
 * Socketeer server over WebSocket and over polling. For every case: no crash, no uncaught
 * exception, no hang; when the codec refuses the input (checked with the codec itself as the
 * oracle, fed the same frames on a fresh decoder) the connection ends with `parse error` (Engine.IO)
 * or `forced close` (Socket.IO, as with socket.io);
 * otherwise the connection goes on (a probe event is handled) or ends for another reason; no
 * handler ever sees an object with a replaced prototype and `Object.prototype` stays clean.
 * A healthy socket.io-client is served after the storm.
 *
 * Seeded and bounded: SKT_FUZZ_SEED (default 0x5eed), SKT_FUZZ_ITERATIONS cases per transport
 * (default 120; `npm run fuzz` runs many more). A failure prints the seed and the case.
 * The decoders alone are fuzzed in test/unit/parser/fuzz.test.ts.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { io as ioc } from "socket.io-client";
import { Decoder } from "../../core/parser/index.js";
import { decodePacket, decodePayload } from "../../core/parser/engine-packet.js";
import { RawPolling, RawWebSocket } from "../helpers/raw-engine-client.js";
import { once, until, withTimeout } from "../helpers/wait.js";
import { prng, sidOfConnect, startIo, type IoFixture } from "./support.js";

const SEED = Number(process.env.SKT_FUZZ_SEED ?? 0x5eed);
const ITERATIONS = Number(process.env.SKT_FUZZ_ITERATIONS ?? 120);

type Frame = string | Buffer;
interface Case {
  kind: string;
  frames: Frame[];
  /** Frames that are not valid UTF-8 (sent as WebSocket text / polling bodies as-is). */
  rawText?: boolean;
}

const PROBE = `42["probe"]`;

/** Valid and hostile Socket.IO packets (Engine.IO message frames). */
const TEMPLATES: Frame[][] = [
  [`42["echo",1,"two",{"three":[3]}]`],
  [`421["echo","with ack"]`],
  [`42/admin,["echo"]`],
  [`40/nope,`],
  [`40/${"n".repeat(5_000)},`],
  [`41`],
  [`43999["nobody asked"]`],
  [`42["ev",{"__proto__":{"polluted":"yes"}}]`],
  [`42["ev",{"constructor":{"prototype":{"polluted":"yes"}}}]`],
  [`42["__proto__",{"polluted":"yes"}]`],
  [`42["constructor","prototype"]`],
  [`42["toString"]`],
  [`42["hasOwnProperty",1]`],
  [`42["error","boom"]`],
  [`42["disconnect"]`],
  [`42["newListener","x"]`],
  [`451-["ev",{"__proto__":{"_placeholder":true,"num":0}}]`, Buffer.from([1, 2, 3])],
  [`451-["ev",{"_placeholder":true,"num":0}]`, Buffer.from([4, 5])],
  [`452-["ev",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]`, Buffer.from([1]), Buffer.from([2])],
  [`451-["ev",{"_placeholder":true,"num":"0"}]`, Buffer.from([1])],
  [`451-["ev",{"_placeholder":true,"num":7}]`, Buffer.from([1])],
  [`45999999999999-["ev"]`],
  [`45-1-["ev"]`],
  [`4299999999999999999999["ev"]`],
  [`42-1["ev"]`],
  [`42["ev",1e400,-0,123456789012345678901234567890]`],
  [`42["ev","\\ud800","\u{1f600}","\u0000"]`],
  [`42["ev",${"[".repeat(500)}${"]".repeat(500)}]`],
  [`42["ev",${'{"a":'.repeat(300)}1${"}".repeat(300)}]`],
  [`42["a"]\x1e42["b"]`],
  [`4`],
  [`42`],
  [`42[]`],
  [`42{}`],
  [`42"ev"`],
  [`49["ev"]`],
  [Buffer.from([1, 2, 3])],
  [`b${Buffer.from("hello").toString("base64")}`],
  [`6`],
  [`3`],
  [`2`],
  [`3probe`],
  [``],
  [`x`],
  [`9`],
  [`1`],
];

const ALPHABET = `[]{}",:0123456789-/\\\x1eb_ue`;

function pick<T>(rand: () => number, arr: readonly T[]): T {
  return arr[Math.floor(rand() * arr.length)] as T;
}

function mutate(rand: () => number, s: string): string {
  let out = s;
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const op = Math.floor(rand() * 5);
    if (op === 0) out = out.slice(0, at) + out.slice(at + 1);
    else if (op === 1) out = out.slice(0, at) + pick(rand, [...ALPHABET]) + out.slice(at);
    else if (op === 2) out = out.slice(0, at) + pick(rand, [...ALPHABET]) + out.slice(at + 1);
    else if (op === 3) out = out.slice(0, at);
    else out = out.slice(0, at) + out.slice(at, at + 8).repeat(1 + Math.floor(rand() * 4)) + out.slice(at);
  }
  return out;
}

function randomText(rand: () => number): string {
  const len = Math.floor(rand() * 40);
  let s = "";
  for (let i = 0; i < len; i++) {
    s += rand() < 0.7 ? pick(rand, [...ALPHABET]) : String.fromCharCode(Math.floor(rand() * 0x3000));
  }
  return s;
}

function makeCase(rand: () => number): Case {
  const r = rand();
  if (r < 0.3) return { kind: "template", frames: pick(rand, TEMPLATES) };
  if (r < 0.65) {
    const frames = pick(rand, TEMPLATES).map((f) => (typeof f === "string" ? mutate(rand, f) : f));
    return { kind: "mutated", frames };
  }
  if (r < 0.8) return { kind: "random-sio", frames: [`4${randomText(rand)}`] };
  if (r < 0.9) return { kind: "random-engine", frames: [randomText(rand)] };
  if (r < 0.95) {
    const bytes = Buffer.alloc(1 + Math.floor(rand() * 30));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
    return { kind: "random-binary", frames: [bytes] };
  }
  // Invalid UTF-8 in a text frame / polling body.
  return { kind: "invalid-utf8", frames: [Buffer.from([0x34, 0x32, 0x5b, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x5d])], rawText: true };
}

/** True when the codec (the oracle) refuses this sequence of Engine.IO packets. */
function codecRefuses(packets: ReturnType<typeof decodePacket>[]): boolean {
  const decoder = new Decoder();
  try {
    for (const p of packets) {
      if (p === null) return true;
      // An empty message ("4") reaches the Socket.IO decoder as an empty string.
      if (p.type === "message") decoder.add((p.data ?? "") as string | Buffer);
    }
    return false;
  } catch {
    return true;
  } finally {
    decoder.destroy();
  }
}

function describeCase(c: Case, i: number, transport: string): string {
  const frames = c.frames.map((f) => (typeof f === "string" ? JSON.stringify(f.slice(0, 200)) : `<${f.toString("hex")}>`));
  return `seed ${SEED}, ${transport} case #${i} (${c.kind}): ${frames.join(" ")}`;
}

/** Records what reaches handlers and checks it for replaced prototypes. */
function watch(f: IoFixture): { probed: Set<string>; bad: string[] } {
  const probed = new Set<string>();
  const bad: string[] = [];
  const check = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== "object" || depth > 400) return;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== Array.prototype && !Buffer.isBuffer(v)) {
      bad.push(`an argument with a foreign prototype: ${String(proto)}`);
    }
    for (const k of Object.keys(v)) check((v as Record<string, unknown>)[k], depth + 1);
  };
  f.io.on("connection", (s) => {
    s.on("probe", () => probed.add(s.id));
    s.onAny((...args: unknown[]) => {
      for (const a of args) check(a, 0);
      if ((({}) as Record<string, unknown>).polluted !== undefined) bad.push("Object.prototype polluted");
    });
    // Any event name is possible, "error" included: the application decides to listen or not.
  });
  return { probed, bad };
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(",");

const REFUSAL_REASONS: ReadonlySet<string> = new Set(["parse error", "forced close"]);

async function outcome(f: IoFixture, probed: Set<string>, id: string, c: Case, refuses: boolean, what: string): Promise<void> {
  await until(
    () => probed.has(id) || f.disconnects.some((d) => d.id === id),
    10_000,
    `an outcome for ${what}`,
  );
  const d = f.disconnects.find((x) => x.id === id);
  if (refuses && !c.rawText) {
    assert.ok(d !== undefined, `the server accepted input its codec refuses: ${what}`);
    // Engine.IO refusals close with "parse error"; Socket.IO ones with "forced close" (as socket.io)
    assert.ok(REFUSAL_REASONS.has(d.reason), `${d.reason}: ${what}`);
  } else if (d !== undefined && !c.rawText) {
    assert.ok(!REFUSAL_REASONS.has(d.reason), `closed with ${d.reason} on input the codec accepts: ${what}`);
  }
}

async function wsCase(f: IoFixture, probed: Set<string>, c: Case, what: string): Promise<void> {
  const raw = await RawWebSocket.connect(f.wsBase);
  try {
    assert.match(String(await raw.next()), /^0\{/);
    raw.send("40");
    const id = sidOfConnect(String(await raw.next()).slice(1));
    for (const frame of c.frames) {
      if (c.rawText) raw.ws.send(frame, { binary: false });
      else raw.send(frame);
    }
    raw.send(PROBE);
    const packets = c.frames.map((fr) => decodePacket(c.rawText ? fr.toString() : fr));
    packets.push(decodePacket(PROBE));
    await outcome(f, probed, id, c, codecRefuses(packets), what);
  } finally {
    raw.close();
  }
}

async function pollingCase(f: IoFixture, probed: Set<string>, c: Case, what: string): Promise<void> {
  const poll = new RawPolling(f.base);
  await poll.handshake();
  await poll.post("40");
  const res = await poll.poll();
  const id = sidOfConnect(res.body.split("\x1e")[0]!.slice(1));
  const body = c.rawText
    ? Buffer.concat(c.frames.map((fr) => Buffer.from(fr)))
    : c.frames.map((fr) => (typeof fr === "string" ? fr : `b${fr.toString("base64")}`)).join("\x1e");
  await poll.post(body);
  await poll.post(PROBE).catch(() => undefined);
  const payload = decodePayload(typeof body === "string" ? body : body.toString("utf8"));
  const refuses = payload === null || codecRefuses([...payload, decodePacket(PROBE)]);
  await outcome(f, probed, id, c, refuses, what);
}

async function storm(t: TestContext, transport: "websocket" | "polling"): Promise<void> {
  const f = await startIo(t, { pingInterval: 60_000 });
  const { probed, bad } = watch(f);
  const errors: unknown[] = [];
  const onUncaught = (err: unknown): void => void errors.push(err);
  process.on("uncaughtException", onUncaught);
  t.after(() => process.off("uncaughtException", onUncaught));
  const rand = prng(SEED + (transport === "polling" ? 1 : 0));
  // Every hostile template once, in order, then the random and mutated cases.
  for (let i = 0; i < TEMPLATES.length + ITERATIONS; i++) {
    const c = i < TEMPLATES.length ? { kind: "template", frames: TEMPLATES[i]! } : makeCase(rand);
    const what = describeCase(c, i, transport);
    await withTimeout((transport === "websocket" ? wsCase : pollingCase)(f, probed, c, what), 15_000, what);
    assert.deepEqual(bad, [], what);
    assert.deepEqual(errors, [], what);
    assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(","), PROTO_KEYS, what);
  }
  // The server still serves a well-behaved client at the end of the storm.
  f.io.on("connection", (s) => s.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v)));
  const client = ioc(f.url, { forceNew: true, reconnection: false, transports: [transport] });
  t.after(() => client.disconnect());
  await once(client, "connect");
  assert.equal(await client.timeout(5_000).emitWithAck("echo", "after the storm"), "after the storm");
}

test("live fuzz over WebSocket", (t) => storm(t, "websocket"));
test("live fuzz over polling", (t) => storm(t, "polling"));
