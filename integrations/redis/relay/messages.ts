/**
 * @module redis/relay/messages — the relay's messages between nodes and their validation.
 *
 * Each node listens on its own channel `<key>#relay#<tag>#`. Three kinds:
 * - `q` (request): `{ t, id, from, method, url, headers, body }`, receiving node → owner;
 * - `r` (response): `{ t, id, status, headers, body }`, owner → receiving node;
 * - `a` (abort): `{ t, id, from }`, receiving node → owner, when the client's request closed first.
 * Anything else on the channel is dropped.
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

export type RelayMessage = RelayRequest | RelayResponse | RelayAbort;

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
  return undefined;
}
