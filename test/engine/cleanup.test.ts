import assert from "node:assert/strict";
import type { EventEmitter } from "node:events";
import { test, type TestContext } from "node:test";
import { Socket as ClientSocket } from "engine.io-client";
import type { Socket } from "../../core/engine/index.js";
import { startEngine } from "../helpers/raw-engine-client.js";
import { once, until } from "../helpers/wait.js";

const em = (c: ClientSocket): EventEmitter => c as unknown as EventEmitter;

/** Timers still armed in this process (the wait helpers clear theirs before resolving). */
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

async function opened(t: TestContext, transports: string[]) {
  // long timers: any of them left armed after the close would be counted below
  const fx = await startEngine(t, { pingInterval: 30_000, pingTimeout: 30_000, upgradeTimeout: 30_000 });
  const connected = once<[Socket]>(fx.engine, "connection");
  const client = new ClientSocket(`http://127.0.0.1:${fx.port}`, { transports });
  t.after(() => client.close());
  const [socket] = await connected;
  return { ...fx, client, socket };
}

for (const side of ["client", "server"] as const) {
  test(`closing from the ${side} mid-poll leaves no timer behind`, async (t) => {
    const { client, socket, engine } = await opened(t, ["polling"]);
    await until(() => socket.transport.writable, 5000, "GET parked");
    const closed = Promise.all([once(socket, "close"), once(em(client), "close")]);
    if (side === "client") client.close();
    else socket.close();
    await closed;
    await until(() => engine.clientsCount === 0 && timers() === 0, 5000, "no timers left");
    assert.equal(timers(), 0);
  });

  test(`closing from the ${side} mid-upgrade leaves no timer behind`, async (t) => {
    const { client, socket, engine } = await opened(t, ["polling", "websocket"]);
    await once(socket, "upgrading");
    const closed = Promise.all([once(socket, "close"), once(em(client), "close")]);
    if (side === "client") client.close();
    else socket.close();
    await closed;
    await until(() => engine.clientsCount === 0 && timers() === 0, 5000, "no timers left");
    assert.equal(socket.upgrading, false);
    assert.equal(timers(), 0);
  });
}

test("server.close() with open sessions leaves no timer behind", async (t) => {
  const { client, engine } = await opened(t, ["websocket"]);
  await once(em(client), "open");
  const closed = once(em(client), "close");
  engine.close();
  await closed;
  await until(() => timers() === 0, 5000, "no timers left");
  assert.equal(engine.clientsCount, 0);
});
