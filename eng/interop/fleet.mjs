// A fleet with no sticky routing: the TypeScript SDK's client talks to two server instances that share one Redis, its
// requests alternating between them through a round-robin "load balancer" in its fetch (which, like a real one, sends
// a request to the other instance when one refuses the connection). Each step is one line of JSON on stdout:
//   conversation  one session id from the handshake to the end; each instance evicts the session (its log says so)
//                 before it serves the client again, and resumes it (its log says so); no second initialize.
//   delete        the client's DELETE on one instance while the other holds a live copy: the other answers the session's
//                 id with 404 within one second (pub/sub, not its idle timeout, which is far longer by then).
//   kill          an instance killed (SIGKILL) mid-conversation: the conversation goes on, same id, on the other.
// GET streams are not part of it: the balancer answers them itself (see balancer.mjs).
// Usage: node fleet.mjs <endpointA> <endpointB> <logA> <logB> <pidA> <pidB> <rounds>
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { RoundRobin } from "./balancer.mjs";

const [a, b, logA, logB, pidA, pidB, roundsArg] = process.argv.slice(2);
const endpoints = [new URL(a), new URL(b)];
const logs = [logA, logB];
const pids = [Number(pidA), Number(pidB)];
const rounds = Number(roundsArg ?? 4);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const report = (step, ok, detail) => console.log(JSON.stringify({ step, ok, ...detail }));

// The load balancer (balancer.mjs): alternating, a refused connection sent to the other instance, GETs answered 405.
const balancer = new RoundRobin(endpoints);
const served = balancer.served;

function logHas(instance, text) {
  try {
    return readFileSync(logs[instance], "utf8").includes(text);
  } catch {
    return false;
  }
}

async function waitForLog(instance, text, boundMs = 20000) {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if (logHas(instance, text)) return true;
    await sleep(50);
  }
  return false;
}

// The text each host logs when it evicts a session, and when McpCompat resumes one.
const evicted = (id) => [`McpCompat ended session ${id}: `, `Closing idle session ${id}.`];
const resumed = (id) => `McpCompat resumed session ${id}`;
async function waitEvicted(instance, id) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (evicted(id).some((t) => logHas(instance, t))) return true;
    await sleep(50);
  }
  return false;
}

async function connect(name) {
  const transport = new StreamableHTTPClientTransport(endpoints[0], { fetch: balancer.fetch });
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

async function echo(client, message) {
  const result = await client.callTool({ name: "echo", arguments: { message } });
  return result.content?.[0]?.text === message;
}

async function rawPing(instance, id, protocolVersion) {
  const response = await fetch(endpoints[instance], {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": id, "mcp-protocol-version": protocolVersion },
    body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "ping" }),
  });
  await response.text();
  return response.status;
}

// 1. The conversation.
{
  const { client, transport } = await connect("fleet-conversation");
  const id = transport.sessionId;
  const steps = [];
  let ok = typeof id === "string" && id.length > 0;
  for (let round = 0; round < rounds && ok; round++) {
    const instance = balancer.next % 2;
    const echoed = await echo(client, `round ${round}`);
    const sameId = transport.sessionId === id;
    steps.push({ round, instance, echoed, sameId });
    ok = echoed && sameId;
    // The instance that served this round evicts the session before it serves the client again.
    if (ok && !(await waitEvicted(instance, id))) {
      steps.push({ round, instance, evicted: false });
      ok = false;
    }
  }

  const initializes = served.filter((s) => s.rpc === "initialize").length;
  const resumedOn = [0, 1].filter((i) => logHas(i, resumed(id)));
  const evictedOn = [0, 1].filter((i) => evicted(id).some((t) => logHas(i, t)));
  ok = ok && initializes === 1 && resumedOn.length === 2 && evictedOn.length === 2 && served.every((s) => s.status < 400);
  report("conversation", ok, { id, rounds: steps.length, initializes, evictedOn, resumedOn, requests: served.length, steps });
  await client.close();
}

// 2. DELETE on one instance ends the live copy on the other.
{
  served.length = 0;
  const { client, transport } = await connect("fleet-delete");
  const id = transport.sessionId;
  const protocolVersion = transport.protocolVersion ?? "2025-06-18";
  // Both instances hold a live copy: calls land on each (no eviction in between).
  const both = (await echo(client, "one")) && (await echo(client, "two"));
  const holders = new Set(served.filter((s) => s.rpc === "tools/call").map((s) => s.instance));
  const deleter = balancer.next % 2;
  const other = 1 - deleter;
  balancer.pinned = deleter;
  await transport.terminateSession();
  balancer.pinned = null;
  const deletedAt = performance.now();
  let status = await rawPing(other, id, protocolVersion);
  while (status !== 404 && performance.now() - deletedAt < 5000) {
    await sleep(10);
    status = await rawPing(other, id, protocolVersion);
  }

  const ms = Math.round(performance.now() - deletedAt);
  const deleterStatus = await rawPing(deleter, id, protocolVersion);
  const endedByFleet = await waitForLog(other, `McpCompat ended its copy of session ${id}`, 2000);
  const ok = both && holders.size === 2 && status === 404 && ms < 1000 && deleterStatus === 404 && endedByFleet;
  report("delete", ok, { id, deleter, other, otherStatus: status, msUntil404: ms, deleterStatus, endedByFleet });
  await client.close().catch(() => {});
}

// 3. Kill one instance mid-conversation.
{
  served.length = 0;
  const { client, transport } = await connect("fleet-kill");
  const id = transport.sessionId;
  const before = (await echo(client, "before a")) && (await echo(client, "before b"));
  const victim = balancer.next % 2;
  process.kill(pids[victim], "SIGKILL");
  await sleep(200);
  let after = true;
  for (let i = 0; i < 4; i++) after = after && (await echo(client, `after ${i}`));
  const survivor = 1 - victim;
  const servedAfter = served.slice(-4).map((s) => s.instance);
  const ok = before && after && transport.sessionId === id && servedAfter.every((i) => i === survivor) && served.filter((s) => s.rpc === "initialize").length === 1;
  report("kill", ok, { id, victim, survivor, servedAfter, sameId: transport.sessionId === id });
  await client.close().catch(() => {});
}
