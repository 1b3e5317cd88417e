/**
 * @module test/helpers/round-robin — a load balancer with no affinity, for the no-sticky-sessions
 * tests: each HTTP request and each WebSocket upgrade goes to the next backend in turn.
 *
 * Requests are forwarded with `node:http` (method, path, headers and body as received; the answer
 * streamed back), upgrades as raw bytes over `net`. A backend marked down is skipped, as a
 * balancer's health check would; an unreachable one answers 502. `upgrades` lets a test choose
 * where an upgrade goes relative to the node that answered the session's handshake (read from
 * the handshake's answer): the next in turn (default), that node, or another one.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TestContext } from "node:test";

/** The running balancer. */
export interface RoundRobin {
  readonly port: number;
  readonly url: string;
  /** Backend port of each forwarded request and upgrade, in order. */
  readonly log: { port: number; kind: "http" | "upgrade"; url: string }[];
  /** Takes a backend out of the rotation (a failed health check). */
  down(port: number): void;
  /** Where upgrades go: the next backend in turn, the session's handshake node, or another node. */
  upgrades: "round-robin" | "handshake-node" | "other-node";
  /** `"sticky"`: a session's requests go to its handshake node (affinity, for comparisons). */
  requests: "round-robin" | "sticky";
  /** Holds the upgrades that arrive from now on until the returned function is called. */
  holdUpgrades(): () => void;
}

/**
 * Starts a round-robin balancer on 127.0.0.1 in front of `ports`; closed after the test.
 *
 * @param t the test (closes the balancer after it)
 * @param ports the backends' ports on 127.0.0.1
 * @returns the balancer
 */
export async function roundRobin(t: Pick<TestContext, "after">, ports: readonly number[]): Promise<RoundRobin> {
  const backends = [...ports];
  const downed = new Set<number>();
  const log: RoundRobin["log"] = [];
  const open = new Set<Duplex>();
  let next = 0;
  let gate: Promise<void> | undefined;
  const handshakeNode = new Map<string, number>();
  const pick = (): number => {
    for (let i = 0; i < backends.length; i++) {
      const port = backends[next++ % backends.length]!;
      if (!downed.has(port)) return port;
    }
    return backends[0]!;
  };
  const balancer: RoundRobin = {
    port: 0,
    url: "",
    log,
    down(p) {
      downed.add(p);
    },
    upgrades: "round-robin",
    requests: "round-robin",
    holdUpgrades() {
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
  const server: Server = createServer((req, res) => {
    const sid = balancer.requests === "sticky" ? new URL(req.url ?? "/", "http://x").searchParams.get("sid") : null;
    const port = (sid !== null ? handshakeNode.get(sid) : undefined) ?? pick();
    log.push({ port, kind: "http", url: req.url ?? "" });
    const out = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (answer: IncomingMessage) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (!(req.url ?? "").includes("sid=")) {
        // a handshake: remember which node answered it (its body starts `0{"sid":"…"`)
        answer.once("data", (chunk: Buffer) => {
          const sid = /"sid":"([^"]+)"/.exec(chunk.toString("latin1"))?.[1];
          if (sid !== undefined) handshakeNode.set(sid, port);
        });
      }
      answer.pipe(res);
    });
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "Content-Length": 0 });
      res.end();
    });
    // the client gave up on its request: so does the balancer
    res.on("close", () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  });
  server.on("upgrade", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    if (gate !== undefined) {
      void gate.then(() => forwardUpgrade(req, client, head));
      return;
    }
    forwardUpgrade(req, client, head);
  });
  const forwardUpgrade = (req: IncomingMessage, client: Duplex, head: Buffer): void => {
    const sid = new URL(req.url ?? "/", "http://x").searchParams.get("sid") ?? "";
    const first = handshakeNode.get(sid);
    let port = pick();
    if (first !== undefined && balancer.upgrades === "handshake-node") port = first;
    // (bounded: with one backend up, "another node" is that one)
    for (let i = 0; first !== undefined && balancer.upgrades === "other-node" && port === first && i < backends.length; i++) port = pick();
    log.push({ port, kind: "upgrade", url: req.url ?? "" });
    const backend: Socket = connect(port, "127.0.0.1");
    open.add(client).add(backend);
    const drop = (): void => {
      client.destroy();
      backend.destroy();
      open.delete(client);
      open.delete(backend);
    };
    client.on("error", drop).on("close", drop);
    backend.on("error", drop).on("close", drop);
    backend.once("connect", () => {
      let headLines = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) headLines += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      backend.write(`${headLines}\r\n`);
      if (head.length > 0) backend.write(head);
      client.pipe(backend).pipe(client);
    });
  };
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(async () => {
    for (const s of open) s.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  Object.assign(balancer, { port, url: `http://127.0.0.1:${port}` });
  return balancer;
}
