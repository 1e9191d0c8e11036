// Resumable streams with real clients (eng/resume.sh): a client talks to the server through a TCP proxy on 127.0.0.1,
// written here, that records every request (method, Last-Event-ID, status) and cuts a connection in the middle of a
// stream. The server is tests/Interop/ConformanceServer, whose tools send numbered log messages
// ({"run", "seq", "of"}): notify_then_answer on the call's own (POST) stream, then its answer; notify_later on the
// session's GET stream, after answering.
//
// Scenarios:
//   post  notify_then_answer, 10 messages 200 ms apart; the proxy cuts the POST stream once message 2 has gone through.
//   get   notify_later, 20 messages 100 ms apart on the GET stream; the proxy cuts it once message 2 has gone through.
//   age   notify_later, 120 messages 100 ms apart on the GET stream (12 s); nothing is cut: the server may end the
//         stream itself (McpCompat:MaxStreamAge).
// What must happen:
//   resumed  the client reconnects by itself with Last-Event-ID (every such GET answered 200) and receives every
//            message exactly once, in order, and the call's answer; for age, at least 4 such GETs and no client error.
//   lost     (no event stream store) the stream cannot be resumed: no GET with Last-Event-ID, and the answer (post) or
//            the messages after the cut (get) never arrive.
//   whole    (age only: no store, MaxStreamAge off, or no McpCompat) the stream is never ended: one GET, no
//            Last-Event-ID, every message in order, no client error.
// The client is the TypeScript SDK's (this process), or the C# SDK's: tests/Interop/CSharpClient in its resume mode,
// started here against the proxy, which reports what it received; the checks are the same.
// Prints one JSON line; exits 1 when a check fails.
// Usage: node resume.mjs <typescript|csharp> <post|get|age> <resumed|lost|whole> <endpoint> [CSharpClient.dll]
import net from "node:net";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [clientKind, scenario, expect, endpointText, csharpClient] = process.argv.slice(2);
const scenarios = {
  post: { tool: "notify_then_answer", run: "cut-post", count: 10, intervalMs: 200 },
  get: { tool: "notify_later", run: "cut-get", count: 20, intervalMs: 100 },
  age: { tool: "notify_later", run: "age", count: 120, intervalMs: 100 },
};
const plan = scenarios[scenario];
if (!["typescript", "csharp"].includes(clientKind) || !plan || !["resumed", "lost", "whole"].includes(expect) || !endpointText) {
  console.error("Usage: node resume.mjs <typescript|csharp> <post|get|age> <resumed|lost|whole> <endpoint> [CSharpClient.dll]");
  process.exit(2);
}
// The message after which the proxy cuts a stream whose run starts with "cut-".
const cutAfter = 2;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The proxy. Requests are read from the client's bytes (request lines and headers; JSON bodies hold no raw line
// breaks), statuses and messages from the server's, in order on each connection: clients do not pipeline, so a
// response belongs to the oldest request without a status, and what follows a status line to that request.
function startProxy(target) {
  const requests = [];
  const cuts = [];
  const cutRuns = new Set();
  let recording = true;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const connection = { waiting: [], answering: null, fromClient: "", fromServer: "", cut: false };
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on("error", () => {});
    upstream.on("error", () => {});
    client.on("close", close);
    upstream.on("close", close);
    client.on("data", (chunk) => {
      if (connection.cut) return;
      upstream.write(chunk);
      connection.fromClient += chunk.toString("latin1");
      const head = /(GET|POST|DELETE) (\S+) HTTP\/1\.1\r\n([\s\S]*?)\r\n\r\n/g;
      let match;
      let consumed = 0;
      while ((match = head.exec(connection.fromClient))) {
        const headers = Object.fromEntries(match[3].split("\r\n").map((line) => {
          const colon = line.indexOf(":");
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }));
        const request = { method: match[1], lastEventId: headers["last-event-id"] ?? null, status: null, messages: [], cut: false };
        if (recording) requests.push(request);
        connection.waiting.push(request);
        consumed = head.lastIndex;
      }
      connection.fromClient = connection.fromClient.slice(Math.max(consumed, connection.fromClient.length - 65536));
    });
    upstream.on("data", (chunk) => {
      if (connection.cut) return;
      connection.fromServer += chunk.toString("latin1");
      const found = /HTTP\/1\.1 (\d{3}) |"run":"([^"]+)","seq":(\d+)/g;
      let match;
      let consumed = 0;
      let cutRun = null;
      while ((match = found.exec(connection.fromServer))) {
        consumed = found.lastIndex;
        if (match[1]) {
          connection.answering = connection.waiting.shift() ?? null;
          if (connection.answering) connection.answering.status = Number(match[1]);
          continue;
        }
        const [run, seq] = [match[2], Number(match[3])];
        connection.answering?.messages.push(seq);
        if (run.startsWith("cut-") && seq === cutAfter && !cutRuns.has(run)) cutRun = run;
      }
      connection.fromServer = connection.fromServer.slice(Math.max(consumed, connection.fromServer.length - 256));
      if (cutRun === null) {
        client.write(chunk);
        return;
      }
      // The cut: what arrived so far goes through, then both connections are reset; nothing more is forwarded.
      cutRuns.add(cutRun);
      connection.cut = true;
      if (connection.answering) connection.answering.cut = true;
      cuts.push({ run: cutRun, on: connection.answering?.method ?? null });
      client.write(chunk, () => { client.resetAndDestroy(); upstream.resetAndDestroy(); });
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const url = new URL(target);
    url.host = `127.0.0.1:${server.address().port}`;
    // stop(): what the client sends from then on (its DELETE, a last reconnection) is no longer recorded.
    resolve({ url, requests, cuts, stop: () => { recording = false; }, close: () => server.close() });
  }));
}

