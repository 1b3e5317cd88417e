/**
 * @module symbols — internal Symbol keys shared across core modules (never part of the public API).
 */

/** Tests reach internals only through this key. */
export const kTestInternals: unique symbol = Symbol("socketeer.testInternals");
/** AdapterSocket: write already-encoded packets to the socket's connection. */
export const kWriteEncoded: unique symbol = Symbol("socketeer.writeEncoded");
/** AdapterSocket: register an ack callback under an id chosen by the adapter. */
export const kRegisterAck: unique symbol = Symbol("socketeer.registerAck");
/** AdapterSocket: notify outgoing-any listeners of a broadcast packet. */
export const kNotifyOutgoing: unique symbol = Symbol("socketeer.notifyOutgoing");
/** AdapterNamespace: the next ack id, shared by every socket of a namespace. */
export const kNextAckId: unique symbol = Symbol("socketeer.nextAckId");
