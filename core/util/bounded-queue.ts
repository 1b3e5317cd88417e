/**
 * @module util/bounded-queue — FIFO with a cap on both the item count and the byte total.
 *
 * Overflow policy is the caller's: {@link BoundedQueue.push} never evicts, it refuses the item
 * and returns `false`, so the owner decides (the engine session drops `volatile` packets and
 * closes the session otherwise).
 */

/** A FIFO queue bounded by count and bytes. */
export class BoundedQueue<T> {
  readonly maxItems: number;
  readonly maxBytes: number;
  #items: T[] = [];
  #bytes = 0;

  /**
   * @param maxItems the most items held at once (≥ 1)
   * @param maxBytes the most bytes held at once (≥ 1), as reported to `push`
   */
  constructor(maxItems: number, maxBytes: number) {
    this.maxItems = maxItems;
    this.maxBytes = maxBytes;
  }

  /** Items currently held. */
  get length(): number {
    return this.#items.length;
  }

  /** Bytes currently held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Whether an item of `size` bytes would fit now.
   *
   * @param size the item's size in bytes
   * @returns `"items"` or `"bytes"` naming the cap it would break, or `null` when it fits
   */
  wouldOverflow(size: number): "items" | "bytes" | null {
    if (this.#items.length + 1 > this.maxItems) return "items";
    if (this.#bytes + size > this.maxBytes) return "bytes";
    return null;
  }

  /**
   * Appends an item unless a cap would be exceeded.
   *
   * @param item the item
   * @param size its size in bytes
   * @returns `true` when queued, `false` when refused (nothing changes)
   */
  push(item: T, size: number): boolean {
    if (this.wouldOverflow(size) !== null) return false;
    this.#items.push(item);
    this.#bytes += size;
    return true;
  }

  /** Removes and returns every item, in order. */
  drain(): T[] {
    const out = this.#items;
    this.#items = [];
    this.#bytes = 0;
    return out;
  }

  /** Drops every item. */
  clear(): void {
    this.drain();
  }
}
