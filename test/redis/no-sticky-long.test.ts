/**
 * No sticky sessions, a long session (issue 20 asks for at least 2 minutes of heartbeats): two
 * clients at once behind the round-robin balancer, one polling only (every request relayed or
 * not, at random), one with the default transports whose upgrade lands on another node (the
 * session moves there). A short ping interval, so that many heartbeats pass. Its own file, so it
 * runs alongside the others. `SKT_LONG_SESSION_MS` sets the length (default 2 minutes).
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import { client, connected } from "../helpers/client.js";
import { roundRobin } from "../helpers/round-robin.js";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { withTimeout } from "../helpers/wait.js";
import { cleanupAtEnd, deleteTrackedKeys, spawnNode, uniqueKey } from "./helpers.js";

const skip = await needRedis();
after(deleteTrackedKeys);

const LENGTH_MS = Number(process.env.SKT_LONG_SESSION_MS ?? 120_000);
const PING_INTERVAL = 1_000;

function ack<T>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<T> {
  return withTimeout(socket.timeout(5_000).emitWithAck(event, ...args) as Promise<T>, 6_000, `ack of ${event}`);
}

/** Counts the client's heartbeats over `ms`, failing on any disconnect. */
function heartbeats(s: ClientSocket, ms: number): Promise<number> {
  let pings = 0;
  s.io.engine.on("ping", () => pings++);
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => resolve(pings), ms);
    s.once("disconnect", (reason) => {
      clearTimeout(timer);
      reject(new Error(`disconnected after ${pings} pings: ${reason}`));
    });
  });
}

describe("no sticky sessions: a long session", { skip }, () => {
  test(`${LENGTH_MS / 1_000} s of heartbeats every ${PING_INTERVAL} ms, polling only through the relay and upgraded after a move`, { timeout: LENGTH_MS + 60_000 }, async (t) => {
    const key = uniqueKey();
    cleanupAtEnd(key);
    const engine = { pingInterval: PING_INTERVAL, pingTimeout: 2_000 };
    const nodes = await Promise.all([0, 1].map((i) => spawnNode(t, { key, redisUrl: REDIS_URL, name: `n${i}`, stickySessions: false, engine }, "relay-node.ts")));
    const balancer = await roundRobin(
      t,
      nodes.map((n) => n.port),
    );
    balancer.upgrades = "other-node";
    const polling = client(t, balancer.url, { transports: ["polling"] });
    const upgraded = client(t, balancer.url);
    await Promise.all([connected(polling), connected(upgraded)]);
    const [p0, u0] = await Promise.all([ack<{ id: string; node: string }>(polling, "whoami"), ack<{ id: string }>(upgraded, "whoami")]);
    const [pingsPolling, pingsUpgraded] = await Promise.all([heartbeats(polling, LENGTH_MS), heartbeats(upgraded, LENGTH_MS)]);
    const expected = (LENGTH_MS / PING_INTERVAL) * 0.8;
    assert.ok(pingsPolling >= expected, `${pingsPolling} pings over polling in ${LENGTH_MS} ms`);
    assert.ok(pingsUpgraded >= expected, `${pingsUpgraded} pings after the move in ${LENGTH_MS} ms`);
    // the same sessions, still served
    const [p1, u1] = await Promise.all([
      ack<{ id: string; node: string; transport: string }>(polling, "whoami"),
      ack<{ id: string; transport: string; recovered: boolean }>(upgraded, "whoami"),
    ]);
    assert.equal(p1.id, p0.id);
    assert.equal(p1.transport, "polling");
    assert.equal(u1.id, u0.id);
    assert.equal(u1.transport, "websocket");
    assert.equal(u1.recovered, true);
    // the polling session's requests crossed nodes the whole time
    assert.ok(balancer.log.filter((l) => l.kind === "http" && l.url.includes(encodeURIComponent(polling.io.engine.id))).length > pingsPolling);
    // the only disconnect seen: the moved session's, on its old node
    const upgradePort = balancer.log.find((l) => l.kind === "upgrade")!.port;
    for (const n of nodes) assert.deepEqual(await n.call("disconnects"), n.port === upgradePort ? [] : ["session moved"]);
  });
});
