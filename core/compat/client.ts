/**
 * @module compat/client — installs `client.id` and `client.writeToEngine` (see `members.ts`): the
 * latter is the entry through which socket.io adapters write a broadcast's encoded packets, mapped
 * onto our own write path.
 */
import type { EncodedFrame, WriteOptions } from "../adapter/types.js";
import { kWriteEncoded } from "../contracts.js";
import { defineMembers } from "./members.js";

/** What these members use of the Client. */
interface CompatClient {
  readonly conn: { readonly id: string };
  [kWriteEncoded](encoded: readonly EncodedFrame[], opts: WriteOptions): void;
}

/** @param ClientClass the Client class */
export function installClientCompat(ClientClass: { prototype: CompatClient }): void {
  defineMembers(ClientClass.prototype, {
    id: {
      get(this: CompatClient): string {
        return this.conn.id;
      },
    },
    writeToEngine: {
      writable: true,
      value(this: CompatClient, encodedPackets: EncodedFrame | readonly EncodedFrame[], opts: WriteOptions): void {
        // the options object is the adapter's, shared by every recipient: passed on unchanged
        this[kWriteEncoded](Array.isArray(encodedPackets) ? encodedPackets : [encodedPackets as EncodedFrame], opts ?? {});
      },
    },
  });
}