async function waitFor(condition, ms) {
  for (let waited = 0; !condition() && waited < ms; waited += 50) await sleep(50);
  return condition();
}

const proxy = await startProxy(new URL(endpointText));
const openGet = () => proxy.requests.some((r) => r.method === "GET" && r.lastEventId === null && r.status === 200);
// How long to wait for every message: the push itself and, when resuming, a few reconnections on top.
const pushMs = plan.count * plan.intervalMs;

// The TypeScript SDK's client: messages in the order it hands them over, which is the wire's.
async function runTypeScript() {
  const sdk = JSON.parse(readFileSync(new URL("./node_modules/@modelcontextprotocol/sdk/package.json", import.meta.url), "utf8"));
  const report = { client: `typescript ${sdk.version}`, handled: [], errors: [] };
  // Reconnections 250 ms after a stream ends (the SDK's default is 1 s, growing), five attempts in a row at most.
  const transport = new StreamableHTTPClientTransport(proxy.url, {
    reconnectionOptions: { initialReconnectionDelay: 250, maxReconnectionDelay: 2000, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 },
  });
  const client = new Client({ name: "resume-client", version: "1.0.0" });
  client.onerror = (error) => report.errors.push(String(error?.message ?? error));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    const data = notification.params.data;
    if (data?.run === plan.run) report.handled.push(data.seq);
  });
  try {
    await client.connect(transport);
    report.protocolVersion = transport.protocolVersion ?? null;
    if (plan.tool === "notify_later" && !(await waitFor(openGet, 5000))) throw new Error("no GET stream opened");
    await sleep(200);
    const timeout = expect === "lost" ? pushMs + 3000 : pushMs + 15000;
    const call = client.callTool({ name: plan.tool, arguments: { run: plan.run, count: plan.count, intervalMs: plan.intervalMs, delayMs: 200 } },
      undefined, { timeout });
    try {
      const result = await call;
      report.answer = result.content?.[0]?.text ?? JSON.stringify(result);
    } catch (error) {
      report.callError = String(error?.message ?? error);
    }
    if (plan.tool === "notify_later") {
      await waitFor(() => report.handled.length >= plan.count, expect === "lost" ? pushMs + 2000 : pushMs + 15000);
    }
    // A moment for late duplicates.
    await sleep(500);
  } catch (error) {
    report.callError = String(error?.message ?? error);
  }
  proxy.stop();
  try { await transport.terminateSession(); } catch { /* the session may be gone in a control */ }
  await client.close();
  return report;
}

// The C# SDK's client, started against the proxy; it reports the messages its handlers received and, from a tap on
// its HTTP responses, their order on the wire (its handlers run on tasks of their own).
async function runCSharp() {
  const args = [csharpClient, "resume", proxy.url.href, plan.tool, plan.run, String(plan.count), String(plan.intervalMs)];
  const child = spawn("dotnet", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => { stdout += chunk; });
  child.stderr.on("data", (chunk) => { stderr += chunk; });
  const code = await new Promise((resolve) => child.on("close", resolve));
  proxy.stop();
  try {
    const report = JSON.parse(stdout.trim().split("\n").pop());
    return { ...report, client: `csharp ${report.sdk}` };
  } catch {
    return { client: "csharp", handled: [], errors: [`the C# client exited ${code} without a report: ${(stdout + stderr).slice(0, 400)}`] };
  }
}

const report = clientKind === "typescript" ? await runTypeScript() : await runCSharp();
proxy.close();

