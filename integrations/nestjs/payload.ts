/**
 * @module integrations/nestjs/payload — splits the arguments of an incoming event into the `data` and the
 * `ack` a Nest gateway handler receives, exactly as `@nestjs/platform-socket.io`'s `IoAdapter.mapPayload` does.
 */

/** What a gateway handler is called with: `callback(data, ack)`. */
export interface MappedPayload {
  data: unknown;
  ack?: (...args: unknown[]) => void;
}

/**
 * Collapses the listener arguments the way rxjs `fromEvent` does before Nest maps them: no argument or one
 * argument gives that argument, several give the array.
 *
 * @param args the arguments the socket passed to the event listener
 * @returns the single value or the array
 */
export function collapseArgs(args: readonly unknown[]): unknown {
  return args.length > 1 ? [...args] : args[0];
}

/**
 * Maps a collapsed payload to `{ data, ack }`: a lone function is the ack (no data); a non-array is the data;
 * an array whose last element is a function gives that function as the ack and the rest as the data (the
 * single remaining element unwrapped); any other array is the data as is.
 *
 * @param payload the value from {@link collapseArgs}
 * @returns the data and, when the client asked for one, the ack callback
 * @example
 * mapPayload(["a", "b", ack]); // { data: ["a", "b"], ack }
 * mapPayload(["a", ack]);      // { data: "a", ack }
 */
export function mapPayload(payload: unknown): MappedPayload {
  if (!Array.isArray(payload)) {
    if (typeof payload === "function") return { data: undefined, ack: payload as MappedPayload["ack"] };
    return { data: payload };
  }
  const last: unknown = payload[payload.length - 1];
  if (typeof last === "function") {
    const size = payload.length - 1;
    return { data: size === 1 ? payload[0] : payload.slice(0, size), ack: last as MappedPayload["ack"] };
  }
  return { data: payload };
}
