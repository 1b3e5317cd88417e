/**
 * @module redis/channels — the names of the pub/sub channels and keys the adapter uses.
 *
 * Everything is derived from one prefix (`key`, default `"socket.io"`) and the namespace, in the
 * `socket.io#<nsp>#` style of `@socket.io/redis-adapter`, so channels of different namespaces
 * and of different applications sharing one Redis never mix:
 *
 * | name | what travels there |
 * | --- | --- |
 * | `<key>#<nsp>#` | broadcasts, with or without acks (every node subscribes) |
 * | `<key>-request#<nsp>#` | requests: fetchSockets, socketsJoin/Leave, disconnectSockets, serverSideEmit (every node subscribes) |
 * | `<key>-response#<nsp>#<uid>#` | answers to the requests of node `uid` (only that node subscribes) |
 * | `<key>-stream#<nsp>#` | Redis Stream of recoverable packets (connection state recovery) |
 * | `<key>-session#<nsp>#<pid>` | a disconnected socket's session, expiring after the recovery window |
 *
 * The number of subscribers of the request channel (PUBSUB NUMSUB) is the number of nodes
 * serving the namespace right now: that is how requests know how many answers to expect.
 */

/** The channel and key names of one namespace on one node. */
export interface ChannelNames {
  /** Broadcasts of the namespace. */
  readonly broadcast: string;
  /** Requests to every node of the namespace. */
  readonly request: string;
  /** Where this node receives answers. */
  readonly response: string;
  /** The recovery stream of the namespace. */
  readonly stream: string;
  /** Where the answers of node `uid` go. */
  responseOf(uid: string): string;
  /** The key of a persisted session. */
  session(pid: string): string;
}

/**
 * Derives every channel and key name of a namespace.
 *
 * @param key the prefix shared by the nodes of one application
 * @param nsp the namespace name (`"/"`, `"/chat"`)
 * @param uid this node's id for the namespace
 * @returns the names, frozen
 * @example
 * channelNames("socket.io", "/chat", "n1").broadcast; // "socket.io#/chat#"
 */
export function channelNames(key: string, nsp: string, uid: string): ChannelNames {
  const responseOf = (id: string): string => `${key}-response#${nsp}#${id}#`;
  return Object.freeze({
    broadcast: `${key}#${nsp}#`,
    request: `${key}-request#${nsp}#`,
    response: responseOf(uid),
    stream: `${key}-stream#${nsp}#`,
    responseOf,
    session: (pid: string) => `${key}-session#${nsp}#${pid}`,
  });
}
