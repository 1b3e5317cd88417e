/**
 * @module server/serve-client — serves the browser bundles of the installed `socket.io-client`
 * (`<path>/socket.io.js` and friends) for the Server's `serveClient` option.
 *
 * Like socket.io, the files get `Cache-Control: public, max-age=0` and an ETag equal to the quoted
 * client version (`"4.8.4"`), and a matching `If-None-Match` (strong or `W/` weak) answers 304.
 * Bodies are read on first use and kept in memory, with gzip/brotli variants made on demand.
 * `socket.io-client` is an optional peer dependency: when it is not installed nothing is served
 * and the request falls through to the next handler.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { debuglog } from "../util/debug.js";
import { brotliCompress, constants as zlibConstants, deflate, gzip } from "node:zlib";
import { applyCors, type CorsOptions } from "../util/http.js";

const debug = debuglog("socketeer:serve-client");

/** The files socket.io serves under its path, all from `socket.io-client/dist/`. */
export const CLIENT_FILES: ReadonlySet<string> = new Set([
  "socket.io.js",
  "socket.io.js.map",
  "socket.io.min.js",
  "socket.io.min.js.map",
  "socket.io.esm.min.js",
  "socket.io.esm.min.js.map",
  "socket.io.msgpack.min.js",
  "socket.io.msgpack.min.js.map",
]);

/** Where the installed client lives, and its version. */
export interface ClientBundle {
  /** Absolute path of `socket.io-client/dist`. */
  readonly dir: string;
  /** The `version` of socket.io-client's package.json. */
  readonly version: string;
}

type Encoding = "identity" | "br" | "gzip" | "deflate";

/** The encodings offered, in the server's order of preference (socket.io's). */
const OFFERED: readonly Exclude<Encoding, "identity">[] = ["br", "gzip", "deflate"];

/**
 * Finds the installed `socket.io-client`: next to this module when built as CommonJS, otherwise
 * from the application (its main script, then the working directory), where an optional peer
 * dependency is installed.
 *
 * @returns the bundle's directory and version, or undefined when the package is not installed
 */
export function findClientBundle(): ClientBundle | undefined {
  const bases: string[] = [];
  if (process.argv[1]) bases.push(process.argv[1]);
  bases.push(join(process.cwd(), "index.js"));
  const resolvers = bases.map((b) => createRequire(b).resolve);
  // In the CommonJS build `require` is this module's own; in ESM it does not exist.
  if (typeof require === "function") resolvers.unshift(require.resolve);
  for (const resolve of resolvers) {
    try {
      const pkgPath = resolve("socket.io-client/package.json");
      const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { version?: unknown };
      if (typeof pkg.version === "string") return { dir: join(dirname(pkgPath), "dist"), version: pkg.version };
    } catch {
      // not resolvable from this base: try the next one
    }
  }
  return undefined;
}

/** One servable file: its content, compressed variants, made once and shared by all requests. */
class CachedFile {
  readonly #path: string;
  readonly #variants = new Map<Encoding, Promise<Buffer>>();

  constructor(path: string) {
    this.#path = path;
  }

  get(encoding: Encoding): Promise<Buffer> {
    let p = this.#variants.get(encoding);
    if (p === undefined) {
      p = encoding === "identity" ? readFile(this.#path) : this.get("identity").then((raw) => compress(raw, encoding));
      // A failed read is not cached, so a later request can try again.
      p.catch(() => this.#variants.delete(encoding));
      this.#variants.set(encoding, p);
    }
    return p;
  }
}

function compress(raw: Buffer, encoding: Exclude<Encoding, "identity">): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, out: Buffer) => (err ? reject(err) : resolve(out));
    if (encoding === "gzip") gzip(raw, { level: 9 }, done);
    else if (encoding === "deflate") deflate(raw, { level: 9 }, done);
    else brotliCompress(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } }, done);
  });
}

/** One entry of an Accept-Encoding header. */
interface Accepted {
  name: string;
  q: number;
  /** position in the header */
  order: number;
}

function parseAcceptEncoding(header: string): Accepted[] {
  const out: Accepted[] = [];
  const parts = header.split(",");
  for (let i = 0; i < parts.length; i++) {
    const [rawName, ...params] = parts[i]!.split(";");
    const name = rawName!.trim().toLowerCase();
    if (name === "") continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m !== null) q = Number.parseFloat(m[1]!);
    }
    out.push({ name, q: Number.isFinite(q) ? q : 0, order: i });
  }
  return out;
}

