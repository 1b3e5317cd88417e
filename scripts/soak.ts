/**
 * @module scripts/soak — `npm run soak [-- --connections N --minutes M --polling 0.3]`
 *
 * Holds N socket.io-client connections (a share of them long-polling, the rest WebSocket) to a
 * Socketeer server running in a child process, with traffic for M minutes: a broadcast every
 * second to everyone, and every client sending an event with an ack every 10 s. The server's heap
 * after a forced GC is sampled through the run; at the end every client leaves and the server
 * reports its sessions, sockets and active handles. Prints a Markdown table and a verdict:
 * heap flat within the tolerance (default 10 % or 8 MiB, whichever is larger, between the first
 * sample after the ramp and the last), every broadcast delivered, no leaked handles.
 * Not part of `npm test`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";

interface Sample {
  t: number;
  heap: number;
  rss: number;
  sessions: number;
  sockets: number;
  handles: Record<string, number>;
}

type ToServer = { op: "sample" } | { op: "tick"; n: number } | { op: "close" };
type FromServer = { op: "ready"; port: number } | ({ op: "sample" } & Sample) | { op: "closed" };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number`);
  return v;
}

function countHandles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/** The server side, in the child process. */
async function serve(): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const { Server } = await import("../core/index.js");
  const http = createServer();
  const io = new Server(http, { pingInterval: 25_000, pingTimeout: 20_000 });
  io.on("connection", (socket) => {
    socket.on("msg", (n: number, ack: (n: number) => void) => ack(n));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const send = (m: FromServer): void => void process.send?.(m);
  process.on("message", (m: ToServer) => {
    if (m.op === "tick") io.emit("tick", m.n, "x".repeat(64));
    else if (m.op === "sample") {
      gc();
      gc();
      const mem = process.memoryUsage();
      send({
        op: "sample",
        t: Date.now(),
        heap: mem.heapUsed,
        rss: mem.rss,
        sessions: io.engine.clientsCount,
        sockets: io.sockets.sockets.size,
        handles: countHandles(),
      });
    } else if (m.op === "close") {
      void io.close().then(() => {
        send({ op: "closed" });
        process.disconnect?.();
      });
    }
  });
  send({ op: "ready", port: (http.address() as AddressInfo).port });
}

function request(child: ChildProcess, m: ToServer, want: FromServer["op"]): Promise<FromServer> {
  return new Promise((resolve) => {
    const on = (r: FromServer): void => {
      if (r.op !== want) return;
      child.off("message", on);
      resolve(r);
    };
    child.on("message", on);
    child.send(m);
  });
}

const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const connections = arg("connections", 10_000);
  const minutes = arg("minutes", 10);
  const pollingShare = arg("polling", 0.3);
  const tolerance = arg("tolerance", 0.1);
  const child = fork(new URL(import.meta.url).pathname, ["--server"], { execArgv: ["--import", "tsx"] });
  const ready = (await new Promise<FromServer>((resolve) => child.once("message", resolve))) as { port: number };
  const url = `http://127.0.0.1:${ready.port}`;
  console.log(`soak: ${connections} connections (${Math.round(pollingShare * 100)} % polling), ${minutes} min, server pid ${child.pid}`);
  const baseline = (await request(child, { op: "sample" }, "sample")) as Sample;

  // Ramp up in batches, so the handshakes do not all land at once.
  const clients: ClientSocket[] = [];
  let received = 0;
  let acks = 0;
  let connectErrors = 0;
  const batch = 200;
  for (let i = 0; i < connections; i += batch) {
    const wave: Promise<void>[] = [];
    for (let j = i; j < Math.min(connections, i + batch); j++) {
      const polling = j % 100 < pollingShare * 100;
      const c = ioc(url, { forceNew: true, reconnection: false, transports: polling ? ["polling"] : ["websocket"] });
      c.on("tick", () => void received++);
      clients.push(c);
      wave.push(
        new Promise((resolve) => {
          c.once("connect", () => resolve());
          c.once("connect_error", () => {
            connectErrors++;
            resolve();
          });
        }),
      );
    }
    await Promise.all(wave);
  }
  const rampedAt = Date.now();
  console.log(`ramped up in ${((rampedAt - baseline.t) / 1000).toFixed(1)} s (${connectErrors} connect errors)`);

  const samples: Sample[] = [];
  const endAt = rampedAt + minutes * 60_000;
  const sampleEvery = Math.max(10_000, (minutes * 60_000) / 10);
  let nextSample = rampedAt;
  let ticks = 0;
  let k = 0;
  while (Date.now() < endAt) {
    child.send({ op: "tick", n: ticks++ } satisfies ToServer);
    // A tenth of the clients send an event with an ack each second: every client every 10 s.
    for (let j = k % 10; j < clients.length; j += 10) {
      const c = clients[j];
      if (c?.connected) c.emit("msg", j, () => void acks++);
    }
    k++;
    if (Date.now() >= nextSample) {
      const s = (await request(child, { op: "sample" }, "sample")) as Sample;
      samples.push(s);
      console.log(`t+${Math.round((s.t - rampedAt) / 1000)} s  heap ${mib(s.heap)} MiB  rss ${mib(s.rss)} MiB  sessions ${s.sessions}`);
      nextSample += sampleEvery;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const lastLoaded = (await request(child, { op: "sample" }, "sample")) as Sample;
  samples.push(lastLoaded);
  const expected = ticks * (connections - connectErrors);
  // Let the last ticks arrive before everyone leaves.
  await new Promise((r) => setTimeout(r, 2_000));

  for (const c of clients) c.disconnect();
  let after = (await request(child, { op: "sample" }, "sample")) as Sample;
  for (let i = 0; i < 50 && (after.sessions > 0 || (after.handles.TCPSocketWrap ?? 0) > (baseline.handles.TCPSocketWrap ?? 0)); i++) {
    await new Promise((r) => setTimeout(r, 200));
    after = (await request(child, { op: "sample" }, "sample")) as Sample;
  }

  const first = samples[0] as Sample;
  const drift = lastLoaded.heap - first.heap;
  const allowed = Math.max(tolerance * first.heap, 8 * 1024 * 1024);
  const leaked = Object.keys(after.handles).filter((k2) => (after.handles[k2] ?? 0) > (baseline.handles[k2] ?? 0));
  const rows = [
    ["connections (WebSocket / polling)", `${connections} (${connections - Math.round(connections * pollingShare)} / ${Math.round(connections * pollingShare)})`],
    ["duration under traffic", `${minutes} min`],
    ["connect errors", String(connectErrors)],
    ["broadcasts received / sent×clients", `${received} / ${expected}`],
    ["acked client events", String(acks)],
    ["server heap after GC: idle baseline", `${mib(baseline.heap)} MiB`],
    ["server heap after GC: first sample after ramp", `${mib(first.heap)} MiB`],
    ["server heap after GC: last sample under load", `${mib(lastLoaded.heap)} MiB (drift ${mib(drift)} MiB, allowed ±${mib(allowed)} MiB)`],
    ["server heap after GC: after all clients left", `${mib(after.heap)} MiB`],
    ["server RSS, last sample under load", `${mib(lastLoaded.rss)} MiB`],
    ["sessions / sockets after all left", `${after.sessions} / ${after.sockets}`],
    ["handles above baseline after all left", leaked.length === 0 ? "none" : leaked.map((h) => `${h}: ${after.handles[h]}`).join(", ")],
  ];
  console.log("\n| measure | value |\n| --- | --- |");
  for (const [a, b] of rows) console.log(`| ${a} | ${b} |`);
  const ok = Math.abs(drift) <= allowed && leaked.length === 0 && after.sessions === 0 && received >= expected * 0.999;
  console.log(`\nverdict: ${ok ? "PASS" : "FAIL"}`);
  await request(child, { op: "close" }, "closed");
  process.exitCode = ok ? 0 : 1;
}

if (process.argv.includes("--server")) void serve();
else void main();
