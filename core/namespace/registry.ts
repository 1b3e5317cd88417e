/**
 * @module namespace/registry — the Server's namespaces by name: lookup, creation, dynamic
 * (parent) namespaces and their children, and removal of empty children.
 */
import { createError } from "../errors.js";
import { runAdapterHook } from "../broadcast/broadcast-operator.js";
import { describeValue } from "../util/options.js";
import type { EventsMap } from "../events/typed-events.js";
import { kSetOnEmpty } from "../contracts.js";
import type { Socket } from "../socket/socket.js";
import { Namespace } from "./namespace.js";
import { ParentNamespace, type NamespaceMatcher } from "./parent-namespace.js";

/** The namespaces of one Server. */
export class NamespaceRegistry<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  readonly #server: Namespace<L, E, S, D>["server"];
  readonly #onNew: (nsp: Namespace<L, E, S, D>) => void;
  readonly #cleanupEmpty: boolean;
  readonly #nsps = new Map<string, Namespace<L, E, S, D>>();
  readonly #parents = new Map<NamespaceMatcher, ParentNamespace<L, E, S, D>>();
  readonly #regexpParents = new Map<RegExp, ParentNamespace<L, E, S, D>>();

  /**
   * @param server the server
   * @param cleanupEmpty `cleanupEmptyChildNamespaces`
   * @param onNew called for each namespace created after `/` (emits `new_namespace`)
   */
  constructor(server: Namespace<L, E, S, D>["server"], cleanupEmpty: boolean, onNew: (nsp: Namespace<L, E, S, D>) => void) {
    this.#server = server;
    this.#cleanupEmpty = cleanupEmpty;
    this.#onNew = onNew;
  }

  /** The namespaces by name, dynamic children included (parents are not named). */
  get byName(): Map<string, Namespace<L, E, S, D>> {
    return this.#nsps;
  }

  /** Every namespace, parents included. */
  all(): Namespace<L, E, S, D>[] {
    return [...this.#nsps.values(), ...this.#parents.values()];
  }

  /**
   * Looks up or creates a namespace (see `Server.of`).
   *
   * @throws SKT_ERR_NAMESPACE_INVALID (a TypeError) for a name that is not a string, RegExp or function
   * @throws SKT_ERR_INVALID_ARG for a listener `fn` that is not a function
   */
  of(name: string | RegExp | NamespaceMatcher, fn?: (socket: Socket<L, E, S, D>) => void): Namespace<L, E, S, D> {
    if (fn !== undefined && typeof fn !== "function") {
      throw createError("SKT_ERR_INVALID_ARG", "of(name, fn)", "a function", describeValue(fn));
    }
    if (typeof name === "function" || name instanceof RegExp) {
      const re = name instanceof RegExp ? name : undefined;
      const matcher: NamespaceMatcher =
        re !== undefined ? (n, _auth, next) => next(null, re.test(n)) : (name as NamespaceMatcher);
      const parent = new ParentNamespace(this.#server, matcher);
      this.#parents.set(matcher, parent);
      if (re !== undefined) this.#regexpParents.set(re, parent);
      if (fn !== undefined) parent.on("connect", fn);
      return parent;
    }
    if (typeof name !== "string") {
      throw createError("SKT_ERR_NAMESPACE_INVALID", describeValue(name));
    }
    if (!name.startsWith("/")) name = "/" + name;
    let nsp = this.#nsps.get(name);
    if (nsp === undefined) {
      for (const [re, parent] of this.#regexpParents) {
        if (re.test(name)) {
          nsp = this.#createChild(parent, name);
          break;
        }
      }
    }
    if (nsp === undefined) {
      nsp = new Namespace(this.#server, name);
      this.#nsps.set(name, nsp);
      if (name !== "/") this.#onNew(nsp);
    }
    if (fn !== undefined) nsp.on("connect", fn);
    return nsp;
  }

  #createChild(parent: ParentNamespace<L, E, S, D>, name: string): Namespace<L, E, S, D> {
    const child = parent.createChild(name);
    this.#nsps.set(name, child);
    if (this.#cleanupEmpty) {
      child[kSetOnEmpty](() => {
        parent.children.delete(child);
        if (this.#nsps.get(name) === child) this.#nsps.delete(name);
        runAdapterHook(child.adapter, () => child.adapter.close());
      });
    }
    this.#onNew(child);
    return child;
  }

  /**
   * Finds the namespace for a CONNECT, asking the dynamic matchers in order when needed.
   *
   * @param name the namespace of the CONNECT
   * @param auth its payload
   * @param cb called with the namespace, or `undefined` when none accepts the name
   */
  resolve(name: string, auth: unknown, cb: (nsp: Namespace<L, E, S, D> | undefined) => void): void {
    const existing = this.#nsps.get(name);
    if (existing !== undefined) return cb(existing);
    const parents = [...this.#parents.values()];
    const authObj = typeof auth === "object" && auth !== null ? (auth as Record<string, unknown>) : {};
    let i = 0;
    const next = (): void => {
      const parent = parents[i++];
      if (parent === undefined) return cb(undefined);
      parent.matcher(name, authObj, (err, ok) => {
        if (err || !ok) return next();
        cb(this.#nsps.get(name) ?? this.#createChild(parent, name));
      });
    };
    next();
  }
}
