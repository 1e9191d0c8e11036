#!/usr/bin/env bash
# The documentation generated from eng/matrix.txt: what a user on each SDK build gets, in plain words.
#
#   bash eng/matrix-docs.sh readme              README.md's table of builds (between <!-- matrix:versions:begin --> and
#                                               <!-- matrix:versions:end -->), from eng/matrix.txt alone
#   bash eng/matrix-docs.sh check-readme        exits 1, printing what the table should read, when README.md's differs
#   bash eng/matrix-docs.sh compatibility       docs/compatibility.md, from eng/matrix.txt alone
#   bash eng/matrix-docs.sh path FEATURES ADVISORIES
#                                               the paths McpCompat takes on a cell, for eng/test.sh's table of results
#
# eng/test.sh runs check-readme and compatibility on every full run and fails when the committed files differ from
# them. The paths are worked out here from a cell's features and from the advisories that disqualify the SDK's idle
# timeout (src/Compat/Probing/KnownDefects.props); tests/Matrix's MatrixCellTests checks that rule against the decision
# McpCompat makes on each cell's SDK, so a cell fails when this script would state a path McpCompat does not take.
set -uo pipefail
cd "$(dirname "$0")/.."

matrix=eng/matrix.txt
defects=src/Compat/Probing/KnownDefects.props

# The advisories whose range makes McpCompat distrust the SDK's own idle timeout, comma-separated.
disqualifying() {
  awk '/<McpCompatKnownDefect Include=/ { match($0, /Include="[^"]*"/); id = substr($0, RSTART + 9, RLENGTH - 10) }
       /<DisqualifiesNativeIdleTimeout>true</ { print id }' "$defects" | paste -sd, -
}

has() { [[ ",$1," == *",$2,"* ]]; } # has <comma list> <item>

# auto_path <features> <advisories>: the path Mode=Auto takes on the SDK's MapMcp of a stateful server.
auto_path() {
  local bad id
  has "$1" NativeIdleTimeout || { echo Fallback; return; }
  bad=$(disqualifying)
  for id in ${2//,/ }; do
    has "$bad" "$id" && { echo Fallback; return; }
  done
  echo Native
}

# mapmcp_words <features> <Auto path>: what a server that keeps sessions gets on the SDK's MapMcp.
mapmcp_words() {
  local words
  case $2 in
    Native) words="your idle timeout and limit passed to the SDK, which expires sessions" ;;
    Fallback) words="McpCompat's own tracker expires sessions, the SDK's timeout switched off" ;;
    *) words="?" ;;
  esac
  if has "$1" SessionMigration; then
    words="$words; evicted sessions can resume"
  else
    words="$words; evicted sessions cannot resume (the SDK has no migration hook)"
  fi
  echo "$words"
}

# left_alone_words <default mode> <features>: the SDK host's session mode when the server does not set it.
left_alone_words() {
  case $1 in
    stateless) if has "$2" SessionMode; then echo "stateless, nothing to expire (sessions: \`SessionMode = Stateful\` or \`Stateless = false\`)"
               else echo "stateless, nothing to expire (sessions: \`Stateless = false\`)"; fi ;;
    *) echo "keeps sessions" ;;
  esac
}

# mapmcpcompat_words <features>: what a server on MapMcpCompat gets.
mapmcpcompat_words() {
  local words="McpCompat's own tracker expires sessions; evicted sessions can resume"
  if has "$1" EventStreamStore; then
    words="$words; resumable streams (\`Last-Event-ID\`)"
  else
    words="$words; no resumable streams"
  fi
  has "$1" SessionlessRevision && words="$words; 2026-07-28 requests served without a session"
  echo "$words"
}

