/**
 * @module namespace/parent-namespace — dynamic namespaces: `io.of(/^\/room-\d+$/)` or
 * `io.of((name, auth, next) => …)` create a child namespace for every matching CONNECT.
 * Middlewares and `connection` listeners of the parent apply to every child, and a broadcast
 * on the parent reaches every child.
 */
import { Adapter } from "../adapter/adapter.js";
import type { BroadcastOptions, Packet } from "../adapter/types.js";
import type { AdapterLike } from "../contracts.js";
import type { DefaultEventsMap, DefaultSocketData, EventsMap } from "../events/typed-events.js";
import { Namespace } from "./namespace.js";

/** Decides whether a dynamic namespace accepts a name. */
export type NamespaceMatcher = (
  name: string,
  auth: Record<string, unknown>,
  next: (err: Error | null, success: boolean) => void,
) => void;

let count = 0;

/** Broadcasts on a parent namespace go to each child's adapter. */
class ParentBroadcastAdapter extends Adapter {
  readonly #children: () => Iterable<Namespace<EventsMap, EventsMap, EventsMap, unknown>>;

  constructor(parent: Namespace<EventsMap, EventsMap, EventsMap, unknown>, children: () => Iterable<Namespace<EventsMap, EventsMap, EventsMap, unknown>>) {
    super(parent);
    this.#children = children;
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    for (const child of this.#children()) {
      const data = Array.isArray(packet.data) ? packet.data.slice() : packet.data;
      child.adapter.broadcast({ ...packet, data }, opts);
    }
  }
}

/**
 * The namespace returned by `io.of(regexp | fn)`.
 *
 * @example
 * io.of(/^\/team-\w+$/).on("connection", (socket) => socket.nsp.emit("hi"));
 */
export class ParentNamespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = DefaultSocketData,
> extends Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  /** The children created so far. */
  readonly children = new Set<Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  /** The matcher. */
  readonly matcher: NamespaceMatcher;

  /**
   * @param server the server
   * @param matcher the name matcher
   */
  constructor(server: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>["server"], matcher: NamespaceMatcher) {
    super(server, `/_${count++}`);
    this.matcher = matcher;
  }

  protected override createAdapter(): AdapterLike {
    return new ParentBroadcastAdapter(
      this as unknown as Namespace<EventsMap, EventsMap, EventsMap, unknown>,
      () => this.children as unknown as Iterable<Namespace<EventsMap, EventsMap, EventsMap, unknown>>,
    );
  }

  /**
   * Creates the child for `name`: it gets the parent's middlewares and `connect`/`connection`
   * listeners.
   *
   * @param name the child's name
   * @returns the child namespace
   */
  createChild(name: string): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    const child = new Namespace(this.server, name);
    for (const fn of this.middlewares) child.use(fn);
    for (const ev of ["connect", "connection"] as const) {
      for (const l of this.listeners(ev)) child.on(ev, l);
    }
    this.children.add(child);
    return child;
  }
}
