/**
 * A node killed (SIGKILL, no goodbye) under a Redis cluster: the survivors stop counting it as
 * soon as Redis sees its connection drop. A request already waiting for it fails once with
 * SKT_ERR_ADAPTER_REQUEST_TIMEOUT; within two request timeouts `fetchSockets()` answers with the
 * sockets of the live nodes only, and broadcasts keep reaching them. (A node that is
 * alive but frozen makes requests time out instead: test/redis/cluster.test.ts.)
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { once } from "../helpers/wait.js";
import { startNode } from "../redis/fixtures/app.js";
import { cleanupAtEnd, deleteTrackedKeys, spawnNode, uniqueKey, untilAsync } from "../redis/helpers.js";

const skip = await needRedis();
after(deleteTrackedKeys);

const REQUESTS_TIMEOUT = 1_500;

test("a killed node's sockets leave fetchSockets results within the request timeout", { skip }, async (t) => {
  const key = uniqueKey();
  cleanupAtEnd(key);
  const config = { redisUrl: REDIS_URL, key, requestsTimeout: REQUESTS_TIMEOUT };
  const a = await startNode({ ...config, name: "A" });
  t.after(() => a.close());
  const doomed = await spawnNode(t, { ...config, name: "D" });
  await untilAsync(async () => (await a.io.of("/").adapter.serverCount()) === 2, "two nodes");

  const clients: ClientSocket[] = [];
  t.after(() => {
    for (const c of clients) c.disconnect();
  });
  const open = async (url: string): Promise<ClientSocket> => {
    const c = ioc(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { user: url } });
    clients.push(c);
    await once(c as unknown as Parameters<typeof once>[0], "connect");
    return c;
  };
  const onA = await open(a.url);
  const onD = await open(doomed.url);
  const before = (await a.io.fetchSockets()).map((s) => s.id).sort();
  assert.deepEqual(before, [onA.id, onD.id].sort());

  doomed.child.kill("SIGKILL");
  await once(onD as unknown as Parameters<typeof once>[0], "disconnect");
  const started = Date.now();
  const timeouts: (string | undefined)[] = [];
  await untilAsync(
    async () => {
      // A request that went out while Redis still counted the dead node times out (once).
      const ids = await a.io.fetchSockets().then(
        (found) => found.map((s) => s.id),
        (err: { code?: string }) => {
          timeouts.push(err.code);
          return [];
        },
      );
      return ids.length === 1 && ids[0] === onA.id;
    },
    "the killed node's socket to leave fetchSockets",
    REQUESTS_TIMEOUT * 3,
  );
  assert.ok(Date.now() - started <= REQUESTS_TIMEOUT * 3);
  assert.ok(timeouts.length <= 1, `requests timed out ${timeouts.length} times`);
  assert.ok(timeouts.every((c) => c === "SKT_ERR_ADAPTER_REQUEST_TIMEOUT"), timeouts.join(","));
  // The survivor still delivers.
  const got = once<[string]>(onA as unknown as Parameters<typeof once>[0], "after-kill");
  a.io.emit("after-kill", "still here");
  assert.deepEqual(await got, ["still here"]);
  assert.deepEqual(a.errors, []);
});
