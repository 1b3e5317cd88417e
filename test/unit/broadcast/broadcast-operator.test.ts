/**
 * @module test/unit/broadcast — the BroadcastOperator is immutable and hands the adapter the
 * right rooms, exceptions and flags.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BroadcastOperator, type AdapterLike, type BroadcastOptions, type Packet } from "../../../core/index.js";

function fakeAdapter() {
  const calls: { packet: Packet; opts: BroadcastOptions }[] = [];
  const adapter = {
    nsp: { name: "/" },
    broadcast: (packet: Packet, opts: BroadcastOptions) => calls.push({ packet, opts }),
  } as unknown as AdapterLike;
  return { adapter, calls };
}

test("each modifier returns a new operator and leaves the original unchanged", () => {
  const { adapter, calls } = fakeAdapter();
  const base = new BroadcastOperator(adapter);
  const targeted = base.to("a").in(["b", "c"]).except("d").volatile.compress(false).local;
  base.emit("plain");
  targeted.emit("targeted", 1);
  assert.equal(calls.length, 2);
  assert.deepEqual([...calls[0]!.opts.rooms], []);
  assert.deepEqual(calls[0]!.opts.flags, {});
  assert.deepEqual([...calls[1]!.opts.rooms], ["a", "b", "c"]);
  assert.deepEqual([...calls[1]!.opts.except!], ["d"]);
  assert.deepEqual(calls[1]!.opts.flags, { volatile: true, compress: false, local: true });
  assert.deepEqual(calls[1]!.packet.data, ["targeted", 1]);
});

test("emitting a reserved name throws before reaching the adapter", () => {
  const { adapter, calls } = fakeAdapter();
  assert.throws(() => new BroadcastOperator(adapter).emit("disconnect"), { code: "SKT_ERR_SOCKET_RESERVED_EVENT" });
  assert.equal(calls.length, 0);
});
