/**
 * @module metrics/metrics — the counters behind `io.metrics()`: a few numbers bumped in hot paths
 * (no allocation per packet) plus gauges read from live state only when a snapshot is taken.
 */

/** What a snapshot reads from live state; implemented by the Server over its engine and namespaces. */
export interface MetricsGaugeSource {
  /** Calls `fn` once per open Engine.IO session with its current transport and its buffered bytes. */
  forEachSession(fn: (transport: string, bufferedBytes: number) => void): void;
  /**
   * Calls `fn` once per namespace with its connected socket ids and its adapter rooms.
   * Rooms named after one of the namespace's socket ids (each socket's own room) are left out of
   * the snapshot, so only rooms the application created are counted.
   */
  forEachNamespace(
    fn: (
      name: string,
      sockets: { readonly size: number; has(id: string): boolean },
      rooms: Iterable<readonly [room: string, members: { readonly size: number }]>,
    ) => void,
  ): void;
}

/** One namespace in a {@link MetricsSnapshot}. */
export interface NamespaceMetrics {
  /** Sockets connected to the namespace. */
  readonly sockets: number;
  /** Number of application rooms (each socket's own room is not counted). */
  readonly roomCount: number;
  /** Room name → member count, the largest `maxRooms` rooms only (see {@link Metrics.snapshot}). */
  readonly rooms: Readonly<Record<string, number>>;
}

/**
 * A point-in-time view of a server, as returned by `io.metrics()`. Plain JSON: it can be sent to
 * a dashboard as is, or rendered for Prometheus with `renderPrometheus()`.
 */
export interface MetricsSnapshot {
  /** `Date.now()` when the snapshot was taken. */
  readonly timestamp: number;
  /** Seconds since the server (its collector) was created. */
  readonly uptimeSeconds: number;
  readonly connections: {
    /** Open Engine.IO sessions. */
    readonly total: number;
    /** Open sessions by current transport (`polling`, `websocket`). */
    readonly byTransport: Readonly<Record<string, number>>;
    /** Sessions opened since start. */
    readonly opened: number;
  };
  /** Namespace name → its sockets and rooms. */
  readonly namespaces: Readonly<Record<string, NamespaceMetrics>>;
  readonly events: {
    /** Socket.IO events received from clients since start. */
    readonly in: number;
    /** Socket.IO events written to clients since start (a broadcast to N sockets counts N). */
    readonly out: number;
    /** Received per second, averaged over the last few seconds. */
    readonly inPerSecond: number;
    /** Sent per second, averaged over the last few seconds. */
    readonly outPerSecond: number;
  };
  readonly bytes: {
    /** Socket.IO frame bytes received since start (Engine.IO message payloads). */
    readonly in: number;
    /** Socket.IO frame bytes sent since start (a broadcast to N sockets counts N times). */
    readonly out: number;
    readonly inPerSecond: number;
    readonly outPerSecond: number;
    /** Bytes queued for clients and not yet written to their transport, summed over sessions. */
    readonly buffered: number;
  };
  /** Volatile packets dropped because the client's transport was not writable. */
  readonly volatileDropped: number;
  readonly disconnects: {
    /** Socket disconnections since start. */
    readonly total: number;
    /** By Socket.IO disconnect reason (`transport close`, `ping timeout`, …). */
    readonly byReason: Readonly<Record<string, number>>;
  };
}

/** The counters a hot path may bump: what the engine and the sockets see of {@link Metrics}. */
export interface MetricsRecorder {
  countEventIn(): void;
  countEventsOut(count: number): void;
  countBytesIn(bytes: number): void;
  countBytesOut(bytes: number): void;
  countFrameIn(frame: string | Uint8Array): void;
  countPacketOut(frames: readonly unknown[]): void;
  countVolatileDrop(): void;
  countConnect(): void;
  countDisconnect(reason: string): void;
}


