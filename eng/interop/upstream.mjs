// An upstream MCP server on the TypeScript SDK, written the way the SDK's stateful Streamable HTTP examples are
// (dist/esm/examples/server/simpleStreamableHttp.js): a map of transports keyed by session id, a new
// StreamableHTTPServerTransport and McpServer per initialize POST, registered in onsessioninitialized, other requests
// routed by the Mcp-Session-Id header, and an entry removed only in transport.onclose (a DELETE, or shutdown).
// Unbounded on purpose: no idle timeout and no cap on the number of sessions. The SDK's own example (1.32.2) adds
// both (IDLE_MS, 30 minutes; MAX_SESSIONS, 1000); they are left out here so that a session whose client never sends
// DELETE stays until the process exits. This is the upstream a gateway is put in front of, to show what the gateway
// bounds; GET /stats (outside MCP) reports the number of sessions held and the process's memory.
//
// Tools: echo {text} returns text; slow {ms=2000} waits, sending every 500 ms a progress notification (when the
// call carries a progress token) and a log message (subject to logging/setLevel), then returns "done"; whoami
// returns the session id this server sees.
// Node's own http module, not express: no dependency beyond the SDK (and zod, which the SDK itself depends on).
// With --require-authorization <value>, every request to /mcp must carry that Authorization header (else 401), as an
// upstream that authenticates each request does.
// Usage: node upstream.mjs --port <port, 0 = any free one> [--host 127.0.0.1] [--require-authorization <value>]
// Prints one line, "listening on http://127.0.0.1:<port>/mcp", once listening.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(option("--port", "0"));
const host = option("--host", "127.0.0.1");
const requiredAuthorization = option("--require-authorization", undefined);
// Loopback only: this server has no authentication and no bounds, it is not to be reachable from elsewhere.
if (host !== "127.0.0.1" || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error("Usage: node upstream.mjs --port <port, 0 = any free one> [--host 127.0.0.1] (only 127.0.0.1 is accepted)");
  process.exit(2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One McpServer per session, as in the SDK's examples. The logging capability makes the SDK answer logging/setLevel
// (per session) and filter the log messages sent through sendLoggingMessage.
const getServer = () => {
  const server = new McpServer({ name: "unbounded-upstream", version: "1.0.0" }, { capabilities: { logging: {} } });

  server.registerTool("echo", {
    description: "Returns its text argument",
    inputSchema: { text: z.string().describe("Text to return") },
  }, async ({ text }) => ({ content: [{ type: "text", text }] }));

  server.registerTool("slow", {
    description: "Waits ms milliseconds (2000 by default), reporting every 500 ms, then returns \"done\"",
    inputSchema: { ms: z.number().int().min(0).max(600000).optional().describe("How long to wait, in milliseconds") },
  }, async ({ ms = 2000 }, extra) => {
    const progressToken = extra._meta?.progressToken;
    const started = Date.now();
    for (let waited = 0; waited < ms;) {
      const step = Math.min(500, ms - waited);
      await sleep(step);
      waited += step;
      // A cancelled call (notifications/cancelled, or the session closed) stops waiting.
      if (extra.signal.aborted) return { content: [{ type: "text", text: `cancelled after ${waited} ms` }], isError: true };
      // Both go on the call's own stream (sendNotification relates them to the request), so a gateway sees a POST
      // answered by an event stream that stays open for the whole call.
      if (progressToken !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken, progress: waited, total: ms, message: `waited ${waited} of ${ms} ms` },
        });
      }
      // sendLoggingMessage would go on the session's GET stream; the level set with logging/setLevel is honoured here.
      if (!server.server.isMessageIgnored("info", extra.sessionId)) {
        await extra.sendNotification({
          method: "notifications/message",
          params: { level: "info", logger: "slow", data: { waited, of: ms } },
        });
      }
    }
    return { content: [{ type: "text", text: "done" }], _meta: { elapsedMs: Date.now() - started } };
  });

  server.registerTool("whoami", {
    description: "Returns the session id this server sees",
  }, async (extra) => ({ content: [{ type: "text", text: extra.sessionId ?? "" }] }));

  return server;
};

