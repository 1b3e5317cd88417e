/**
 * @module bench/servers/sio-app — the scenario app for servers with the socket.io v4 API
 * (socket.io itself and Socketeer), written once against the small part of that API it uses,
 * so both servers run exactly the same handlers.
 *
 * Events (client → server): `join(room, ack)` joins and acks with no data; `echo(data, ack)` acks
 * with `data`; `pub(room, data)` emits `msg(data)` to the room. The host's broadcast command emits
 * `b(payload)` to a room.
 */
import type { BenchApp, ConnectionCounter } from "./host.js";

/** The part of a socket.io-style Socket the app uses. */
export interface SioSocketLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  join(room: string): unknown;
}

/** The part of a socket.io-style Server the app uses. */
export interface SioServerLike {
  on(event: "connection", listener: (socket: SioSocketLike) => void): unknown;
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
}

/** Installs the scenario handlers on `io`; returns the host's view of the app. */
export function installSioApp(io: SioServerLike, counter: ConnectionCounter): BenchApp {
  io.on("connection", (socket) => {
    counter.opened();
    socket.on("disconnect", () => counter.closed());
    socket.on("join", (room, ack) => {
      socket.join(String(room));
      if (typeof ack === "function") ack();
    });
    socket.on("echo", (data, ack) => {
      if (typeof ack === "function") ack(data);
    });
    socket.on("pub", (room, data) => {
      io.to(String(room)).emit("msg", data);
    });
  });
  return {
    broadcast: (room, payload) => {
      io.to(room).emit("b", payload);
    },
  };
}
