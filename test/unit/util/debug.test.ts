import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";
import { debugEnvEnables } from "../../../core/util/debug.js";

const root = resolve(import.meta.dirname, "../../..");

test("DEBUG patterns switch our sections on through socket.io's names", () => {
  assert.equal(debugEnvEnables("socketeer:socket", "socket.io:*"), true);
  assert.equal(debugEnvEnables("socketeer:namespace", "socket.io:*"), true);
  assert.equal(debugEnvEnables("socketeer:engine", "socket.io:*"), false);
  assert.equal(debugEnvEnables("socketeer:engine", "engine*"), true);
  assert.equal(debugEnvEnables("socketeer:engine", "socket.io:*,engine"), true);
  assert.equal(debugEnvEnables("socketeer:redis", "socket.io-redis"), true);
  assert.equal(debugEnvEnables("socketeer:express", "socket.io:*"), false);
  assert.equal(debugEnvEnables("socketeer:express", "socketeer:*"), true);
  assert.equal(debugEnvEnables("socketeer:express", "*"), true);
  assert.equal(debugEnvEnables("socketeer:socket", "* -socket.io:socket"), false);
  assert.equal(debugEnvEnables("socketeer:socket", ""), false);
  assert.equal(debugEnvEnables("socketeer:socket", undefined), false);
  assert.equal(debugEnvEnables("socketeer:socket", "socket.io:sock"), false, "a pattern matches whole names");
});

/** Runs a child that logs to two sections and returns its stderr. */
function logWith(env: Record<string, string>): string {
  const script = `
    import { debuglog } from "./core/util/debug.ts";
    const a = debuglog("socketeer:socket"), b = debuglog("socketeer:express");
    a("from %s", "socket"); b("from %s", "express");
    process.stdout.write(JSON.stringify([a.enabled, b.enabled]));`;
  const { NODE_DEBUG: _n, DEBUG: _d, ...base } = process.env;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root, encoding: "utf8", env: { ...base, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return `${r.stdout}\n${r.stderr}`;
}

test("DEBUG=socket.io:* prints the socket section in NODE_DEBUG's shape, and not the others", () => {
  const out = logWith({ DEBUG: "socket.io:*" });
  assert.match(out, /\[true,false\]/);
  assert.match(out, /^SOCKETEER:SOCKET \d+: from socket$/m);
  assert.doesNotMatch(out, /from express/);
});

test("NODE_DEBUG keeps working on its own", () => {
  const out = logWith({ NODE_DEBUG: "socketeer:express" });
  assert.match(out, /\[false,true\]/);
  assert.match(out, /^SOCKETEER:EXPRESS \d+: from express$/m);
  assert.doesNotMatch(out, /from socket/);
});

test("without NODE_DEBUG or DEBUG nothing is printed", () => {
  const out = logWith({});
  assert.match(out, /\[false,false\]/);
  assert.doesNotMatch(out, /SOCKETEER:/);
});