// Sessions: transports keyed by session id. Nothing ever removes an entry but onclose.
const transports = {};

const sendJson = (res, status, body) => {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
};
const jsonRpcError = (res, status, code, message) => sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null });

// The SDK's express app (createMcpExpressApp) checks the Host header on a loopback server against DNS rebinding;
// the same check, by host name only (any port: a gateway on another port may forward its own Host).
function hostAllowed(req) {
  try {
    return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(`http://${req.headers.host}`).hostname);
  } catch {
    return false;
  }
}

// The body, parsed, as express.json() would hand it over; the transport's own limit (4 MiB) applies.
const maxBody = 4 * 1024 * 1024;
async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > maxBody) return { tooLarge: true };
    chunks.push(chunk);
  }
  try {
    return { body: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return { invalid: true };
  }
}

async function handlePost(req, res) {
  const sessionId = req.headers["mcp-session-id"];
  const parsed = await readJson(req);
  if (parsed.tooLarge) return jsonRpcError(res, 413, -32000, "Payload Too Large");
  if (parsed.invalid) return jsonRpcError(res, 400, -32700, "Parse error: Invalid JSON");
  if (sessionId && transports[sessionId]) {
    // An existing session: its transport answers (including a second initialize, which it refuses).
    return transports[sessionId].handleRequest(req, res, parsed.body);
  }
  if (!sessionId && isInitializeRequest(parsed.body)) {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // Registered once the transport has its id, before the answer goes out: the client's next request finds it.
      onsessioninitialized: (id) => { transports[id] = transport; },
    });
    // The only way out of the map: the transport closes (DELETE, or shutdown). An abandoned session never does.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && transports[id]) delete transports[id];
    };
    await getServer().connect(transport);
    return transport.handleRequest(req, res, parsed.body);
  }
  if (sessionId) {
    // Unknown or closed session: the client should start a new one (as the SDK's example answers).
    return jsonRpcError(res, 404, -32001, "Session not found");
  }
  return jsonRpcError(res, 400, -32000, "Bad Request: No valid session ID provided");
}

// GET (the session's stream) and DELETE (the end of the session) go to the session's transport.
async function handleGetOrDelete(req, res) {
  const sessionId = req.headers["mcp-session-id"];
  if (!sessionId) {
    res.writeHead(400, { "Content-Type": "text/plain" }).end("Missing session ID");
    return;
  }
  const transport = transports[sessionId];
  if (!transport) return jsonRpcError(res, 404, -32001, "Session not found");
  return transport.handleRequest(req, res);
}

const httpServer = http.createServer(async (req, res) => {
  try {
    const path = new URL(req.url, "http://127.0.0.1").pathname;
    if (!hostAllowed(req)) return jsonRpcError(res, 403, -32000, `Invalid Host: ${req.headers.host}`);
    if (path === "/stats" && req.method === "GET") {
      const { rss, heapUsed } = process.memoryUsage();
      return sendJson(res, 200, { sessions: Object.keys(transports).length, rss, heapUsed });
    }
    if (path !== "/mcp") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
      return;
    }
    if (requiredAuthorization !== undefined && req.headers.authorization !== requiredAuthorization) {
      return jsonRpcError(res, 401, -32001, "Unauthorized");
    }
    if (req.method === "POST") return await handlePost(req, res);
    if (req.method === "GET" || req.method === "DELETE") return await handleGetOrDelete(req, res);
    res.writeHead(405, { Allow: "GET, POST, DELETE", "Content-Type": "text/plain" }).end("Method not allowed");
  } catch (error) {
    console.error("Error handling MCP request:", error);
    if (!res.headersSent) jsonRpcError(res, 500, -32603, "Internal server error");
  }
});

httpServer.on("error", (error) => {
  console.error(`upstream: ${error.message}`);
  process.exit(1);
});
httpServer.listen(port, host, () => {
  console.log(`listening on http://127.0.0.1:${httpServer.address().port}/mcp`);
});

// Shutdown: every transport closed (their streams end), the listener and its connections closed, exit 0 at once.
let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  httpServer.close();
  for (const transport of Object.values(transports)) {
    try { await transport.close(); } catch { /* closing anyway */ }
  }
  httpServer.closeAllConnections();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
