/**
 * The multi-node example of docs/scaling-out.md runs: two processes on one Redis, a chat message crosses them.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, test, type TestContext } from "node:test";
import { io as ioc } from "socket.io-client";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { once, withTimeout } from "../helpers/wait.js";
import { cleanupAtEnd, deleteTrackedKeys, uniqueKey, untilAsync } from "./helpers.js";

const skip = await needRedis();
after(deleteTrackedKeys);

async function exampleNode(t: TestContext, key: string): Promise<string> {
  const script = new URL("./fixtures/example-node.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, PORT: "0", REDIS_URL, SOCKETEER_KEY: key },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  t.after(async () => {
    child.kill("SIGTERM");
    await exited;
  });
  child.stdout!.setEncoding("utf8");
  const port = await withTimeout(
    new Promise<string>((resolve) => {
      let out = "";
      child.stdout!.on("data", (chunk: string) => {
        out += chunk;
        const m = /listening on (\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
    }),
    20_000,
    "the example to listen",
  );
  return `http://127.0.0.1:${port}`;
}

test("the scaling-out example: a message said on one node reaches the room on the other", { skip }, async (t) => {
  const key = uniqueKey();
  cleanupAtEnd(key);
  const [url1, url2] = await Promise.all([exampleNode(t, key), exampleNode(t, key)]);
  const alice = ioc(url1!, { transports: ["websocket"], forceNew: true });
  const bob = ioc(url2!, { transports: ["websocket"], forceNew: true });
  t.after(() => {
    alice.disconnect();
    bob.disconnect();
  });
  await Promise.all([once(alice, "connect"), once(bob, "connect")]);
  // Each node subscribes right after it starts listening: ask until both are counted.
  await untilAsync(async () => (await withTimeout(alice.emitWithAck("join", "lobby"))) === 2, "both nodes", 10_000);
  await withTimeout(bob.emitWithAck("join", "lobby"));
  const heard = once<[{ text: string }]>(bob, "said");
  alice.emit("say", "lobby", "hello from node 1");
  assert.equal((await heard)[0].text, "hello from node 1");
});
