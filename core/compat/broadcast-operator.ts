/**
 * @module compat/broadcast-operator — installs a BroadcastOperator's read-only `rooms`,
 * `exceptRooms` and `flags` (see `members.ts`).
 */
import type { BroadcastFlags, BroadcastOptions, Room } from "../adapter/types.js";
import { defineMembers } from "./members.js";

/** What the operator lends its compatibility members (its selection stays private). */
export interface BroadcastOperatorCompatAccess<T extends object> {
  /** The operator's rooms, exceptions and flags. */
  options(op: T): BroadcastOptions;
}

/**
 * @param OperatorClass the BroadcastOperator class
 * @param access its private state, lent to these members only
 */
export function installBroadcastOperatorCompat<T extends object>(
  OperatorClass: { prototype: T },
  access: BroadcastOperatorCompatAccess<T>,
): void {
  defineMembers(OperatorClass.prototype, {
    rooms: {
      get(this: T): ReadonlySet<Room> {
        return access.options(this).rooms;
      },
    },
    exceptRooms: {
      get(this: T): ReadonlySet<Room> {
        return access.options(this).except ?? new Set();
      },
    },
    flags: {
      get(this: T): Readonly<BroadcastFlags> {
        return Object.freeze({ ...access.options(this).flags });
      },
    },
  });
}