/**
 * Picks the encoding as socket.io does (through `accepts`): the highest q-value first, then an
 * exact name over `*`, then the client's order, then ours (br, gzip, deflate). No header, or
 * none of ours acceptable, means no compression.
 */
function pickEncoding(header: string | undefined): Encoding {
  if (!header) return "identity";
  const accepted = parseAcceptEncoding(header);
  let best: { enc: Encoding; q: number; exact: number; order: number; ours: number } | undefined;
  for (let ours = 0; ours < OFFERED.length; ours++) {
    const enc = OFFERED[ours]!;
    // the most specific entry naming this encoding (exact name, else `*`)
    let match: Accepted | undefined;
    let exact = 0;
    for (const a of accepted) {
      const s = a.name === enc ? 1 : a.name === "*" ? 0 : -1;
      if (s < 0) continue;
      if (match === undefined || s > exact || (s === exact && a.q > match.q)) {
        match = a;
        exact = s;
      }
    }
    if (match === undefined || match.q <= 0) continue;
    const c = { enc, q: match.q, exact, order: match.order, ours };
    if (
      best === undefined ||
      c.q > best.q ||
      (c.q === best.q && (c.exact > best.exact || (c.exact === best.exact && c.order < best.order)))
    ) {
      best = c;
    }
  }
  return best?.enc ?? "identity";
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  for (const candidate of header.split(",")) {
    const c = candidate.trim();
    if (c === etag || c === "W/" + etag || c === "*") return true;
  }
  return false;
}

/**
 * Creates a request handler that serves the client bundles under `path`.
 *
 * @param path the Server's path, e.g. `/socket.io` (a trailing slash is ignored)
 * @param bundle where the client is; found with {@link findClientBundle} when omitted
 * @param cors the Server's `cors` option: its headers go on bundle responses too, as in socket.io
 * @returns a handler that answers and returns true for a client file request (GET or HEAD),
 *   and returns false, without touching `res`, for anything else or when no client is installed
 * @example
 * const serveClient = createClientFileHandler("/socket.io");
 * http.createServer((req, res) => {
 *   if (!serveClient(req, res)) next(req, res);
 * });
 */
export function createClientFileHandler(
  path: string,
  bundle: ClientBundle | null | undefined = findClientBundle(),
  cors?: Readonly<CorsOptions>,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const prefix = path.replace(/\/+$/, "") + "/";
  const files = new Map<string, CachedFile | null>();
  const etag = bundle ? `"${bundle.version}"` : "";

  function fileFor(name: string): CachedFile | null {
    let file = files.get(name);
    if (file === undefined) {
      // Older clients lack some bundles (e.g. the ESM one): a missing file falls through.
      const full = join(bundle!.dir, name);
      file = existsSync(full) ? new CachedFile(full) : null;
      files.set(name, file);
    }
    return file;
  }

  return function serveClientFile(req, res) {
    const url = req.url;
    if (!bundle || url === undefined || !url.startsWith(prefix)) return false;
    // an engine request (`<path>/?EIO=…`, every polling request) names no file
    const first = url.charCodeAt(prefix.length);
    if (Number.isNaN(first) || first === 63) return false;
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const query = url.indexOf("?", prefix.length);
    const name = url.slice(prefix.length, query === -1 ? undefined : query);
    if (!CLIENT_FILES.has(name)) return false;
    const file = fileFor(name);
    if (file === null) return false;

    if (cors === undefined) {
      serve(req, res, name, file);
    } else {
      applyCors(req, res, cors as CorsOptions).then(
        () => serve(req, res, name, file),
        (err: unknown) => {
          debug("cors failed for %s: %o", name, err);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        },
      );
    }
    return true;
  };

  function serve(req: IncomingMessage, res: ServerResponse, name: string, file: CachedFile): void {
    if (etagMatches(req.headers["if-none-match"], etag)) {
      debug("%s 304", name);
      res.writeHead(304, { ETag: etag, "Cache-Control": "public, max-age=0" });
      res.end();
      return;
    }
    const encoding = pickEncoding(req.headers["accept-encoding"]);
    const isMap = name.endsWith(".map");
    file.get(encoding).then(
      (body) => {
        const headers: Record<string, string | number> = {
          "Content-Type": `application/${isMap ? "json" : "javascript"}; charset=utf-8`,
          "Cache-Control": "public, max-age=0",
          ETag: etag,
          Vary: "Accept-Encoding",
          "Content-Length": body.length,
        };
        if (encoding !== "identity") headers["Content-Encoding"] = encoding;
        debug("%s 200 %s", name, encoding);
        res.writeHead(200, headers);
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (err: unknown) => {
        debug("%s failed: %o", name, err);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      },
    );
  }
}
