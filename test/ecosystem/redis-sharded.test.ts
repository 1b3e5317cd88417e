/**
 * @socket.io/redis-adapter's createShardedAdapter (Redis 7 sharded Pub/Sub) on a real three-master
 * Redis Cluster, node-redis createCluster as its README shows it, two server processes.
 */
import { before, describe } from "node:test";
import { needRedisCluster, startRedisCluster, type RedisCluster } from "../helpers/redis-cluster.js";
import { COMPAT_TODO, SERVER, clusterScenarios, uniqueKey, useFleet } from "./support.js";

const skip = needRedisCluster();

describe(`@socket.io/redis-adapter createShardedAdapter on a Redis Cluster: two ${SERVER} nodes`, { skip, todo: COMPAT_TODO["redis-adapter"] }, () => {
  let cluster: RedisCluster;
  const stops: (() => unknown)[] = [];
  before(async () => {
    cluster = await startRedisCluster({ after: (fn) => void stops.push(fn) });
  });
  const fleet = useFleet(
    () => {
      const key = uniqueKey("sharded");
      return ["A", "B"].map((name) => ({ name, server: SERVER, adapter: "redis-sharded" as const, key, rootNodes: cluster.rootNodes }));
    },
    async () => {
      for (const stop of stops) await stop();
    },
  );
  clusterScenarios(fleet, { todo: COMPAT_TODO["redis-adapter"] });
});
