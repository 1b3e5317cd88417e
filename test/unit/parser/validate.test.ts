import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertPayload, exceedsDepth, isAckId, isPacketValid, isPlainObject, payloadProblem } from "../../../core/parser/validate.js";
import { isSocketeerError } from "../../../core/errors.js";

describe("payloadProblem", () => {
  const valid: readonly [number, unknown][] = [
    [0, undefined], [0, {}], [0, { token: "x" }],
    [1, undefined],
    [2, ["e"]], [2, [1, "numeric name"]], [5, ["e", {}]], [2, ["Disconnect"]], [2, ["error"]],
    [3, []], [3, [1, 2]], [6, [null]],
    [4, "legacy"], [4, { message: "no" }],
  ];
  const invalid: readonly [number, unknown][] = [
    [0, null], [0, []], [0, "x"], [0, 1],
    [1, {}], [1, null],
    [2, undefined], [2, []], [2, [null]], [2, [{}]], [2, [true]], [2, {}], [5, []],
    [2, ["disconnect"]], [2, ["connect", 1]], [5, ["connect_error"]], [2, ["disconnecting"]],
    [2, ["newListener"]], [2, ["removeListener"]],
    [3, undefined], [3, {}], [6, "x"],
    [4, undefined], [4, 1], [4, []],
    [7, undefined], [-1, []],
  ];
  test("accepts the shapes the spec allows", () => {
    for (const [type, data] of valid) assert.equal(payloadProblem(type, data), undefined, `${type} ${JSON.stringify(data)}`);
  });
  test("names a problem for every other shape", () => {
    for (const [type, data] of invalid) assert.equal(typeof payloadProblem(type, data), "string", `${type} ${JSON.stringify(data)}`);
  });
  test("assertPayload throws SKT_ERR_PARSER_INVALID_PACKET", () => {
    assert.throws(() => assertPayload(2, []), (e: unknown) => isSocketeerError(e, "SKT_ERR_PARSER_INVALID_PACKET"));
    assertPayload(2, ["ok"]);
  });
});

describe("isPacketValid", () => {
  test("checks type, namespace, id and payload together", () => {
    assert.equal(isPacketValid({ type: 2, nsp: "/", data: ["a"], id: 0 }), true);
    assert.equal(isPacketValid({ type: 0, nsp: "/admin" }), true);
    assert.equal(isPacketValid({ type: 2, nsp: "admin", data: ["a"] }), false);
    assert.equal(isPacketValid({ type: 2, nsp: "/", data: ["a"], id: -1 }), false);
    assert.equal(isPacketValid({ type: 2, nsp: "/", data: ["a"], id: 1.5 }), false);
    assert.equal(isPacketValid({ type: 9, nsp: "/" }), false);
    assert.equal(isPacketValid({ type: "2", nsp: "/", data: ["a"] }), false);
    assert.equal(isPacketValid(null), false);
  });
});

describe("helpers", () => {
  test("isAckId accepts non-negative safe integers only", () => {
    assert.deepEqual([0, 1, Number.MAX_SAFE_INTEGER].map(isAckId), [true, true, true]);
    assert.deepEqual([-1, 1.5, 2 ** 53, NaN, "1"].map(isAckId), [false, false, false, false, false]);
  });
  test("isPlainObject is true for objects only", () => {
    assert.deepEqual([{}, Object.create(null)].map(isPlainObject), [true, true]);
    assert.deepEqual([[], null, new Date(), Buffer.alloc(0), "x"].map(isPlainObject), [false, false, false, false, false]);
  });
  test("exceedsDepth counts brackets outside strings, from the given offset", () => {
    assert.equal(exceedsDepth("[[[]]]", 0, 3), false);
    assert.equal(exceedsDepth("[[[[]]]]", 0, 3), true);
    assert.equal(exceedsDepth('["[[[[\\"[[[["]', 0, 1), false);
    assert.equal(exceedsDepth('[{"a":{"b":1}}]', 0, 2), true);
    assert.equal(exceedsDepth("2/x,[[[]]]", 4, 3), false);
    assert.equal(exceedsDepth("[][][][]", 0, 1), false);
  });
});

describe("exceedsDepth with escapes", () => {
  test("treats an escaped quote as part of the string and an escaped backslash as closing it", () => {
    assert.equal(exceedsDepth('["a\\"[[[[[", 1]', 0, 1), false);
    assert.equal(exceedsDepth('["a\\\\", [[[1]]]]', 0, 2), true);
    assert.equal(exceedsDepth('["a\\\\\\"[[[", 1]', 0, 1), false);
  });
  test("gives up on an unterminated string (JSON.parse rejects it later)", () => {
    assert.equal(exceedsDepth('["abc [[[[[[[[', 0, 2), false);
  });
});
