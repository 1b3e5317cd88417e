/**
 * @module adapter/room-index — the adapter's `rooms` (room → socket ids) and `sids` (socket id →
 * rooms) without a `Set` per socket for its own room (issue 18: heap per idle connection).
 *
 * Nearly every socket is only in its own room, the room named after its id: `rooms.get(id)` and
 * `sids.get(id)` are then both the set `{id}`. Such an entry holds a shared marker instead of a
 * Set, meaning "the set holding just this entry's key". Readers see socket.io's shapes
 * (`Map<string, Set<string>>`, what third-party code and `@socket.io/admin-ui` read): `get()` and
 * every iteration turn a marked entry into a real `Set` and keep it, so the Set a reader gets is
 * the live one, stable and mutable, exactly as with socket.io. The adapter itself goes through
 * {@link RoomIndex.peek}, which never builds one.
 */
import { inspect } from "node:util";

// The marker: never handed out (every public read replaces it with a real Set).
const SELF: Set<string> = new Set();

/**
 * A `Map<string, Set<string>>` whose entries may be "the set of just my key" without a Set.
 *
 * @example
 * const rooms = new RoomIndex();
 * rooms.setSelf("abc");
 * rooms.get("abc"); // Set { "abc" } (kept from now on)
 */
export class RoomIndex extends Map<string, Set<string>> {
  /**
   * Records `key → {key}` without a Set.
   *
   * @param key the socket id (or room)
   */
  setSelf(key: string): void {
    super.set(key, SELF);
  }

  /**
   * The entry without building a Set: `true` for `{key}` (see {@link RoomIndex.setSelf}).
   *
   * @param key the room or socket id
   * @returns the Set, `true` for the set of just `key`, or undefined
   */
  peek(key: string): Set<string> | true | undefined {
    const v = super.get(key);
    return v === SELF ? true : v;
  }

  /**
   * The entry's Set, built now if it was `{key}` without one (for the adapter, which mutates it).
   *
   * @param key the room or socket id
   * @returns the live Set, or undefined
   */
  override get(key: string): Set<string> | undefined {
    const v = super.get(key);
    if (v !== SELF) return v;
    const set = new Set([key]);
    super.set(key, set);
    return set;
  }

  /** @returns the entries, each with its live Set */
  override *entries(): MapIterator<[string, Set<string>]> {
    for (const key of super.keys()) yield [key, this.get(key)!];
  }

  /** @returns the live Sets */
  override *values(): MapIterator<Set<string>> {
    for (const key of super.keys()) yield this.get(key)!;
  }

  override [Symbol.iterator](): MapIterator<[string, Set<string>]> {
    return this.entries();
  }

  override forEach(fn: (value: Set<string>, key: string, map: Map<string, Set<string>>) => void, thisArg?: unknown): void {
    for (const key of super.keys()) fn.call(thisArg, this.get(key)!, key, this);
  }

  /**
   * Room sizes without building Sets (for metrics).
   *
   * @returns `[key, { size }]` for each entry
   */
  *sizes(): Generator<readonly [string, { readonly size: number }]> {
    const one = { size: 1 };
    for (const [key, v] of super.entries()) yield [key, v === SELF ? one : v];
  }

  /** As a Map with its Sets (without keeping the Sets it builds for the printout). */
  [inspect.custom](depth: number, options: object): string {
    const copy = new Map<string, Set<string>>();
    for (const [key, v] of super.entries()) copy.set(key, v === SELF ? new Set([key]) : v);
    return `RoomIndex ${inspect(copy, { ...options, depth })}`;
  }
}

/**
 * The `[room, { size }]` pairs of an adapter's `rooms`, without building a Set per own room when
 * it is a {@link RoomIndex} (a third-party adapter's plain Map is returned as it is).
 *
 * @param rooms `adapter.rooms`
 * @returns an iterable of `[room, members]`
 */
export function roomSizes(rooms: Map<string, { readonly size: number }>): Iterable<readonly [string, { readonly size: number }]> {
  return rooms instanceof RoomIndex ? rooms.sizes() : rooms;
}
