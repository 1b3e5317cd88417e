/**
 * @module util/intern — one string for the values many connections repeat (issue 18: heap per
 * idle connection).
 *
 * Node's HTTP parser makes a fresh string for every header value of every request, and a session
 * keeps its handshake's headers for `socket.request` / `socket.handshake`: `host`, `upgrade:
 * websocket`, `connection: Upgrade`, `sec-websocket-version: 13`, a browser's `user-agent` are
 * the same text on most connections, held once per connection. An {@link InternTable} hands back
 * the string it saw first for an equal value, so the connections share one. Values are only ever
 * replaced by equal strings: nothing observable changes.
 */

/**
 * A bounded table of strings: emptied when full, so that its memory stays bounded whatever the
 * values (only values up to `maxLength` characters are kept).
 */
export class InternTable {
  readonly #map = new Map<string, string>();
  readonly #capacity: number;
  readonly #maxLength: number;

  /**
   * @param capacity how many strings the table keeps before it starts over
   * @param maxLength the longest string it keeps (longer ones are returned as they are)
   */
  constructor(capacity: number, maxLength: number) {
    this.#capacity = capacity;
    this.#maxLength = maxLength;
  }

  /**
   * @param value a string
   * @returns the table's string equal to `value` (`value` itself the first time)
   */
  intern(value: string): string {
    if (value.length > this.#maxLength) return value;
    const known = this.#map.get(value);
    if (known !== undefined) return known;
    if (this.#map.size >= this.#capacity) this.#map.clear();
    this.#map.set(value, value);
    return value;
  }
}
