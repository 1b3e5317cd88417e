import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, test, type TestContext } from "node:test";
import { Server as SocketIoServer, type Socket as ServerSocket } from "socket.io";
import { io as connect } from "socket.io-client";
import * as reference from "socket.io-parser";
import * as ourParser from "../../../core/parser/index.js";
import { Decoder, Encoder, PacketType, protocol, type Packet } from "../../../core/parser/index.js";
import { isSocketeerError, type ErrorCode } from "../../../core/errors.js";
import { closeServer, listen } from "../../helpers/listen.js";

/** Decodes a sequence of chunks, returning every packet emitted. */
function decodeAll(chunks: readonly (string | Buffer | ArrayBuffer | ArrayBufferView)[], decoder = new Decoder()): Packet[] {
  const out: Packet[] = [];
  decoder.on("decoded", (p) => out.push(p));
  for (const c of chunks) decoder.add(c);
  return out;
}

function decodeOne(chunks: readonly (string | Buffer | ArrayBuffer | ArrayBufferView)[], decoder?: Decoder): Packet {
  const out = decodeAll(chunks, decoder);
  assert.equal(out.length, 1, "exactly one packet decoded");
  return out[0]!;
}

function assertThrowsCode(fn: () => void, code: ErrorCode): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSocketeerError(err, code), `expected ${code}, got ${String(err)}`);
    return true;
  });
}

/** The examples of socket.io-protocol-v5.md, "Packet encoding" → "Examples" (text-only ones). */
const SPEC_TEXT_EXAMPLES: readonly [Packet, string][] = [
  [{ type: PacketType.CONNECT, nsp: "/" }, "0"],
  [{ type: PacketType.CONNECT, nsp: "/admin", data: { sid: "oSO0OpakMV_3jnilAAAA" } }, '0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}'],
  [{ type: PacketType.CONNECT_ERROR, nsp: "/", data: { message: "Not authorized" } }, '4{"message":"Not authorized"}'],
  [{ type: PacketType.EVENT, nsp: "/", data: ["foo"] }, '2["foo"]'],
  [{ type: PacketType.EVENT, nsp: "/admin", data: ["bar"] }, '2/admin,["bar"]'],
  [{ type: PacketType.EVENT, nsp: "/", data: ["foo"], id: 12 }, '212["foo"]'],
  [{ type: PacketType.ACK, nsp: "/admin", data: ["bar"], id: 13 }, '3/admin,13["bar"]'],
  [{ type: PacketType.ACK, nsp: "/", data: [], id: 12 }, "312[]"],
  [{ type: PacketType.DISCONNECT, nsp: "/" }, "1"],
  [{ type: PacketType.DISCONNECT, nsp: "/admin" }, "1/admin,"],
];

describe("PacketType and protocol", () => {
  test("match socket.io-parser's numbers", () => {
    assert.equal(protocol, 5);
    assert.equal(protocol, reference.protocol);
    for (const [name, value] of Object.entries(PacketType)) {
      assert.equal(value, (reference.PacketType as unknown as Record<string, number>)[name], name);
    }
  });
});

