// One conversation with the TypeScript SDK's client, for as long as a file exists: an echo call every 50 ms on one
// session, each checked. Used to restart or kill an upstream under it (eng/gateway.sh): behind McpCompat Gateway the
// client should go on with the same session id and no call should fail.
// Once its first call has been answered it creates <while-file>.ready, so that the upstream is cut mid-conversation.
// Prints one JSON line when the file is gone: {"calls": N, "failed": F, "sessionIds": [...], "errors": {...}};
// exits 0 when nothing failed and the session id never changed.
// With --pause-file <file>: once that file exists the client closes its connection (its GET stream too, so that its
// session falls idle; no DELETE), and once the file is gone it connects again with the same session id, as a client
// that went away and came back does, and goes on.
// With --authorization <value>: every request carries that Authorization header.
// Usage: node converse.mjs <endpoint> <while-file> [--pause-file <file>] [--authorization <value>]
import { existsSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [endpointText, whileFile, ...options] = process.argv.slice(2);
const option = (name) => (options.indexOf(name) >= 0 ? options[options.indexOf(name) + 1] : undefined);
const pauseFile = option("--pause-file");
const authorization = option("--authorization");
const requestInit = authorization === undefined ? undefined : { headers: { Authorization: authorization } };
if (!endpointText || !whileFile) {
  console.error("Usage: node converse.mjs <endpoint> <while-file>");
  process.exit(2);
}

let transport = new StreamableHTTPClientTransport(new URL(endpointText), { requestInit });
let client = new Client({ name: "conversing-client", version: "1.0.0" });
await client.connect(transport);
const sessionIds = new Set([transport.sessionId]);
const errors = {};
let calls = 0;
let failed = 0;
while (existsSync(whileFile)) {
  if (pauseFile && existsSync(pauseFile)) {
    const sessionId = transport.sessionId;
    await transport.close();
    while (existsSync(pauseFile)) await sleep(50);
    // A transport that has a session id does not initialize again: the client goes on with its session.
    transport = new StreamableHTTPClientTransport(new URL(endpointText), { sessionId, requestInit });
    client = new Client({ name: "conversing-client", version: "1.0.0" });
    await client.connect(transport);
  }
  const text = `call ${calls}`;
  calls++;
  try {
    const echo = await client.callTool({ name: "echo", arguments: { text } });
    if (echo.content?.[0]?.text !== text) throw new Error(`echo answered ${JSON.stringify(echo).slice(0, 200)}`);
  } catch (error) {
    failed++;
    const message = String(error?.message ?? error).slice(0, 200);
    errors[message] = (errors[message] ?? 0) + 1;
  }
  sessionIds.add(transport.sessionId);
  if (calls === 1) writeFileSync(`${whileFile}.ready`, "");
  await sleep(50);
}
await client.close().catch(() => {});
console.log(JSON.stringify({ calls, failed, sessionIds: [...sessionIds], errors }));
process.exit(failed === 0 && sessionIds.size === 1 ? 0 : 1);
