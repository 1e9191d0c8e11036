#!/usr/bin/env bash
# Packaging checks. Runs the tooling tests (tests/Tooling: the mcpcompat CLI and the build-time range check), packs
# McpCompat and McpCompat.Cli into artifacts/packages, checks what the packages hold, then, in a throwaway folder
# whose NuGet.config adds that folder as a feed (McpCompat* only; everything else from the usual feed) and with a
# packages folder of its own (so a stale McpCompat of the same version is never picked up):
#   - a web app on McpCompat + ModelContextProtocol.AspNetCore 2.3.1, MCP_SESSION_IDLE_TIMEOUT=2, on 127.0.0.1:
#     a session opened with curl answers 404 once the timeout and one sweep have passed, on the SDK's own idle
#     timeout (Mode Auto) and on McpCompat's sweeper (Mode Fallback);
#   - the build-time advice: a stub ModelContextProtocol.AspNetCore in a defect range warns MCPCOMPAT001/002, not with
#     McpCompatSuppressAdvisories=true, one less with NoWarn; 2.3.1 only informs (MCPCOMPAT003); Core-only SDKs
#     (0.2.0-preview.3, 2.4.0) get nothing;
#   - the mcpcompat tool installed from the feed probes the web app's build output; bad arguments exit 2.
# Ends with "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out="$root/artifacts/pack"
feed="$root/artifacts/packages"
rm -rf "$out" "$feed"
mkdir -p "$out" "$feed"
work=$(mktemp -d)
server=
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
check() { # check "what" command...: one line per check
  local what=$1
  shift
  if "$@" > "$out/last-check.log" 2>&1; then
    passed=$((passed + 1))
    echo "pack: $what: ok"
  else
    failed=$((failed + 1))
    echo "pack: $what: FAILED"
    tail -n 20 "$out/last-check.log"
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 && $passed -gt 0 ]]
  exit
}

# 1. Tooling tests (once, not per matrix cell: they pick their own SDK folders).
dotnet test tests/Tooling/Tooling.csproj -c Release --logger "trx;LogFileName=tooling.trx" --results-directory "$out/tooling" > "$out/tooling.log" 2>&1
rc=$?
counters=$(grep -o '<Counters [^>]*>' "$out/tooling/tooling.trx" 2>/dev/null | head -n 1)
tp=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
tf=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
tp=${tp:-0}
tf=${tf:-0}
[[ $rc -ne 0 && $tf -eq 0 ]] && tf=1
echo "pack: tests/Tooling: $tp passed, $tf failed"
[[ $rc -ne 0 ]] && tail -n 40 "$out/tooling.log"
passed=$((passed + tp))
failed=$((failed + tf))

# 2. Pack.
if ! dotnet pack src/Compat/Compat.csproj -c Release -o "$feed" > "$out/pack.log" 2>&1 ||
   ! dotnet pack src/Compat.Cli/Compat.Cli.csproj -c Release -o "$feed" >> "$out/pack.log" 2>&1; then
  tail -n 40 "$out/pack.log"
  failed=$((failed + 1))
  finish
fi
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/Compat/Compat.csproj | head -n 1)
nupkg="$feed/McpCompat.$version.nupkg"
snupkg="$feed/McpCompat.$version.snupkg"

entries() { python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }
nuspec() { python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read(next(n for n in z.namelist() if n.endswith(".nuspec"))).decode())' "$1"; }
has_entries() { local list; list=$(entries "$1") || return 1; shift; for e in "$@"; do grep -qxF "$e" <<<"$list" || { echo "missing $e"; return 1; }; done; }
nuspec_has() { local spec; spec=$(nuspec "$1") || return 1; shift; for p in "$@"; do grep -qE "$p" <<<"$spec" || { echo "nuspec lacks /$p/"; echo "$spec"; return 1; }; done; }

check "McpCompat.$version.nupkg and .snupkg exist" test -f "$nupkg" -a -f "$snupkg"
check "package holds README, both targets with XML docs, build advice and its data" has_entries "$nupkg" README.md \
  lib/net8.0/McpCompat.dll lib/net8.0/McpCompat.xml lib/net10.0/McpCompat.dll lib/net10.0/McpCompat.xml \
  buildTransitive/McpCompat.targets buildTransitive/McpCompat.props
