# Sourced by the scripts that run the samples (eng/interop.sh, eng/conformance.sh); run from the repository root.
# The SDK builds they cover come from eng/matrix.txt, the one list of tested builds.

# matrix_ends <aspnetcore|core>: the oldest and the newest version of that kind of cell, in list order
# (the host version for aspnetcore- cells, ModelContextProtocol for core- cells).
matrix_ends() {
  awk -v kind="$1" '$1 ~ "^" kind "-" { v = (kind == "aspnetcore") ? $2 : $3; if (first == "") first = v; last = v }
    END { print first, last }' eng/matrix.txt
}

# build_sample <CompatServer|CoreOnlyServer> <version> <folder> <log>: the sample built on that SDK into a folder of
# its own (CompatServer: ModelContextProtocol.AspNetCore <version>, ModelContextProtocol following it;
# CoreOnlyServer: ModelContextProtocol <version>). Run it from there with `dotnet <sample>.dll`.
build_sample() {
  local sample=$1 version=$2 folder=$3 log=$4 property=McpSdkVersion
  [[ "$sample" == CompatServer ]] && property=McpAspNetCoreVersion
  dotnet build "samples/$sample" -c Release -p:$property="$version" -o "$folder" > "$log" 2>&1 || { tail -n 30 "$log"; return 1; }
}

# restore_samples: leave the samples' shared obj folders restored for the default SDK again.
restore_samples() {
  dotnet restore samples/CompatServer > /dev/null 2>&1
  dotnet restore samples/CoreOnlyServer > /dev/null 2>&1
}

# wait_listening <log>: waits (up to 20 s) until the server started in the background logs "Now listening".
wait_listening() {
  for _ in $(seq 1 100); do
    grep -q "Now listening" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
