/**
 * @module compat/socket — installs `socket.acks`, `socket.notifyOutgoingListeners`,
 * `socket.local` and `socket.leaveAll` (see `members.ts`).
 */
import type { Packet } from "../adapter/types.js";
import type { AdapterLike } from "../contracts.js";
import { kNotifyOutgoing } from "../contracts.js";
import type { AckCallback } from "../socket/acks.js";
import { defineMembers } from "./members.js";

/** What these members use of the Socket. */
interface CompatSocket {
  readonly id: string;
  readonly nsp: { readonly adapter: AdapterLike };
  [kNotifyOutgoing](packet: Packet): void;
}

/** What the Socket lends its compatibility members (its acks and flags stay private). */
export interface SocketCompatAccess<T extends CompatSocket> {
  /** The pending acks' map (created on first use). */
  acks(socket: T): Map<number, AckCallback>;
  /** Sets the `local` flag of the next emit or broadcast. */
  markLocal(socket: T): void;
}

/**
 * @param SocketClass the Socket class
 * @param access its private state, lent to these members only
 */
export function installSocketCompat<T extends CompatSocket>(SocketClass: { prototype: T }, access: SocketCompatAccess<T>): void {
  defineMembers(SocketClass.prototype, {
    acks: {
      get(this: T) {
        return access.acks(this);
      },
    },
    notifyOutgoingListeners: {
      writable: true,
      value(this: T, packet: Packet): void {
        this[kNotifyOutgoing](packet);
      },
    },
    local: {
      get(this: T) {
        access.markLocal(this);
        return this;
      },
    },
    leaveAll: {
      writable: true,
      value(this: T): void {
        this.nsp.adapter.delAll(this.id);
      },
    },
  });
}
