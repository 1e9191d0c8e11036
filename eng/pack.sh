#!/usr/bin/env bash
# Packaging checks. Runs the tooling tests (tests/Tooling: the mcpcompat CLI and the build-time range check), packs
# McpCompat and McpCompat.Cli into artifacts/packages, checks what the packages hold, then, in a throwaway folder
# whose NuGet.config adds that folder as a feed (McpCompat* only; everything else, the real SDK packages included,
# from the usual feed) and with a packages folder of its own (so a stale McpCompat of the same version is never
# picked up):
#   - a web app on McpCompat + ModelContextProtocol.AspNetCore, built once for the oldest served host (1.0.0) and once
#     for the newest (2.4.0), stateful, run with MCP_SESSION_IDLE_TIMEOUT=2 on 127.0.0.1: a session opened with curl
#     answers 404 once the timeout and one sweep have passed, on the SDK's own idle timeout (Mode Auto) and on
#     McpCompat's sweeper (Mode Fallback), on each host;
#   - the build-time advice on those real packages: 1.0.0 warns MCPCOMPAT002 and MCPCOMPAT004 and nothing else;
#     1.4.1 gets neither a warning nor a message; 2.4.0 gets the MCPCOMPAT003 message only; Core-only SDKs
#     (0.2.0-preview.3, 2.4.0) get nothing; on the 1.0.0 app, McpCompatSuppressAdvisories=true silences all, NoWarn
#     one, and WarningsAsErrors fails the build. MCPCOMPAT001's range, [0.1.0-preview.10, 0.6.0-preview.1), holds no
#     served build any more, so no build here shows it: the range logic for every advisory, that one included, is
#     covered by tests/Tooling (AdvisoryTargetsTests);
#   - the mcpcompat tool installed from the feed probes both apps' build output; bad arguments exit 2.
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
   ! dotnet pack src/Compat.StackExchangeRedis/Compat.StackExchangeRedis.csproj -c Release -o "$feed" >> "$out/pack.log" 2>&1 ||
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
redis_nupkg="$feed/McpCompat.StackExchangeRedis.$version.nupkg"
check "McpCompat.StackExchangeRedis: README, both targets with XML docs" has_entries "$redis_nupkg" README.md \
  lib/net8.0/McpCompat.StackExchangeRedis.dll lib/net8.0/McpCompat.StackExchangeRedis.xml \
  lib/net10.0/McpCompat.StackExchangeRedis.dll lib/net10.0/McpCompat.StackExchangeRedis.xml
check "McpCompat.StackExchangeRedis: nuspec depends on McpCompat $version and the Redis cache >= 8.0.30" nuspec_has "$redis_nupkg" \
  "<dependency id=\"McpCompat\" version=\"$version\"" '<dependency id="Microsoft.Extensions.Caching.StackExchangeRedis" version="8.0.30"'
check "McpCompat.Cli is a dotnet tool whose command is mcpcompat" python3 -c '
import sys, zipfile
settings = zipfile.ZipFile(sys.argv[1]).read("tools/net10.0/any/DotnetToolSettings.xml").decode()
assert "<Command Name=\"mcpcompat\"" in settings, settings' "$feed/McpCompat.Cli.$version.nupkg"

