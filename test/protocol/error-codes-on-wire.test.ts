/**
 * @module test/protocol/error-codes-on-wire — errors reach the peer with the codes the registry
 * declares (core/errors.ts): an undecodable WebSocket frame ends in a closing handshake with the
 * error's `closeCode`, not in a dropped TCP connection (1006); a polling body that cannot be decoded
 * or is too large is answered with the error's `statusCode`. Compared with socket.io where the
 * client could see a difference.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { Server as SocketIoServer } from "socket.io";
import { WebSocket } from "ws";
import { io as ioc } from "socket.io-client";
import { Server, createError } from "../../core/index.js";
import { listen } from "../helpers/listen.js";
import { once } from "../helpers/wait.js";

const IMPLEMENTATIONS = [
  { name: "socketeer", start: (server: import("node:http").Server) => new Server(server) },
  { name: "socket.io", start: (server: import("node:http").Server) => new SocketIoServer(server) },
] as const;

async function start(t: TestContext, which: (typeof IMPLEMENTATIONS)[number]): Promise<string> {
  const { server, port } = await listen(t);
  const io = which.start(server);
  t.after(() => io.close());
  return `127.0.0.1:${port}/socket.io/?EIO=4`;
}

/** Opens a raw Engine.IO WebSocket, waits for the open packet, sends `frame`, resolves with the close code. */
async function closeCodeAfter(base: string, frame: string): Promise<number> {
  const ws = new WebSocket(`ws://${base}&transport=websocket`);
  const [open] = await once<[Buffer]>(ws, "message");
  assert.equal(open.toString()[0], "0", "the open packet comes first");
  const closed = once<[number]>(ws, "close");
  ws.send(frame);
  const [code] = await closed;
  return code;
}

test("an undecodable WebSocket frame closes with the error's closeCode (1002); socket.io closes cleanly too", async (t) => {
  const codes: Record<string, number> = {};
  for (const which of IMPLEMENTATIONS) codes[which.name] = await closeCodeAfter(await start(t, which), "x");
  assert.equal(codes.socketeer, createError("SKT_ERR_ENGINE_PARSE", "x").closeCode);
  assert.equal(codes.socketeer, 1002);
  // socket.io ends with a closing handshake as well (no status code: 1005); neither drops the TCP connection
  assert.notEqual(codes["socket.io"], 1006, "socket.io closes with a handshake");
});

test("socket.io-client sees the same disconnect reason from both servers after a bad frame", async (t) => {
  const reasons: string[] = [];
  for (const which of IMPLEMENTATIONS) {
    const base = await start(t, which);
    const client = ioc(`http://${base.split("/")[0]}`, { transports: ["websocket"], reconnection: false, forceNew: true });
    t.after(() => client.close());
    await once(client, "connect");
    const reason = once<[string]>(client, "disconnect");
    // the client's own WebSocket, used to send a frame that no Engine.IO packet type starts with
    (client.io.engine.transport as unknown as { ws: WebSocket }).ws.send("x");
    reasons.push((await reason)[0]);
  }
  assert.deepEqual(reasons, ["transport close", "transport close"]);
});

test("polling answers an undecodable body with the error's statusCode (400) and an oversized one with 413", async (t) => {
  const base = await start(t, IMPLEMENTATIONS[0]);
  const handshake = await (await fetch(`http://${base}&transport=polling`)).text();
  const sid = (JSON.parse(handshake.slice(1)) as { sid: string }).sid;
  const bad = await fetch(`http://${base}&transport=polling&sid=${sid}`, { method: "POST", body: "x" });
  assert.equal(bad.status, createError("SKT_ERR_ENGINE_PARSE", "x").statusCode);
  await bad.text();
  const handshake2 = await (await fetch(`http://${base}&transport=polling`)).text();
  const sid2 = (JSON.parse(handshake2.slice(1)) as { sid: string }).sid;
  const big = await fetch(`http://${base}&transport=polling&sid=${sid2}`, { method: "POST", body: "4" + "a".repeat(1e6) });
  assert.equal(big.status, createError("SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE", 1e6).statusCode);
  await big.text().catch(() => "");
});
