#!/usr/bin/env bash
# Checks every relative link of the project's Markdown (README.md, CONTRIBUTING.md, CHANGELOG.md, docs/*.md): the file
# it names exists, and an #anchor names a heading of that file (GitHub's anchors: lower case, punctuation dropped,
# spaces as hyphens, -1, -2 for repeats). Inline links and images, [text](target), and reference definitions,
# [label]: target; links inside code (fenced blocks, `spans`) are not links. http(s) and mailto links are not checked.
# Prints each dead link as file:line: target (why), then "N passed, N failed" (links checked). Exit 1 on a dead link.
set -uo pipefail
cd "$(dirname "$0")/.."

files=(README.md CONTRIBUTING.md CHANGELOG.md docs/*.md)

# The links of a file, one per line: "<line>\t<target>".
links() {
  awk '
    /^[ \t]*(```|~~~)/ { fenced = !fenced; next }
    fenced { next }
    {
      line = $0
      gsub(/`[^`]*`/, "", line)                       # code spans
      if (match(line, /^[ \t]*\[[^]]+\]:[ \t]*[^ \t]+/)) {  # [label]: target
        def = substr(line, RSTART, RLENGTH); sub(/^[ \t]*\[[^]]+\]:[ \t]*/, "", def); sub(/^</, "", def); sub(/>$/, "", def)
        print NR "\t" def
        next
      }
      while (match(line, /\]\([^)]*\)/)) {             # [text](target "title")
        target = substr(line, RSTART + 2, RLENGTH - 3)
        line = substr(line, RSTART + RLENGTH)
        sub(/^[ \t]*</, "", target); sub(/[ \t]+".*$/, "", target); sub(/>$/, "", target)
        print NR "\t" target
      }
    }' "$1"
}

# The anchors of a Markdown file's headings, one per line, as GitHub makes them.
anchors() {
  awk '
    /^[ \t]*(```|~~~)/ { fenced = !fenced; next }
    fenced { next }
    /^#+[ \t]/ {
      h = $0
      sub(/^#+[ \t]+/, "", h); sub(/[ \t]+#+[ \t]*$/, "", h)
      h = tolower(h)
      gsub(/[^a-z0-9 _-]/, "", h)
      gsub(/ /, "-", h)
      n = seen[h]++
      print (n ? h "-" n : h)
    }' "$1"
}

passed=0
failed=0
for file in "${files[@]}"; do
  [[ -f "$file" ]] || continue
  dir=$(dirname "$file")
  while IFS=$'\t' read -r line target; do
    [[ -z "$target" ]] && continue
    case $target in
      http://* | https://* | mailto:*) continue ;;
    esac
    path=${target%%#*}
    anchor=""
    [[ "$target" == *"#"* ]] && anchor=${target#*#}
    if [[ -z "$path" ]]; then
      resolved=$file
    else
      resolved="$dir/${path%%\?*}"
    fi
    if [[ ! -e "$resolved" ]]; then
      echo "$file:$line: $target (no such file: $resolved)"
      failed=$((failed + 1))
      continue
    fi
    if [[ -n "$anchor" && "$resolved" == *.md ]] && ! anchors "$resolved" | grep -qxF "${anchor,,}"; then
      echo "$file:$line: $target (no heading of $resolved has the anchor #$anchor)"
      failed=$((failed + 1))
      continue
    fi
    passed=$((passed + 1))
  done < <(links "$file")
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
