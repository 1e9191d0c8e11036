#!/usr/bin/env bash
# Drift check: the versions of the three MCP C# SDK packages the registry serves today against the cells of
# eng/matrix.txt. Prints a warning for every served version without a cell and for every cell whose version is no
# longer served; never fails (the registry is not ours). Asks the NuGet sources configured on this machine
# (dotnet package search), so it names no feed of its own.
# A served version that is left out on purpose has a line "# no cell: <package> <version>: <why>" in eng/matrix.txt.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for package in ModelContextProtocol.AspNetCore ModelContextProtocol ModelContextProtocol.Core; do
  if ! dotnet package search "$package" --exact-match --prerelease --format json > "$work/$package.json" 2> "$work/$package.err"; then
    echo "drift: warning: could not ask the registry for $package ($(head -c 300 "$work/$package.err" | tr '\n' ' ')); nothing compared"
    exit 0
  fi
done

python3 - "$work" eng/matrix.txt <<'PY'
import json, re, sys
work, matrix = sys.argv[1], sys.argv[2]

def served(package):
    with open(f"{work}/{package}.json") as f:
        doc = json.load(f)
    return {p["version"] for source in doc.get("searchResult", []) for p in source.get("packages", [])
            if p["id"].lower() == package.lower()}

hosts, cores, skipped = {}, {}, {}
for line in open(matrix):
    m = re.match(r"#\s*no cell:\s*(\S+)\s+(\S+):\s*(.*)", line)
    if m:
        skipped[(m.group(1), m.group(2))] = m.group(3).strip()
        continue
    parts = line.split()
    if not parts or parts[0].startswith("#"):
        continue
    cell, host, core = parts[0], parts[1], parts[2]
    if host != "-":
        hosts.setdefault(host, []).append(cell)
    cores.setdefault(core, []).append(cell)

# ModelContextProtocol X depends on ModelContextProtocol.Core X: a cell on one covers the other.
wanted = {"ModelContextProtocol.AspNetCore": hosts, "ModelContextProtocol": cores, "ModelContextProtocol.Core": cores}
warnings = 0
total = 0
for package, cells in wanted.items():
    versions = served(package)
    total += len(versions)
    if not versions:
        print(f"drift: warning: the registry serves no version of {package}")
        warnings += 1
    for v in sorted(versions - cells.keys()):
        if (package, v) in skipped:
            print(f"drift: {package} {v} is served and has no cell, on purpose: {skipped[(package, v)]}")
            continue
        print(f"drift: warning: {package} {v} is served and has no cell in eng/matrix.txt")
        warnings += 1
    if package != "ModelContextProtocol.Core":
        for v in sorted(cells.keys() - versions):
            print(f"drift: warning: {package} {v} is no longer served; cells {', '.join(cells[v])} cannot restore on a clean machine")
            warnings += 1

print(f"drift: {total} served versions of the three SDK packages compared with eng/matrix.txt: "
      + ("every one has a cell and every cell is served" if warnings == 0 else f"{warnings} warning(s)"))
PY
exit 0
