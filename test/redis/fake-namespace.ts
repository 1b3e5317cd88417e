/**
 * @module test/redis/fake-namespace — a namespace and sockets reduced to what an adapter sees
 * (`AdapterNamespace`, `AdapterSocket`), recording what each socket is sent. Lets the Redis
 * adapter be tested on several "nodes" in one process without the full server.
 */
import { EventEmitter } from "node:events";
import type { AdapterNamespace, AdapterSocket, EncodedPacket, Packet, RecoverySettings, WriteOptions } from "../../core/adapter/index.js";
import { kNextAckId, kNotifyOutgoing, kOnServerSideEmit, kWriteEncoded } from "../../core/contracts.js";
import type { RedisAdapter, RedisAdapterConstructor } from "../../integrations/redis/index.js";

/** A socket that records the packets written to it. */
export class FakeSocket implements AdapterSocket {
  readonly id: string;
  readonly handshake = {
    headers: { "x-test": "1" },
    time: new Date(0).toString(),
    address: "127.0.0.1",
    xdomain: false,
    secure: false,
    issued: 0,
    url: "/socket.io/",
    query: {},
    auth: { token: "t" },
  };
  data: unknown = undefined;
  /** Packets written, in order (a snapshot of each). */
  readonly received: Packet[] = [];
  readonly acks = new Map<number, (...args: unknown[]) => void>();
  disconnected: boolean | undefined;
  readonly #nsp: FakeNamespace;

  constructor(nsp: FakeNamespace, id: string) {
    this.#nsp = nsp;
    this.id = id;
  }

  get rooms(): Set<string> {
    return new Set(this.#nsp.adapter.socketRooms(this.id) ?? []);
  }

  join(rooms: string | string[]): void {
    void this.#nsp.adapter.addAll(this.id, new Set(Array.isArray(rooms) ? rooms : [rooms]));
  }

  leave(room: string): void {
    void this.#nsp.adapter.del(this.id, room);
  }

  disconnect(close = false): this {
    this.disconnected = close;
    this.#nsp.adapter.delAll(this.id);
    this.#nsp.sockets.delete(this.id);
    return this;
  }

  /** The `data` arrays received for event `ev`. */
  eventsNamed(ev: string): unknown[][] {
    return this.received.filter((p) => Array.isArray(p.data) && p.data[0] === ev).map((p) => p.data as unknown[]);
  }

  [kWriteEncoded](encoded: readonly EncodedPacket[], _opts: WriteOptions): void {
    for (const e of encoded) this.received.push(e as unknown as Packet);
  }

  [kNotifyOutgoing](_packet: Packet): void {}
}

/** A namespace with a Redis adapter, on one simulated node. */
export class FakeNamespace extends EventEmitter implements AdapterNamespace {
  readonly name: string;
  readonly sockets = new Map<string, FakeSocket>();
  readonly server: AdapterNamespace["server"];
  readonly adapter: RedisAdapter;
  #ackId = 0;

  constructor(Ctor: RedisAdapterConstructor, name = "/", recovery?: RecoverySettings) {
    super();
    this.name = name;
    this.server = {
      // The encoder keeps a deep snapshot so tests see the packet as it was sent.
      encoder: { encode: (p: Packet) => [structuredClone(p) as unknown as EncodedPacket] },
      recovery,
    };
    this.adapter = new Ctor(this);
  }

  /** Adds a connected socket in its own room (as the server does). */
  connect(id: string, rooms: string[] = []): FakeSocket {
    const s = new FakeSocket(this, id);
    this.sockets.set(id, s);
    void this.adapter.addAll(id, new Set([id, ...rooms]));
    return s;
  }

  [kNextAckId](): number {
    return this.#ackId++;
  }

  [kOnServerSideEmit](args: unknown[]): void {
    this.emit(...(args as [string, ...unknown[]]));
  }
}