# advice_words <advisories>: the build-time advice a project on the build gets.
advice_words() {
  local id words=()
  [[ $1 == none ]] && { echo "none"; return; }
  for id in ${1//,/ }; do
    case $id in
      MCPCOMPAT001) words+=("$id warning: the SDK's idle timeout is 1/100 of the setting on Linux and macOS") ;;
      MCPCOMPAT002) words+=("$id warning: each session holds its SSE stream until it ends") ;;
      MCPCOMPAT003) words+=("$id message: stateless by default") ;;
      MCPCOMPAT004) words+=("$id warning: the SDK's DELETE does not check the session's user") ;;
      *) words+=("$id") ;;
    esac
  done
  local IFS=';'
  echo "${words[*]}" | sed 's/;/; /g'
}

# versions_list <versions...>: "a, b and c".
versions_list() {
  local out="" n=$#
  local i=0 v
  for v in "$@"; do
    i=$((i + 1))
    if [[ $i -eq 1 ]]; then out=$v
    elif [[ $i -eq $n ]]; then out="$out and $v"
    else out="$out, $v"
    fi
  done
  echo "$out"
}

# The cells: "cell host version default features advisories".
cells() { awk '$1 !~ /^#/ && NF >= 6 { print $1, $2, $3, $4, $5, $6 }' "$matrix"; }

# The README's compact words: mapmcp_short <default mode> <features> <Auto path>, core_short <features>.
mapmcp_short() {
  local words
  case $3 in
    Native) words="native: idle timeout passed to the SDK" ;;
    *) words="fallback: McpCompat's own tracker" ;;
  esac
  if [[ $1 == stateless ]]; then
    local opt="\`Stateless = false\`"
    has "$2" SessionMode && opt="\`SessionMode = Stateful\`"
    words="stateless unless $opt; then $words"
  fi
  if has "$2" SessionMigration; then words="$words; resumable sessions"; else words="$words; no resumable sessions"; fi
  echo "$words"
}
core_short() {
  local words="hosted: McpCompat's own tracker; resumable sessions"
  if has "$1" EventStreamStore; then words="$words and streams"; else words="$words, no resumable streams"; fi
  has "$1" SessionlessRevision && words="$words; 2026-07-28 without sessions"
  echo "$words"
}

