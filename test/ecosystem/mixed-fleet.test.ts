/**
 * A fleet in the middle of a migration: one socket.io 4.8 process and one Socketeer process on
 * the same @socket.io/redis-adapter and Redis behave as one cluster, both ways (broadcasts, rooms,
 * fetchSockets, serverSideEmit, acks).
 */
import { describe } from "node:test";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { COMPAT_TODO, SERVER, clusterScenarios, uniqueKey, useFleet, type NodeConfig } from "./support.js";

const skip = await needRedis();

describe(`a socket.io 4.8 node (A) and a ${SERVER} node (B) on @socket.io/redis-adapter (ioredis)`, { skip, todo: COMPAT_TODO["mixed-fleet"] }, () => {
  const fleet = useFleet(() => {
    const key = uniqueKey("mixed");
    const servers: NodeConfig["server"][] = ["socket.io", SERVER];
    return servers.map((server, i) => ({ name: i === 0 ? "A" : "B", server, adapter: "redis-ioredis" as const, key, redisUrl: REDIS_URL }));
  });
  clusterScenarios(fleet, { todo: COMPAT_TODO["mixed-fleet"] });
});
