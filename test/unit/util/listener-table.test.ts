/**
 * The compact listener table (core/util/listener-table.ts) behaves as Node's own for every
 * event name, including names an ordinary object would inherit.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { compactListenerTable, deferListenerTable, listenerTable, noListenerTable } from "../../../core/util/listener-table.js";

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

class Deferred extends EventEmitter {
  constructor() {
    super();
    noListenerTable(this);
  }
  static {
    deferListenerTable(this.prototype);
  }
}

test("an emitter with a deferred table: no table until a listener, then every EventEmitter method works", () => {
  const e = new Deferred();
  assert.equal((e as unknown as { _events?: object })._events, undefined, "no table at construction");
  assert.equal(e.emit("x"), false);
  assert.equal(e.listenerCount("x"), 0);
  assert.deepEqual(e.eventNames(), []);
  assert.deepEqual(e.listeners("x"), []);
  assert.equal(e.off("x", () => {}), e);
  assert.equal(e.removeAllListeners("x"), e);
  assert.throws(() => e.emit("error", new Error("boom")), /boom/, "an unheard error still throws");
  const seen: string[] = [];
  e.once("toString", (v: string) => seen.push(`once:${v}`));
  e.prependListener("x", (v: string) => seen.push(`x2:${v}`));
  e.prependOnceListener("x", (v: string) => seen.push(`x1:${v}`));
  e.addListener("x", (v: string) => seen.push(`x3:${v}`));
  assert.equal(e.emit("toString", "a"), true);
  assert.equal(e.emit("x", "b"), true);
  assert.equal(e.emit("x", "c"), true);
  assert.deepEqual(seen, ["once:a", "x1:b", "x2:b", "x3:b", "x2:c", "x3:c"]);
  assert.deepEqual(e.eventNames(), ["x"]);
  assert.equal(Object.getPrototypeOf(Object.getPrototypeOf((e as unknown as { _events: object })._events)), null, "the compact table");
});

test("listenerTable(e).name is defined exactly when listenerCount(name) > 0 (on, once, off, removeAllListeners)", () => {
  for (const e of [new Compact(), new EventEmitter(), new Deferred()]) {
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
