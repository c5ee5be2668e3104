#!/usr/bin/env bash
# Runs every example in docs/api.md against a real node, as a new user would:
# starts `ictod` (config/single-node.toml) on a free port with a fresh data
# folder and a fresh $ICTO_HOME, then runs the doc's ```sh blocks, in order,
# in one bash session with build/bin on PATH and $ICTO_URL set.
#
#   tests/docs/run_api_examples.sh [--bin DIR] [--doc FILE] [--section NAME]...
#
# --section runs the "Setup" section and the named sections only (a section
# is a '## ' heading; give its text, e.g. --section ledger).
#
# In a block, a line `icto call ...` must exit 0; a line
# `icto call ... # -> err CODE` must exit 1 with {"err":{"code":"CODE",...}}.
# Other lines (variables, pipelines into jq) run as they are and must not
# fail (set -e, pipefail). Blocks
# fenced ```bash are shown to the reader but not run (starting a node).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/build/bin
doc=$root/docs/api.md
sections=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) bin=$2; shift ;;
    --doc) doc=$2; shift ;;
    --section) sections+=("$2"); shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run_api_examples: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $bin/icto && -x $bin/ictod ]] || {
  echo "run_api_examples: no icto/ictod in $bin (build first)" >&2
  exit 2
}
command -v jq >/dev/null || { echo "run_api_examples: jq is missing" >&2; exit 2; }

work=$(mktemp -d /tmp/icto-apidoc.XXXXXX)
node_pid=
cleanup() {
  if [[ -n $node_pid ]] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid"
    wait "$node_pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# -- the script: the doc's ```sh blocks, icto calls wrapped in checks ----------
# Joins '\' continuations, keeps the doc's line numbers for messages.
awk -v want="$(IFS=$'\x1f'; echo "${sections[*]:-}")" '
  BEGIN {
    n = split(want, w, "\x1f"); all = (want == "")
    for (i = 1; i <= n; i++) chosen[w[i]] = 1
    chosen["Setup"] = 1
  }
  /^## / { section = substr($0, 4); next }
  /^```sh[[:space:]]*$/ { inblock = 1; next }
  /^```/ { inblock = 0; next }
  !inblock { next }
  {
    if (!all && !(section in chosen)) next
    line = $0; start = NR
    while (line ~ /\\$/ && (getline nextline) > 0) {
      line = substr(line, 1, length(line) - 1) nextline
    }
    # A call in a pipeline runs as it is: set -e and pipefail check it.
    if (line ~ /^[[:space:]]*icto call / && line !~ /\|/) {
      if (match(line, /#[[:space:]]*->[[:space:]]*err[[:space:]]+[A-Za-z_]+[[:space:]]*$/)) {
        code = substr(line, RSTART); sub(/^#[[:space:]]*->[[:space:]]*err[[:space:]]+/, "", code)
        sub(/[[:space:]]*$/, "", code)
        cmd = substr(line, 1, RSTART - 1)
        printf "expect_err %d %s %s\n", start, code, cmd
      } else {
        printf "expect_ok %d %s\n", start, line
      }
    } else {
      print line
    }
  }
' "$doc" >"$work/examples.sh"

cat >"$work/prelude.sh" <<'EOF'
set -eo pipefail
examples=0
failed=0
# expect_ok LINE icto call ...: the call must succeed; its reply is in $REPLY_JSON.
expect_ok() {
  local at=$1; shift
  examples=$((examples + 1))
  local rc=0
  REPLY_JSON=$("$@" 2>stderr.txt) || rc=$?
  if [[ $rc -ne 0 ]]; then
    failed=$((failed + 1))
    echo "FAIL docs/api.md:$at: exit $rc: $*" >&2
    echo "     ${REPLY_JSON:0:400} $(head -c 400 stderr.txt)" >&2
  fi
}
# expect_err LINE CODE icto call ...: the call must fail with that code.
expect_err() {
  local at=$1 code=$2; shift 2
  examples=$((examples + 1))
  local rc=0
  REPLY_JSON=$("$@" 2>stderr.txt) || rc=$?
  local got
  got=$(jq -r '.err.code // empty' <<<"$REPLY_JSON" 2>/dev/null || true)
  if [[ $rc -ne 1 || $got != "$code" ]]; then
    failed=$((failed + 1))
    echo "FAIL docs/api.md:$at: expected err $code, got exit $rc: $*" >&2
    echo "     ${REPLY_JSON:0:400} $(head -c 400 stderr.txt)" >&2
  fi
}
EOF
cat >"$work/epilogue.sh" <<'EOF'
echo "run_api_examples: $examples examples ran, $failed failed"
[[ $failed -eq 0 ]]
EOF

# -- the node -------------------------------------------------------------------
"$bin/ictod" --config "$root/config/single-node.toml" --node local \
  --data-dir "$work/data" --http-port 0 --log-level warn >"$work/ictod.out" \
  2>"$work/ictod.log" &
node_pid=$!
for _ in $(seq 1 200); do
  grep -q "ready on" "$work/ictod.out" 2>/dev/null && break
  kill -0 "$node_pid" 2>/dev/null || { cat "$work/ictod.log" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/.*ready on \(http:[^ ]*\).*/\1/p' "$work/ictod.out")
[[ -n $url ]] || { echo "run_api_examples: ictod did not get ready" >&2; exit 1; }

mkdir -p "$work/home"
cd "$work"
rc=0
env PATH="$bin:$PATH" ICTO_HOME="$work/home" ICTO_URL="$url" \
  bash -c 'source prelude.sh; source examples.sh; source epilogue.sh' || rc=$?
if [[ $rc -ne 0 ]]; then
  echo "run_api_examples: the script stopped or examples failed (exit $rc);" \
    "the node's log:" >&2
  tail -20 "$work/ictod.log" >&2
fi
exit $rc
