/**
 * @module redis/convert — conversions between the adapter's objects and what travels between
 * nodes, and the small rules the adapter applies to them.
 */
import { debuglog } from "../../core/util/debug.js";
import { kOnServerSideEmit, type AdapterNamespace, type BroadcastOptions, type Packet, type Room, type SocketDetails } from "./core.js";
import { MESSAGE_TYPE, type NodeMessage, type WireOptions } from "./messages.js";

const debug = debuglog("socketeer:redis");

/** socket.io-protocol-v5.md, "Packet types": EVENT. Only events are replayable. */
const EVENT = 2;

/** A socket of another node, as `fetchSockets()` returns it (the server wraps it as a RemoteSocket). */
export type RemoteSocketDetails = SocketDetails;

/** Broadcast options as they travel: sets become arrays, unset flags are dropped. */
export function toWire(opts: BroadcastOptions): WireOptions {
  const flags: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts.flags ?? {})) if (v !== undefined) flags[k] = v;
  return { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags };
}

/** Broadcast options back from the wire. */
export function fromWire(opts: WireOptions): BroadcastOptions {
  return { rooms: new Set(opts.rooms), except: new Set(opts.except), flags: opts.flags as BroadcastOptions["flags"] };
}

/** The value a request collects from one answer. */
export function answerOf(m: NodeMessage): unknown {
  switch (m.type) {
    case MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE:
      return m.sockets;
    case MESSAGE_TYPE.SERVER_SIDE_EMIT_RESPONSE:
      return m.arg;
    case MESSAGE_TYPE.ALL_ROOMS_RESPONSE:
      return m.rooms;
    default:
      return undefined;
  }
}

/** True for a packet connection state recovery keeps: an event without ack, not volatile. */
export function isRecoverable(packet: Packet, opts: BroadcastOptions): boolean {
  // Acks cannot be answered after a reconnection, and volatile packets may be lost by design.
  return packet.type === EVENT && packet.id === undefined && opts.flags?.volatile !== true && Array.isArray(packet.data);
}

/** Hands a server-side event to the namespace's listeners (the namespace's cluster seam). */
export function deliverServerSideEmit(nsp: AdapterNamespace, args: unknown[]): void {
  nsp[kOnServerSideEmit](args);
}
