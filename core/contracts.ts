/**
 * @module symbols — internal Symbol keys shared across core modules (never part of the public API).
 */

/** Tests reach internals only through this key. */
export const kTestInternals: unique symbol = Symbol("socketeer.testInternals");
/** AdapterSocket: write already-encoded packets to the socket's connection. */
export const kWriteEncoded: unique symbol = Symbol("socketeer.writeEncoded");
/** AdapterSocket: notify outgoing-any listeners of a broadcast packet. */
export const kNotifyOutgoing: unique symbol = Symbol("socketeer.notifyOutgoing");
/** AdapterNamespace: the next ack id, shared by every socket of a namespace. */
export const kNextAckId: unique symbol = Symbol("socketeer.nextAckId");
/** Socket: the packet handler called by its Client. */
export const kOnPacket: unique symbol = Symbol("socketeer.onPacket");
/** Socket: closes the socket with a reason, called by its Client or the Server. */
export const kOnClose: unique symbol = Symbol("socketeer.onClose");
/** Socket: finishes the connection (joins its own room, sends CONNECT). */
export const kOnConnect: unique symbol = Symbol("socketeer.onConnect");
/** Socket: refuses the connection with CONNECT_ERROR. */
export const kConnectError: unique symbol = Symbol("socketeer.connectError");
/** Namespace: admits a new client connection (middlewares, recovery). */
export const kAddClient: unique symbol = Symbol("socketeer.addClient");
/** Namespace: forgets a closed socket. */
export const kRemoveSocket: unique symbol = Symbol("socketeer.removeSocket");
/** Namespace: an event another server sent with serverSideEmit (called by cluster adapters). */
export const kOnServerSideEmit: unique symbol = Symbol("socketeer.onServerSideEmit");
/** Client: writes a packet for one socket. */
export const kWritePacket: unique symbol = Symbol("socketeer.writePacket");
/** Client: forgets a closed socket. */
export const kRemoveFromClient: unique symbol = Symbol("socketeer.removeFromClient");
/** Client: disconnects every socket of the connection and closes it (`disconnect(true)`). */
export const kDisconnectAll: unique symbol = Symbol("socketeer.disconnectAll");
/** Server: finds or creates a namespace for a CONNECT, through the dynamic matchers. */
export const kResolveNamespace: unique symbol = Symbol("socketeer.resolveNamespace");
/** Server: builds a decoder for a new connection. */
export const kCreateDecoder: unique symbol = Symbol("socketeer.createDecoder");
/** Server: builds the adapter of a namespace. */
export const kCreateAdapter: unique symbol = Symbol("socketeer.createAdapter");
/** Server: the connect timeout in ms. */
export const kConnectTimeout: unique symbol = Symbol("socketeer.connectTimeout");
/** Namespace: (re)creates its adapter from the server's `adapter` option. */
export const kInitAdapter: unique symbol = Symbol("socketeer.initAdapter");
/** Namespace: called when its last socket leaves (cleanupEmptyChildNamespaces). */
export const kSetOnEmpty: unique symbol = Symbol("socketeer.setOnEmpty");
