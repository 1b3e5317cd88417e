/**
 * @module bench/lib/rpc — request/response over the Node IPC channel between the orchestrator
 * and its child processes (servers under test, load generator).
 */
import { spawn, type ChildProcess } from "node:child_process";

/** A request sent down the IPC channel. */
export interface RpcRequest {
  readonly id: number;
  readonly cmd: string;
  readonly args: Record<string, unknown>;
}

/** A reply sent back up the IPC channel. */
export type RpcReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** An unsolicited message from a child (its "ready" line, or progress). */
export interface RpcNotice {
  readonly notice: string;
  readonly data: Record<string, unknown>;
}

/** The handlers a child process serves: command name → async function of the arguments. */
export type RpcHandlers = Record<string, (args: Record<string, unknown>) => unknown>;

function isRequest(m: unknown): m is RpcRequest {
  return typeof m === "object" && m !== null && typeof (m as RpcRequest).id === "number"
    && typeof (m as RpcRequest).cmd === "string";
}

/**
 * Serves `handlers` on this process's IPC channel (child side). The process exits when the
 * parent goes away, so no orphan keeps a CPU busy.
 * @param handlers the commands this process answers
 * @throws Error when the process was not started with an IPC channel
 */
export function serveRpc(handlers: RpcHandlers): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("this bench process must be started by bench/run.ts (no IPC channel)");
  process.on("message", (m: unknown) => {
    if (!isRequest(m)) return;
    const handler = handlers[m.cmd];
    if (!handler) {
      send({ id: m.id, ok: false, error: `unknown command "${m.cmd}"` } satisfies RpcReply);
      return;
    }
    Promise.resolve()
      .then(() => handler(m.args))
      .then(
        (result) => send({ id: m.id, ok: true, result: result ?? null } satisfies RpcReply),
        (err: unknown) => send({ id: m.id, ok: false, error: errorText(err) } satisfies RpcReply),
      );
  });
  process.on("disconnect", () => process.exit(0));
}

/** Sends a notice to the parent (child side). */
export function notify(notice: string, data: Record<string, unknown> = {}): void {
  process.send?.({ notice, data } satisfies RpcNotice);
}

/** Message text of anything thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Options of {@link RpcChild.start}. */
export interface StartOptions {
  /** The TypeScript entry file, run through tsx. */
  readonly entry: string;
  /** CPU list for `taskset -c`, or undefined to leave the process unpinned. */
  readonly cpu?: string | undefined;
  /** Extra node flags (e.g. `--expose-gc`). */
  readonly nodeFlags?: readonly string[];
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
  /** How long to wait for the child's "ready" notice, in ms. */
  readonly readyTimeoutMs?: number;
}

/** The parent side of one child process: start it, call its commands, stop it. */
export class RpcChild {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #nextId = 1;
  #exited = false;
  #stderrTail = "";
  /** The data of the child's "ready" notice. */
  ready: Record<string, unknown> = {};

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-2000);
      if (process.env.SKT_BENCH_DEBUG) process.stderr.write(chunk);
    });
    child.on("message", (m: unknown) => this.#childOnMessage(m));
    child.on("exit", (code, signal) => {
      this.#exited = true;
      const err = new Error(`child exited (${signal ?? code}): ${this.#stderrTail.trim().slice(-600)}`);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    });
  }

  /**
   * Spawns `entry` under node + tsx (pinned with taskset when `cpu` is given) and waits for its
   * "ready" notice.
   * @returns the started child
   * @throws Error when the child exits or stays silent past `readyTimeoutMs`
   */
  static async start(opts: StartOptions): Promise<RpcChild> {
    const nodeArgs = [...(opts.nodeFlags ?? []), "--import", "tsx", opts.entry];
    const [cmd, args] = opts.cpu === undefined
      ? [process.execPath, nodeArgs]
      : ["taskset", ["-c", opts.cpu, process.execPath, ...nodeArgs]];
    const child = spawn(cmd, args, {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, ...opts.env },
    });
    const rpc = new RpcChild(child);
    rpc.ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${opts.entry} did not report ready within ${opts.readyTimeoutMs ?? 20_000} ms`));
      }, opts.readyTimeoutMs ?? 20_000);
      child.on("message", (m: unknown) => {
        const n = m as RpcNotice;
        if (n?.notice === "ready") {
          clearTimeout(timer);
          resolve(n.data);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${opts.entry} exited with ${code} before it was ready: ${rpc.#stderrTail.trim().slice(-800)}`));
      });
    });
    return rpc;
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Calls a command in the child and resolves with its result.
   * @throws Error with the child's error message, or after `timeoutMs`
   */
  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`cannot call "${cmd}": the child has exited`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`"${cmd}" got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#child.send({ id, cmd, args } satisfies RpcRequest);
    });
  }

  /** Stops the child: disconnects IPC (the child exits on its own), SIGKILL after a grace period. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    if (this.#child.connected) this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
  }

  #childOnMessage(m: unknown): void {
    if (typeof m !== "object" || m === null || typeof (m as RpcReply).id !== "number") return;
    const reply = m as RpcReply;
    const p = this.#pending.get(reply.id);
    if (!p) return;
    this.#pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.error));
  }
}
