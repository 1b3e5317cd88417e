import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deconstruct, hasBinary, isBinary, reconstruct, toBuffer, type BinaryLike } from "../../../core/parser/binary.js";
import { isSocketeerError } from "../../../core/errors.js";

describe("isBinary", () => {
  test("recognizes Buffer, ArrayBuffer, typed arrays and DataView", () => {
    for (const v of [Buffer.alloc(1), new ArrayBuffer(1), new Uint8Array(1), new Float64Array(1), new DataView(new ArrayBuffer(1))]) {
      assert.equal(isBinary(v), true);
    }
  });

  test("rejects everything else", () => {
    for (const v of [null, undefined, 1, "s", [], {}, [Buffer.alloc(1)], { type: "Buffer", data: [1] }, new Date()]) {
      assert.equal(isBinary(v), false);
    }
  });
});

describe("hasBinary", () => {
  test("finds binary nested in arrays and objects", () => {
    assert.equal(hasBinary(["a", [{ b: { c: [new Uint8Array(1)] } }]]), true);
    assert.equal(hasBinary({ deep: { deeper: new ArrayBuffer(0) } }), true);
  });

  test("returns false for plain JSON data, dates and null", () => {
    assert.equal(hasBinary(["a", 1, null, { b: [true, "x"] }, new Date()]), false);
    assert.equal(hasBinary(null), false);
    assert.equal(hasBinary("buffer"), false);
  });

  test("looks into the result of toJSON once, and ignores inherited keys", () => {
    assert.equal(hasBinary({ toJSON: () => [Buffer.alloc(1)] }), true);
    const proto = { inherited: Buffer.alloc(1) };
    assert.equal(hasBinary(Object.create(proto) as object), false);
  });
});

describe("deconstruct", () => {
  test("replaces binary with numbered placeholders without touching the input", () => {
    const a = Buffer.from([1]);
    const b = new Uint8Array([2]);
    const input = ["ev", { a, list: [b, 3] }];
    const snapshot = [input[0], input[1]];
    const buffers: BinaryLike[] = [];
    const out = deconstruct(input, buffers);
    assert.deepEqual(out, ["ev", { a: { _placeholder: true, num: 0 }, list: [{ _placeholder: true, num: 1 }, 3] }]);
    assert.deepEqual(buffers, [a, b]);
    assert.equal(input[1], snapshot[1]);
    assert.equal((input[1] as { a: Buffer }).a, a);
  });

  test("keeps a __proto__ own key as an own key", () => {
    const input = JSON.parse('{"__proto__":{"x":1}}') as object;
    const out = deconstruct(input, []) as object;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(out, "__proto__")?.value, { x: 1 });
  });
});

describe("reconstruct", () => {
  test("puts buffers back at their placeholders", () => {
    const a = Buffer.from([1]);
    const b = Buffer.from([2]);
    const data = JSON.parse('["e",{"x":{"_placeholder":true,"num":1}},[{"_placeholder":true,"num":0}]]') as unknown;
    assert.deepEqual(reconstruct(data, [a, b]), ["e", { x: b }, [a]]);
  });

  test("rejects placeholders that point at no attachment", () => {
    for (const num of ["-1", "1", "0.5", '"0"', "null"]) {
      const data = JSON.parse(`[{"_placeholder":true,"num":${num}}]`) as unknown;
      assert.throws(() => reconstruct(data, [Buffer.alloc(1)]), (e: unknown) => isSocketeerError(e, "SKT_ERR_PARSER_INVALID_PACKET"));
    }
  });

  test("leaves look-alikes that are not placeholders alone", () => {
    const data = JSON.parse('[{"_placeholder":"true","num":0},{"num":0}]') as unknown;
    assert.deepEqual(reconstruct(data, [Buffer.alloc(1)]), [{ _placeholder: "true", num: 0 }, { num: 0 }]);
  });

  test("never assigns through __proto__", () => {
    const data = JSON.parse('{"__proto__":{"_placeholder":true,"num":0}}') as object;
    const out = reconstruct(data, [Buffer.from([7])]) as object;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(Buffer.isBuffer(Object.getOwnPropertyDescriptor(out, "__proto__")?.value));
  });
});

describe("toBuffer", () => {
  test("views any binary as a Buffer over the same bytes", () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const view = toBuffer(bytes.subarray(1, 3));
    assert.deepEqual([...view], [2, 3]);
    view[0] = 9;
    assert.equal(bytes[1], 9, "no copy");
    const buf = Buffer.from([5]);
    assert.equal(toBuffer(buf), buf);
    assert.deepEqual([...toBuffer(bytes.buffer)], [1, 9, 3, 4]);
  });
});

describe("circular payloads", () => {
  /** A chain `depth` objects deep whose last object points back at `back` levels up (or nowhere). */
  function chain(depth: number, withBinary: boolean, back?: number): unknown {
    const nodes: Array<Record<string, unknown>> = [];
    for (let i = 0; i < depth; i++) nodes.push({ level: i });
    for (let i = 0; i + 1 < depth; i++) (nodes[i] as Record<string, unknown>).next = nodes[i + 1];
    const last = nodes[depth - 1] as Record<string, unknown>;
    if (withBinary) nodes[0]!.file = Buffer.from([1]);
    if (back !== undefined) last.next = nodes[depth - 1 - back];
    return ["ev", nodes[0]];
  }

  test("are refused with SKT_ERR_PARSER_CIRCULAR, not a stack overflow", () => {
    for (const [depth, back] of [[1, 0], [3, 2], [40, 39], [200, 5]] as const) {
      assert.throws(() => hasBinary(chain(depth, false, back)), (e: unknown) => isSocketeerError(e, "SKT_ERR_PARSER_CIRCULAR") && e instanceof TypeError);
      assert.throws(() => deconstruct(chain(depth, true, back), []), (e: unknown) => isSocketeerError(e, "SKT_ERR_PARSER_CIRCULAR"));
    }
  });

  test("a shared (not circular) object and deep payloads still encode", () => {
    const shared = { bin: Buffer.from([7]) };
    const deep = chain(200, false) as unknown[];
    assert.equal(hasBinary(deep), false);
    const sharedDeep = [shared, shared, chain(100, true)];
    assert.equal(hasBinary(sharedDeep), true);
    const buffers: BinaryLike[] = [];
    deconstruct(sharedDeep, buffers);
    assert.equal(buffers.length, 3);
  });
});
