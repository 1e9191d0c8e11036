#!/usr/bin/env bash
# Packaging checks. Runs the tooling tests (tests/Tooling: the mcpcompat CLI and the build-time range check), packs
# McpCompat and McpCompat.Cli into artifacts/packages, checks what the packages hold, then, in a throwaway folder
# whose NuGet.config adds that folder as a feed (McpCompat* only; everything else, the real SDK packages included,
# from the usual feed) and with a packages folder of its own (so a stale McpCompat of the same version is never
# picked up):
#   - a web app on McpCompat + ModelContextProtocol.AspNetCore, built once for the oldest host of eng/matrix.txt
#     (0.8.0-preview.1) and once for the newest (2.4.0), stateful, run with MCP_SESSION_IDLE_TIMEOUT=2 on 127.0.0.1 (the
#     four runs side by side): a session opened with curl
#     answers 404 once the timeout and one sweep have passed, on the SDK's own idle timeout (Mode Auto) and on
#     McpCompat's sweeper (Mode Fallback), on each host;
#   - the build-time advice on those real packages: the oldest warns MCPCOMPAT002 and MCPCOMPAT004 and nothing else;
#     1.4.0 warns MCPCOMPAT002 only; 1.4.1 gets neither a warning nor a message; 2.4.0 gets the MCPCOMPAT003 message
#     only; Core-only SDKs (the oldest and the newest of the list) get nothing; on the oldest host's app,
#     McpCompatSuppressAdvisories=true silences all, NoWarn
#     one, and WarningsAsErrors fails the build. MCPCOMPAT001's range, [0.1.0-preview.10, 0.6.0-preview.1), holds no
#     served build any more, so no build here shows it: the range logic for every advisory, that one included, is
#     covered by tests/Tooling (AdvisoryTargetsTests);
#   - the mcpcompat tool installed from the feed probes both apps' build output; bad arguments exit 2.
# Ends with "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/redis.sh"
e2e_begin pack
feed="$root/artifacts/packages"
rm -rf "$feed"
mkdir -p "$feed"
work=$(mktemp -d)
trap 'lib_cleanup; rm -rf "$work"' EXIT

# 1. Pack (each pack builds the library for both targets).
if ! dotnet pack src/Compat/Compat.csproj -c Release -o "$feed" > "$out/pack.log" 2>&1 ||
   ! dotnet pack src/Compat.StackExchangeRedis/Compat.StackExchangeRedis.csproj -c Release -o "$feed" >> "$out/pack.log" 2>&1 ||
   ! dotnet pack src/Compat.Cli/Compat.Cli.csproj -c Release -o "$feed" >> "$out/pack.log" 2>&1 ||
   ! dotnet pack src/Compat.Gateway/Compat.Gateway.csproj -c Release -o "$feed" >> "$out/pack.log" 2>&1; then
  tail -n 40 "$out/pack.log"
  fail_all "dotnet pack failed"
fi

# 2. Tooling tests (once, not per matrix cell: they pick their own SDK folders), beside the rest: the CLI they test was
# built by the pack above.
tooling() {
  local rc counters tp tf
  dotnet test tests/Tooling/Tooling.csproj -c Release -p:BuildProjectReferences=false --logger "trx;LogFileName=tooling.trx" \
    --results-directory "$out/tooling" > "$out/tooling.log" 2>&1
  rc=$?
  counters=$(grep -o '<Counters [^>]*>' "$out/tooling/tooling.trx" 2>/dev/null | head -n 1)
  tp=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  tf=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  echo "${tp:-0} ${tf:-0} $rc" > "$out/tooling.counts"
}
tooling &
tooling_pid=$!
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/Compat/Compat.csproj | head -n 1)
nupkg="$feed/McpCompat.$version.nupkg"
snupkg="$feed/McpCompat.$version.snupkg"

