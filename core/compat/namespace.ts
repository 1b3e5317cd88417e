/**
 * @module compat/namespace — installs `nsp._ids` and `nsp._onServerSideEmit` (see `members.ts`).
 */
import type { Namespace } from "../namespace/namespace.js";
import { kOnServerSideEmit } from "../contracts.js";
import { defineMembers } from "./members.js";

type AnyNamespace = Namespace<any, any, any, any>;

/** What the Namespace lends its compatibility members (the ack counter stays private). */
export interface NamespaceCompatAccess {
  /** The next ack id, without taking it. */
  peekAckId(nsp: AnyNamespace): number;
  /** Moves the counter (an adapter's `nsp._ids++`). */
  setAckId(nsp: AnyNamespace, id: number): void;
}

/**
 * @param NamespaceClass the Namespace class (ParentNamespace inherits the members)
 * @param access its private state, lent to these members only
 */
export function installNamespaceCompat(NamespaceClass: { prototype: AnyNamespace }, access: NamespaceCompatAccess): void {
  defineMembers(NamespaceClass.prototype, {
    _ids: {
      get(this: AnyNamespace) {
        return access.peekAckId(this);
      },
      set(this: AnyNamespace, id: number) {
        access.setAckId(this, id);
      },
    },
    _onServerSideEmit: {
      writable: true,
      value(this: AnyNamespace, args: unknown[]): void {
        this[kOnServerSideEmit](args);
      },
    },
  });
}
