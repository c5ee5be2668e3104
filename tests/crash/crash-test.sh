#!/usr/bin/env bash
# The crash test (issue 5): a real node under load from `icto load`, killed
# with SIGKILL at random moments, restarted on the same data folder, and
# checked after every restart with `icto load check` over everything the
# load said was acknowledged, in all cycles so far: every acknowledged
# deployment exists, is indexed under its owner and participants and
# answers; every acknowledged payment has its invoice and audit events; the
# audit chain verifies; ledger supply is conserved; no fee was charged twice.
#
#   tests/crash/crash-test.sh [--cycles N] [--seed S] [--bin DIR] [--keep]
#                             [--deployments D] [--users U] [--kinds LIST]
#                             [--concurrency C] [--rate R]
#
# --cycles N       kill/restart cycles (20; a soak: --cycles 500)
# --seed S         seeds the kill moments and the loads (default: random,
#                  printed, so a failing run can be repeated)
# --deployments D  paid deployments each cycle's load asks for (40)
# --users U        load users (40; each gets 20 deployments a day)
# --kinds LIST     the kinds to deploy (all five)
# --concurrency C  the load's threads (4)
# --rate R         the load's operations per second (50: a cycle's load
#                  lasts about 2 s, so the kill lands inside it)
# --bin DIR        where icto and ictod are (build/bin)
# --keep           keep the work folder (data, logs, ack log) afterwards
#
# Moments: every cycle kills the node while the load runs (0.05 .. 2.5 s
# after it started); one cycle in five also kills the restarted node during
# its recovery, before it is ready, and restarts it once more. Exit 0 if
# every check held, 1 with the failing check's output and the node's log.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/build/bin
cycles=20
seed=
deployments=40
users=40
kinds=token,multisig,distribution,dao,launchpad
concurrency=4
rate=50
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cycles) cycles=$2; shift ;;
    --seed) seed=$2; shift ;;
    --deployments) deployments=$2; shift ;;
    --users) users=$2; shift ;;
    --kinds) kinds=$2; shift ;;
    --concurrency) concurrency=$2; shift ;;
    --rate) rate=$2; shift ;;
    --bin) bin=$2; shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "crash-test: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for n in cycles deployments users concurrency rate; do
  [[ ${!n} =~ ^[1-9][0-9]*$ ]] || {
    echo "crash-test: --$n must be a positive number, not '${!n}'" >&2
    exit 2
  }
done
[[ -x $bin/icto && -x $bin/ictod ]] || {
  echo "crash-test: no icto/ictod in $bin (build first: ./test.sh --no-test)" >&2
  exit 2
}
[[ -n $seed ]] || seed=$(( (RANDOM << 15) | RANDOM ))
[[ $seed =~ ^[0-9]+$ ]] || { echo "crash-test: --seed must be a number" >&2; exit 2; }
RANDOM=$seed

work=$(mktemp -d /tmp/icto-crash.XXXXXX)
export ICTO_HOME=$work/home
mkdir -p "$ICTO_HOME"
acks=$work/acks.jsonl
node_pid=
url=
cleanup() {
  if [[ -n $node_pid ]] && kill -0 "$node_pid" 2>/dev/null; then
    kill -KILL "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  if [[ $keep == 1 ]]; then
    echo "crash-test: work folder kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

fail() {
  echo "crash-test: FAILED (seed $seed, cycle ${cycle:-0}): $*" >&2
  echo "crash-test: the node's log (last 40 lines of $work/ictod.log):" >&2
  tail -n 40 "$work/ictod.log" >&2 || true
  keep=1
  exit 1
}

# start: starts ictod on the data folder; sets node_pid (url once ready).
start() {
  url=
  "$bin/ictod" --config "$root/config/single-node.toml" --node local \
    --data-dir "$work/data" --http-port 0 --log-level info \
    >"$work/ictod.out" 2>>"$work/ictod.log" &
  node_pid=$!
}

# wait_ready: waits until the node printed its address (60 s at most).
wait_ready() {
  for _ in $(seq 1 600); do
    if grep -q "ready on" "$work/ictod.out" 2>/dev/null; then
      url=$(sed -n 's/.*ready on \(http:[^ ]*\).*/\1/p' "$work/ictod.out")
      return 0
    fi
    kill -0 "$node_pid" 2>/dev/null || {
      wait "$node_pid" && rc=0 || rc=$?
      fail "ictod exited with code $rc during its start"
    }
    sleep 0.1
  done
  fail "ictod was not ready after 60 s"
}

kill_node() {
  kill -KILL "$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  node_pid=
}

# random_ms LO HI
random_ms() { echo $(( $1 + RANDOM % ($2 - $1 + 1) )); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

check() {
  local when=$1 out
  if ! out=$("$bin/icto" load check --ack-log "$acks" --node "$url" 2>&1); then
    echo "$out" | tail -n 30 >&2
    fail "icto load check failed $when"
  fi
  last_check=$(grep '^check:' <<<"$out" | tail -1)
}

echo "crash-test: $cycles cycles, seed $seed, $deployments deployments a cycle" \
  "($kinds), work folder $work"
start
wait_ready
kills_under_load=0
kills_in_recovery=0
for cycle in $(seq 1 "$cycles"); do
  # The load, killed part-way.
  "$bin/icto" load --node "$url" --users "$users" \
    --deployments "$deployments" --kinds "$kinds" \
    --concurrency "$concurrency" --rate "$rate" --seed $((seed + cycle)) \
    --ack-log "$acks" --stop-on-disconnect --no-check \
    >"$work/load.out" 2>"$work/load.err" &
  load_pid=$!
  delay=$(random_ms 50 2500)
  sleep_ms "$delay"
  kill_node
  kills_under_load=$((kills_under_load + 1))
  wait "$load_pid" && load_rc=0 || load_rc=$?
  if [[ $load_rc -ne 0 ]]; then
    cat "$work/load.out" "$work/load.err" | tail -n 30 >&2
    fail "icto load exited with code $load_rc (unexpected errors before the kill)"
  fi
  acked=$(grep -c . "$acks" 2>/dev/null || true)

  # The restart; now and then killed again during its recovery.
  start
  in_recovery=
  if (( RANDOM % 5 == 0 )); then
    sleep_ms "$(random_ms 0 400)"
    if ! grep -q "ready on" "$work/ictod.out" 2>/dev/null; then
      kill_node
      kills_in_recovery=$((kills_in_recovery + 1))
      in_recovery=" (and once more during its recovery)"
      start
    fi
  fi
  wait_ready
  restored=$(grep -o 'contracts: [0-9]* restored' "$work/ictod.log" | tail -1 || true)
  check "after the restart of cycle $cycle"
  printf 'cycle %3d: killed %4d ms into the load%s; %5d acks; %s; %s\n' \
    "$cycle" "$delay" "$in_recovery" "$acked" "${restored:-no contracts yet}" \
    "$last_check"
done

# A clean stop at the end: SIGTERM checkpoints, and the next start loads it.
kill -TERM "$node_pid"
wait "$node_pid" && rc=0 || rc=$?
node_pid=
[[ $rc -eq 0 ]] || fail "ictod exited with code $rc on SIGTERM"
start
wait_ready
check "after the final clean stop and start"
echo "crash-test: passed: $cycles cycles, $kills_under_load kills under load," \
  "$kills_in_recovery during recovery, $(grep -c . "$acks") acknowledged" \
  "operations checked after every restart (seed $seed)"
