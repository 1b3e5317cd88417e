/**
 * The compact listener table (core/util/listener-table.ts) behaves as Node's own for every
 * event name, including names an ordinary object would inherit.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { compactListenerTable, listenerTable } from "../../../core/util/listener-table.js";

class Compact extends EventEmitter {
  constructor() {
    super();
    compactListenerTable(this);
  }
}

test("an emitter with the compact table: inherited-looking names are plain events, removal and eventNames work", () => {
  const e = new Compact();
  assert.equal(e.listenerCount("toString"), 0);
  assert.equal(e.listenerCount("__proto__"), 0);
  assert.equal(e.listenerCount("constructor"), 0);
  assert.deepEqual(e.eventNames(), []);
  const seen: string[] = [];
  const onProto = (x: string): void => void seen.push(`proto:${x}`);
  e.on("__proto__", onProto);
  e.on("toString", (x: string) => seen.push(`toString:${x}`));
  e.once("hasOwnProperty", (x: string) => seen.push(`once:${x}`));
  assert.equal(e.emit("__proto__", "a"), true);
  assert.equal(e.emit("toString", "b"), true);
  assert.equal(e.emit("hasOwnProperty", "c"), true);
  assert.equal(e.emit("hasOwnProperty", "d"), false, "a once listener fires once");
  assert.equal(e.emit("valueOf"), false, "no listener: emit returns false");
  assert.deepEqual(seen, ["proto:a", "toString:b", "once:c"]);
  assert.deepEqual(e.eventNames().sort(), ["__proto__", "toString"]);
  e.off("__proto__", onProto);
  assert.equal(e.listenerCount("__proto__"), 0);
  e.removeAllListeners();
  assert.deepEqual(e.eventNames(), []);
  assert.throws(() => e.emit("error", new Error("boom")), /boom/, "an unheard error still throws");
});

test("an emitter that already has listeners keeps its table", () => {
  const e = new EventEmitter();
  const f = (): void => {};
  e.on("x", f);
  compactListenerTable(e);
  assert.deepEqual(e.listeners("x"), [f]);
});

test("listenerTable(e).name is defined exactly when listenerCount(name) > 0 (on, once, off, removeAllListeners)", () => {
  for (const e of [new Compact(), new EventEmitter()]) {
    const agrees = (name: string): void => assert.equal(listenerTable(e)[name] !== undefined, e.listenerCount(name) > 0, name);
    const names = ["packet", "data", "message", "drain", "toString"];
    names.forEach(agrees);
    const one = (): void => {};
    const two = (): void => {};
    e.on("packet", one);
    e.on("packet", two);
    e.once("data", one);
    e.on("toString", one);
    names.forEach(agrees);
    e.off("packet", one);
    names.forEach(agrees);
    e.off("packet", two);
    e.emit("data");
    names.forEach(agrees);
    e.on("message", one);
    e.removeAllListeners("message");
    names.forEach(agrees);
    e.on("drain", one);
    e.removeAllListeners();
    names.forEach(agrees);
    assert.equal(listenerTable(e).drain, undefined);
  }
});