/** Socket.IO packet types 2 (EVENT) and 5 (BINARY_EVENT) as the first character of a text frame. */
const EVENT_CHAR = 0x32;
const BINARY_EVENT_CHAR = 0x35;

/** Options of {@link Metrics.snapshot}. */
export interface SnapshotOptions {
  /**
   * Largest rooms listed per namespace; `roomCount` still counts them all.
   * @default 100
   */
  readonly maxRooms?: number;
}

/** Distinct disconnect reasons kept apart; later unknown ones are summed under `other`. */
const MAX_REASONS = 32;
/** Rates are averaged over samples at most this old. */
const RATE_WINDOW_MS = 5_000;
/** A new rate sample is kept when the newest one is at least this old. */
const SAMPLE_EVERY_MS = 500;

interface RateSample {
  readonly t: number;
  readonly eventsIn: number;
  readonly eventsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/**
 * Counters and gauges of one server. The counting methods are a field add each; everything
 * else (rates, gauges, sorting rooms) happens in {@link Metrics.snapshot}.
 *
 * @example
 * const metrics = new Metrics();
 * metrics.countEventIn();
 * const snap = metrics.snapshot({ forEachSession() {}, forEachNamespace() {} });
 * snap.events.in; // 1
 */
export class Metrics implements MetricsRecorder {
  #eventsIn = 0;
  #eventsOut = 0;
  #bytesIn = 0;
  #bytesOut = 0;
  #volatileDropped = 0;
  #opened = 0;
  #disconnects = 0;
  readonly #byReason = new Map<string, number>();
  readonly #startedAt: number;
  readonly #now: () => number;
  #samples: RateSample[] = [];
  /** A broadcast writes the same frame to every recipient: its byte length is computed once. */
  #lastFrame: string | undefined;
  #lastFrameBytes = 0;

  /** @param now clock in ms (injectable for tests) */
  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#startedAt = now();
  }

  /** One Socket.IO event received from a client. */
  countEventIn(): void {
    this.#eventsIn++;
  }

  /** `count` Socket.IO events written to clients (one per recipient). */
  countEventsOut(count: number): void {
    this.#eventsOut += count;
  }

  /** Engine.IO payload bytes received. */
  countBytesIn(bytes: number): void {
    this.#bytesIn += bytes;
  }

  /** Engine.IO payload bytes written to a transport. */
  countBytesOut(bytes: number): void {
    this.#bytesOut += bytes;
  }

  /** One Engine.IO message received (a Socket.IO frame): counts its bytes. */
  countFrameIn(frame: string | Uint8Array | undefined): void {
    // an empty Engine.IO message ("4") may carry no data at all
    if (frame === undefined) return;
    this.#bytesIn += typeof frame === "string" ? Buffer.byteLength(frame) : frame.byteLength;
  }