entries() { python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }
nuspec() { python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read(next(n for n in z.namelist() if n.endswith(".nuspec"))).decode())' "$1"; }
has_entries() { local list; list=$(entries "$1") || return 1; shift; for e in "$@"; do grep -qxF "$e" <<<"$list" || { echo "missing $e"; return 1; }; done; }
nuspec_has() { local spec; spec=$(nuspec "$1") || return 1; shift; for p in "$@"; do grep -qE "$p" <<<"$spec" || { echo "nuspec lacks /$p/"; echo "$spec"; return 1; }; done; }

check "McpCompat.$version.nupkg and .snupkg exist" test -f "$nupkg" -a -f "$snupkg"
check "package holds README, both targets with XML docs, build advice, its data and its help page" has_entries "$nupkg" README.md \
  lib/net8.0/McpCompat.dll lib/net8.0/McpCompat.xml lib/net10.0/McpCompat.dll lib/net10.0/McpCompat.xml \
  buildTransitive/McpCompat.targets buildTransitive/McpCompat.props docs/advisories.md
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
gateway_nupkg="$feed/McpCompat.Gateway.$version.nupkg"
check "McpCompat.Gateway: README, both targets with XML docs" has_entries "$gateway_nupkg" README.md \
  lib/net8.0/McpCompat.Gateway.dll lib/net8.0/McpCompat.Gateway.xml lib/net10.0/McpCompat.Gateway.dll lib/net10.0/McpCompat.Gateway.xml
check "McpCompat.Gateway: nuspec depends on McpCompat $version and Yarp.ReverseProxy 2.3.0" nuspec_has "$gateway_nupkg" \
  "<dependency id=\"McpCompat\" version=\"$version\"" '<dependency id="Yarp.ReverseProxy" version="2.3.0"'
check "McpCompat does not bring YARP: only McpCompat.Gateway does" python3 -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
spec = z.read(next(n for n in z.namelist() if n.endswith(".nuspec"))).decode()
assert "Yarp" not in spec, spec' "$nupkg"
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
# MCPCOMPAT003). Built with -v:n, so that the build log also holds the advisory messages. Every throwaway project of
# steps 4, 5 and 7b restores and builds at once (each in a folder of its own); their checks follow.
read -r host_oldest host_newest <<<"$(matrix_ends aspnetcore)"
read -r core_oldest core_newest <<<"$(matrix_ends core)"
hosts=("$host_oldest" "$host_newest")
declare -A built=()
builds=()
build_log() { # build_log <project folder> <log> [msbuild args...]: a build with -v:n, its output in the log
  local folder=$1 log=$2
  shift 2
  dotnet build "$folder" -v:n "$@" > "$out/$log" 2>&1
}
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
  build_log "$work/app-$host" "app-$host-build.log" -c Release &
  builds+=("$!|app-$host")
done

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
advice_project host-1.4.0 ModelContextProtocol.AspNetCore@1.4.0
advice_project host-1.4.1 ModelContextProtocol.AspNetCore@1.4.1
advice_project core-oldest "ModelContextProtocol@$core_oldest"
advice_project core-newest "ModelContextProtocol@$core_newest"
for name in host-1.4.0 host-1.4.1 core-oldest core-newest; do
  build_log "$work/advice/$name" "advice-$name.log" &
  builds+=("$!|advice-$name")
done

# 7b. McpCompat.StackExchangeRedis from the feed: an app on the newest ModelContextProtocol alone (MapMcpCompat) with
# AddMcpCompatRedis, run below against a real Redis server (eng/redis.sh): a session's record is in Redis once it has
# started.
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
    <PackageReference Include="ModelContextProtocol" Version="$core_newest" />
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
build_log "$work/app-redis" app-redis-build.log -c Release &
builds+=("$!|app-redis")

