/**
 * @module samples/chat/chat — the chat's server logic, shared by the Fastify, Express and NestJS
 * versions: nickname check in the handshake, rooms with presence, messages confirmed by ack and
 * kept in a short per-room history, and a volatile typing indicator.
 *
 * Fastify and Express wire it with {@link registerChat}; the NestJS gateway calls the same
 * {@link ChatService} methods from its `@SubscribeMessage` handlers.
 */
import { randomBytes } from "node:crypto";
import type { Server, Socket } from "socketeer";

/** A chat message as stored, broadcast and replayed. */
export interface ChatMessage {
  readonly id: string;
  readonly room: string;
  readonly nick: string;
  readonly text: string;
  /** Server time, ms. */
  readonly ts: number;
}

/** Answer to `join`, sent through the ack. */
export type JoinReply =
  | { ok: true; room: string; members: string[]; history: ChatMessage[] }
  | { ok: false; error: string };

/** Answer to `message`, sent through the ack: the stored id confirms delivery. */
export type MessageReply = { ok: true; id: string; ts: number } | { ok: false; error: string };

/** Messages kept per room for clients that come back without a recovered session. */
const HISTORY_SIZE = 200;
/** Messages a first join shows. */
const FIRST_JOIN_HISTORY = 50;
const NICK = /^[^\p{C}]{1,24}$/u;
const ROOM = /^[a-z0-9-]{1,32}$/;

/** The nickname a socket authenticated with (set by {@link ChatService.authenticate}). */
function nickOf(socket: Socket): string {
  const nick = (socket.data as { nick?: unknown }).nick;
  return typeof nick === "string" ? nick : "anonymous";
}

/** The application rooms a socket is in (every socket is also in a room named after its id). */
function roomsOf(socket: Socket): string[] {
  return [...socket.rooms].filter((r) => r !== socket.id);
}

/**
 * The chat itself, independent of the HTTP framework. Attach it to a server with
 * {@link ChatService.attach} before connections arrive.
 */
export class ChatService {
  #io: Server | undefined;
  readonly #history = new Map<string, ChatMessage[]>();
  /** Prefix of message ids, so ids stay unique when several nodes share one chat (Redis). */
  readonly #node = randomBytes(3).toString("hex");
  #seq = 0;

  /** Gives the service the server it broadcasts through. */
  attach(io: Server): void {
    this.#io = io;
  }

  get #server(): Server {
    if (this.#io === undefined) throw new Error("ChatService.attach(io) was not called");
    return this.#io;
  }

  /**
   * Connection middleware: the nickname comes in the handshake's `auth`.
   * A refusal reaches the client as `connect_error` with `err.data.reason === "nickname"`.
   */
  authenticate(socket: Socket, next: (err?: Error) => void): void {
    const auth = socket.handshake.auth as { nick?: unknown } | undefined;
    const nick = typeof auth?.nick === "string" ? auth.nick.trim() : "";
    if (!NICK.test(nick)) {
      const err = new Error("a nickname is 1 to 24 printable characters") as Error & { data?: unknown };
      err.data = { reason: "nickname" };
      next(err);
      return;
    }
    (socket.data as { nick?: string }).nick = nick;
    next();
  }

  /** A socket connected (or came back with a recovered session: `socket.recovered`). */
  connected(socket: Socket): void {
    let rooms: string[] = [];
    // Rooms are already left when `disconnect` fires; note them while they are still known.
    socket.on("disconnecting", () => {
      rooms = roomsOf(socket);
    });
    socket.on("disconnect", (reason: string) => {
      for (const room of rooms) {
        // `except`: with connection state recovery the notice would be kept for this very socket.
        this.#server.to(room).except(socket.id).emit("notice", { room, text: `${nickOf(socket)} left (${reason})` });
        void this.#presence(room);
      }
      this.#publishRooms();
    });
  }

