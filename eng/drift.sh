#!/usr/bin/env bash
# Drift check: the versions of the three MCP C# SDK packages the registry serves today against the cells of
# eng/matrix.txt. Prints a warning for every served version without a cell and for every cell whose version is no
# longer served; never fails (the registry is not ours). Asks the NuGet sources configured on this machine
# (dotnet package search), so it names no feed of its own.
# A served version that is left out on purpose has a line "# no cell: <package> <version>: <why>" in eng/matrix.txt.
#
# A served version without a cell comes with the line to add to eng/matrix.txt, and where it goes: the cell's name and
# versions, and its default session mode, features and advisories as the mcpcompat probe finds them in the package (a
# throwaway project restores it, src/Compat.Cli probes its assemblies). Where the probe cannot run, those three columns
# read "?": running the cell (bash eng/test.sh <cell>) then fails and names what it found. Either way the cell's own
# tests check every column.
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

python3 - "$work" eng/matrix.txt "$root" <<'PY'
import json, os, re, subprocess, sys
work, matrix, root = sys.argv[1], sys.argv[2], sys.argv[3]

def served(package):
    with open(f"{work}/{package}.json") as f:
        doc = json.load(f)
    return {p["version"] for source in doc.get("searchResult", []) for p in source.get("packages", [])
            if p["id"].lower() == package.lower()}