  /**
   * The frames of one Socket.IO packet written to one client: counts their bytes, and one event
   * out when the packet is an EVENT or BINARY_EVENT (its first frame starts with `2` or `5`).
   */
  countPacketOut(frames: readonly unknown[]): void {
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      if (typeof frame === "string") {
        if (frame !== this.#lastFrame) {
          this.#lastFrame = frame;
          this.#lastFrameBytes = Buffer.byteLength(frame);
        }
        this.#bytesOut += this.#lastFrameBytes;
        if (i === 0) {
          const type = frame.charCodeAt(0);
          if (type === EVENT_CHAR || type === BINARY_EVENT_CHAR) this.#eventsOut++;
        }
      } else if (frame instanceof Uint8Array || frame instanceof ArrayBuffer) {
        this.#bytesOut += frame.byteLength;
      }
    }
  }

  /** A volatile packet that was not sent because the transport was busy. */
  countVolatileDrop(): void {
    this.#volatileDropped++;
  }

  /** An Engine.IO session was opened. */
  countConnect(): void {
    this.#opened++;
  }

  /** A socket was disconnected for `reason`. */
  countDisconnect(reason: string): void {
    this.#disconnects++;
    const known = this.#byReason.get(reason);
    if (known !== undefined) {
      this.#byReason.set(reason, known + 1);
      return;
    }
    //
    // Reasons come from a small fixed set, but a custom transport could invent its own:
    // cap the distinct keys so the map (and the Prometheus label set) stays bounded.
    //
    const key = this.#byReason.size < MAX_REASONS ? reason : "other";
    this.#byReason.set(key, (this.#byReason.get(key) ?? 0) + 1);
  }

  /**
   * Takes a snapshot: counters as they are, rates over the last few seconds, gauges from `source`.
   *
   * @param source live state to read connection, room and buffer gauges from
   * @param options how many rooms to list per namespace
   * @returns a plain, JSON-serialisable snapshot
   */
  snapshot(source: MetricsGaugeSource, options: SnapshotOptions = {}): MetricsSnapshot {
    const now = this.#now();
    const maxRooms = options.maxRooms ?? 100;

    const byTransport: Record<string, number> = {};
    let total = 0;
    let buffered = 0;
    source.forEachSession((transport, bytes) => {
      total++;
      buffered += bytes;
      byTransport[transport] = (byTransport[transport] ?? 0) + 1;
    });

    const namespaces: Record<string, NamespaceMetrics> = {};
    source.forEachNamespace((name, sockets, rooms) => {
      const list: [string, number][] = [];
      for (const [room, members] of rooms) {
        // Each socket sits in a room named after its id; that is plumbing, not an app room.
        if (members.size === 1 && sockets.has(room)) continue;
        list.push([room, members.size]);
      }
      list.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      namespaces[name] = {
        sockets: sockets.size,
        roomCount: list.length,
        rooms: Object.fromEntries(list.slice(0, maxRooms)),
      };
    });

    const rates = this.#rates(now);
    return {
      timestamp: now,
      uptimeSeconds: (now - this.#startedAt) / 1000,
      connections: { total, byTransport, opened: this.#opened },
      namespaces,
      events: {
        in: this.#eventsIn,
        out: this.#eventsOut,
        inPerSecond: rates.eventsIn,
        outPerSecond: rates.eventsOut,
      },
      bytes: {
        in: this.#bytesIn,
        out: this.#bytesOut,
        inPerSecond: rates.bytesIn,
        outPerSecond: rates.bytesOut,
        buffered,
      },
      volatileDropped: this.#volatileDropped,
      disconnects: { total: this.#disconnects, byReason: Object.fromEntries(this.#byReason) },
    };
  }

  /** Per-second rates against the oldest sample in the window; keeps a sample every 500 ms. */
  #rates(now: number): Omit<RateSample, "t"> {
    const current: RateSample = {
      t: now,
      eventsIn: this.#eventsIn,
      eventsOut: this.#eventsOut,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
    };
    while (this.#samples.length > 1 && now - this.#samples[0]!.t > RATE_WINDOW_MS) this.#samples.shift();
    //
    // Before the first sample, average from the start; a rate of 0 right after a burst would lie.
    // A lone sample older than the window still beats averaging over the whole uptime.
    //
    const base: RateSample = this.#samples[0] ?? {
      t: this.#startedAt,
      eventsIn: 0,
      eventsOut: 0,
      bytesIn: 0,
      bytesOut: 0,
    };
    const last = this.#samples[this.#samples.length - 1];
    if (last === undefined || now - last.t >= SAMPLE_EVERY_MS) this.#samples.push(current);
    const seconds = (now - base.t) / 1000;
    const rate = (a: number, b: number) => (seconds > 0 ? (a - b) / seconds : 0);
    return {
      eventsIn: rate(current.eventsIn, base.eventsIn),
      eventsOut: rate(current.eventsOut, base.eventsOut),
      bytesIn: rate(current.bytesIn, base.bytesIn),
      bytesOut: rate(current.bytesOut, base.bytesOut),
    };
  }
}
