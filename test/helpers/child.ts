/**
 * @module test/helpers/child — a server app in its own process, driven over IPC.
 *
 * The test side ({@link spawnChild}) starts `node --import tsx <fixture>` with an IPC channel
 * ("advanced" serialization, so Buffers cross it) and the fixture's config as JSON in
 * SKT_CHILD_CONFIG. The fixture side ({@link serveChild}) sends `{ type: "ready", port }`, answers
 * `{ id, op, args }` requests with `{ id, result }` or `{ id, error }`, and may push
 * `{ type: "event", name, args }` messages, which the test side re-emits on `child.events`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { withTimeout } from "./wait.js";

/** What `t.after` is on node:test's test context (and what a suite's own cleanup list offers). */
interface After {
  after(fn: () => unknown): void;
}

/** What the fixture answers: one function per operation name. */
/**
 * Stops a child started with an IPC channel: closes the channel (the child's `serveChild` then
 * shuts down by itself), and kills it if it has not exited 5 s later.
 *
 * @param child the child process
 * @param exited settles when the child has exited (made before the child could exit)
 */
export async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

export type ChildOps = Record<string, (...args: never[]) => unknown>;

/** A fixture process as the test sees it. */
export interface Child {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** Re-emits every `{ type: "event", name, args }` the fixture pushes, as `name` with `args`. */
  readonly events: EventEmitter;
  /** Runs an operation in the child and resolves with its result (rejects after `ms`). */
  call<R = unknown>(op: string, ...args: unknown[]): Promise<R>;
  /** Same as {@link call} with an explicit timeout. */
  callWithin<R = unknown>(ms: number, op: string, ...args: unknown[]): Promise<R>;
  /** Asks the fixture to close (IPC disconnect) and waits for the exit; SIGKILL after 5 s. */
  stop(): Promise<void>;
}

interface Reply {
  id?: number;
  type?: string;
  port?: number;
  name?: string;
  args?: unknown[];
  result?: unknown;
  error?: { code?: string; message?: string };
}

/**
 * Spawns a fixture with an IPC channel; stopped after the test (or suite) `t`.
 *
 * @param t whose `after` stops the child
 * @param script the fixture's path or file URL
 * @param config handed to the fixture as JSON in SKT_CHILD_CONFIG
 * @param readyMs how long the fixture may take to send `ready`
 */
export async function spawnChild(t: After, script: string | URL, config: object, readyMs = 30_000): Promise<Child> {
  const path = typeof script === "string" ? script : script.pathname;
  const child = spawn(process.execPath, ["--import", "tsx", path], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
    env: { ...process.env, SKT_CHILD_CONFIG: JSON.stringify(config) },
  });
  const events = new EventEmitter();
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let seq = 0;
  child.on("message", (m: Reply) => {
    if (m.type === "event" && m.name !== undefined) {
      events.emit(m.name, ...(m.args ?? []));
      return;
    }
    if (m.id === undefined) return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    else p?.resolve(m.result);
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      // a call still waiting will never be answered: fail it now rather than at its timeout
      for (const p of pending.values()) p.reject(new Error(`${path} exited (${signal ?? code})`));
      pending.clear();
      resolve();
    }),
  );
  const stop = (): Promise<void> => stopChild(child, exited);
  t.after(stop);
  const ready = await withTimeout(
    new Promise<Reply>((resolve, reject) => {
      const onMessage = (m: Reply): void => {
        if (m.type !== "ready") return;
        child.off("message", onMessage);
        resolve(m);
      };
      child.on("message", onMessage);
      child.once("exit", (code) => reject(new Error(`${path} exited early (${code})`)));
    }),
    readyMs,
    `${path} to start`,
  );
  const callWithin = <R>(ms: number, op: string, ...args: unknown[]): Promise<R> => {
    const id = ++seq;
    return withTimeout(
      new Promise<R>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args });
      }),
      ms,
      `child op ${op}`,
    );
  };
  return {
    port: ready.port ?? 0,
    url: `http://127.0.0.1:${ready.port ?? 0}`,
    process: child,
    events,
    call: <R>(op: string, ...args: unknown[]) => callWithin<R>(10_000, op, ...args),
    callWithin,
    stop,
  };
}

/** The config the test passed to {@link spawnChild}. */
export function childConfig<T>(): T {
  return JSON.parse(process.env.SKT_CHILD_CONFIG ?? "{}") as T;
}

/** Pushes an event to the test process (`child.events` there). */
export function pushEvent(name: string, ...args: unknown[]): void {
  if (process.connected) process.send!({ type: "event", name, args });
}

/**
 * Fixture side: answers the test's requests with `ops`, says `ready` with `port`, and runs
 * `close` then exits when the test process disconnects (or goes away).
 */
export function serveChild(port: number, ops: ChildOps, close: () => Promise<unknown>): void {
  process.on("message", (msg: { id: number; op: string; args: unknown[] }) => {
    const fn = ops[msg.op] as ((...a: unknown[]) => unknown) | undefined;
    Promise.resolve()
      .then(() => {
        if (fn === undefined) throw new Error(`unknown op ${msg.op}`);
        return fn(...msg.args);
      })
      .then(
        (result) => process.connected && process.send!({ id: msg.id, result }),
        (err: { code?: string; message?: string }) =>
          process.connected && process.send!({ id: msg.id, error: { code: err?.code, message: String(err?.message ?? err) } }),
      );
  });
  process.on("disconnect", () => {
    const timer = setTimeout(() => process.exit(0), 3_000);
    timer.unref();
    void Promise.resolve()
      .then(close)
      .finally(() => process.exit(0));
  });
  process.send!({ type: "ready", port });
}