def version_key(version):
    # A prerelease before its release: 0.8.0-preview.1 < 1.0.0-rc.1 < 1.0.0 < 1.1.0; numeric parts compared as numbers.
    core, _, pre = version.partition("-")
    return ([int(p) for p in core.split(".")], 0 if pre else 1, [(0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")] if pre else [])

hosts, cores, skipped, lines = {}, {}, {}, []
for line in open(matrix):
    m = re.match(r"#\s*no cell:\s*(\S+)\s+(\S+):\s*(.*)", line)
    if m:
        skipped[(m.group(1), m.group(2))] = m.group(3).strip()
        continue
    parts = line.split()
    if not parts or parts[0].startswith("#"):
        continue
    lines.append(parts)
    cell, host, core = parts[0], parts[1], parts[2]
    if host != "-":
        hosts.setdefault(host, []).append(cell)
    cores.setdefault(core, []).append(cell)

# Column widths of the list, so that a suggested line lines up with the others.
widths = [max((len(p[i]) for p in lines if len(p) > i), default=0) for i in range(5)]

cli = os.path.join(root, "src/Compat.Cli/bin/Release/net10.0/McpCompat.Cli.dll")

def probe(package, version):
    """The mcpcompat probe of the package's assemblies (a throwaway project restores and builds on it): its JSON, or
    None and why not."""
    if not os.path.exists(cli):
        return None, f"no mcpcompat probe to run ({os.path.relpath(cli, root)} is not built)"
    folder = os.path.join(work, f"probe-{package}-{version}")
    os.makedirs(folder)
    for name, text in [("Directory.Build.props", "<Project />"), ("Directory.Build.targets", "<Project />"),
                       ("Directory.Packages.props", "<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>")]:
        with open(os.path.join(folder, name), "w") as f:
            f.write(text + "\n")
    with open(os.path.join(folder, "Probe.csproj"), "w") as f:
        f.write(f"""<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><CopyLocalLockFileAssemblies>true</CopyLocalLockFileAssemblies></PropertyGroup>
  <ItemGroup><PackageReference Include="{package}" Version="[{version}]" /></ItemGroup>
</Project>
""")
    build = subprocess.run(["dotnet", "build", folder, "-c", "Release", "-o", os.path.join(folder, "out")],
                           capture_output=True, text=True)
    if build.returncode != 0:
        last = [l for l in build.stdout.splitlines() if "error" in l][-1:] or build.stdout.splitlines()[-1:]
        return None, f"a project on {package} {version} did not build: {' '.join(last).strip()[:300]}"
    run = subprocess.run(["dotnet", cli, "probe", "--json", os.path.join(folder, "out")], capture_output=True, text=True)
    if run.returncode != 0:
        return None, f"mcpcompat probe exited {run.returncode}: {run.stderr.strip()[:300]}"
    return json.loads(run.stdout), None

def suggestion(cell, host, core, package, version):
    """The line to add for a cell, with where it goes, and any note."""
    doc, why = probe(package, version)
    if doc is None:
        mode = features = advisories = "?"
        note = f"{why}; the columns marked ? are to be filled: run `bash eng/test.sh {cell}`, whose failure names what the cell's probe found"
    else:
        present = [f["name"] for f in doc["features"] if f["present"]]
        features = ",".join(present)
        advisories = ",".join(a["id"] for a in doc["advisories"]) or "none"
        # The tool reports the SDK's default session mode as a path case: "sdk-default" where the host is stateless
        # when left alone (its advisory table); the cell's DefaultSessionModeTests check it against a fresh options object.
        mode = "-" if host == "-" else ("stateless" if any(p["case"] == "sdk-default" for p in doc["paths"]) else "stateful")
        note = "found by the mcpcompat probe in the package; the cell's tests check every column"
        if not doc["mapMcpCompat"]["available"]:
            note += f"; MapMcpCompat cannot host on it ({doc['mapMcpCompat']['reason']}): the cell's tests fail until McpCompat can, or the cell says why it cannot"
    columns = [cell, host, core, mode, features]
    text = "".join((c + "  ").ljust(w + 2) for c, w in zip(columns, widths)) + advisories
    # Where it goes: the list keeps each kind of cell in version order (the lines suggested before this one included).
    kind = cell.split("-")[0]
    before = sorted((p for p in lines if p[0].startswith(kind + "-") and version_key(p[0][len(kind) + 1:]) < version_key(version)),
                    key=lambda p: version_key(p[0][len(kind) + 1:]))
    where = f"after the line {before[-1][0]}" if before else f"before the first {kind}- line"
    lines.append(columns + [advisories])
    return text.rstrip(), where, note

# ModelContextProtocol X depends on ModelContextProtocol.Core X: a cell on one covers the other.
wanted = {"ModelContextProtocol.AspNetCore": hosts, "ModelContextProtocol": cores, "ModelContextProtocol.Core": cores}
versions = {package: served(package) for package in wanted}
warnings = 0
total = 0
for package, cells in wanted.items():
    have = versions[package]
    total += len(have)
    if not have:
        print(f"drift: warning: the registry serves no version of {package}")
        warnings += 1
    for v in sorted(have - cells.keys(), key=version_key):
        if (package, v) in skipped:
            print(f"drift: {package} {v} is served and has no cell, on purpose: {skipped[(package, v)]}")
            continue
        print(f"drift: warning: {package} {v} is served and has no cell in eng/matrix.txt")
        warnings += 1
        if package == "ModelContextProtocol.AspNetCore":
            if v not in versions["ModelContextProtocol"]:
                print(f"  ModelContextProtocol {v} is not served: a cell aspnetcore-{v} needs the ModelContextProtocol that NuGet resolves for it; add it by hand")
                continue
            line, where, note = suggestion(f"aspnetcore-{v}", v, v, package, v)
        elif package == "ModelContextProtocol":
            line, where, note = suggestion(f"core-{v}", "-", v, package, v)
        elif v in versions["ModelContextProtocol"]:
            print(f"  covered by the line for ModelContextProtocol {v} above")
            continue
        else:
            line, where, note = (f"# no cell: ModelContextProtocol.Core {v}: served without a ModelContextProtocol {v} beside it, "
                                 "and AddMcpServer (which AddMcpCompat extends) lives in ModelContextProtocol"), "with the other no-cell lines", "a Core build alone cannot be a cell"
        print(f"  add to eng/matrix.txt, {where} ({note}):")
        print(f"  {line}")
    if package != "ModelContextProtocol.Core":
        for v in sorted(cells.keys() - have, key=version_key):
            print(f"drift: warning: {package} {v} is no longer served; cells {', '.join(cells[v])} cannot restore on a clean machine")
            warnings += 1

print(f"drift: {total} served versions of the three SDK packages compared with eng/matrix.txt: "
      + ("every one has a cell and every cell is served" if warnings == 0 else f"{warnings} warning(s)"))
PY
exit 0
