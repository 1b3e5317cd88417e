/**
 * @module adapter/session-aware-adapter — the in-memory adapter plus what connection state
 * recovery needs: it tags every persisted EVENT with an offset, keeps those packets (bounded by
 * time and by count), saves sessions at disconnection and replays what a client missed.
 */
import { randomBytes } from "node:crypto";
import { PACKET_TYPE } from "../constants.js";
import { Adapter } from "./adapter.js";
import type { BroadcastOptions, Packet, PrivateSessionId, Room, Session, SessionToPersist } from "./types.js";
import type { AdapterNamespace } from "../contracts.js";

interface StoredSession {
  readonly session: SessionToPersist;
  readonly disconnectedAt: number;
}

interface StoredPacket {
  readonly offset: string;
  readonly emittedAt: number;
  readonly rooms: ReadonlySet<Room>;
  readonly except: ReadonlySet<Room> | undefined;
  readonly data: unknown[];
}

/** Default cap on replayable packets per namespace (oldest dropped first). */
export const DEFAULT_MAX_PERSISTED_PACKETS = 10_000;
/** Default time a session and its packets are kept, in ms (socket.io's default). */
export const DEFAULT_MAX_DISCONNECTION_DURATION = 120_000;

/**
 * In-memory adapter with session persistence. Used by default when the server has
 * `connectionStateRecovery` enabled.
 *
 * Caps: a session lives `maxDisconnectionDuration` ms after its disconnection; a packet is kept
 * `maxDisconnectionDuration` ms after it was sent, and at most `maxPersistedPackets` packets are
 * kept (when the cap is passed the oldest is dropped, and a client whose offset was dropped
 * gets a fresh session instead of a recovered one).
 */
export class SessionAwareAdapter extends Adapter {
  readonly #maxDuration: number;
  readonly #maxPackets: number;
  readonly #sessions = new Map<PrivateSessionId, StoredSession>();
  #packets: StoredPacket[] = [];
  readonly #prefix = randomBytes(4).toString("hex");
  #counter = 0;
  readonly #timer: NodeJS.Timeout;

  /** @param nsp the namespace this adapter serves */
  constructor(nsp: AdapterNamespace) {
    super(nsp);
    const recovery = nsp.server.recovery;
    this.#maxDuration = recovery?.maxDisconnectionDuration ?? DEFAULT_MAX_DISCONNECTION_DURATION;
    this.#maxPackets = recovery?.maxPersistedPackets ?? DEFAULT_MAX_PERSISTED_PACKETS;
    this.#timer = setInterval(() => this.#sweep(), this.#maxDuration);
    // The sweep must never keep the process alive.
    this.#timer.unref();
  }

  #sweep(): void {
    const threshold = Date.now() - this.#maxDuration;
    for (const [pid, stored] of this.#sessions) {
      if (stored.disconnectedAt < threshold) this.#sessions.delete(pid);
    }
    let drop = 0;
    while (drop < this.#packets.length && this.#packets[drop]!.emittedAt < threshold) drop++;
    if (drop > 0) this.#packets = this.#packets.slice(drop);
  }

  override close(): void {
    clearInterval(this.#timer);
    this.#sessions.clear();
    this.#packets = [];
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    // Only plain events are replayable: acks cannot be answered after a reconnection and
    // volatile packets may be lost by definition.
    if (
      packet.type === PACKET_TYPE.EVENT &&
      packet.id === undefined &&
      opts.flags?.volatile !== true &&
      Array.isArray(packet.data)
    ) {
      const offset = this.#prefix + (this.#counter++).toString(36);
      packet.data.push(offset);
      this.#packets.push({
        offset,
        emittedAt: Date.now(),
        rooms: opts.rooms,
        except: opts.except,
        data: packet.data,
      });
      if (this.#packets.length > this.#maxPackets) this.#packets.shift();
    }
    super.broadcast(packet, opts);
  }

  override persistSession(session: SessionToPersist): void {
    this.#sessions.set(session.pid, { session, disconnectedAt: Date.now() });
  }

  override restoreSession(pid: PrivateSessionId, offset: string): Promise<Session | null> {
    const stored = this.#sessions.get(pid);
    if (stored === undefined) return Promise.resolve(null);
    this.#sessions.delete(pid);
    if (stored.disconnectedAt + this.#maxDuration < Date.now()) return Promise.resolve(null);
    const index = this.#packets.findIndex((p) => p.offset === offset);
    if (index === -1) return Promise.resolve(null);
    const missedPackets: unknown[][] = [];
    const rooms = stored.session.rooms;
    for (let i = index + 1; i < this.#packets.length; i++) {
      const p = this.#packets[i]!;
      if (isForRooms(rooms, p)) missedPackets.push(p.data);
    }
    return Promise.resolve({ ...stored.session, missedPackets });
  }
}

function isForRooms(rooms: readonly Room[], p: StoredPacket): boolean {
  const included = p.rooms.size === 0 || rooms.some((r) => p.rooms.has(r));
  if (!included) return false;
  return p.except === undefined || rooms.every((r) => !p.except!.has(r));
}
