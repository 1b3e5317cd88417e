// Socketeer sample chat: the browser side. Plain JavaScript, no build step; `io` comes from the
// client bundle the server serves at /socket.io/socket.io.min.js.
//
// What it shows:
//   - a nickname sent in the handshake (`auth`), checked by a server middleware
//   - rooms (join/leave), presence lists
//   - acks: each message shows "sending…" until the server confirms it, then "✓"
//   - a typing indicator sent with `volatile` (dropped rather than queued when the link is busy)
//   - reconnection that recovers missed messages: "Drop connection" closes the transport and stays
//     offline; send from another tab; "Reconnect" brings the missed messages back (recovered by the
//     server's connection state recovery, or replayed from the room history otherwise)
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const DEFAULT_ROOMS = ["general", "random"];
  const ACK_TIMEOUT_MS = 10_000;

  let socket = null;
  let room = params.get("room") || "general";
  let lastSeenTs = 0; // newest message time seen in the current room
  const seen = new Set(); // message ids shown in the current room
  const typers = new Map(); // nick -> timer
  let dropped = false;
  let catchingUp = null; // { count, recovered } from a disconnection until the next join answer
  let lastTypingSent = 0;

  // ── nickname & connection ───────────────────────────────────────────────
  function start(nick) {
    sessionStorage.setItem("nick", nick);
    $("me").textContent = nick;
    if (socket) socket.disconnect();
    // The nickname travels in the handshake; the server's `io.use()` middleware checks it.
    socket = io({ auth: { nick } });
    bind(socket);
  }

  function bind(s) {
    s.on("connect", onConnect);
    s.on("disconnect", (reason) => {
      // Whatever arrives from now until the answer to the next `join` is what this page missed:
      // a recovered session's events are replayed right after (or even before) "connect" fires.
      catchingUp = { count: 0, recovered: false };
      setStatus(dropped ? "offline (dropped)" : `disconnected: ${reason}`, "bad");
      $("input").placeholder = "Offline: messages are kept and sent when you reconnect";
    });
    s.io.on("reconnect_attempt", () => setStatus("reconnecting…", "warn"));
    s.on("connect_error", (err) => {
      // A middleware refusal (bad nickname) is final; anything else the client retries by itself.
      if (err.data && err.data.reason === "nickname") {
        s.disconnect();
        socket = null;
        showLogin(err.message);
      } else {
        setStatus(`cannot connect: ${err.message}`, "bad");
      }
    });
    s.on("message", (msg) => {
      if (msg.room !== room) return;
      const missed = catchingUp !== null;
      if (addMessage(msg, { missed }) && missed) catchingUp.count++;
    });
    s.on("notice", (n) => n.room === room && addSystem(n.text));
    s.on("presence", (p) => p.room === room && renderMembers(p.members));
    s.on("rooms", renderRooms);
    s.on("typing", (t) => t.room === room && showTyping(t.nick));
  }

  function onConnect() {
    const transport = socket.io.engine.transport.name;
    setStatus(`connected (${transport})`, "ok");
    socket.io.engine.once("upgrade", () => setStatus(`connected (${socket.io.engine.transport.name})`, "ok"));
    $("input").disabled = false;
    $("input").placeholder = "Say something… (Enter sends)";
    if (catchingUp) catchingUp.recovered = socket.recovered;
    join(room);
  }

  // ── rooms ───────────────────────────────────────────────────────────────
  function join(name) {
    const since = name === room ? lastSeenTs : 0;
    socket.timeout(ACK_TIMEOUT_MS).emit("join", { room: name, since }, (err, res) => {
      if (err || !res || !res.ok) {
        addSystem(`could not join #${name}: ${err ? err.message : res && res.error}`);
        catchingUp = null;
        return;
      }
      if (name !== room) {
        room = name;
        seen.clear();
        lastSeenTs = 0;
        $("messages").textContent = "";
        typers.clear();
        renderTyping();
      }
      $("room-name").textContent = room;
      history.replaceState(null, "", `?room=${encodeURIComponent(room)}`);
      const caught = catchingUp;
      catchingUp = null;
      let replayed = 0;
      for (const msg of res.history) if (addMessage(msg, { missed: caught !== null })) replayed++;
      if (caught) {
        const total = caught.count + replayed;
        const how = caught.recovered ? "recovered by the server" : "replayed from the room history";
        $("notice").textContent =
          total === 0 ? "Reconnected, nothing missed." : `Reconnected: ${total} missed message${total === 1 ? "" : "s"} (${how}).`;
      }
      renderMembers(res.members);
      highlightRoom();
    });
  }

  function renderRooms(list) {
    const names = new Map(DEFAULT_ROOMS.map((n) => [n, 0]));
    for (const r of list) names.set(r.name, r.size);
    const ul = $("rooms");
    ul.textContent = "";
    for (const [name, size] of names) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.room = name;
      b.textContent = `# ${name}${size ? ` (${size})` : ""}`;
      b.onclick = () => name !== room && socket && join(name);
      li.append(b);
      ul.append(li);
    }
    highlightRoom();
  }

  function highlightRoom() {
    for (const b of $("rooms").querySelectorAll("button")) b.classList.toggle("current", b.dataset.room === room);
  }

  function renderMembers(members) {
    const ul = $("members");
    ul.textContent = "";
    for (const m of members) {
      const li = document.createElement("li");
      li.textContent = m;
      ul.append(li);
    }
  }

  // ── messages ────────────────────────────────────────────────────────────
  function time(ts) {
    return new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function messageItem(nick, text, ts) {
    const li = document.createElement("li");
    li.className = "message";
    const t = document.createElement("span");
    t.className = "time";
    t.textContent = time(ts);
    const n = document.createElement("span");
    n.className = "nick";
    n.textContent = nick;
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    li.append(t, n, body);
    return li;
  }

  /** Shows a message once (by id); returns whether it was new. */
  function addMessage(msg, { missed = false } = {}) {
    if (seen.has(msg.id)) return false;
    seen.add(msg.id);
    lastSeenTs = Math.max(lastSeenTs, msg.ts);
    const li = messageItem(msg.nick, msg.text, msg.ts);
    li.dataset.id = msg.id;
    if (missed) li.classList.add("missed");
    append(li);
    if (typers.has(msg.nick)) {
      clearTimeout(typers.get(msg.nick));
      typers.delete(msg.nick);
      renderTyping();
    }
    return true;
  }

  function addSystem(text) {
    const li = document.createElement("li");
    li.className = "system";
    li.textContent = text;
    append(li);
  }

  function append(li) {
    const ul = $("messages");
    const atBottom = ul.scrollTop + ul.clientHeight >= ul.scrollHeight - 20;
    ul.append(li);
    if (atBottom) ul.scrollTop = ul.scrollHeight;
  }

  function send(text) {
    const li = messageItem(socket.auth.nick, text, Date.now());
    li.classList.add("mine");
    const state = document.createElement("span");
    state.className = "state pending";
    state.textContent = socket.connected ? "sending…" : "queued (offline)…";
    li.append(state);
    append(li);
    // The ack confirms delivery: the server stored and broadcast the message and answers its id.
    // While offline the client buffers the emit and sends it after reconnecting.
    socket.timeout(dropped ? 10 * ACK_TIMEOUT_MS : ACK_TIMEOUT_MS).emit("message", { room, text }, (err, res) => {
      if (err || !res || !res.ok) {
        state.className = "state failed";
        state.textContent = `not delivered (${err ? err.message : res && res.error})`;
        return;
      }
      seen.add(res.id);
      lastSeenTs = Math.max(lastSeenTs, res.ts);
      li.dataset.id = res.id;
      state.className = "state delivered";
      state.textContent = "✓ delivered";
    });
  }

  // ── typing indicator ────────────────────────────────────────────────────
  function showTyping(nick) {
    clearTimeout(typers.get(nick));
    typers.set(nick, setTimeout(() => {
      typers.delete(nick);
      renderTyping();
    }, 3000));
    renderTyping();
  }

  function renderTyping() {
    const names = [...typers.keys()];
    $("typing").textContent =
      names.length === 0 ? "" : `${names.join(", ")} ${names.length === 1 ? "is" : "are"} typing…`;
  }

  // ── status & drop/reconnect ─────────────────────────────────────────────
  function setStatus(text, kind) {
    const el = $("status");
    el.textContent = text;
    el.className = `pill ${kind || ""}`;
  }

  function toggleDrop() {
    if (!socket) return;
    if (!dropped) {
      // Close the transport as a network failure would, but do not let the client reconnect
      // until asked: the server keeps the session, and what is sent meanwhile is missed here.
      dropped = true;
      $("drop").textContent = "Reconnect";
      $("notice").textContent = "";
      socket.io.reconnection(false);
      socket.io.engine.close();
    } else {
      dropped = false;
      $("drop").textContent = "Drop connection";
      socket.io.reconnection(true);
      socket.connect();
    }
  }

  function showLogin(error) {
    $("login").hidden = false;
    $("login-error").textContent = error || "";
    $("nick").focus();
  }

  // ── wiring ──────────────────────────────────────────────────────────────
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const nick = $("nick").value.trim();
    if (!nick) return;
    $("login").hidden = true;
    start(nick);
  });

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("input").value.trim();
    if (!text || !socket) return;
    $("input").value = "";
    lastTypingSent = 0; // the next keystroke starts a new "is typing"
    send(text);
  });

  $("input").addEventListener("input", () => {
    const now = Date.now();
    if (!socket || !socket.connected || now - lastTypingSent < 1500) return;
    lastTypingSent = now;
    // volatile: if the transport is busy this is dropped, which is right for a typing hint.
    socket.volatile.emit("typing", room);
  });

  $("new-room").addEventListener("submit", (e) => {
    e.preventDefault();
    const name = $("new-room-name").value.trim().toLowerCase().replace(/[^a-z0-9-]+/g, "-");
    $("new-room-name").value = "";
    if (name && socket && name !== room) join(name);
  });

  $("drop").addEventListener("click", toggleDrop);

  renderRooms([]);
  const nick = params.get("nick") || sessionStorage.getItem("nick");
  if (nick) start(nick);
  else showLogin("");
})();
