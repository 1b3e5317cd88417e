/**
 * @module bench/servers/socketio — the `socket.io` server (our devDependency, default options)
 * running the scenario app. Started by bench/run.ts.
 */
import { createRequire } from "node:module";
import { Server } from "socket.io";
import { hostServer } from "./host.js";
import { installSioApp } from "./sio-app.js";

const { version } = createRequire(import.meta.url)("socket.io/package.json") as { version: string };

await hostServer("socket.io", version, (http, counter) => {
  const io = new Server(http);
  return installSioApp(io, counter);
});
