/**
 * @module bench/servers/wstuned — the tuned floor: a raw `ws` server that frames each message
 * once and gathers each socket's writes of an event-loop turn into one corked write. It answers
 * the same plain-JSON protocol as bench/servers/ws.ts (the plain floor); issue 18 states the
 * "ten emits per turn" target against it. Started by bench/run.ts.
 *
 * The frame is built with ws's exported `Sender.frame` (RFC 6455 header + unmasked payload, the
 * bytes `ws.send` would write); the upgrade and the reading side stay `ws`'s. Frames go straight
 * to the `net.Socket` the upgrade hands over (kept from the `upgrade` event, public API), which
 * is safe because without `perMessageDeflate` `ws` writes each frame whole and queues nothing.
 */
import { createRequire } from "node:module";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { hostServer } from "./host.js";

const require = createRequire(import.meta.url);
const { version } = require("ws/package.json") as { version: string };

interface FrameOptions {
  readonly fin: boolean;
  readonly opcode: number;
  readonly mask: boolean;
  readonly readOnly: boolean;
  readonly rsv1: boolean;
}
/** ws's `Sender.frame` (exported by `ws`, not declared by @types/ws). */
const { Sender } = require("ws") as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };
const TEXT: FrameOptions = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };

/** One connection: its socket and the frames waiting for the end of the turn. */
interface Peer {
  readonly ws: WebSocket;
  readonly socket: Duplex;
  pending: Buffer[] | null;
}

const dirty: Peer[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const peer of dirty) {
    const frames = peer.pending as Buffer[];
    peer.pending = null;
    const { socket } = peer;
    if (!socket.writable) continue;
    socket.cork();
    for (const b of frames) socket.write(b);
    socket.uncork();
  }
  dirty.length = 0;
}

/** Queues the buffers of one frame for `peer`; they leave at the end of the turn. */
function queue(peer: Peer, frame: readonly Buffer[]): void {
  if (peer.pending === null) {
    peer.pending = [];
    dirty.push(peer);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }
  for (const b of frame) peer.pending.push(b);
}

const frameText = (text: string): Buffer[] => Sender.frame(Buffer.from(text), TEXT);

await hostServer("wstuned", version, (http, counter) => {
  const wss = new WebSocketServer({ noServer: true });
  const rooms = new Map<string, Set<Peer>>();

  /** One frame per broadcast; the same buffers reach every member. */
  const sendToRoom = (room: string, text: string): void => {
    const members = rooms.get(room);
    if (!members) return;
    const frame = frameText(text);
    for (const peer of members) queue(peer, frame);
  };

  const onConnection = (ws: WebSocket, socket: Duplex): void => {
    counter.opened();
    const peer: Peer = { ws, socket, pending: null };
    const joined: string[] = [];
    ws.on("close", () => {
      for (const room of joined) rooms.get(room)?.delete(peer);
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
          members.add(peer);
          joined.push(room);
          queue(peer, frameText(`["ack",${Number(msg[2])}]`));
          break;
        }
        case "echo":
          queue(peer, frameText(`["ack",${Number(msg[2])},${JSON.stringify(msg[1])}]`));
          break;
        case "pub":
          sendToRoom(String(msg[1]), JSON.stringify(["msg", msg[2]]));
          break;
      }
    });
  };

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket));
  });

  return {
    broadcast: (room, payload) => sendToRoom(room, JSON.stringify(["b", payload])),
  };
});
