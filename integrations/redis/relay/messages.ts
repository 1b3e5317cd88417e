/**
 * @module redis/relay/messages — the relay's messages between nodes and their validation.
 *
 * Each node listens on its own channel `<key>#relay#<tag>#`. Three kinds:
 * - `q` (request): `{ t, id, from, method, url, headers, body }`, receiving node → owner;
 * - `r` (response): `{ t, id, status, headers, body }`, owner → receiving node;
 * - `a` (abort): `{ t, id, from }`, receiving node → owner, when the client's request closed first.
 * A move (a WebSocket upgrade that landed on another node than the owner):
 * - `p` (probe): `{ t, id, from, sid }`, new node → owner: release the pending GET, hold packets;
 * - `m` (move): `{ t, id, from, sid }`, new node → owner: hand the held session over;
 * - `c` (cancel): `{ t, id, from, sid }`, new node → owner: the upgrade failed, go on polling;
 * - `o` (outcome): `{ t, id, ok, packets?, state? }`, owner → new node, for `p` and `m`;
 * - `k` (ack): `{ t, id, from, sid, nsp, ack, args }`, new node → old owner: the client's answer
 *   to an ack the old owner still waits for.
 * Anything else on the channel is dropped (and counted).
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

export interface RelayRequest {
  t: "q";
  id: number;
  from: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RelayResponse {
  t: "r";
  id: number;
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

export interface RelayAbort {
  t: "a";
  id: number;
  from: string;
}

/** A move step from the new node: probe, move or cancel. */
export interface RelayMoveStep {
  t: "p" | "m" | "c";
  id: number;
  from: string;
  sid: string;
}

/** The owner's outcome of a probe (`ok`) or a move (`ok`, the packets and the sockets' state). */
export interface RelayOutcome {
  t: "o";
  id: number;
  ok: boolean;
  packets?: { type: string; data?: string | Buffer }[];
  state?: unknown;
}

/** The client's answer to an ack its old node waits for. */
export interface RelayAck {
  t: "k";
  id: number;
  from: string;
  sid: string;
  nsp: string;
  ack: number;
  args: unknown[];
}

export type RelayMessage = RelayRequest | RelayResponse | RelayAbort | RelayMoveStep | RelayOutcome | RelayAck;

const PACKET_TYPES: ReadonlySet<unknown> = new Set(["open", "close", "ping", "pong", "message", "upgrade", "noop"]);

function asPackets(v: unknown): RelayOutcome["packets"] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: NonNullable<RelayOutcome["packets"]> = [];
  for (const p of v) {
    if (!isRecord(p) || !PACKET_TYPES.has(p.type)) return undefined;
    if (p.data === undefined || p.data === null) out.push({ type: p.type as string });
    else if (typeof p.data === "string") out.push({ type: p.type as string, data: p.data });
    else if (isBytes(p.data)) out.push({ type: p.type as string, data: Buffer.from(p.data) });
    else return undefined;
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isBytes = (v: unknown): v is Buffer => Buffer.isBuffer(v) || v instanceof Uint8Array;

/**
 * Checks a decoded value is a relay message (the channel is public to anyone on the Redis).
 *
 * @param v the decoded value
 * @returns the message, or `undefined` when it is not one
 */
export function asRelayMessage(v: unknown): RelayMessage | undefined {
  if (!isRecord(v) || typeof v.id !== "number") return undefined;
  if (v.t === "q") {
    if (typeof v.from !== "string" || (v.method !== "GET" && v.method !== "POST") || typeof v.url !== "string") return undefined;
    if (!isRecord(v.headers) || !isBytes(v.body)) return undefined;
    return { ...(v as unknown as RelayRequest), body: Buffer.from(v.body) };
  }
  if (v.t === "r") {
    if (typeof v.status !== "number" || !isRecord(v.headers) || !isBytes(v.body)) return undefined;
    return { ...(v as unknown as RelayResponse), body: Buffer.from(v.body) };
  }
  if (v.t === "a" && typeof v.from === "string") return v as unknown as RelayAbort;
  if ((v.t === "p" || v.t === "m" || v.t === "c") && typeof v.from === "string" && typeof v.sid === "string") {
    return { t: v.t, id: v.id, from: v.from, sid: v.sid };
  }
  if (v.t === "o" && typeof v.ok === "boolean") {
    if (!v.ok) return { t: "o", id: v.id, ok: false };
    if (v.packets === undefined || v.packets === null) return { t: "o", id: v.id, ok: true };
    const packets = asPackets(v.packets);
    return packets === undefined ? undefined : { t: "o", id: v.id, ok: true, packets, state: v.state };
  }
  if (v.t === "k" && typeof v.from === "string" && typeof v.sid === "string" && typeof v.nsp === "string") {
    if (!Number.isInteger(v.ack) || !Array.isArray(v.args)) return undefined;
    return v as unknown as RelayAck;
  }
  return undefined;
}
