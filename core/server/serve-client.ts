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
import { brotliCompress, constants as zlibConstants, gzip } from "node:zlib";

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

type Encoding = "identity" | "gzip" | "br";

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

function compress(raw: Buffer, encoding: "gzip" | "br"): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, out: Buffer) => (err ? reject(err) : resolve(out));
    if (encoding === "gzip") gzip(raw, { level: 9 }, done);
    else brotliCompress(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } }, done);
  });
}

/** Picks the best encoding the client accepts (brotli, then gzip), ignoring `q=0` entries. */
function pickEncoding(header: string | undefined): Encoding {
  if (!header) return "identity";
  const accepted = new Set<string>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const refused = params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
    if (name && !refused) accepted.add(name.trim());
  }
  if (accepted.has("br")) return "br";
  if (accepted.has("gzip") || accepted.has("*")) return "gzip";
  return "identity";
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
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const query = url.indexOf("?", prefix.length);
    const name = url.slice(prefix.length, query === -1 ? undefined : query);
    if (!CLIENT_FILES.has(name)) return false;
    const file = fileFor(name);
    if (file === null) return false;

    if (etagMatches(req.headers["if-none-match"], etag)) {
      debug("%s 304", name);
      res.writeHead(304, { ETag: etag, "Cache-Control": "public, max-age=0" });
      res.end();
      return true;
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
    return true;
  };
}
