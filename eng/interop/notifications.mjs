// Third-party client check: the TypeScript MCP SDK keeps receiving every notification a server pushes on its GET
// stream between keep-alive comments (tests/Interop/NotifyingServer). Once its GET stream is open, the client calls
// `start`; the server then pushes numbered log messages in bursts with quiet pauses and, concurrently, tool-list
// changes, and at the end one log message with the totals. The client checks: every number received exactly once, in
// order, with its pad whole; as many list changes as the server made; no transport error; one GET stream (no
// reconnection). A tap on the GET response's bytes counts the keep-alive comments and checks that each stands between
// two events, at least one for every four pauses. Log messages come without a logging level set: the server sends them
// under the method's name. Prints one JSON line; exits 1 when a check fails.
// Usage: node notifications.mjs <endpoint> <seconds> [seed=1]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const endpoint = new URL(process.argv[2] ?? "http://127.0.0.1:5093/mcp");
const seconds = Number(process.argv[3] ?? 30);
const seed = Number(process.argv[4] ?? 1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const within = (promise, ms, what) =>
  Promise.race([promise, sleep(ms).then(() => { throw new Error(`${what}: nothing after ${ms / 1000} s`); })]);

// The pad the server derives from a log message's number (NotifyingServer's Pushes.Pad).
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
function pad(seq) {
  const length = 1024 + ((seq * 7919) % 3072);
  let text = "";
  for (let i = 0; i < length; i++) text += alphabet[(seq + i) % alphabet.length];
  return text;
}

// The GET stream's bytes, as they arrive: lines, events (a blank line after at least one field) and comments.
const tap = { getStreams: 0, bytes: 0, events: 0, keepAlives: 0, keepAlivesBetweenEvents: 0, otherComments: 0, commentsInsideEvents: 0 };
let getOpened;
const getOpen = new Promise((resolve) => { getOpened = resolve; });

function tapStream(body) {
  const decoder = new TextDecoder();
  let line = "";
  let fields = 0;
  let keepAlivesSinceEvent = 0;
  const onLine = (text) => {
    if (text === "") {
      if (fields > 0) {
        tap.events++;
        // Keep-alives with an event before and after them.
        if (tap.events > 1) tap.keepAlivesBetweenEvents += keepAlivesSinceEvent;
        keepAlivesSinceEvent = 0;
      }
      fields = 0;
    } else if (text.startsWith(":")) {
      if (fields > 0) tap.commentsInsideEvents++;
      if (text === ": keep-alive") {
        tap.keepAlives++;
        keepAlivesSinceEvent++;
      } else {
        tap.otherComments++;
      }
    } else {
      fields++;
    }
  };
  return body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      tap.bytes += chunk.byteLength;
      line += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = line.indexOf("\n")) >= 0) {
        onLine(line.slice(0, end).replace(/\r$/, ""));
        line = line.slice(end + 1);
      }
      controller.enqueue(chunk);
    },
  }));
}

async function tappedFetch(url, init) {
  const response = await fetch(url, init);
  if ((init?.method ?? "GET") !== "GET" || !response.ok || !response.body) return response;
  tap.getStreams++;
  getOpened();
  return new Response(tapStream(response.body), { status: response.status, statusText: response.statusText, headers: response.headers });
}

const failures = [];
const errors = [];
const received = [];
const corrupted = [];
const otherNotifications = [];
let listChanged = 0;
let totals;
let ended;
const end = new Promise((resolve) => { ended = resolve; });

const transport = new StreamableHTTPClientTransport(endpoint, { fetch: tappedFetch });
const client = new Client({ name: "notifications-client", version: "1.0.0" });
client.onerror = (error) => errors.push(String(error));
client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
  const data = notification.params.data;
  if (data?.end === true) {
    if (totals !== undefined) failures.push("the totals arrived twice");
    totals = data;
    ended();
    return;
  }
  received.push(data?.seq);
  if (typeof data?.seq !== "number" || data.pad !== pad(data.seq)) corrupted.push(data?.seq ?? null);
});
client.setNotificationHandler(ToolListChangedNotificationSchema, () => { listChanged++; });
client.fallbackNotificationHandler = async (notification) => { otherNotifications.push(notification.method); };

const result = { client: "typescript" };
try {
  await client.connect(transport);
  await within(getOpen, 10_000, "GET stream");
  await client.callTool({ name: "start", arguments: { seconds, seed } });
  await within(end, (seconds + 30) * 1000, "totals");

  // List changes go out unawaited on the server: the last may trail the totals. Then a moment for late duplicates.
  for (let waited = 0; listChanged < totals.listChanged && waited < 3000; waited += 50) await sleep(50);
  await sleep(500);
} catch (error) {
  failures.push(String(error));
}

const expected = totals?.messages ?? 0;
const seen = new Map();
let outOfOrder = 0;
received.forEach((seq, i) => {
  seen.set(seq, (seen.get(seq) ?? 0) + 1);
  if (i > 0 && !(seq > received[i - 1])) outOfOrder++;
});
const duplicated = [...seen].filter(([, count]) => count > 1).map(([seq]) => seq);
const missing = [];
for (let seq = 0; seq < expected; seq++) if (!seen.has(seq)) missing.push(seq);
const unexpected = [...seen.keys()].filter((seq) => !(Number.isInteger(seq) && seq >= 0 && seq < expected));

Object.assign(result, {
  protocolVersion: transport.protocolVersion ?? null,
  messagesSent: expected,
  messagesReceived: received.length,
  listChangedSent: totals?.listChanged ?? null,
  listChangedReceived: listChanged,
  pauses: totals?.pauses ?? null,
  ...tap,
});
const few = (list) => list.slice(0, 10).join(",") + (list.length > 10 ? `,… (${list.length})` : "");
if (totals === undefined) failures.push("no totals");
if (missing.length) failures.push(`missing: ${few(missing)}`);
if (duplicated.length) failures.push(`duplicated: ${few(duplicated)}`);
if (unexpected.length) failures.push(`numbers never sent: ${few(unexpected)}`);
if (outOfOrder) failures.push(`${outOfOrder} out of order`);
if (corrupted.length) failures.push(`corrupted: ${few(corrupted)}`);
if (totals !== undefined && listChanged !== totals.listChanged) failures.push(`list changes: ${listChanged} received, ${totals.listChanged} sent`);
if (otherNotifications.length) failures.push(`unexpected notifications: ${few(otherNotifications)}`);
if (errors.length) failures.push(`transport errors: ${few(errors)}`);
if (tap.getStreams !== 1) failures.push(`${tap.getStreams} GET streams (expected one, no reconnection)`);
if (tap.commentsInsideEvents) failures.push(`${tap.commentsInsideEvents} comments inside an event`);
// Keep-alives must really fall between events: at least one for every four pauses (about two per pause are usual).
const fewestKeepAlives = Math.max(1, Math.floor((totals?.pauses ?? 0) / 4));
if (tap.keepAlivesBetweenEvents < fewestKeepAlives) failures.push(`${tap.keepAlivesBetweenEvents} keep-alives between two events, fewer than ${fewestKeepAlives}`);

try { await transport.terminateSession(); } catch (error) { failures.push(`DELETE failed: ${error}`); }
await client.close();
result.failures = failures;
console.log(JSON.stringify(result));
process.exit(failures.length === 0 ? 0 : 1);
