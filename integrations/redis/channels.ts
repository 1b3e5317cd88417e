/**
 * @module redis/channels — the Redis keys of connection state recovery, which socket.io's adapter
 * does not have. The pub/sub channels are the protocols' (protocol-classic.ts,
 * protocol-sharded.ts).
 *
 * | key | what it holds |
 * | --- | --- |
 * | `<key>-stream#<nsp>#` | Redis Stream of recoverable broadcasts |
 * | `<key>-session#<nsp>#<pid>` | a disconnected socket's session, expiring after the recovery window |
 *
 * On a Redis Cluster the stream's name carries the namespace channel as a hash tag
 * (`<prefix>-stream{<prefix>#<nsp>#}`): the script that appends a broadcast and SPUBLISHes it
 * touches one slot only.
 */
import type { RecoveryKeys } from "./recovery-store.js";

/**
 * The recovery keys of a namespace for `createAdapter`.
 *
 * @param key the prefix shared by the nodes of one application
 * @param nsp the namespace name
 * @example
 * classicRecoveryKeys("socket.io", "/chat").stream; // "socket.io-stream#/chat#"
 */
export function classicRecoveryKeys(key: string, nsp: string): RecoveryKeys {
  return Object.freeze({
    stream: `${key}-stream#${nsp}#`,
    session: (pid: string) => `${key}-session#${nsp}#${pid}`,
    publish: "PUBLISH" as const,
  });
}

/**
 * The recovery keys of a namespace for `createShardedAdapter`.
 *
 * @param prefix the channel prefix
 * @param nsp the namespace name
 * @example
 * shardedRecoveryKeys("socket.io", "/").stream; // "socket.io-stream{socket.io#/#}"
 */
export function shardedRecoveryKeys(prefix: string, nsp: string): RecoveryKeys {
  return Object.freeze({
    stream: `${prefix}-stream{${prefix}#${nsp}#}`,
    session: (pid: string) => `${prefix}-session#${nsp}#${pid}`,
    publish: "SPUBLISH" as const,
  });
}
