// The conformance table of eng/conformance.sh: one row per server scenario of the suite, one column per server the
// fixture (tests/Interop/ConformanceServer) ran on, each cell read from the suite's results (<dir>/<run>/checks.json).
//
// Usage: node table.mjs <scenario list file> <not-applicable file> <markdown out> <oldest version> \
//          <oldest MapMcpCompat results> <newest MapMcpCompat results> <newest SDK host results> <column titles...>
// With "-" for the oldest results (a revision the oldest SDK does not have), the table has no column for it.
//
// A scenario passes when at least one check succeeded and none failed or warned (warnings count as failures, as in
// the suite's own expected-failures rule). The verdicts:
//   MapMcpCompat, oldest: must pass, unless the not-applicable file lists the scenario for that SDK version: then the
//     cell reads "n/a (reason)". A listed scenario that passes fails the run (the entry is stale).
//   MapMcpCompat, newest: must pass when it passes on the SDK's host; one that fails on both is reported, with both
//     reasons, and does not fail the run.
//   SDK host, newest: the reference; never a failure of its own.
// Prints the table and the reasons, writes them as Markdown, and ends with "fixture: N passed, N failed" (one count per
// MapMcpCompat cell; n/a and shared failures count in neither).
import fs from 'node:fs';
import path from 'node:path';

const [scenarioFile, notApplicableFile, markdownFile, oldestVersion, ...rest] = process.argv.slice(2);
const resultDirs = rest.slice(0, 3);
const titles = rest.slice(3, 6);

const scenarios = fs.readFileSync(scenarioFile, 'utf8').split('\n').filter(Boolean);

// "<version> <scenario> <reason...>" lines; # starts a comment.
const notApplicable = new Map();
for (const line of fs.readFileSync(notApplicableFile, 'utf8').split('\n')) {
  const [version, scenario, ...reason] = line.replace(/#.*/, '').trim().split(/\s+/);
  if (version === oldestVersion && scenario) {
    notApplicable.set(scenario, reason.join(' '));
  }
}

// Result folders are named "server-<scenario>-<timestamp>".
function readResults(dir) {
  const results = new Map();
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const file = path.join(dir, entry, 'checks.json');
    if (!fs.existsSync(file)) continue;
    const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    const checks = JSON.parse(fs.readFileSync(file, 'utf8'));
    const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
    const succeeded = checks.some((c) => c.status === 'SUCCESS');
    const reasons = bad.map((c) => `${c.status === 'WARNING' ? 'warning: ' : ''}${c.name}: ${c.errorMessage ?? c.description}${answer(c)}`);
    if (!succeeded && bad.length === 0) reasons.push('no check passed');
    results.set(scenario, { ok: succeeded && bad.length === 0, reason: reasons.join('; ') });
  }
  return results;
}

// The server's own words when a check carries the JSON-RPC answer it judged: an error, or a tool result with isError.
function answer(check) {
  const body = check.details?.body;
  if (body?.error?.message) return ` (server: ${body.error.message})`;
  if (body?.result?.isError) return ` (server: ${(body.result.content ?? []).map((c) => c.text).filter(Boolean).join(' ')})`;
  return '';
}

const withOldest = resultDirs[0] !== '-';
const [oldest, newest, sdk] = resultDirs.map(readResults);
const shownTitles = withOldest ? titles : titles.slice(1);
const missing = { ok: false, reason: 'no result (the scenario did not run)' };

let passed = 0;
let failed = 0;
const rows = [];
const notes = [];
for (const scenario of scenarios) {
  const o = oldest.get(scenario) ?? missing;
  const n = newest.get(scenario) ?? missing;
  const s = sdk.get(scenario) ?? missing;
  const reason = notApplicable.get(scenario);

  let oldestCell;
  if (!withOldest) {
    oldestCell = null;
  } else if (o.ok && reason !== undefined) {
    oldestCell = 'FAIL (listed n/a, but passes)';
    failed++;
    notes.push(`${scenario}, ${titles[0]}: listed as not applicable on ${oldestVersion} but passes; remove the entry`);
  } else if (o.ok) {
    oldestCell = 'pass';
    passed++;
  } else if (reason !== undefined) {
    oldestCell = `n/a (${reason})`;
  } else {
    oldestCell = 'FAIL';
    failed++;
    notes.push(`${scenario}, ${titles[0]}: ${o.reason}`);
  }

  let newestCell;
  if (n.ok) {
    newestCell = 'pass';
    passed++;
  } else if (s.ok) {
    newestCell = 'FAIL';
    failed++;
    notes.push(`${scenario}, ${titles[1]} (passes on ${titles[2]}): ${n.reason}`);
  } else {
    newestCell = 'fails (SDK host too)';
    notes.push(`${scenario}, ${titles[1]} and ${titles[2]} both fail (reported, not counted): ${n.reason} | SDK host: ${s.reason}`);
  }

  const sdkCell = s.ok ? 'pass' : 'fail';
  if (!s.ok && n.ok) {
    notes.push(`${scenario}, ${titles[2]} fails (MapMcpCompat passes): ${s.reason}`);
  }

  rows.push([scenario, ...(withOldest ? [oldestCell] : []), newestCell, sdkCell]);
}

const table = [
  `| scenario | ${shownTitles.join(' | ')} |`,
  `|---|${shownTitles.map(() => '---').join('|')}|`,
  ...rows.map((row) => `| ${row.join(' | ')} |`),
];
const markdown = [
  `# Conformance: the fixture on MapMcpCompat and on the SDK's host (${path.basename(scenarioFile, '.txt')})`,
  '',
  ...table,
  '',
  ...(notes.length > 0 ? ['Reasons:', '', ...notes.map((note) => `- ${note}`), ''] : []),
].join('\n');
fs.writeFileSync(markdownFile, markdown);

console.log(table.join('\n'));
for (const note of notes) console.log(`  ${note}`);
console.log(`fixture: ${passed} passed, ${failed} failed`);
