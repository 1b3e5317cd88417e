/**
 * @module util/debug — debug output for `NODE_DEBUG=socketeer:<area>`, also switched on by the
 * `DEBUG=socket.io:*` habit of socket.io users.
 *
 * Node's own `debuglog` reads `NODE_DEBUG` and stays the only writer when it is set. A section
 * it leaves off is switched on when `DEBUG` (the `debug` package's syntax: names separated by
 * commas or spaces, `*` as a wildcard, a leading `-` to exclude) matches its own name or one of
 * socket.io's names for the same area (table below); the lines then have Node's shape,
 * `SOCKETEER:ENGINE 1234: …`, on stderr. `DEBUG` is read once, when a module asks for its logger.
 */
import { debuglog as nodeDebuglog, format } from "node:util";

/** A debug logger: call it like `util.format`; `enabled` tells whether a call writes anything. */
export interface DebugLogger {
  (message: string, ...args: unknown[]): void;
  readonly enabled: boolean;
}

/** socket.io's and engine.io's `debug` names for each of our sections. */
export const SOCKET_IO_DEBUG_NAMES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  "socketeer:engine": ["engine", "engine:socket", "engine:transport", "engine:ws", "engine:polling"],
  "socketeer:socket": ["socket.io:socket"],
  "socketeer:client": ["socket.io:client"],
  "socketeer:namespace": ["socket.io:namespace", "socket.io:parent-namespace"],
  "socketeer:serve-client": ["socket.io:server"],
  "socketeer:redis": ["socket.io-redis", "socket.io-adapter"],
});

/** Turns one `debug` pattern (`socket.io:*`) into a whole-name regular expression. */
function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*?");
  return new RegExp(`^${escaped}$`);
}

/**
 * Whether a `DEBUG` value switches a section on.
 * @param section our section, e.g. `"socketeer:socket"`
 * @param value the `DEBUG` environment value (`undefined` or empty: off)
 * @returns true when an included pattern matches the section or one of its socket.io names and no
 *   excluded pattern (`-name`) does
 */
export function debugEnvEnables(section: string, value: string | undefined): boolean {
  if (value === undefined || value.trim() === "") return false;
  const names = [section, ...(SOCKET_IO_DEBUG_NAMES[section] ?? [])];
  let on = false;
  for (const raw of value.split(/[\s,]+/)) {
    if (raw === "") continue;
    const exclude = raw.startsWith("-");
    const re = patternToRegExp(exclude ? raw.slice(1) : raw);
    if (!names.some((n) => re.test(n))) continue;
    if (exclude) return false;
    on = true;
  }
  return on;
}

/**
 * The logger of one section: Node's `debuglog` when `NODE_DEBUG` enables it, else a writer to
 * stderr when `DEBUG` does, else a no-op with `enabled === false`.
 * @param section e.g. `"socketeer:engine"`
 * @returns the logger
 * @example
 * const debug = debuglog("socketeer:socket");
 * if (debug.enabled) debug("packet %d dropped", id);
 */
export function debuglog(section: string): DebugLogger {
  const native = nodeDebuglog(section);
  if (native.enabled || !debugEnvEnables(section, process.env.DEBUG)) return native;
  const prefix = `${section.toUpperCase()} ${process.pid}: `;
  const write = (message: string, ...args: unknown[]): void => {
    process.stderr.write(prefix + format(message, ...args) + "\n");
  };
  return Object.assign(write, { enabled: true as const });
}
