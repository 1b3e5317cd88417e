/**
 * A client that stops reading while the server broadcasts: its volatile packets are dropped, then
 * the first non-volatile packet past the per-session cap disconnects it with `transport error` /
 * SKT_ERR_ENGINE_BUFFER_FULL; the server's memory does not grow with what it broadcasts; a fast
 * client receives every packet in order the whole time. The engine-level caps are unit-tested in
 * test/protocol/limits.test.ts.
 */
import assert from "node:assert/strict";
import type { Socket as NetSocket } from "node:net";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { until, withTimeout } from "../helpers/wait.js";
import { codeOf, rawSioWs, startIo, wsGone, type RawSioWs } from "./support.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const CAP = 1 << 20; // maxBufferedBytes: 1 MiB
const PAYLOAD = "p".repeat(32 * 1024);
const BATCH = 16;
/** Far more than the kernel's socket buffers can absorb, so the cap must act. */
const CEILING_BYTES = 96 * 1024 * 1024;

/**
 * Counts `tick` events on a raw client. It replaces the raw client's own queue (which would keep
 * every message in this process's heap and spoil the memory measurement).
 */
function counter(c: RawSioWs): { count(): number; stop(): void } {
  let n = 0;
  c.raw.ws.removeAllListeners("message");
  const onMessage = (data: Buffer, isBinary: boolean): void => {
    if (isBinary) return;
    const s = data.toString("utf8");
    if (s.startsWith(`42["tick",`)) n++;
  };
  c.raw.ws.on("message", onMessage);
  return { count: () => n, stop: () => c.raw.ws.off("message", onMessage) };
}

test("a stalled reader: volatile dropped, then disconnected with BUFFER_FULL; memory flat; others at full rate", async (t) => {
  const f = await startIo(t, { maxBufferedBytes: CAP, pingInterval: 60_000 });
  const fast = await rawSioWs(f, t);
  const slow = await rawSioWs(f, t);
  const fastCount = counter(fast);
  // Stop reading: the TCP window closes, the server's writes back up.
  (slow.raw.ws as unknown as { _socket: NetSocket })._socket.pause();
  const baseline = heapAfterGc();

  let sent = 0;
  const broadcast = async (volatile: boolean): Promise<void> => {
    // A volatile packet is dropped for any client whose transport is busy, the fast one included:
    // send those one at a time.
    const n = volatile ? 1 : BATCH;
    for (let i = 0; i < n; i++) (volatile ? f.io.volatile : f.io).emit("tick", sent++, PAYLOAD);
    // Pace by the fast client: it must keep up with every packet.
    await until(() => fastCount.count() === sent, 5_000, `the fast client to receive ${sent} ticks`);
  };

  // Phase 1: volatile only. The stalled client stays connected; what it cannot take is dropped.
  const volatileBytes = 16 * 1024 * 1024;
  while (sent * PAYLOAD.length < volatileBytes) await broadcast(true);
  const slowSocket = f.io.sockets.sockets.get(slow.id);
  assert.ok(slowSocket?.connected, "volatile packets never disconnect a slow client");
  const heapAfterVolatile = heapAfterGc();
  assert.ok(
    heapAfterVolatile - baseline < 3 * CAP + 8 * 1024 * 1024,
    `heap grew by ${heapAfterVolatile - baseline} bytes after ${volatileBytes} volatile bytes`,
  );

  // Phase 2: reliable packets. Once the kernel buffers are full, the cap is reached and the
  // client is disconnected with a clear reason, long before the ceiling.
  const phase2Start = sent;
  while (f.disconnects.length === 0) {
    assert.ok((sent - phase2Start) * PAYLOAD.length < CEILING_BYTES, "the slow client was never cut off");
    await broadcast(false);
  }
  const d = await f.disconnectOf(slow.id);
  assert.equal(d.reason, "transport error");
  assert.equal(codeOf(d.description), "SKT_ERR_ENGINE_BUFFER_FULL");
  const heapAtCut = heapAfterGc();
  assert.ok(heapAtCut - baseline < 3 * CAP + 8 * 1024 * 1024, `heap grew by ${heapAtCut - baseline} bytes`);

  // The fast client is still served at full rate after the cut.
  for (let i = 0; i < 4; i++) await broadcast(false);
  assert.equal(fastCount.count(), sent);
  assert.equal(f.io.sockets.sockets.size, 1);

  // The stalled client, once it reads again, got fewer volatile ticks than were sent, in order.
  const slowCount = counter(slow);
  (slow.raw.ws as unknown as { _socket: NetSocket })._socket.resume();
  await withTimeout(slow.raw.closed, 10_000, "the slow client's connection to end");
  assert.ok(wsGone(slow.raw.ws));
  assert.ok(slowCount.count() < sent, `the slow client got ${slowCount.count()} of ${sent}`);
  fastCount.stop();
  slowCount.stop();
});
