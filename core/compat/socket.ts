/**
 * @module compat/socket — installs `socket.acks`, `socket.notifyOutgoingListeners`,
 * `socket.local` and `socket.leaveAll` (see `members.ts`).
 */
import type { Packet } from "../adapter/types.js";
import { kNotifyOutgoing } from "../contracts.js";
import type { AckCallback } from "../socket/acks.js";
import type { Socket } from "../socket/socket.js";
import { defineMembers } from "./members.js";

type AnySocket = Socket<any, any, any, any>;

/** What the Socket lends its compatibility members (its acks and flags stay private). */
export interface SocketCompatAccess {
  /** The pending acks' map (created on first use). */
  acks(socket: AnySocket): Map<number, AckCallback>;
  /** Sets the `local` flag of the next emit or broadcast. */
  markLocal(socket: AnySocket): void;
}

/**
 * @param SocketClass the Socket class
 * @param access its private state, lent to these members only
 */
export function installSocketCompat(SocketClass: { prototype: AnySocket }, access: SocketCompatAccess): void {
  defineMembers(SocketClass.prototype, {
    acks: {
      get(this: AnySocket) {
        return access.acks(this);
      },
    },
    notifyOutgoingListeners: {
      writable: true,
      value(this: AnySocket, packet: Packet): void {
        this[kNotifyOutgoing](packet);
      },
    },
    local: {
      get(this: AnySocket) {
        access.markLocal(this);
        return this;
      },
    },
    leaveAll: {
      writable: true,
      value(this: AnySocket): void {
        this.nsp.adapter.delAll(this.id);
      },
    },
  });
}
