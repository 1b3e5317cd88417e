/**
 * @module compat/client — installs `client.writeToEngine` (see `members.ts`): the entry through
 * which socket.io adapters write a broadcast's encoded packets, mapped onto our own write path.
 */
import type { EncodedFrame, WriteOptions } from "../adapter/types.js";
import { kWriteEncoded } from "../contracts.js";
import { defineMembers } from "./members.js";

/** What this member uses of the Client. */
interface CompatClient {
  [kWriteEncoded](encoded: readonly EncodedFrame[], opts: WriteOptions): void;
}

/** @param ClientClass the Client class */
export function installClientCompat(ClientClass: { prototype: CompatClient }): void {
  defineMembers(ClientClass.prototype, {
    writeToEngine: {
      writable: true,
      value(this: CompatClient, encodedPackets: EncodedFrame | readonly EncodedFrame[], opts: WriteOptions): void {
        // the options object is the adapter's, shared by every recipient: passed on unchanged
        this[kWriteEncoded](Array.isArray(encodedPackets) ? encodedPackets : [encodedPackets as EncodedFrame], opts ?? {});
      },
    },
  });
}
