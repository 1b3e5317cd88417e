/**
 * @module bench/servers/ws — the floor: a raw `ws` server with plain JSON messages, the least any
 * server on `ws` can spend for the same scenarios. Started by bench/run.ts.
 *
 * Messages are JSON arrays, mirroring the socket.io app: `["join",room,id]` → `["ack",id]`;
 * `["echo",data,id]` → `["ack",id,data]`; `["pub",room,data]` → `["msg",data]` to the room;
 * the host's broadcast command sends `["b",payload]` to a room. A broadcast is encoded once.
 */
import { createRequire } from "node:module";
import { WebSocketServer, type WebSocket } from "ws";
import { hostServer } from "./host.js";

const { version } = createRequire(import.meta.url)("ws/package.json") as { version: string };

await hostServer("ws", version, (http, counter) => {
  const wss = new WebSocketServer({ server: http });
  const rooms = new Map<string, Set<WebSocket>>();

  // The frame's bytes are made once per broadcast and handed to every member as a text frame:
  // the least the public `ws` API lets a server spend per delivery.
  const sendToRoom = (room: string, frame: string): void => {
    const members = rooms.get(room);
    if (!members) return;
    const bytes = Buffer.from(frame);
    for (const ws of members) ws.send(bytes, { binary: false });
  };

  wss.on("connection", (ws) => {
    counter.opened();
    const joined: string[] = [];
    ws.on("close", () => {
      for (const room of joined) rooms.get(room)?.delete(ws);
      counter.closed();
    });
    ws.on("message", (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        ws.close(1002);
        return;
      }
      if (!Array.isArray(msg)) return;
      switch (msg[0]) {
        case "join": {
          const room = String(msg[1]);
          let members = rooms.get(room);
          if (!members) rooms.set(room, (members = new Set()));
          members.add(ws);
          joined.push(room);
          ws.send(`["ack",${Number(msg[2])}]`);
          break;
        }
        case "echo":
          ws.send(`["ack",${Number(msg[2])},${JSON.stringify(msg[1])}]`);
          break;
        case "pub":
          sendToRoom(String(msg[1]), JSON.stringify(["msg", msg[2]]));
          break;
      }
    });
  });

  return {
    broadcast: (room, payload) => sendToRoom(room, JSON.stringify(["b", payload])),
  };
});