describe("Encoder", () => {
  test("encodes the spec's text examples to the exact wire strings", () => {
    const encoder = new Encoder();
    for (const [packet, wire] of SPEC_TEXT_EXAMPLES) assert.deepEqual(encoder.encode(packet), [wire]);
  });

  test("encodes one binary attachment as in the spec", () => {
    const buf = Buffer.from([1, 2, 3, 4]);
    const out = new Encoder().encode({ type: PacketType.EVENT, nsp: "/", data: ["baz", buf] });
    assert.deepEqual(out, ['51-["baz",{"_placeholder":true,"num":0}]', buf]);
    assert.equal(out[1], buf, "the attachment is passed through, not copied");
  });

  test("encodes several attachments in a custom namespace as in the spec", () => {
    const a = Buffer.from([1, 2]);
    const b = Buffer.from([3, 4]);
    const out = new Encoder().encode({ type: PacketType.EVENT, nsp: "/admin", data: ["baz", a, b] });
    assert.deepEqual(out, ['52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', a, b]);
  });

  test("turns an ACK with binary into BINARY_ACK with the id as in the spec", () => {
    const buf = Buffer.from([1, 2, 3, 4]);
    const out = new Encoder().encode({ type: PacketType.ACK, nsp: "/", data: ["bar", buf], id: 15 });
    assert.deepEqual(out, ['61-15["bar",{"_placeholder":true,"num":0}]', buf]);
    const sample = new Encoder().encode({ type: PacketType.ACK, nsp: "/admin", data: [buf], id: 1 });
    assert.equal(sample[0], '61-/admin,1[{"_placeholder":true,"num":0}]');
  });

  test("finds binary nested anywhere, of every binary kind, in depth-first order", () => {
    const ab = new ArrayBuffer(2);
    const u16 = new Uint16Array([7, 8]);
    const dv = new DataView(new ArrayBuffer(1));
    const buf = Buffer.from("x");
    const data = ["ev", { a: { b: [1, ab] } }, [[u16]], { dv, list: [buf, "s", null] }];
    const out = new Encoder().encode({ type: PacketType.EVENT, nsp: "/", data });
    assert.equal(out.length, 5);
    assert.equal(out[1], ab);
    assert.equal(out[2], u16);
    assert.equal(out[3], dv);
    assert.equal(out[4], buf);
    assert.equal(
      out[0],
      '54-["ev",{"a":{"b":[1,{"_placeholder":true,"num":0}]}},[[{"_placeholder":true,"num":1}]],' +
        '{"dv":{"_placeholder":true,"num":2},"list":[{"_placeholder":true,"num":3},"s",null]}]',
    );
  });

  test("does not modify the caller's packet or data", () => {
    const buf = Buffer.from([9]);
    const inner = Object.freeze({ file: buf, name: "f" });
    const data = Object.freeze(["upload", inner, Object.freeze([buf])]);
    const packet = Object.freeze({ type: PacketType.EVENT, nsp: "/x", data, id: 3 });
    const out = new Encoder().encode(packet);
    assert.equal(out.length, 3);
    assert.equal(packet.type, PacketType.EVENT);
    assert.equal(data[1], inner);
    assert.equal(inner.file, buf);
    assert.equal((data[2] as readonly Buffer[])[0], buf);
    assert.ok(!("attachments" in packet));
  });

  test("applies the replacer to every payload", () => {
    const encoder = new Encoder((key, value) => (key === "secret" ? undefined : value));
    assert.deepEqual(encoder.encode({ type: PacketType.EVENT, nsp: "/", data: ["e", { secret: 1, ok: 2 }] }), [
      '2["e",{"ok":2}]',
    ]);
  });

  test("uses toJSON like JSON.stringify, including binary returned from it", () => {
    const date = new Date(0);
    const buf = Buffer.from([5]);
    const holder = { toJSON: () => ({ raw: buf }) };
    const out = new Encoder().encode({ type: PacketType.EVENT, nsp: "/", data: ["e", date, holder] });
    assert.deepEqual(out, ['51-["e","1970-01-01T00:00:00.000Z",{"raw":{"_placeholder":true,"num":0}}]', buf]);
  });

  test("keeps a __proto__ key as data without touching prototypes", () => {
    const data = JSON.parse('["e",{"__proto__":{"polluted":true},"b":"x"}]') as unknown[];
    (data[1] as Record<string, unknown>).b = Buffer.from([1]);
    const out = new Encoder().encode({ type: PacketType.EVENT, nsp: "/", data });
    assert.equal(out[0], '51-["e",{"__proto__":{"polluted":true},"b":{"_placeholder":true,"num":0}}]');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test("encodes an explicit BINARY_EVENT without binary as a plain EVENT", () => {
    assert.deepEqual(new Encoder().encode({ type: PacketType.BINARY_EVENT, nsp: "/", data: ["e"] }), ['2["e"]']);
  });

  test("encodes CONNECT_ERROR with a legacy string payload", () => {
    assert.deepEqual(new Encoder().encode({ type: PacketType.CONNECT_ERROR, nsp: "/", data: "nope" }), ['4"nope"']);
  });
});

describe("Decoder", () => {
  test("decodes the spec's text examples", () => {
    for (const [packet, wire] of SPEC_TEXT_EXAMPLES) assert.deepEqual(decodeOne([wire]), packet, wire);
  });

  test("round-trips every packet type through the encoder", () => {
    const encoder = new Encoder();
    const packets: Packet[] = [
      ...SPEC_TEXT_EXAMPLES.map(([p]) => p),
      { type: PacketType.CONNECT, nsp: "/a/b", data: { token: "123", nested: { x: [1, 2] } } },
      { type: PacketType.CONNECT_ERROR, nsp: "/z", data: "legacy string" },
      { type: PacketType.EVENT, nsp: "/", data: [42, "numeric event name"] },
      { type: PacketType.EVENT, nsp: "/chat", data: ["msg", "héllo ✓", { a: null }], id: 0 },
      { type: PacketType.ACK, nsp: "/chat", data: [null, false, 0, ""], id: Number.MAX_SAFE_INTEGER },
    ];
    for (const packet of packets) assert.deepEqual(decodeOne(encoder.encode(packet)), packet);
  });

  test("reassembles binary packets into Buffers and reports them as EVENT/ACK", () => {
    const encoder = new Encoder();
    const a = Buffer.from([1, 2, 3]);
    const u8 = new Uint8Array([4, 5]);
    const ab = new Uint8Array([6]).buffer;
    const encoded = encoder.encode({ type: PacketType.ACK, nsp: "/n", id: 7, data: [{ a, deep: [[u8]] }, ab] });
    assert.match(encoded[0] as string, /^63-\/n,7\[/);
    const decoded = decodeOne(encoded);
    assert.equal(decoded.type, PacketType.ACK);
    assert.equal(decoded.id, 7);
    assert.equal(decoded.nsp, "/n");
    assert.ok(!("attachments" in decoded));
    const [first, second] = decoded.data as [{ a: Buffer; deep: Buffer[][] }, Buffer];
    assert.ok(Buffer.isBuffer(first.a) && Buffer.isBuffer(first.deep[0]![0]) && Buffer.isBuffer(second));
    assert.deepEqual([...first.a], [1, 2, 3]);
    assert.deepEqual([...first.deep[0]![0]!], [4, 5]);
    assert.deepEqual([...second], [6]);
  });

  test("accepts attachments as Buffer, ArrayBuffer or a typed-array view", () => {
    const bytes = new Uint8Array([0, 9, 8, 7, 0]);
    const view = bytes.subarray(1, 4);
    const p = decodeOne(['53-["e",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]', Buffer.from([1]), new Uint8Array([2]).buffer, view]);
    assert.equal(p.type, PacketType.EVENT);
    const [, x, y, z] = p.data as [string, Buffer, Buffer, Buffer];
    assert.deepEqual([x, y, z].map((b) => [...b]), [[1], [2], [9, 8, 7]]);
  });

  test("decodes many packets in sequence, binary interleaved with text", () => {
    const encoder = new Encoder();
    const chunks = [
      ...encoder.encode({ type: PacketType.EVENT, nsp: "/", data: ["a"] }),
      ...encoder.encode({ type: PacketType.EVENT, nsp: "/", data: ["b", Buffer.from([1])] }),
      ...encoder.encode({ type: PacketType.EVENT, nsp: "/", data: ["c"] }),
    ];
    assert.deepEqual(decodeAll(chunks).map((p) => (p.data as string[])[0]), ["a", "b", "c"]);
  });

  test("accepts a reviver as options or as the sole argument", () => {
    const reviver = (key: string, value: unknown) => (key === "n" ? Number(value) * 2 : value);
    assert.deepEqual(decodeOne(['2["e",{"n":2}]'], new Decoder({ reviver })).data, ["e", { n: 4 }]);
    assert.deepEqual(decodeOne(['2["e",{"n":3}]'], new Decoder(reviver)).data, ["e", { n: 6 }]);
  });

  test("reads a namespace without a trailing comma up to the end", () => {
    assert.deepEqual(decodeOne(["1/admin"]), { type: PacketType.DISCONNECT, nsp: "/admin" });
  });

  test("keeps __proto__ keys as own data and never replaces a prototype", () => {
    const p = decodeOne(['51-["e",{"__proto__":{"_placeholder":true,"num":0}}]', Buffer.from([1])]);
    const obj = (p.data as unknown[])[1] as object;
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.ok(Buffer.isBuffer(Object.getOwnPropertyDescriptor(obj, "__proto__")?.value));
    const q = decodeOne(['2["e",{"__proto__":{"polluted":1}}]']);
    assert.equal(Object.getPrototypeOf((q.data as unknown[])[1]), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test("rejects an invalid options object", () => {
    assert.throws(() => new Decoder({ maxAttachments: -1 }), (e: unknown) => isSocketeerError(e, "SKT_ERR_OPTIONS_OUT_OF_RANGE"));
    assert.throws(() => new Decoder({ maxDepth: "3" as never }), (e: unknown) => isSocketeerError(e, "SKT_ERR_OPTIONS_INVALID_TYPE"));
    assert.throws(() => new Decoder({ nope: 1 } as never), (e: unknown) => isSocketeerError(e, "SKT_ERR_OPTIONS_UNKNOWN"));
  });

  describe("throws SKT_ERR_PARSER_INVALID_PACKET", () => {
    const cases: readonly [string, string][] = [
      ["an empty string", ""],
      ["an unknown type", "7"],
      ["a non-digit type", "x"],
      ["an EVENT without payload", "2"],
      ["an EVENT with an empty array", "2[]"],
      ["an EVENT whose name is an object", '2[{"a":1}]'],
      ["an EVENT whose name is null", "2[null]"],
      ["an EVENT with an object payload", '2{"a":1}'],
      ["an EVENT named like a lifecycle event", '2["disconnect"]'],
      ["a binary EVENT named like a lifecycle event", '51-["connect",{"_placeholder":true,"num":0}]'],
      ["an ACK without payload", "312"],
      ["an ACK with an object payload", '31{"a":1}'],
      ["a CONNECT with an array payload", "0[1]"],
      ["a CONNECT with a null payload", "0null"],
      ["a CONNECT with a string payload", '0"x"'],
      ["a DISCONNECT with a payload", '1{"a":1}'],
      ["a CONNECT_ERROR with an array", "4[1]"],
      ["a CONNECT_ERROR with a number", "412"],
      ["invalid JSON", '2["a"'],
      ["trailing garbage", '2["a"]x'],
      ["garbage after the namespace", "0/admin,hello"],
      ["an ack id beyond 2^53", '2123456789012345678["a"]'],
      ["a binary packet without count", '5["a"]'],
      ["a binary packet with a non-digit count", '5x-["a"]'],
      ["a binary packet with a count in exponent form", '51e0-["a"]'],
      ["a binary packet with zero attachments", '50-["a"]'],
      ["a BINARY_EVENT with an empty array", "51-[]"],
    ];
    for (const [what, wire] of cases) {
      test(`for ${what}`, () => assertThrowsCode(() => new Decoder().add(wire), "SKT_ERR_PARSER_INVALID_PACKET"));
    }

    test("for a placeholder pointing past the attachments", () => {
      const d = new Decoder();
      d.add('51-["a",{"_placeholder":true,"num":1}]');
      assertThrowsCode(() => d.add(Buffer.from([1])), "SKT_ERR_PARSER_INVALID_PACKET");
    });

    test("for a placeholder with a non-integer num", () => {
      const d = new Decoder();
      d.add('51-["a",{"_placeholder":true,"num":"0"}]');
      assertThrowsCode(() => d.add(Buffer.from([1])), "SKT_ERR_PARSER_INVALID_PACKET");
    });

    test("for text while attachments are expected, then recovers", () => {
      const d = new Decoder();
      d.add('51-["a",{"_placeholder":true,"num":0}]');
      assertThrowsCode(() => d.add('2["b"]'), "SKT_ERR_PARSER_INVALID_PACKET");
      assert.deepEqual(decodeOne(['2["c"]'], d).data, ["c"]);
    });

    test("for a chunk that is neither text nor binary", () => {
      assertThrowsCode(() => new Decoder().add(42 as never), "SKT_ERR_PARSER_INVALID_PACKET");
      assertThrowsCode(() => new Decoder().add({ base64: true } as never), "SKT_ERR_PARSER_INVALID_PACKET");
    });

    test("with the JSON error as cause", () => {
      try {
        new Decoder().add("2[");
        assert.fail("should throw");
      } catch (err) {
        assert.ok(isSocketeerError(err, "SKT_ERR_PARSER_INVALID_PACKET"));
        assert.ok(err.cause instanceof SyntaxError);
      }
    });
  });

  test("throws SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS over maxAttachments (default 10)", () => {
    const placeholders = (n: number) => Array.from({ length: n }, (_, i) => `{"_placeholder":true,"num":${i}}`).join(",");
    new Decoder().add(`510-["a",${placeholders(10)}]`);
    assertThrowsCode(() => new Decoder().add(`511-["a",${placeholders(11)}]`), "SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS");
    assertThrowsCode(() => new Decoder({ maxAttachments: 2 }).add('53-["a"]'), "SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS");
    assertThrowsCode(() => new Decoder().add('599999999999999999999-["a"]'), "SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS");
    assertThrowsCode(() => new Decoder({ maxAttachments: 0 }).add('51-["a"]'), "SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS");
  });

  test("throws SKT_ERR_PARSER_TOO_DEEP over maxDepth (default 64), ignoring brackets in strings", () => {
    const nested = (depth: number) => `2["e",${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}]`;
    assert.equal(decodeAll([nested(64)]).length, 1);
    assertThrowsCode(() => new Decoder().add(nested(65)), "SKT_ERR_PARSER_TOO_DEEP");
    assertThrowsCode(() => new Decoder({ maxDepth: 2 }).add('2["e",{"a":[]}]'), "SKT_ERR_PARSER_TOO_DEEP");
    assert.equal(decodeAll(['2["e",{"a":"[[[[\\"[[[["}]'], new Decoder({ maxDepth: 2 })).length, 1);
    assert.equal(decodeAll([nested(500)], new Decoder({ maxDepth: Infinity })).length, 1);
  });

  test("throws SKT_ERR_PARSER_UNEXPECTED_BINARY for binary outside a binary packet", () => {
    assertThrowsCode(() => new Decoder().add(Buffer.from([1])), "SKT_ERR_PARSER_UNEXPECTED_BINARY");
    const d = new Decoder();
    decodeAll(['2["a"]'], d);
    assertThrowsCode(() => d.add(new ArrayBuffer(1)), "SKT_ERR_PARSER_UNEXPECTED_BINARY");
  });

  test("destroy() drops a partial binary packet", () => {
    const d = new Decoder();
    const seen = decodeAll(['52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', Buffer.from([1])], d);
    assert.equal(seen.length, 0);
    d.destroy();
    assertThrowsCode(() => d.add(Buffer.from([2])), "SKT_ERR_PARSER_UNEXPECTED_BINARY");
  });
});

describe("interoperability with socket.io-parser", () => {
  const samples: Packet[] = [
    ...SPEC_TEXT_EXAMPLES.map(([p]) => p),
    { type: PacketType.EVENT, nsp: "/", data: ["bin", Buffer.from([1, 2]), { x: [Buffer.from([3])] }], id: 4 },
    { type: PacketType.ACK, nsp: "/admin", data: [Buffer.from("ok")], id: 99 },
    { type: PacketType.EVENT, nsp: "/ünï", data: ["unicode ✓", { "key with \"quotes\"": "\u2028" }] },
    { type: PacketType.CONNECT_ERROR, nsp: "/", data: { message: "nope", data: { reason: 1 } } },
  ];

  /** Normalizes a packet for comparison: binary values become plain number arrays. */
  function plain(p: unknown): unknown {
    return JSON.parse(JSON.stringify(p, (_k, v: unknown) => (v && typeof v === "object" && (v as { type?: string }).type === "Buffer" ? { bin: (v as { data: number[] }).data } : v))) as unknown;
  }

  test("our encoding is decoded by socket.io-parser to the same packet", () => {
    const encoder = new Encoder();
    for (const packet of samples) {
      const decoder = new reference.Decoder();
      const got: unknown[] = [];
      decoder.on("decoded", (p: unknown) => got.push(p));
      for (const chunk of encoder.encode(packet)) decoder.add(chunk);
      assert.equal(got.length, 1);
      assert.deepEqual(plain(got[0]), plain(packet));
    }
  });

  test("socket.io-parser's encoding is decoded by ours to the same packet", () => {
    const encoder = new reference.Encoder();
    for (const packet of samples) {
      const chunks = encoder.encode(packet as reference.Packet) as (string | Buffer)[];
      assert.deepEqual(plain(decodeOne(chunks)), plain(packet));
    }
  });

  test("both produce the same wire text", () => {
    const ours = new Encoder();
    const theirs = new reference.Encoder();
    for (const packet of samples) {
      assert.deepEqual(plain(ours.encode(packet)), plain(theirs.encode({ ...packet } as reference.Packet)));
    }
  });
});

/** A real socket.io server using our codec as its `parser`, and a stock socket.io-client. */
async function socketIoWithOurParser(t: TestContext) {
  const httpServer = createServer();
  const ioServer = new SocketIoServer(httpServer, { parser: ourParser });
  const { url } = await listen(undefined, undefined, httpServer);
  const client = connect(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
  t.after(async () => {
    client.disconnect();
    await ioServer.close();
    await closeServer(httpServer);
  });
  const serverSocket = await new Promise<ServerSocket>((resolve) => ioServer.once("connection", resolve));
  return { client, serverSocket };
}

describe("as the parser option of a real socket.io server", () => {
  test("exchanges events, acks and binary with the stock socket.io-client", async (t) => {
    const { client, serverSocket } = await socketIoWithOurParser(t);
    serverSocket.on("echo", (...args: unknown[]) => {
      const ack = args.pop() as (...a: unknown[]) => void;
      ack(...args);
    });
    const file = Buffer.from([1, 2, 3]);
    assert.equal(await client.timeout(5_000).emitWithAck("echo", "text", { file, n: [1, { deep: file }] }), "text");
    const reply = (await client.timeout(5_000).emitWithAck("echo", { file }, file)) as { file: unknown };
    assert.ok(Buffer.isBuffer(reply.file) && reply.file.equals(file));
  });

  test("makes socket.io report our error on the socket and close the connection", async (t) => {
    const { client, serverSocket } = await socketIoWithOurParser(t);
    const error = new Promise<unknown>((resolve) => serverSocket.once("error", resolve));
    const reason = new Promise<string>((resolve) => serverSocket.once("disconnect", resolve));
    client.io.engine.send('2[{"not":"an event name"}]');
    assert.ok(isSocketeerError(await error, "SKT_ERR_PARSER_INVALID_PACKET"));
    // socket.io 4.8 closes the Engine.IO connection itself after a decode error: "forced close".
    assert.equal(await reason, "forced close");
  });
});
