/**
 * @module compat/broadcast-operator — installs a BroadcastOperator's read-only `rooms`,
 * `exceptRooms` and `flags` (see `members.ts`).
 */
import type { BroadcastOptions } from "../adapter/types.js";
import type { BroadcastOperator, OperatorFlags } from "../broadcast/broadcast-operator.js";
import { defineMembers } from "./members.js";

type AnyOperator = BroadcastOperator<any, any>;

/** What the operator lends its compatibility members (its selection stays private). */
export interface BroadcastOperatorCompatAccess {
  /** The operator's rooms, exceptions and flags. */
  options(op: AnyOperator): BroadcastOptions & { flags: OperatorFlags };
}

/**
 * @param OperatorClass the BroadcastOperator class
 * @param access its private state, lent to these members only
 */
export function installBroadcastOperatorCompat(
  OperatorClass: { prototype: AnyOperator },
  access: BroadcastOperatorCompatAccess,
): void {
  defineMembers(OperatorClass.prototype, {
    rooms: {
      get(this: AnyOperator): ReadonlySet<string> {
        return access.options(this).rooms;
      },
    },
    exceptRooms: {
      get(this: AnyOperator): ReadonlySet<string> {
        return access.options(this).except ?? new Set();
      },
    },
    flags: {
      get(this: AnyOperator): Readonly<OperatorFlags> {
        return Object.freeze({ ...access.options(this).flags });
      },
    },
  });
}
