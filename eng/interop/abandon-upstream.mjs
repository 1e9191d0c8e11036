// Opens sessions with the TypeScript SDK's client and abandons them: each one initializes, makes one echo call, and
// then its client goes away without a DELETE, the way a client that crashes or is killed goes away. Against a server
// that never expires sessions (upstream.mjs), every one of them stays there; behind a gateway, they should not.
// close() on the SDK's StreamableHTTPClientTransport aborts the client's requests (its GET stream among them) and
// sends nothing; terminateSession() is what sends DELETE, and it is never called here.
// Prints one JSON line: {"opened": N, "failed": F, "seconds": S}; exits 0 when nothing failed.
// Usage: node abandon-upstream.mjs <endpoint> <count> [--concurrency 50]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [endpointText, countText] = process.argv.slice(2);
const concurrencyAt = process.argv.indexOf("--concurrency");
const concurrency = concurrencyAt >= 0 ? Number(process.argv[concurrencyAt + 1]) : 50;
const count = Number(countText);
if (!endpointText || !Number.isInteger(count) || count < 0 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error("Usage: node abandon-upstream.mjs <endpoint> <count> [--concurrency 50]");
  process.exit(2);
}
const endpoint = new URL(endpointText);

let opened = 0;
let failed = 0;
const errors = new Map();

async function abandonOne(i) {
  const transport = new StreamableHTTPClientTransport(endpoint);
  const client = new Client({ name: "abandoning-client", version: "1.0.0" });
  try {
    await client.connect(transport);
    const text = `hello ${i}`;
    const echo = await client.callTool({ name: "echo", arguments: { text } });
    if (echo.content?.[0]?.text !== text) throw new Error(`echo answered ${JSON.stringify(echo).slice(0, 200)}`);
    opened++;
  } catch (error) {
    failed++;
    const message = String(error?.message ?? error).slice(0, 200);
    errors.set(message, (errors.get(message) ?? 0) + 1);
  } finally {
    // Vanish: the connections drop (close() aborts them), no DELETE goes out, the session is left on the server.
    await client.close().catch(() => {});
  }
}

const started = performance.now();
let next = 0;
const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
  while (next < count) await abandonOne(next++);
});
await Promise.all(workers);
const seconds = Number(((performance.now() - started) / 1000).toFixed(2));

// What went wrong, counted by message, on stderr: stdout holds the one JSON line.
for (const [message, times] of errors) console.error(`${times} x ${message}`);
console.log(JSON.stringify({ opened, failed, seconds }));
// No process.exit: once every client is closed nothing holds the process (close() aborted the streams, and fetch's
// idle keep-alive sockets do not keep Node running), so it ends by itself.
process.exitCode = failed === 0 ? 0 : 1;