readme() {
  # Consecutive cells of one kind whose words are the same share a row.
  local kind prev_kind="" prev_words="" prev_advice="" versions=() cell host version default features advisories words advice
  flush() {
    [[ ${#versions[@]} -eq 0 ]] && return
    echo "| $(versions_list "${versions[@]}") | $prev_words | $prev_advice |"
    versions=()
  }
  while read -r cell host version default features advisories; do
    if [[ $cell == aspnetcore-* ]]; then
      kind=host
      words=$(mapmcp_short "$default" "$features" "$(auto_path "$features" "$advisories")")
    else
      kind=core
      words=$(core_short "$features")
    fi
    advice=${advisories//,/, }
    if [[ $kind != "$prev_kind" || $words != "$prev_words" || $advice != "$prev_advice" ]]; then
      flush
      if [[ $kind != "$prev_kind" ]]; then
        [[ -n $prev_kind ]] && echo
        if [[ $kind == host ]]; then
          echo "| \`ModelContextProtocol.AspNetCore\` (\`MapMcp\`) | \`Mode=Auto\` takes, and you get | build-time advice |"
        else
          echo "| \`ModelContextProtocol\` alone | \`MapMcpCompat\` takes, and you get | build-time advice |"
        fi
        echo "|---|---|---|"
      fi
    fi
    prev_kind=$kind prev_words=$words prev_advice=$advice
    versions+=("$version")
  done < <(cells)
  flush
  echo
  sed -n 's/^# no cell: \([^ ]*\) \([^ :]*\): .*$/Not tested, on purpose: `\1` \2 (why: [compatibility](docs\/compatibility.md))./p' "$matrix"
}

# path_line <features> <advisories>: the paths McpCompat takes on a cell: MapMcpCompat on the transport API the
# features name and, beside the SDK's own host, MapMcp in Auto (auto_path) and in Fallback.
path_line() {
  local api=message
  has "$1" StreamableHttpPipeApi && api=pipe
  if has "$1" AspNetCoreHosting; then
    echo "MapMcpCompat ($api API); MapMcp: Auto=$(auto_path "$1" "$2"), Fallback"
  else
    echo "MapMcpCompat ($api API)"
  fi
}

compatibility() {
  local cell host version default features advisories path auto
  echo "# Compatibility"
  echo
  echo "Which path McpCompat takes on each SDK build it is tested on, and what a server on it gets. Generated by"
  echo "\`bash eng/test.sh\` from \`eng/matrix.txt\`, whose every build is a cell of the tests: each cell checks these paths."
  echo "The paths are explained in [decisions.md](decisions.md), \`MapMcpCompat\` in [mapmcpcompat.md](mapmcpcompat.md),"
  echo "resuming evicted sessions in [resumable-sessions.md](resumable-sessions.md), the advisories in"
  echo "[advisories.md](advisories.md). Keep-alives on GET streams work on every build and path."
  echo
  echo "## On the SDK's \`MapMcp\` (\`ModelContextProtocol.AspNetCore\`)"
  echo
  echo "Each host build is tested on the \`ModelContextProtocol\` of its own version, with McpCompat in \`Auto\`, \`Native\` and"
  echo "\`Fallback\` (\`Fallback\`: McpCompat's own tracker, on every build), and \`MapMcpCompat\` beside the SDK's host."
  echo
  echo "| ModelContextProtocol.AspNetCore | left alone, the SDK's host | keeping sessions, \`Mode=Auto\` takes | and you get | \`MapMcpCompat\` beside it | build-time advice |"
  echo "|---|---|---|---|---|---|"
  while read -r cell host version default features advisories; do
    [[ $cell == aspnetcore-* ]] || continue
    auto=$(auto_path "$features" "$advisories")
    echo "| $host | $(left_alone_words "$default" "$features") | $(tr "[:upper:]" "[:lower:]" <<<"${auto:-?}") | $(mapmcp_words "$features" "$auto") | $(mapmcpcompat_words "$features") | $(advice_words "$advisories") |"
  done < <(cells)
  echo
  echo "## On \`ModelContextProtocol\` alone: \`MapMcpCompat\`"
  echo
  echo "| ModelContextProtocol | path | and you get | build-time advice |"
  echo "|---|---|---|---|"
  while read -r cell host version default features advisories; do
    [[ $cell == core-* ]] || continue
    path=$(path_line "$features" "$advisories")
    echo "| $version | hosted ($(mapcompat_shape "$path")) | $(mapmcpcompat_words "$features") | $(advice_words "$advisories") |"
  done < <(cells)
  echo
  sed -n 's/^# no cell: \([^ ]*\) \([^ :]*\): \(.*\)$/Not tested, on purpose: `\1` \2 (\3)./p' "$matrix"
}

# mapcompat_shape <path line>: the transport API MapMcpCompat bound, in words.
mapcompat_shape() {
  case $1 in
    *"MapMcpCompat (pipe API)"*) echo "transport's pipe API" ;;
    *"MapMcpCompat (message API)"*) echo "transport's message API" ;;
    *) echo "?" ;;
  esac
}

region() { sed -n '/<!-- matrix:versions:begin -->/,/<!-- matrix:versions:end -->/p' README.md | sed '1d;$d'; }

case ${1:-} in
  readme) readme ;;
  check-readme)
    if ! diff <(region) <(readme) > /dev/null; then
      echo "README.md's table of builds (between <!-- matrix:versions:begin --> and <!-- matrix:versions:end -->) does not match eng/matrix.txt; it should read:"
      readme
      exit 1
    fi
    echo "README.md's table of builds matches eng/matrix.txt"
    ;;
  compatibility) compatibility ;;
  path) path_line "${2:?usage: matrix-docs.sh path FEATURES ADVISORIES}" "${3:?usage: matrix-docs.sh path FEATURES ADVISORIES}" ;;
  *) echo "usage: bash eng/matrix-docs.sh readme | check-readme | compatibility | path FEATURES ADVISORIES" >&2; exit 2 ;;
esac
