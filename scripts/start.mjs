#!/usr/bin/env node
// `npm start [-- fastify|express|nest]`: runs the sample chat (samples/chat/), Fastify by default.
//   PORT (default 3000), HOST (default localhost), REDIS_URL (optional: share the chat between nodes)
// Fastify and Express run through tsx; the NestJS version is compiled by tsc first (Nest's
// decorators need emitDecoratorMetadata, which tsx does not emit), into .test-build/samples-nest/.
import { existsSync } from "node:fs";
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const which = process.argv[2] ?? "fastify";
const sources = { fastify: "samples/chat/fastify.ts", express: "samples/chat/express.ts", nest: "samples/chat/nestjs.ts" };
if (!(which in sources)) {
  console.error(`usage: npm start [-- ${Object.keys(sources).join("|")}]`);
  process.exit(2);
}
const entry = resolve(root, sources[which]);
if (!existsSync(entry)) {
  console.log("no sample yet");
  process.exit(0);
}

/** Runs `node <args>` in the foreground; Ctrl+C or a kill is passed on, and its status returned. */
function run(args) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, args, { stdio: "inherit", cwd: root });
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.once("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolveRun(code ?? (signal ? 1 : 0));
    });
  });
}

if (which === "nest") {
  const tsc = resolve(root, "node_modules/typescript/bin/tsc");
  console.log("compiling the NestJS sample with tsc…");
  // tsc emits even with type errors elsewhere in the tree; the sample itself must have compiled.
  await run([tsc, "-p", "tsconfig.samples-nest.json"]);
  const out = resolve(root, ".test-build/samples-nest/samples/chat/nestjs.js");
  if (!existsSync(out)) {
    console.error("the NestJS sample did not compile");
    process.exit(1);
  }
  // The sample imports `socketeer/...` as a user does; this hook resolves them to the compiled sources.
  process.exit(await run(["--import", resolve(root, "scripts/samples-resolve.mjs"), out]));
}
process.exit(await run(["--import", "tsx", entry]));