  /**
   * Moves the socket to `room` and answers with the members and the messages since `since`
   * (ms; 0 on a first join). After a reconnection this fills the gap when the session was not
   * recovered; when it was, the server has replayed the missed events already.
   */
  async join(socket: Socket, payload: unknown): Promise<JoinReply> {
    const { room, since } = (payload ?? {}) as { room?: unknown; since?: unknown };
    if (typeof room !== "string" || !ROOM.test(room)) return { ok: false, error: "invalid room name" };
    const nick = nickOf(socket);
    if (!socket.rooms.has(room)) {
      for (const old of roomsOf(socket)) {
        socket.leave(old);
        socket.to(old).emit("notice", { room: old, text: `${nick} went to #${room}` });
        void this.#presence(old);
      }
      socket.join(room);
      socket.to(room).emit("notice", { room, text: `${nick} joined` });
      void this.#presence(room);
      this.#publishRooms();
    }
    const all = this.#history.get(room) ?? [];
    const history =
      typeof since === "number" && since > 0
        ? all.filter((m) => m.ts >= since)
        : all.slice(-FIRST_JOIN_HISTORY);
    return { ok: true, room, members: await this.#members(room), history };
  }

  /** Stores and broadcasts a message to the sender's room; the reply is the sender's ack. */
  message(socket: Socket, payload: unknown): MessageReply {
    const { room, text } = (payload ?? {}) as { room?: unknown; text?: unknown };
    if (typeof room !== "string" || !socket.rooms.has(room)) return { ok: false, error: "join the room first" };
    if (typeof text !== "string" || text.trim() === "" || text.length > 500) {
      return { ok: false, error: "a message is 1 to 500 characters" };
    }
    const msg: ChatMessage = { id: `${this.#node}-${++this.#seq}`, room, nick: nickOf(socket), text, ts: Date.now() };
    let list = this.#history.get(room);
    if (list === undefined) this.#history.set(room, (list = []));
    list.push(msg);
    if (list.length > HISTORY_SIZE) list.shift();
    // Everyone in the room but the sender, who already shows it and gets the ack instead.
    socket.to(room).emit("message", msg);
    return { ok: true, id: msg.id, ts: msg.ts };
  }

  /** Relays "is typing" to the room; volatile: a busy client just misses the hint. */
  typing(socket: Socket, room: unknown): void {
    if (typeof room !== "string" || !socket.rooms.has(room)) return;
    socket.volatile.to(room).emit("typing", { room, nick: nickOf(socket) });
  }

  /** Nicknames in a room, across every node when a cluster adapter is used. */
  async #members(room: string): Promise<string[]> {
    const sockets = await this.#server.in(room).fetchSockets();
    return sockets.map((s) => nickOf(s as unknown as Socket)).sort();
  }

  async #presence(room: string): Promise<void> {
    try {
      this.#server.to(room).emit("presence", { room, members: await this.#members(room) });
    } catch {
      // fetchSockets can time out while a node of the cluster goes away; the next change refreshes
    }
  }

  /** Sends every client the list of rooms with their sizes (this node's view). */
  #publishRooms(): void {
    const adapter = this.#server.of("/").adapter;
    const list: { name: string; size: number }[] = [];
    for (const [name, members] of adapter.rooms) {
      if (!adapter.sids.has(name)) list.push({ name, size: members.size });
    }
    list.sort((a, b) => b.size - a.size || a.name.localeCompare(b.name));
    this.#server.emit("rooms", list);
  }
}

/**
 * Wires a {@link ChatService} to a server the socket.io way (`io.use`, `io.on("connection")`).
 *
 * @param io the server
 * @param chat the service (a fresh one by default)
 * @returns the service
 */
export function registerChat(io: Server, chat: ChatService = new ChatService()): ChatService {
  chat.attach(io);
  io.use((socket, next) => chat.authenticate(socket, next));
  io.on("connection", (socket: Socket) => {
    chat.connected(socket);
    socket.on("join", async (payload: unknown, ack?: unknown) => {
      const reply = await chat.join(socket, payload);
      if (typeof ack === "function") ack(reply);
    });
    socket.on("message", (payload: unknown, ack?: unknown) => {
      const reply = chat.message(socket, payload);
      if (typeof ack === "function") ack(reply);
    });
    socket.on("typing", (room: unknown) => chat.typing(socket, room));
  });
  return chat;
}