check "symbols package holds the PDBs" has_entries "$snupkg" lib/net8.0/McpCompat.pdb lib/net10.0/McpCompat.pdb
check "nuspec: license, readme, SDK floor ModelContextProtocol >= 0.2.0-preview.3 on both targets" nuspec_has "$nupkg" \
  '<license type="expression">Apache-2.0</license>' '<readme>README.md</readme>' \
  '<group targetFramework="net8.0">' '<group targetFramework="net10.0">' \
  '<dependency id="ModelContextProtocol" version="0.2.0-preview.3"' '<dependency id="NuGet.Versioning"'
check "nuspec: exactly two ModelContextProtocol dependencies (one per target)" \
  test "$(nuspec "$nupkg" | grep -c '<dependency id="ModelContextProtocol" version="0.2.0-preview.3"')" -eq 2
check "McpCompat.Cli is a dotnet tool whose command is mcpcompat" python3 -c '
import sys, zipfile
settings = zipfile.ZipFile(sys.argv[1]).read("tools/net10.0/any/DotnetToolSettings.xml").decode()
assert "<Command Name=\"mcpcompat\"" in settings, settings' "$feed/McpCompat.Cli.$version.nupkg"

# 3. A throwaway folder: its own NuGet.config and packages folder.
upstream=$(dotnet nuget list source --format short 2>/dev/null | awk '$1 ~ /^E/ { print $2; exit }')
upstream=${upstream:-https://api.nuget.org/v3/index.json}
nuget_config() { # nuget_config <folder> [extra source feed for ModelContextProtocol.AspNetCore]
  mkdir -p "$1"
  {
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo '<configuration>'
    echo '  <packageSources>'
    echo '    <clear />'
    echo "    <add key=\"mcpcompat-local\" value=\"$feed\" />"
    [[ -n "${2:-}" ]] && echo "    <add key=\"stub\" value=\"$2\" />"
    echo "    <add key=\"upstream\" value=\"$upstream\" />"
    echo '  </packageSources>'
    echo '  <packageSourceMapping>'
    echo '    <packageSource key="mcpcompat-local"><package pattern="McpCompat" /><package pattern="McpCompat.*" /></packageSource>'
    [[ -n "${2:-}" ]] && echo '    <packageSource key="stub"><package pattern="ModelContextProtocol.AspNetCore" /></packageSource>'
    echo '    <packageSource key="upstream"><package pattern="*" /></packageSource>'
    echo '  </packageSourceMapping>'
    echo '</configuration>'
  } > "$1/NuGet.config"
}
# The app and the tool: McpCompat* from the local feed, the rest from the usual feed.
nuget_config "$work"
# The build-advice projects: also a stub ModelContextProtocol.AspNetCore from a feed of their own.
mkdir -p "$work/advice/stub-feed"
nuget_config "$work/advice" "$work/advice/stub-feed"
export NUGET_PACKAGES="$work/packages"
# Not the repository's build files: the throwaway projects stand alone.
printf '<Project />\n' > "$work/Directory.Build.props"
printf '<Project />\n' > "$work/Directory.Build.targets"
printf '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>\n' > "$work/Directory.Packages.props"

mkdir -p "$work/app"
cat > "$work/app/App.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="McpCompat" Version="$version" />
    <PackageReference Include="ModelContextProtocol.AspNetCore" Version="2.3.1" />
  </ItemGroup>
</Project>
EOF
cat > "$work/app/Program.cs" <<'EOF'
using System.ComponentModel;
using ModelContextProtocol.Server;

var builder = WebApplication.CreateBuilder(args);
builder.Services
    .AddMcpServer()
    .WithHttpTransport(options => options.Stateless = false)
    .WithTools<EchoTools>()
    .AddMcpCompat();
var app = builder.Build();
app.MapMcp("/mcp");
app.Run();

[McpServerToolType]
internal sealed class EchoTools
{
    [McpServerTool(Name = "echo"), Description("Echoes the text.")]
    public static string Echo(string text) => text;
}
EOF

if ! dotnet build "$work/app" -c Release -v:n > "$out/app-build.log" 2>&1; then
  tail -n 40 "$out/app-build.log"
  failed=$((failed + 1))
  finish
fi
check "the app restored McpCompat $version from the local feed" test -f "$work/packages/mcpcompat/$version/mcpcompat.$version.nupkg"
check "build on ModelContextProtocol.AspNetCore 2.3.1: no McpCompat warning" bash -c "! grep -q 'warning MCPCOMPAT' '$out/app-build.log'"
check "build on ModelContextProtocol.AspNetCore 2.3.1: MCPCOMPAT003 as a message" grep -q "McpCompat MCPCOMPAT003: ModelContextProtocol.AspNetCore 2.3.1 is in \[2.0.0, )" "$out/app-build.log"

# 4. Run it and let a session expire: on the SDK's own idle timeout (Auto picks it on 2.3.1), then on McpCompat's.
accept='Accept: application/json, text/event-stream'
json='Content-Type: application/json'
post() { # post <session-id or -> <body>: prints the HTTP status; headers in $out/headers
  local id=$1 body=$2 extra=()
  [[ "$id" != - ]] && extra=(-H "Mcp-Session-Id: $id" -H "MCP-Protocol-Version: 2025-06-18")
  curl -s -o "$out/body" -D "$out/headers" -w '%{http_code}' -X POST "$base/mcp" -H "$json" -H "$accept" "${extra[@]}" --data "$body"
}
expiry() { # expiry <McpCompat mode> <what the startup log must say>
  local mode=$1 expected=$2 log="$out/app-server-$1.log" session status
  (cd "$work/app/bin/Release/net10.0" && MCP_SESSION_IDLE_TIMEOUT=2 McpCompat__Mode=$mode exec dotnet App.dll --urls "http://127.0.0.1:0") > "$log" 2>&1 &
  server=$!
  base=
  for _ in $(seq 1 150); do
    base=$(sed -n 's/.*Now listening on: \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$log" | head -n 1)
    [[ -n "$base" ]] && break
    sleep 0.2
  done
  if [[ -n "$base" ]]; then
    status=$(post - '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"pack-check","version":"1.0"}}}')
    session=$(tr -d '\r' < "$out/headers" | sed -n 's/^[Mm][Cc][Pp]-[Ss][Ee][Ss][Ss][Ii][Oo][Nn]-[Ii][Dd]: *//p')
    check "$mode: initialize: 200 with an Mcp-Session-Id" test "$status" = 200 -a -n "$session"
    check "$mode: notifications/initialized: 202" test "$(post "$session" '{"jsonrpc":"2.0","method":"notifications/initialized"}')" = 202
    check "$mode: tools/list on the live session: 200" test "$(post "$session" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}')" = 200
    # Idle timeout 2 s; the SDK sweeps every 5 s, McpCompat every 1 s: gone within 7 s of the last request.
    # Nothing may touch the session meanwhile (a request is activity).
    sleep 9
    check "$mode: after 2 s idle and a sweep, the session id answers 404" test "$(post "$session" '{"jsonrpc":"2.0","id":3,"method":"tools/list"}')" = 404
    check "$mode: the startup log says: $expected" grep -qF "$expected" "$log"
  else
    check "$mode: the app listens on 127.0.0.1" false
    tail -n 30 "$log"
  fi
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
  server=
}
expiry Auto "the SDK's own idle timeout is in charge (IdleTimeout 00:00:02"
expiry Fallback "McpCompat's sweeper is in charge of idle sessions (idle timeout 00:00:02"

# 5. Build-time advice.
mkdir -p "$work/advice/stub"
cat > "$work/advice/stub/Stub.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <!-- A stand-in for an old ModelContextProtocol.AspNetCore (none is served): only its id and version matter here. -->
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <AssemblyName>ModelContextProtocol.AspNetCore</AssemblyName>
    <PackageId>ModelContextProtocol.AspNetCore</PackageId>
    <Version>0.5.0-mcpcompat.stub</Version>
    <Authors>stub</Authors>
  </PropertyGroup>
</Project>
EOF
printf 'namespace Stub;\npublic static class Marker;\n' > "$work/advice/stub/Marker.cs"
check "stub ModelContextProtocol.AspNetCore 0.5.0-mcpcompat.stub packs" dotnet pack "$work/advice/stub" -c Release -o "$work/advice/stub-feed"

advice_project() { # advice_project <folder> <package references...>
  mkdir -p "$work/advice/$1"
  local name=$1
  shift
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    echo '  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>'
    echo '  <ItemGroup>'
    echo "    <PackageReference Include=\"McpCompat\" Version=\"$version\" />"
    for reference in "$@"; do
      echo "    <PackageReference Include=\"${reference%@*}\" Version=\"${reference#*@}\" />"
    done
    echo '  </ItemGroup>'
    echo '</Project>'
  } > "$work/advice/$name/$name.csproj"
}
build_log() { # build_log <folder> <log> [msbuild args...]: a full build, its output in the log
  local folder=$1 log=$2
  shift 2
  dotnet build "$work/advice/$folder" --no-incremental "$@" > "$out/$log" 2>&1
}
advice_project old ModelContextProtocol.AspNetCore@0.5.0-mcpcompat.stub
build_log old advice-old.log
check "0.5.0 (in both defect ranges): warning MCPCOMPAT001" grep -q "warning MCPCOMPAT001: ModelContextProtocol.AspNetCore 0.5.0-mcpcompat.stub is in \[0.1.0-preview.10, 0.6.0-preview.1)" "$out/advice-old.log"
check "0.5.0 (in both defect ranges): warning MCPCOMPAT002" grep -q "warning MCPCOMPAT002" "$out/advice-old.log"
build_log old advice-old-suppressed.log -p:McpCompatSuppressAdvisories=true
check "McpCompatSuppressAdvisories=true: no MCPCOMPAT warning" bash -c "grep -q 'Build succeeded' '$out/advice-old-suppressed.log' && ! grep -q 'MCPCOMPAT00' '$out/advice-old-suppressed.log'"
build_log old advice-old-nowarn.log -p:NoWarn=MCPCOMPAT002
check "NoWarn=MCPCOMPAT002 silences that one only" bash -c "grep -q 'warning MCPCOMPAT001' '$out/advice-old-nowarn.log' && ! grep -q 'warning MCPCOMPAT002' '$out/advice-old-nowarn.log'"
build_log old advice-old-errors.log -p:WarningsAsErrors=MCPCOMPAT001
check "WarningsAsErrors=MCPCOMPAT001 makes that advisory fail the build" grep -q "error MCPCOMPAT001" "$out/advice-old-errors.log"

advice_project core-oldest ModelContextProtocol@0.2.0-preview.3
build_log core-oldest advice-core-oldest.log -v:n
check "ModelContextProtocol 0.2.0-preview.3 without AspNetCore: no advice (as the probe)" bash -c "grep -q 'Build succeeded' '$out/advice-core-oldest.log' && ! grep -q 'MCPCOMPAT00' '$out/advice-core-oldest.log'"
advice_project core-newest ModelContextProtocol@2.4.0
build_log core-newest advice-core-newest.log -v:n
check "ModelContextProtocol 2.4.0 without AspNetCore: no advice" bash -c "grep -q 'Build succeeded' '$out/advice-core-newest.log' && ! grep -q 'MCPCOMPAT00' '$out/advice-core-newest.log'"

# 6. The tool, installed from the feed, on the web app's build output.
if (cd "$work" && dotnet tool install McpCompat.Cli --version "$version" --tool-path "$work/tools") > "$out/tool-install.log" 2>&1; then
  (cd "$work/app" && "$work/tools/mcpcompat" probe) > "$out/probe-app.txt" 2>&1
  check "mcpcompat probe <app>: the app's SDK, MCPCOMPAT003, Native when stateful" bash -c "
    grep -qE '^  ModelContextProtocol.AspNetCore +2.3.1 ' '$out/probe-app.txt' &&
    grep -qE '^  MCPCOMPAT003 ' '$out/probe-app.txt' &&
    grep -qE '^  Native +if the server keeps sessions' '$out/probe-app.txt'"
  "$work/tools/mcpcompat" probe --json "$work/app" > "$out/probe-app.json" 2> "$out/probe-app.err"
  check "mcpcompat probe --json: valid JSON, stateful path Native" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["paths"][0]["case"] == "stateful" and doc["paths"][0]["path"] == "Native", doc["paths"]
assert [a["id"] for a in doc["advisories"]] == ["MCPCOMPAT003"], doc["advisories"]' "$out/probe-app.json"
  "$work/tools/mcpcompat" probe --no-such-option > "$out/probe-bad.out" 2> "$out/probe-bad.err"
  rc=$?
  check "mcpcompat with a bad option: exit 2, usage on stderr, nothing on stdout" bash -c \
    "test $rc -eq 2 && grep -q 'Usage: mcpcompat probe' '$out/probe-bad.err' && test ! -s '$out/probe-bad.out'"
else
  tail -n 20 "$out/tool-install.log"
  check "dotnet tool install McpCompat.Cli from the local feed" false
fi

finish
