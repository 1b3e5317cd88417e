// Socketeer sample dashboard: subscribes to the "/dashboard" namespace, which pushes an
// `io.metrics()` snapshot every second, and draws it on <canvas> (no chart library, no CDN).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const POINTS = 90; // seconds of history on the line charts
  const history = []; // snapshots, oldest first

  const fmtBytes = (n) => {
    if (n < 1024) return `${Math.round(n)} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  };
  const fmtRate = (n) => (n < 10 ? n.toFixed(1) : String(Math.round(n)));

  /** Sizes the canvas backing store to its CSS box (sharp on high-DPI screens); returns a 2D context. */
  function context(canvas) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = "11px system-ui, sans-serif";
    return { ctx, w, h };
  }

  /** A line chart of several series over the last POINTS snapshots, with a max-labelled y axis. */
  function lineChart(canvas, series, format = String, floor = 4) {
    const { ctx, w, h } = context(canvas);
    const left = 44;
    const top = 8;
    const bottom = h - 16;
    let max = floor; // keeps the axis readable (whole steps) while values are small
    for (const s of series) for (const v of s.values) max = Math.max(max, v);
    max = niceCeil(max / 4) * 4; // four whole, round steps on the axis
    ctx.strokeStyle = "#e3e6eb";
    ctx.fillStyle = "#6b7280";
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = top + ((bottom - top) * i) / 4;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(w, y);
      ctx.stroke();
      ctx.fillText(format((max * (4 - i)) / 4), 2, y + 4);
    }
    ctx.fillText(`last ${POINTS} s`, left, h - 3);
    const step = (w - left) / (POINTS - 1);
    for (const s of series) {
      const start = POINTS - s.values.length;
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      s.values.forEach((v, i) => {
        const x = left + (start + i) * step;
        const y = bottom - ((bottom - top) * v) / max;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
      if (s.values.length > 0) {
        // a dot on the newest value, so a flat or one-point line is still visible
        const v = s.values[s.values.length - 1];
        ctx.fillStyle = s.color;
        ctx.beginPath();
        ctx.arc(left + (POINTS - 1) * step, bottom - ((bottom - top) * v) / max, 3, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }

  /** Horizontal bars, one per [label, value], largest first. */
  function barChart(canvas, entries, color, empty) {
    const { ctx, w, h } = context(canvas);
    if (entries.length === 0) {
      ctx.fillStyle = "#6b7280";
      ctx.fillText(empty, 4, 16);
      return;
    }
    const rows = entries.slice(0, Math.max(1, Math.floor(h / 22)));
    const max = Math.max(1, ...rows.map((e) => e[1]));
    const labelW = 130;
    rows.forEach(([label, value], i) => {
      const y = 4 + i * 22;
      ctx.fillStyle = "#1d2330";
      ctx.fillText(label.length > 22 ? `${label.slice(0, 21)}…` : label, 2, y + 13);
      const bw = ((w - labelW - 40) * value) / max;
      ctx.fillStyle = color;
      ctx.fillRect(labelW, y + 2, Math.max(2, bw), 14);
      ctx.fillStyle = "#1d2330";
      ctx.fillText(String(value), labelW + bw + 6, y + 13);
    });
  }

  function niceCeil(n) {
    const p = 10 ** Math.floor(Math.log10(n));
    for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
    return 10 * p;
  }

  function render(snap) {
    history.push(snap);
    if (history.length > POINTS) history.shift();
    const pick = (f) => history.map(f);

    const t = snap.connections.byTransport;
    $("connections").textContent = String(snap.connections.total);
    $("transports").textContent =
      `websocket ${t.websocket || 0} · polling ${t.polling || 0} · opened since start ${snap.connections.opened}`;
    lineChart($("chart-connections"), [
      { color: "#2563eb", values: pick((s) => s.connections.byTransport.websocket || 0) },
      { color: "#f59e0b", values: pick((s) => s.connections.byTransport.polling || 0) },
    ]);

    $("events").textContent = `in ${fmtRate(snap.events.inPerSecond)}/s · out ${fmtRate(snap.events.outPerSecond)}/s · ` +
      `${snap.events.in} in / ${snap.events.out} out since start`;
    lineChart($("chart-events"), [
      { color: "#16a34a", values: pick((s) => s.events.inPerSecond) },
      { color: "#9333ea", values: pick((s) => s.events.outPerSecond) },
    ], fmtRate, 5);

    $("bytes").textContent = `in ${fmtBytes(snap.bytes.inPerSecond)}/s · out ${fmtBytes(snap.bytes.outPerSecond)}/s · ` +
      `buffered ${fmtBytes(snap.bytes.buffered)}`;
    lineChart($("chart-bytes"), [
      { color: "#0891b2", values: pick((s) => s.bytes.inPerSecond) },
      { color: "#db2777", values: pick((s) => s.bytes.outPerSecond) },
      { color: "#64748b", values: pick((s) => s.bytes.buffered) },
    ], fmtBytes, 1024);

    const nsps = Object.entries(snap.namespaces);
    $("namespaces").textContent = nsps.map(([n, v]) => `${n}: ${v.sockets} socket${v.sockets === 1 ? "" : "s"}, ${v.roomCount} room${v.roomCount === 1 ? "" : "s"}`).join(" · ");
    const rooms = nsps.flatMap(([n, v]) => Object.entries(v.rooms).map(([r, size]) => [n === "/" ? `#${r}` : `${n} #${r}`, size]));
    rooms.sort((a, b) => b[1] - a[1]);
    barChart($("chart-rooms"), rooms, "#2563eb", "no rooms yet: open the chat");

    $("disconnects").textContent = `${snap.disconnects.total} in total · volatile packets dropped: ${snap.volatileDropped}`;
    const reasons = Object.entries(snap.disconnects.byReason).sort((a, b) => b[1] - a[1]);
    barChart($("chart-reasons"), reasons, "#b91c1c", "no disconnects yet");
  }

  const socket = io("/dashboard");
  socket.on("connect", () => {
    $("status").textContent = "live";
    $("status").className = "pill ok";
  });
  socket.on("disconnect", () => {
    $("status").textContent = "disconnected";
    $("status").className = "pill bad";
  });
  socket.on("metrics", render);
  window.addEventListener("resize", () => history.length && render(history.pop()));
})();