declare -A build_rc=()
for entry in "${builds[@]}"; do
  wait "${entry%%|*}"
  build_rc[${entry#*|}]=$?
done
for host in "${hosts[@]}"; do
  if [[ ${build_rc[app-$host]} -eq 0 ]]; then
    built[$host]=1
    check "the app on ModelContextProtocol.AspNetCore $host builds" true
  else
    check "the app on ModelContextProtocol.AspNetCore $host builds" false
    tail -n 40 "$out/app-$host-build.log"
  fi
done
check "the apps restored McpCompat $version from the local feed" test -f "$work/packages/mcpcompat/$version/mcpcompat.$version.nupkg"

# 5. Build-time advice on the real SDK packages. MCPCOMPAT001's range ends before the oldest served host, so no build
# here can show it; tests/Tooling (step 2) checks the range logic for every advisory.
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
if [[ -n "${built[$host_oldest]:-}" ]]; then
  log="$out/app-$host_oldest-build.log"
  check "$host_oldest: warning MCPCOMPAT002 (in [0.1.0-preview.10, 1.4.1))" \
    grep -qF "warning MCPCOMPAT002: ModelContextProtocol.AspNetCore $host_oldest is in [0.1.0-preview.10, 1.4.1)" "$log"
  check "$host_oldest: warning MCPCOMPAT004 (in [0.1.0-preview.10, 1.4.0))" \
    grep -qF "warning MCPCOMPAT004: ModelContextProtocol.AspNetCore $host_oldest is in [0.1.0-preview.10, 1.4.0)" "$log"
  check "$host_oldest: no other McpCompat advice" has_advice "$log" "warning MCPCOMPAT002" "warning MCPCOMPAT004"
  check "$host_oldest: the warning names the app's project file, not the package's targets" \
    grep -qF "$work/app-$host_oldest/App.csproj : warning MCPCOMPAT002:" "$log"
  # The help link is the packed page's section, a file that exists in the package as restored.
  link=$(grep -o "silence it with NoWarn: file://[^ ]*#mcpcompat002" "$log" | head -n 1 | sed 's/^silence it with NoWarn: file:\/\///')
  check "$host_oldest: the warning links to its section of docs/advisories.md in the restored package" \
    bash -c '[[ "$1" == "$2"/mcpcompat/*/docs/advisories.md#mcpcompat002 && -f "${1%#*}" ]] && grep -q "^## MCPCOMPAT002" "${1%#*}"' _ "$link" "$work/packages"
fi
if [[ -n "${built[$host_newest]:-}" ]]; then
  log="$out/app-$host_newest-build.log"
  check "$host_newest: MCPCOMPAT003 as a message, no McpCompat warning" has_advice "$log" "message MCPCOMPAT003"
  check "$host_newest: the message names the version and the range" \
    grep -qF "McpCompat MCPCOMPAT003: ModelContextProtocol.AspNetCore $host_newest is in [2.0.0, )" "$log"
fi

check "1.4.0 (past MCPCOMPAT004, not MCPCOMPAT002): warning MCPCOMPAT002 only" has_advice "$out/advice-host-1.4.0.log" "warning MCPCOMPAT002"
check "1.4.1 (past both defects, before 2.0.0): no McpCompat warning and no message" has_advice "$out/advice-host-1.4.1.log"
check "ModelContextProtocol $core_oldest without AspNetCore: no advice (as the probe)" has_advice "$out/advice-core-oldest.log"
check "ModelContextProtocol $core_newest without AspNetCore: no advice" has_advice "$out/advice-core-newest.log"

# 6. Run each app and let a session expire: on the SDK's own idle timeout (Mode Auto picks it on both hosts, the server
# being stateful), then on McpCompat's sweeper (Mode Fallback). One build per host serves both modes; the four runs go
# side by side, each on a port of its own.
accept='Accept: application/json, text/event-stream'
json='Content-Type: application/json'
post() { # post <prefix> <session-id or -> <body>: prints the HTTP status; headers in <prefix>.headers
  local prefix=$1 id=$2 body=$3 extra=()
  [[ "$id" != - ]] && extra=(-H "Mcp-Session-Id: $id" -H "MCP-Protocol-Version: 2025-03-26")
  curl -s -o "$prefix.body" -D "$prefix.headers" -w '%{http_code}' -X POST "$base_url/mcp" -H "$json" -H "$accept" "${extra[@]}" --data "$body"
}
session_of() { tr -d '\r' < "$1.headers" | sed -n 's/^[Mm][Cc][Pp]-[Ss][Ee][Ss][Ss][Ii][Oo][Nn]-[Ii][Dd]: *//p'; }
expiry() { # expiry <host version> <McpCompat mode> <what the startup log must say>
  local host=$1 mode=$2 expected=$3 log="$out/app-$1-server-$2.log" prefix="$out/app-$1-$2" what="$1 $2" session status
  spawn "$log" "$work/app-$host/bin/Release/net10.0" env MCP_SESSION_IDLE_TIMEOUT=2 McpCompat__Mode="$mode" \
    Logging__LogLevel__McpCompat=Debug dotnet App.dll --urls "http://127.0.0.1:0"
  if wait_listening "$log"; then
    status=$(post "$prefix" - '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"pack-check","version":"1.0"}}}')
    session=$(session_of "$prefix")
    check "$what: initialize: 200 with an Mcp-Session-Id" test "$status" = 200 -a -n "$session"
    check "$what: notifications/initialized: 202" test "$(post "$prefix" "$session" '{"jsonrpc":"2.0","method":"notifications/initialized"}')" = 202
    check "$what: tools/list on the live session: 200" test "$(post "$prefix" "$session" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}')" = 200
    # Idle timeout 2 s; the SDK sweeps every 5 s, McpCompat every 1 s: gone within 7 s of the last request. Nothing may
    # touch the session meanwhile (a request is activity): the wait is for the log line of whoever ends it, the SDK's
    # session manager ("IdleTimeout of … exceeded. Closing idle session <id>.", every served host alike) or McpCompat's
    # sweeper ("McpCompat ended session <id>", which ends it through the SDK's DELETE, logging no such line), 9 s at most.
    wait_for 9 grep -qE "Closing idle session $session\.|McpCompat ended session $session" "$log"
    check "$what: after 2 s idle and a sweep, the session id answers 404" test "$(post "$prefix" "$session" '{"jsonrpc":"2.0","id":3,"method":"tools/list"}')" = 404
    check "$what: the startup log says: $expected" grep -qF "$expected" "$log"
    if [[ "$mode" == Auto ]]; then
      check "$what: the SDK's own sweeper closed the session" grep -qF "exceeded. Closing idle session $session." "$log"
    else
      check "$what: the SDK's own sweeper did not close the session" bash -c "! grep -qF 'Closing idle session' '$log'"
    fi
  else
    check "$what: the app listens on 127.0.0.1" false
    tail -n 30 "$log"
  fi
  stop "$spawned"
}
for host in "${hosts[@]}"; do
  [[ -n "${built[$host]:-}" ]] || continue
  background "expiry-$host-auto" expiry "$host" Auto "ModelContextProtocol.AspNetCore $host: the SDK's own idle timeout is in charge (IdleTimeout 00:00:02"
  background "expiry-$host-fallback" expiry "$host" Fallback "ModelContextProtocol.AspNetCore $host: McpCompat's sweeper is in charge of idle sessions (idle timeout 00:00:02"
done
collect

# 7. The switches, on the oldest host's app. Incremental builds: the advice target runs in every build, and a build it fails
# stops before anything is compiled or copied, so the app's output stays as it was for the tool below.
if [[ -n "${built[$host_oldest]:-}" ]]; then
  build_log "$work/app-$host_oldest" advice-suppressed.log -c Release -p:McpCompatSuppressAdvisories=true
  check "$host_oldest, McpCompatSuppressAdvisories=true: no McpCompat advice" has_advice "$out/advice-suppressed.log"
  build_log "$work/app-$host_oldest" advice-nowarn.log -c Release -p:NoWarn=MCPCOMPAT002
  check "$host_oldest, NoWarn=MCPCOMPAT002 silences that one only" has_advice "$out/advice-nowarn.log" "warning MCPCOMPAT004"
  build_log "$work/app-$host_oldest" advice-errors.log -c Release -p:WarningsAsErrors=MCPCOMPAT004
  check "$host_oldest, WarningsAsErrors=MCPCOMPAT004 makes that advisory fail the build" \
    bash -c "grep -q 'error MCPCOMPAT004' '$out/advice-errors.log' && ! grep -q 'Build succeeded' '$out/advice-errors.log'"
fi

# 7b. The McpCompat.StackExchangeRedis app (built above) against a real Redis server.
if [[ ${build_rc[app-redis]} -eq 0 ]]; then
  check "the app on McpCompat.StackExchangeRedis $version builds" true
  if start_redis "$out/redis.log"; then
    log="$out/app-redis-server.log"
    spawn "$log" "$work/app-redis/bin/Release/net10.0" env Redis="127.0.0.1:$redis_port" dotnet App.dll --urls "http://127.0.0.1:0"
    wait_listening "$log"
    status=$(post "$out/app-redis" - '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"pack-check","version":"1.0"}}}')
    session=$(session_of "$out/app-redis")
    records=$(redis-cli -h 127.0.0.1 -p "$redis_port" --scan --pattern "mcpcompat:session:$session" | wc -l)
    check "McpCompat.StackExchangeRedis app: initialize 200, the session's record in Redis" test "$status" = 200 -a -n "$session" -a "$records" -eq 1
    stop "$spawned"
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
  if [[ -n "${built[$host_newest]:-}" ]]; then
    (cd "$work/app-$host_newest" && "$work/tools/mcpcompat" probe) > "$out/probe-app.txt" 2>&1
    check "mcpcompat probe <$host_newest app>: the app's SDK, MCPCOMPAT003, native when stateful" bash -c "
      grep -qE '^  ModelContextProtocol.AspNetCore +${host_newest//./\\.} ' '$out/probe-app.txt' &&
      grep -qE '^  MCPCOMPAT003 ' '$out/probe-app.txt' &&
      grep -qE '^  native +if the server keeps sessions' '$out/probe-app.txt'"
    "$work/tools/mcpcompat" probe --json "$work/app-$host_newest" > "$out/probe-app.json" 2> "$out/probe-app.err"
    check "mcpcompat probe --json <$host_newest app>: valid JSON, MCPCOMPAT003, stateful path native" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["paths"][0]["case"] == "stateful" and doc["paths"][0]["path"] == "native", doc["paths"]
assert [a["id"] for a in doc["advisories"]] == ["MCPCOMPAT003"], doc["advisories"]' "$out/probe-app.json"
  fi
  if [[ -n "${built[$host_oldest]:-}" ]]; then
    "$work/tools/mcpcompat" probe --json "$work/app-$host_oldest" > "$out/probe-app-oldest.json" 2> "$out/probe-app-oldest.err"
    check "mcpcompat probe --json <$host_oldest app>: MCPCOMPAT002 and MCPCOMPAT004, stateful path native" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["paths"][0]["case"] == "stateful" and doc["paths"][0]["path"] == "native", doc["paths"]
assert sorted(a["id"] for a in doc["advisories"]) == ["MCPCOMPAT002", "MCPCOMPAT004"], doc["advisories"]' "$out/probe-app-oldest.json"
  fi
  "$work/tools/mcpcompat" probe --no-such-option > "$out/probe-bad.out" 2> "$out/probe-bad.err"
  rc=$?
  check "mcpcompat with a bad option: exit 2, usage on stderr, nothing on stdout" bash -c \
    "test $rc -eq 2 && grep -q 'Usage: mcpcompat probe' '$out/probe-bad.err' && test ! -s '$out/probe-bad.out'"
else
  tail -n 20 "$out/tool-install.log"
  check "dotnet tool install McpCompat.Cli from the local feed" false
fi

# The tooling tests of step 2.
wait "$tooling_pid"
read -r tp tf rc < "$out/tooling.counts" 2>/dev/null
tp=${tp:-0}
tf=${tf:-0}
[[ ${rc:-1} -ne 0 && $tf -eq 0 ]] && tf=1
echo "pack tests/Tooling: $tp passed, $tf failed"
[[ ${rc:-1} -ne 0 ]] && tail -n 40 "$out/tooling.log"
passed=$((passed + tp))
failed=$((failed + tf))

finish
