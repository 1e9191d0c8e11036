// McpCompat Gateway as a fleet: two gateways share one Redis (records and DELETE notices), two upstream replicas (the
// TypeScript server) sit behind both. The TypeScript SDK's client talks to both gateways with no sticky routing, its
// requests alternating through a round-robin "load balancer" in its fetch (a refused connection goes to the other
// gateway, as a real balancer's health check would have it). Each step is one line of JSON on stdout:
//   conversation    one session id, requests served by both gateways, one initialize, no call failed;
//   replica killed  the replica that holds the session is killed (SIGKILL) mid-conversation: the conversation goes on,
//                   same id, no call failed (each gateway rebuilds it on the other replica);
//   delete          the client's DELETE through one gateway while the other holds a live copy: the other answers the
//                   session's id with 404 within two seconds, and so does the first;
//   gateway killed  a gateway killed (SIGKILL) mid-conversation: the conversation goes on on the other, same id.
// GET streams are not part of it: the balancer answers them itself (405), as in eng/interop/fleet.mjs (balancer.mjs).
// Usage: node gateway-fleet.mjs <gatewayA> <gatewayB> <gatewayPidA> <replicaA> <replicaB> <replicaPidA> <replicaPidB>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { RoundRobin } from "./balancer.mjs";

const [a, b, gatewayPidA, replicaA, replicaB, replicaPidA, replicaPidB] = process.argv.slice(2);
const gateways = [new URL(a), new URL(b)];
const replicas = [replicaA, replicaB];
const replicaPids = [Number(replicaPidA), Number(replicaPidB)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const report = (step, ok, detail) => console.log(JSON.stringify({ step, ok, ...detail }));

// The load balancer (balancer.mjs): alternating between the gateways, a refused connection sent to the other one.
const balancer = new RoundRobin(gateways);
const served = balancer.served;

async function connect(name) {
  const transport = new StreamableHTTPClientTransport(gateways[0], { fetch: balancer.fetch });
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

// calls <client> <count>: echo calls, each checked; the failures' messages.
async function calls(client, count, label) {
  const errors = [];
  for (let i = 0; i < count; i++) {
    const text = `${label} ${i}`;
    try {
      const result = await client.callTool({ name: "echo", arguments: { text } });
      if (result.content?.[0]?.text !== text) errors.push(`echo answered ${JSON.stringify(result).slice(0, 120)}`);
    } catch (error) {
      errors.push(String(error?.message ?? error).slice(0, 160));
    }
    await sleep(20);
  }
  return errors;
}

// The upstream that holds the gateway's sessions, from its report (answered to this machine).
async function holder(gateway) {
  const response = await fetch(gateways[gateway], { headers: { accept: "application/vnd.mcpcompat.gateway+json" } });
  const body = await response.json();
  return body.routes[0].upstreams.filter((u) => u.sessions > 0).map((u) => u.endpoint);
}

async function rawPing(gateway, id, protocolVersion) {
  try {
    const response = await fetch(gateways[gateway], {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": id, "mcp-protocol-version": protocolVersion },
      body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "ping" }),
    });
    await response.text();
    return response.status;
  } catch {
    return 0;
  }
}

// 1. The conversation, and 2. a replica killed under it.
{
  const { client, transport } = await connect("gateway-fleet-conversation");
  const id = transport.sessionId;
  const errors = await calls(client, 10, "before");
  const byGateway = [0, 1].map((g) => served.filter((s) => s.instance === g && s.rpc === "tools/call").length);
  const initializes = served.filter((s) => s.rpc === "initialize").length;
  report("conversation", errors.length === 0 && transport.sessionId === id && byGateway.every((n) => n > 0) && initializes === 1,
    { id, initializes, callsByGateway: byGateway, errors });

  const held = [...new Set([...(await holder(0)), ...(await holder(1))])];
  const victim = replicas.findIndex((r) => held.includes(new URL(r).href));
  let killErrors = ["no replica held the session"];
  if (victim >= 0) {
    process.kill(replicaPids[victim], "SIGKILL");
    killErrors = await calls(client, 10, "after");
  }
  const survivors = [...new Set([...(await holder(0)), ...(await holder(1))])];
  report("replica killed", victim >= 0 && killErrors.length === 0 && transport.sessionId === id && !survivors.includes(new URL(replicas[victim]).href),
    { id, killed: replicas[victim], heldBefore: held, heldAfter: survivors, errors: killErrors });
  await client.close();
}

// 3. A DELETE through one gateway ends the copy the other holds.
{
  const { client, transport } = await connect("gateway-fleet-delete");
  const id = transport.sessionId;
  const protocolVersion = transport.protocolVersion ?? "2025-06-18";
  const errors = await calls(client, 2, "both");
  const deleter = balancer.next % 2;
  const other = 1 - deleter;
  balancer.pinned = deleter;
  await transport.terminateSession();
  balancer.pinned = null;
  const deletedAt = performance.now();
  let status = await rawPing(other, id, protocolVersion);
  while (status !== 404 && performance.now() - deletedAt < 2000) {
    await sleep(10);
    status = await rawPing(other, id, protocolVersion);
  }
  const ms = Math.round(performance.now() - deletedAt);
  const deleterStatus = await rawPing(deleter, id, protocolVersion);
  report("delete", errors.length === 0 && status === 404 && deleterStatus === 404, { id, otherStatus: status, ms, deleterStatus, errors });
  await client.close();
}

// 4. A gateway killed under a conversation.
{
  const { client, transport } = await connect("gateway-fleet-kill");
  const id = transport.sessionId;
  const before = await calls(client, 4, "before");
  process.kill(Number(gatewayPidA), "SIGKILL");
  const after = await calls(client, 10, "after");
  const errors = [...before, ...after];
  report("gateway killed", errors.length === 0 && transport.sessionId === id, { id, errors });
  await client.close();
}
process.exit(0);