# 3. A throwaway folder: its own NuGet.config and packages folder.
upstream=$(dotnet nuget list source --format short 2>/dev/null | awk '$1 ~ /^E/ { print $2; exit }')
upstream=${upstream:-https://api.nuget.org/v3/index.json}
# McpCompat* from the local feed, everything else (the real SDK packages) from the usual feed.
cat > "$work/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="mcpcompat-local" value="$feed" />
    <add key="upstream" value="$upstream" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="mcpcompat-local"><package pattern="McpCompat" /><package pattern="McpCompat.*" /></packageSource>
    <packageSource key="upstream"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
EOF
export NUGET_PACKAGES="$work/packages"
# Not the repository's build files: the throwaway projects stand alone.
printf '<Project />\n' > "$work/Directory.Build.props"
printf '<Project />\n' > "$work/Directory.Build.targets"
printf '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>\n' > "$work/Directory.Packages.props"

# 4. The web app, once per host, each on the ModelContextProtocol of its own version: the oldest served
# ModelContextProtocol.AspNetCore (in the MCPCOMPAT002 and MCPCOMPAT004 ranges) and the newest (stateless by default:
# MCPCOMPAT003). Built with -v:n, so that the build log also holds the advisory messages.
hosts=(1.0.0 2.4.0)
declare -A built=()
for host in "${hosts[@]}"; do
  mkdir -p "$work/app-$host"
  cat > "$work/app-$host/App.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="McpCompat" Version="$version" />
    <PackageReference Include="ModelContextProtocol.AspNetCore" Version="$host" />
  </ItemGroup>
</Project>
EOF
  cat > "$work/app-$host/Program.cs" <<'EOF'
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
  if dotnet build "$work/app-$host" -c Release -v:n > "$out/app-$host-build.log" 2>&1; then
    built[$host]=1
    check "the app on ModelContextProtocol.AspNetCore $host builds" true
  else
    check "the app on ModelContextProtocol.AspNetCore $host builds" false
    tail -n 40 "$out/app-$host-build.log"
  fi
done
check "the apps restored McpCompat $version from the local feed" test -f "$work/packages/mcpcompat/$version/mcpcompat.$version.nupkg"

# 5. Build-time advice on the real SDK packages. MCPCOMPAT001's range ends before the oldest served host, so no build
# here can show it; tests/Tooling (step 1) checks the range logic for every advisory.
advice() { # advice <build log>: the McpCompat advice in it, one "warning ID" or "message ID" per line, sorted
  {
    grep -o 'warning MCPCOMPAT[0-9]*' "$1"
    grep -o 'McpCompat MCPCOMPAT[0-9]*:' "$1" | sed 's/^McpCompat \(MCPCOMPAT[0-9]*\):$/message \1/'
  } | sort -u
}
has_advice() { # has_advice <build log> [expected lines...]: the build succeeded with exactly that advice
  local log=$1 expected actual
  shift
  expected=$( (($# > 0)) && printf '%s\n' "$@" | sort -u)
  actual=$(advice "$log")
  grep -q 'Build succeeded' "$log" || { echo "the build failed"; return 1; }
  [[ "$actual" == "$expected" ]] || { echo "expected: [$expected]"; echo "found: [$actual]"; return 1; }
}
if [[ -n "${built[1.0.0]:-}" ]]; then
  log="$out/app-1.0.0-build.log"
  check "1.0.0: warning MCPCOMPAT002 (in [0.1.0-preview.10, 1.4.1))" \
    grep -qF "warning MCPCOMPAT002: ModelContextProtocol.AspNetCore 1.0.0 is in [0.1.0-preview.10, 1.4.1)" "$log"
  check "1.0.0: warning MCPCOMPAT004 (in [0.1.0-preview.10, 1.4.0))" \
    grep -qF "warning MCPCOMPAT004: ModelContextProtocol.AspNetCore 1.0.0 is in [0.1.0-preview.10, 1.4.0)" "$log"
  check "1.0.0: no other McpCompat advice" has_advice "$log" "warning MCPCOMPAT002" "warning MCPCOMPAT004"
fi
if [[ -n "${built[2.4.0]:-}" ]]; then
  log="$out/app-2.4.0-build.log"
  check "2.4.0: MCPCOMPAT003 as a message, no McpCompat warning" has_advice "$log" "message MCPCOMPAT003"
  check "2.4.0: the message names the version and the range" \
    grep -qF "McpCompat MCPCOMPAT003: ModelContextProtocol.AspNetCore 2.4.0 is in [2.0.0, )" "$log"
fi

advice_project() { # advice_project <folder> <package@version...>: a class library on McpCompat and those packages
  local name=$1
  shift
  mkdir -p "$work/advice/$name"
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
build_log() { # build_log <project folder> <log> [msbuild args...]: a build with -v:n, its output in the log
  local folder=$1 log=$2
  shift 2
  dotnet build "$folder" -v:n "$@" > "$out/$log" 2>&1
}
advice_project host-1.4.1 ModelContextProtocol.AspNetCore@1.4.1
build_log "$work/advice/host-1.4.1" advice-host-1.4.1.log
check "1.4.1 (past both defects, before 2.0.0): no McpCompat warning and no message" has_advice "$out/advice-host-1.4.1.log"
advice_project core-oldest ModelContextProtocol@0.2.0-preview.3
build_log "$work/advice/core-oldest" advice-core-oldest.log
check "ModelContextProtocol 0.2.0-preview.3 without AspNetCore: no advice (as the probe)" has_advice "$out/advice-core-oldest.log"
advice_project core-newest ModelContextProtocol@2.4.0
build_log "$work/advice/core-newest" advice-core-newest.log
check "ModelContextProtocol 2.4.0 without AspNetCore: no advice" has_advice "$out/advice-core-newest.log"

# 6. Run each app and let a session expire: on the SDK's own idle timeout (Mode Auto picks it on both hosts, the server
# being stateful), then on McpCompat's sweeper (Mode Fallback). One build per host serves both modes.
accept='Accept: application/json, text/event-stream'
json='Content-Type: application/json'
post() { # post <session-id or -> <body>: prints the HTTP status; headers in $out/headers
  local id=$1 body=$2 extra=()
  [[ "$id" != - ]] && extra=(-H "Mcp-Session-Id: $id" -H "MCP-Protocol-Version: 2025-03-26")
  curl -s -o "$out/body" -D "$out/headers" -w '%{http_code}' -X POST "$base/mcp" -H "$json" -H "$accept" "${extra[@]}" --data "$body"
}
listen_base() { # listen_base <server log>: waits (up to 30 s) for the address the server logs; sets base ("" if none)
  base=
  for _ in $(seq 1 150); do
    base=$(sed -n 's/.*Now listening on: \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$1" | head -n 1)
    [[ -n "$base" ]] && return 0
    sleep 0.2
  done
}
expiry() { # expiry <host version> <McpCompat mode> <what the startup log must say>
  local host=$1 mode=$2 expected=$3 log="$out/app-$1-server-$2.log" what="$1 $2" session status
  (cd "$work/app-$host/bin/Release/net10.0" && MCP_SESSION_IDLE_TIMEOUT=2 McpCompat__Mode=$mode exec dotnet App.dll --urls "http://127.0.0.1:0") > "$log" 2>&1 &
  server=$!
  listen_base "$log"
  if [[ -n "$base" ]]; then
    status=$(post - '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"pack-check","version":"1.0"}}}')
    session=$(tr -d '\r' < "$out/headers" | sed -n 's/^[Mm][Cc][Pp]-[Ss][Ee][Ss][Ss][Ii][Oo][Nn]-[Ii][Dd]: *//p')
    check "$what: initialize: 200 with an Mcp-Session-Id" test "$status" = 200 -a -n "$session"
    check "$what: notifications/initialized: 202" test "$(post "$session" '{"jsonrpc":"2.0","method":"notifications/initialized"}')" = 202
    check "$what: tools/list on the live session: 200" test "$(post "$session" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}')" = 200
    # Idle timeout 2 s; the SDK sweeps every 5 s, McpCompat every 1 s: gone within 7 s of the last request.
    # Nothing may touch the session meanwhile (a request is activity).
    sleep 9
    check "$what: after 2 s idle and a sweep, the session id answers 404" test "$(post "$session" '{"jsonrpc":"2.0","id":3,"method":"tools/list"}')" = 404
    check "$what: the startup log says: $expected" grep -qF "$expected" "$log"
    # Who ended it: the SDK's session manager logs "IdleTimeout of … exceeded. Closing idle session <id>." (1.0.0
    # and 2.4.0 alike); McpCompat's sweeper ends sessions through the SDK's DELETE, which logs no such line.
    if [[ "$mode" == Auto ]]; then
      check "$what: the SDK's own sweeper closed the session" grep -qF "exceeded. Closing idle session $session." "$log"
    else
      check "$what: the SDK's own sweeper did not close the session" bash -c "! grep -qF 'Closing idle session' '$log'"
    fi
  else
    check "$what: the app listens on 127.0.0.1" false
    tail -n 30 "$log"
  fi
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
  server=
}
for host in "${hosts[@]}"; do
  [[ -n "${built[$host]:-}" ]] || continue
  expiry "$host" Auto "ModelContextProtocol.AspNetCore $host: the SDK's own idle timeout is in charge (IdleTimeout 00:00:02"
  expiry "$host" Fallback "ModelContextProtocol.AspNetCore $host: McpCompat's sweeper is in charge of idle sessions (idle timeout 00:00:02"
done

# 7. The switches, on the 1.0.0 app. Incremental builds: the advice target runs in every build, and a build it fails
# stops before anything is compiled or copied, so the app's output stays as it was for the tool below.
if [[ -n "${built[1.0.0]:-}" ]]; then
  build_log "$work/app-1.0.0" advice-suppressed.log -c Release -p:McpCompatSuppressAdvisories=true
  check "1.0.0, McpCompatSuppressAdvisories=true: no McpCompat advice" has_advice "$out/advice-suppressed.log"
  build_log "$work/app-1.0.0" advice-nowarn.log -c Release -p:NoWarn=MCPCOMPAT002
  check "1.0.0, NoWarn=MCPCOMPAT002 silences that one only" has_advice "$out/advice-nowarn.log" "warning MCPCOMPAT004"
  build_log "$work/app-1.0.0" advice-errors.log -c Release -p:WarningsAsErrors=MCPCOMPAT004
  check "1.0.0, WarningsAsErrors=MCPCOMPAT004 makes that advisory fail the build" \
    bash -c "grep -q 'error MCPCOMPAT004' '$out/advice-errors.log' && ! grep -q 'Build succeeded' '$out/advice-errors.log'"
fi

# 7b. McpCompat.StackExchangeRedis from the feed: an app on ModelContextProtocol 2.4.0 alone (MapMcpCompat) with
# AddMcpCompatRedis, against a real Redis server (eng/redis.sh): a session's record is in Redis once it has started.
mkdir -p "$work/app-redis"
cat > "$work/app-redis/App.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="McpCompat.StackExchangeRedis" Version="$version" />
    <PackageReference Include="ModelContextProtocol" Version="2.4.0" />
  </ItemGroup>
</Project>
EOF
cat > "$work/app-redis/Program.cs" <<'EOF'
var builder = WebApplication.CreateBuilder(args);
builder.Services
    .AddMcpServer()
    .AddMcpCompat(options => options.SessionResumeWindow = TimeSpan.FromHours(1))
    .AddMcpCompatRedis(builder.Configuration["Redis"]!);
var app = builder.Build();
app.MapMcpCompat("/mcp");
app.Run();
EOF
source eng/redis.sh
if dotnet build "$work/app-redis" -c Release > "$out/app-redis-build.log" 2>&1; then
  check "the app on McpCompat.StackExchangeRedis $version builds" true
  if start_redis "$out/redis.log"; then
    log="$out/app-redis-server.log"
    (cd "$work/app-redis/bin/Release/net10.0" && Redis="127.0.0.1:$redis_port" exec dotnet App.dll --urls "http://127.0.0.1:0") > "$log" 2>&1 &
    server=$!
    listen_base "$log"
    status=$(post - '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"pack-check","version":"1.0"}}}')
    session=$(tr -d '\r' < "$out/headers" | sed -n 's/^[Mm][Cc][Pp]-[Ss][Ee][Ss][Ss][Ii][Oo][Nn]-[Ii][Dd]: *//p')
    records=$(redis-cli -h 127.0.0.1 -p "$redis_port" --scan --pattern "mcpcompat:session:$session" | wc -l)
    check "McpCompat.StackExchangeRedis app: initialize 200, the session's record in Redis" test "$status" = 200 -a -n "$session" -a "$records" -eq 1
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
    server=
    stop_redis
  else
    check "McpCompat.StackExchangeRedis app: a Redis server to run it against" false
  fi
else
  check "the app on McpCompat.StackExchangeRedis $version builds" false
  tail -n 40 "$out/app-redis-build.log"
fi

# 8. The tool, installed from the feed, on the apps' build output.
if (cd "$work" && dotnet tool install McpCompat.Cli --version "$version" --tool-path "$work/tools") > "$out/tool-install.log" 2>&1; then
  if [[ -n "${built[2.4.0]:-}" ]]; then
    (cd "$work/app-2.4.0" && "$work/tools/mcpcompat" probe) > "$out/probe-app.txt" 2>&1
    check "mcpcompat probe <2.4.0 app>: the app's SDK, MCPCOMPAT003, native when stateful" bash -c "
      grep -qE '^  ModelContextProtocol.AspNetCore +2.4.0 ' '$out/probe-app.txt' &&
      grep -qE '^  MCPCOMPAT003 ' '$out/probe-app.txt' &&
      grep -qE '^  native +if the server keeps sessions' '$out/probe-app.txt'"
    "$work/tools/mcpcompat" probe --json "$work/app-2.4.0" > "$out/probe-app.json" 2> "$out/probe-app.err"
    check "mcpcompat probe --json <2.4.0 app>: valid JSON, MCPCOMPAT003, stateful path native" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["paths"][0]["case"] == "stateful" and doc["paths"][0]["path"] == "native", doc["paths"]
assert [a["id"] for a in doc["advisories"]] == ["MCPCOMPAT003"], doc["advisories"]' "$out/probe-app.json"
  fi
  if [[ -n "${built[1.0.0]:-}" ]]; then
    "$work/tools/mcpcompat" probe --json "$work/app-1.0.0" > "$out/probe-app-1.0.0.json" 2> "$out/probe-app-1.0.0.err"
    check "mcpcompat probe --json <1.0.0 app>: MCPCOMPAT002 and MCPCOMPAT004, stateful path native" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["paths"][0]["case"] == "stateful" and doc["paths"][0]["path"] == "native", doc["paths"]
assert sorted(a["id"] for a in doc["advisories"]) == ["MCPCOMPAT002", "MCPCOMPAT004"], doc["advisories"]' "$out/probe-app-1.0.0.json"
  fi
  "$work/tools/mcpcompat" probe --no-such-option > "$out/probe-bad.out" 2> "$out/probe-bad.err"
  rc=$?
  check "mcpcompat with a bad option: exit 2, usage on stderr, nothing on stdout" bash -c \
    "test $rc -eq 2 && grep -q 'Usage: mcpcompat probe' '$out/probe-bad.err' && test ! -s '$out/probe-bad.out'"
else
  tail -n 20 "$out/tool-install.log"
  check "dotnet tool install McpCompat.Cli from the local feed" false
fi

finish