const failures = [];
const few = (list) => list.slice(0, 10).join(",") + (list.length > 10 ? `,… (${list.length})` : "");
const seen = new Map();
for (const seq of report.handled) seen.set(seq, (seen.get(seq) ?? 0) + 1);
const missing = [];
for (let seq = 0; seq < plan.count; seq++) if (!seen.has(seq)) missing.push(seq);
const duplicated = [...seen].filter(([, count]) => count > 1).map(([seq]) => seq);
const order = report.wire ?? report.handled;
const outOfOrder = order.filter((seq, i) => i > 0 && !(seq > order[i - 1])).length;
const gets = proxy.requests.filter((r) => r.method === "GET");
const resumes = gets.filter((r) => r.lastEventId !== null);
// The run's messages the proxy passed on resumed streams: those the client got by reconnecting.
const onResumes = resumes.reduce((sum, r) => sum + r.messages.length, 0);
const cutRequests = proxy.requests.filter((r) => r.cut);
const wantAnswer = `${plan.run}: ${plan.tool === "notify_then_answer" ? `sent ${plan.count}` : `${plan.count} messages scheduled`}`;
// A cut stream is reported by the client as such; anything else is an error.
const otherErrors = (report.errors ?? []).filter((e) => !(scenario !== "age" && /SSE stream disconnected/.test(e)));

if (report.protocolVersion !== "2025-11-25") failures.push(`negotiated ${report.protocolVersion ?? "nothing"}, not 2025-11-25`);
if (scenario === "age" && cutRequests.length) failures.push("the proxy cut a stream");
if (scenario !== "age" && (cutRequests.length !== 1 || cutRequests[0].method !== (scenario === "post" ? "POST" : "GET"))) {
  failures.push(`expected one cut ${scenario === "post" ? "POST" : "GET"} stream, got ${JSON.stringify(proxy.cuts)}`);
}

if (expect === "resumed" || expect === "whole") {
  if (report.answer !== wantAnswer) failures.push(`answer: ${report.answer ?? report.callError ?? "none"}`);
  if (missing.length) failures.push(`missing: ${few(missing)}`);
  if (duplicated.length) failures.push(`duplicated: ${few(duplicated)}`);
  if (outOfOrder) failures.push(`${outOfOrder} out of order${report.wire ? " on the wire" : ""}`);
  if (report.wire && (report.wire.length !== plan.count || report.wire.some((seq, i) => seq !== i))) {
    failures.push(`on the wire: ${few(report.wire)} (expected each of 0-${plan.count - 1} once, in order)`);
  }
  if (report.handled.length !== plan.count) failures.push(`${report.handled.length} messages handled, ${plan.count} sent`);
  if (otherErrors.length) failures.push(`client errors: ${few(otherErrors)}`);
  if ((report.problems ?? []).length) failures.push(`the SDK logged: ${few(report.problems)}`);
}

if (expect === "resumed") {
  const fewest = scenario === "age" ? 4 : 1;
  if (resumes.length < fewest) failures.push(`${resumes.length} GETs with Last-Event-ID, fewer than ${fewest}`);
  const refused = resumes.filter((r) => r.status !== 200);
  if (refused.length) failures.push(`GETs with Last-Event-ID answered ${few(refused.map((r) => r.status))}`);
  // After a cut, whatever followed message 2 must have come on a resumed stream.
  if (scenario !== "age" && onResumes < plan.count - cutAfter - 1) failures.push(`${onResumes} messages came on resumed streams, fewer than ${plan.count - cutAfter - 1}`);
} else if (expect === "whole") {
  if (resumes.length) failures.push(`${resumes.length} GETs with Last-Event-ID: the stream was ended`);
  if (gets.length !== 1) failures.push(`${gets.length} GETs (expected one stream, never ended)`);
} else {
  // lost: the cut stream could not be resumed, and what it carried after the cut is gone.
  if (resumes.length) failures.push(`${resumes.length} GETs with Last-Event-ID without a store`);
  if (scenario === "post" && report.answer === wantAnswer) failures.push("the answer arrived although the stream was cut");
  if (scenario !== "post" && missing.length === 0) failures.push("every message arrived although the stream was cut");
}

const unique = [...new Set(report.errors ?? [])];
const result = {
  client: report.client,
  scenario,
  expect,
  protocolVersion: report.protocolVersion ?? null,
  answer: report.answer ?? null,
  callError: report.callError ?? null,
  sent: plan.count,
  handled: report.handled.length,
  missing: missing.length,
  duplicated: duplicated.length,
  outOfOrder,
  cuts: proxy.cuts,
  gets: gets.length,
  resumes: resumes.length,
  resumeStatuses: [...new Set(resumes.map((r) => r.status))],
  onResumes,
  otherGetStatuses: [...new Set(gets.filter((r) => r.lastEventId === null).map((r) => r.status))],
  ...(report.clientResumes === undefined ? {} : { clientResumes: report.clientResumes }),
  errors: (report.errors ?? []).length,
  errorKinds: unique.slice(0, 4).map((e) => e.slice(0, 120)),
  problems: report.problems ?? [],
  failures,
};
console.log(JSON.stringify(result));
process.exit(failures.length === 0 ? 0 : 1);
