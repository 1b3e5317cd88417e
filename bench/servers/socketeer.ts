/**
 * @module bench/servers/socketeer — Socketeer (core/index.ts, default options) running the same
 * scenario app as the socket.io server. Started by bench/run.ts, which skips it with a note when
 * core/index.ts does not exist yet.
 */
import { createRequire } from "node:module";
import type { Server as HttpServer } from "node:http";
import { hostServer } from "./host.js";
import { installSioApp, type SioServerLike } from "./sio-app.js";

// Loaded through a variable so that the harness type-checks and starts even while core/index.ts
// is being written; the orchestrator reports a failed import as "Socketeer skipped".
const CORE_ENTRY = "../../core/index.js";
const core = (await import(CORE_ENTRY)) as { Server?: new (http: HttpServer) => SioServerLike };
if (typeof core.Server !== "function") throw new Error("core/index.ts does not export a Server class");
const ServerClass = core.Server;
const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

await hostServer("socketeer", version, (http, counter) => {
  const io = new ServerClass(http);
  return installSioApp(io, counter);
});
