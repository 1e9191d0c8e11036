// Third-party client check: the TypeScript MCP SDK opens sessions against a running server and
//   1. abandons one (drops its connections, no DELETE): it must answer 404 once the idle timeout and the
//      allowed lateness (the sweep interval: McpCompat's 1 s, the SDK's own 5 s) have passed;
//   2. keeps one talking (a ping every half timeout for three timeouts): it must survive;
//   3. keeps a `slow` call in flight for twice the timeout: the call must complete and the session survive.
// Usage: node abandon.mjs <endpoint> <idle-timeout-seconds> [allowed-lateness-seconds=5.5]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const endpoint = new URL(process.argv[2] ?? "http://127.0.0.1:5080/mcp");
const timeout = Number(process.argv[3] ?? 3);
const allowedLateness = Number(process.argv[4] ?? 5.5);
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));

async function open(name) {
  const transport = new StreamableHTTPClientTransport(endpoint);
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, id: transport.sessionId };
}

// A session whose client holds no GET stream: handshake with one client, drop its connections (close() aborts
// them and sends no DELETE), then talk to the same session from a client resumed with its id (no new GET).
async function openWithoutStream(name) {
  const first = await open(name);
  await first.client.close();
  const transport = new StreamableHTTPClientTransport(endpoint, { sessionId: first.id });
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, id: first.id };
}

async function rawPing(id, protocolVersion) {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": id,
      "mcp-protocol-version": protocolVersion,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  await res.text();
  return res.status;
}

const failures = [];
const result = {};

// 1. Abandoned.
const abandoned = await open("abandoning-client");
const echo = await abandoned.client.callTool({ name: "echo", arguments: { message: "hello" } });
if (echo.content?.[0]?.text !== "hello") failures.push(`echo answered ${JSON.stringify(echo)}`);
const protocolVersion = abandoned.transport.protocolVersion ?? "2025-06-18";
// Vanish: the client's connections (its GET stream among them) drop, and no DELETE is sent.
await abandoned.client.close();
const idleSince = performance.now();

// 2. Talking, and 3. slow, run while the abandoned session ages.
const talking = await openWithoutStream("talking-client");
const slow = await openWithoutStream("slow-client");
const slowCall = slow.client.callTool({ name: "slow", arguments: { seconds: timeout * 2 } }, undefined, { timeout: (timeout * 2 + 30) * 1000 });

// Any request counts as activity, so the abandoned session is probed once only: at the deadline. The talking
// session keeps talking until both the deadline and the slow call are past.
const deadline = timeout + allowedLateness;
let slowDone = false;
slowCall.then(() => { slowDone = true; }, () => { slowDone = true; });
let nextTalk = 0;
let probed = false;
while (!probed || !slowDone) {
  const elapsed = (performance.now() - idleSince) / 1000;
  if (elapsed >= nextTalk) {
    try { await talking.client.ping(); } catch (e) { failures.push(`talking session failed at ${elapsed.toFixed(1)} s: ${e}`); }
    nextTalk += timeout / 2;
  }
  if (!probed && elapsed >= deadline) {
    const status = await rawPing(abandoned.id, protocolVersion);
    probed = true;
    result.abandonedStatusAtDeadline = status;
    result.deadlineSeconds = deadline;
    if (status !== 404) failures.push(`abandoned session answered ${status} ${deadline} s after it was abandoned`);
  }
  await sleep(0.05);
}

const slowResult = await slowCall;
if (!String(slowResult.content?.[0]?.text ?? "").startsWith("waited")) failures.push(`slow call answered ${JSON.stringify(slowResult)}`);
try { await slow.client.ping(); result.slowSessionSurvived = true; } catch (e) { failures.push(`slow session gone after its call: ${e}`); }
try { await talking.client.ping(); result.talkingSessionSurvived = true; } catch (e) { failures.push(`talking session gone: ${e}`); }

for (const [name, c] of [["talking", talking], ["slow", slow]]) {
  try { await c.transport.terminateSession(); } catch (e) { failures.push(`${name} session could not be ended with DELETE: ${e}`); }
  await c.client.close();
}
result.failures = failures;
console.log(JSON.stringify(result));
process.exit(failures.length === 0 ? 0 : 1);
