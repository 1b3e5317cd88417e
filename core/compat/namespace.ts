/**
 * @module compat/namespace — installs `nsp._ids` and `nsp._onServerSideEmit` (see `members.ts`).
 */
import { kOnServerSideEmit } from "../contracts.js";
import { defineMembers } from "./members.js";

/** What these members use of the Namespace. */
interface CompatNamespace {
  [kOnServerSideEmit](args: unknown[]): void;
}

/** What the Namespace lends its compatibility members (the ack counter stays private). */
export interface NamespaceCompatAccess<T extends CompatNamespace> {
  /** The next ack id, without taking it. */
  peekAckId(nsp: T): number;
  /** Moves the counter (an adapter's `nsp._ids++`). */
  setAckId(nsp: T, id: number): void;
}

/**
 * @param NamespaceClass the Namespace class (ParentNamespace inherits the members)
 * @param access its private state, lent to these members only
 */
export function installNamespaceCompat<T extends CompatNamespace>(
  NamespaceClass: { prototype: T },
  access: NamespaceCompatAccess<T>,
): void {
  defineMembers(NamespaceClass.prototype, {
    _ids: {
      get(this: T) {
        return access.peekAckId(this);
      },
      set(this: T, id: number) {
        access.setAckId(this, id);
      },
    },
    _onServerSideEmit: {
      writable: true,
      value(this: T, args: unknown[]): void {
        this[kOnServerSideEmit](args);
      },
    },
  });
}
