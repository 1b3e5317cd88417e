import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Metrics, PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../../../core/metrics/index.js";
import { isSocketeerError } from "../../../core/errors.js";

function sample() {
  const m = new Metrics();
  m.countEventIn();
  m.countEventsOut(3);
  m.countBytesIn(12);
  m.countBytesOut(40);
  m.countConnect();
  m.countDisconnect("transport close");
  return m.snapshot({
    forEachSession(fn) {
      fn("websocket", 7);
      fn("polling", 0);
    },
    forEachNamespace(fn) {
      fn("/", new Set(["s1", "s2"]), new Map([["s1", new Set(["s1"])], ['we"ird\nroom', new Set(["s1", "s2"])]]));
    },
  });
}

/** Parses exposition text into { "name{labels}": value } and checks every line's shape. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const types = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line);
    if (t) {
      assert.ok(!types.has(t[1]!), `TYPE for ${t[1]} appears once`);
      types.add(t[1]!);
      continue;
    }
    if (line.startsWith("# HELP ")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$/.exec(line);
    assert.ok(m, `well-formed sample line: ${JSON.stringify(line)}`);
    assert.ok(types.has(m[1]!), `sample ${m[1]} follows its TYPE line`);
    out.set(m[1]! + (m[2] ?? ""), Number(m[3]));
  }
  return out;
}

describe("renderPrometheus", () => {
  test("renders counters and gauges in the text exposition format", () => {
    const text = renderPrometheus(sample());
    assert.ok(text.endsWith("\n"));
    const v = parse(text);
    assert.equal(v.get('socketeer_connections{transport="websocket"}'), 1);
    assert.equal(v.get('socketeer_connections{transport="polling"}'), 1);
    assert.equal(v.get("socketeer_connections_opened_total"), 1);
    assert.equal(v.get('socketeer_namespace_sockets{namespace="/"}'), 2);
    assert.equal(v.get('socketeer_namespace_rooms{namespace="/"}'), 1);
    assert.equal(v.get("socketeer_events_received_total"), 1);
    assert.equal(v.get("socketeer_events_sent_total"), 3);
    assert.equal(v.get("socketeer_bytes_received_total"), 12);
    assert.equal(v.get("socketeer_bytes_sent_total"), 40);
    assert.equal(v.get("socketeer_buffered_bytes"), 7);
    assert.equal(v.get("socketeer_volatile_dropped_total"), 0);
    assert.equal(v.get('socketeer_disconnects_total{reason="transport close"}'), 1);
  });

  test("escapes quotes, backslashes and newlines in label values", () => {
    const text = renderPrometheus(sample());
    assert.ok(text.includes('socketeer_room_sockets{namespace="/",room="we\\"ird\\nroom"} 2\n'));
    parse(text);
  });

  test("takes a prefix and can leave rooms out", () => {
    const text = renderPrometheus(sample(), { prefix: "chat_", rooms: false });
    const v = parse(text);
    assert.equal(v.get("chat_events_sent_total"), 3);
    assert.ok(!text.includes("room_sockets"));
    assert.ok(!text.includes("socketeer_"));
  });

  test("rejects a prefix that is not a metric name", () => {
    assert.throws(
      () => renderPrometheus(sample(), { prefix: "bad-prefix" }),
      (err: unknown) => isSocketeerError(err, "SKT_ERR_INVALID_ARG"),
    );
  });

  test("exports the exposition content type", () => {
    assert.match(PROMETHEUS_CONTENT_TYPE, /^text\/plain; version=0\.0\.4/);
  });
});
