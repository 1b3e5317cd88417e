#!/usr/bin/env node
// `npm start`: runs the sample chat app (samples/). Until a sample exists, says so and exits 0.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const entry = resolve(root, "samples/chat/fastify.ts");
if (!existsSync(entry)) {
  console.log("no sample yet");
  process.exit(0);
}
const r = spawnSync(process.execPath, ["--import", "tsx", entry], { stdio: "inherit", cwd: root });
process.exit(r.status ?? 0);
