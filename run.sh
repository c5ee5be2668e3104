#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the default topology
# (config/local-3.toml: three local nodes, gateway / factories / worker) with
# `icto cluster up` on a temporary data folder, runs a short workload through
# the `icto` CLI, prints a summary and the cluster's status, and stops it
# with `icto cluster down`.
#
#   ./run.sh                   the whole job
#   ICTO_KEEP_RUNNING=1 ./run.sh
#                              leaves the cluster running afterwards and
#                              prints how to call it by hand and stop it
#   ICTO_CONFIG=FILE ./run.sh  another topology (config/single-node.toml:
#                              everything in one node)
#
# Every step is one `icto call` (a signed HTTP call to a node's ingress);
# the lines starting with '$' show them.
set -euo pipefail
cd "$(dirname "$0")"

config=${ICTO_CONFIG:-config/local-3.toml}

echo "== 0. install what is missing and build (about 20 minutes the first time on 2 cores;"
echo "      log: /tmp/icto-run-build.log)"
./test.sh --no-test >/tmp/icto-run-build.log 2>&1 || {
  cat /tmp/icto-run-build.log
  echo "run.sh: the build failed (log above)" >&2
  exit 1
}
icto=$PWD/build/bin/icto
ictod=$PWD/build/bin/ictod

work=$(mktemp -d /tmp/icto-run.XXXXXX)
export ICTO_HOME=$work/home   # the demo's identities; yours stay untouched
mkdir -p "$ICTO_HOME"
cluster_up=0
stop_cluster() {
  if [[ $cluster_up == 1 ]]; then
    "$icto" cluster down --config "$config" --data-dir "$work/data" || true
    cluster_up=0
  fi
}
trap stop_cluster EXIT

# -- 1. start the cluster -----------------------------------------------------
echo "== 1. icto cluster up --config $config (data and logs in $work/data)"
cluster_up=1
"$icto" cluster up --config "$config" --data-dir "$work/data" --ictod "$ictod" \
  | sed 's/^/   /'
# Any node's ingress routes every call (by service name or contract id); the
# demo talks to the first node of the topology (the gateway in local-3.toml).
port=$(grep -o '"http_port": *[0-9]*' "$work/data/cluster.json" | head -1 \
  | grep -o '[0-9]*$')
[[ -n $port ]] || { echo "run.sh: no http_port in $work/data/cluster.json" >&2; exit 1; }
url=http://127.0.0.1:$port
last_port=$(grep -o '"http_port": *[0-9]*' "$work/data/cluster.json" | tail -1 \
  | grep -o '[0-9]*$')
last_url=http://127.0.0.1:$last_port
echo "   calls go to $url"

calls=0
failures=0
# call AS TARGET METHOD JSON: prints the command and the reply; the reply is
# left in $reply. Stops the job on an unexpected error.
call() {
  local as=$1 target=$2 method=$3 args=$4
  echo "\$ icto call $target $method '$args' --as $as"
  reply=$("$icto" call "$target" "$method" "$args" --as "$as" --node "$url" \
    2>/dev/null) || { echo "   $reply"; echo "run.sh: that call failed" >&2; exit 1; }
  calls=$((calls + 1))
  echo "   ${reply:0:300}"
}
# expect_refusal AS TARGET METHOD JSON: the call must fail.
expect_refusal() {
  local as=$1 target=$2 method=$3 args=$4
  echo "\$ icto call $target $method '$args' --as $as    # must be refused"
  if reply=$("$icto" call "$target" "$method" "$args" --as "$as" --node "$url" 2>/dev/null); then
    echo "run.sh: expected a refusal, got $reply" >&2
    exit 1
  fi
  calls=$((calls + 1))
  failures=$((failures + 1))
  echo "   ${reply:0:300}"
}
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$2" | head -1; }
acct() { echo "{\"owner\":\"$1\",\"subaccount\":null}"; }
balance() {
  "$icto" call ledger icrc1_balance_of "$(acct "$1")" --anonymous --node "$url" \
    | sed -n 's/{"ok":\([0-9]*\)}/\1/p'
}

# -- 2. identities ------------------------------------------------------------
echo
echo "== 2. identities: the dev admin (public key, dev topologies only) and three users"
for who in alice bob carol; do "$icto" identity new "$who" >/dev/null; done
admin=$("$icto" identity whoami admin 2>/dev/null)
alice=$("$icto" identity whoami alice)
bob=$("$icto" identity whoami bob)
carol=$("$icto" identity whoami carol)
backend=ryjl3-tyaaa-aaaaa-aaaba-cai   # the backend: canister id 2 (node/platform.hpp)
printf '   %-6s %s\n' admin "$admin" alice "$alice" bob "$bob" carol "$carol"

# -- 3. setup and test tokens -------------------------------------------------
echo
echo "== 3. the admin sets the backend up and mints test ICP"
call admin backend setupMicroservices '{"services":[]}'
for who in "$alice" "$bob" "$carol"; do
  call admin ledger icrc1_transfer "{\"to\":$(acct "$who"),\"amount\":2000000000}"
done

# -- 4. one deployment of every kind -------------------------------------------
echo
echo "== 4. alice approves the backend for the fees and deploys one contract of each kind"
call alice ledger icrc2_approve "{\"spender\":$(acct "$backend"),\"amount\":1800000000}"
now=$(date +%s%N)
call alice backend createToken '{"request_id":"run-token","init":{"name":"Alice Coin","symbol":"ALC","decimals":8,"fee":10,"initial_supply":1000000000,"is_public":true}}'
token=$(field contract_id "$reply")
call alice backend createMultisig "{\"request_id\":\"run-multisig\",\"init\":{\"name\":\"Team wallet\",\"signers\":[\"$alice\",\"$bob\"],\"threshold\":2,\"observers\":[],\"is_public\":false}}"
multisig=$(field contract_id "$reply")
call alice backend createDistribution "{\"request_id\":\"run-distribution\",\"init\":{\"name\":\"Airdrop\",\"token\":\"$token\",\"recipients\":[{\"recipient\":\"$bob\",\"amount\":1000}],\"start_time\":$now,\"cliff_seconds\":0,\"vesting_seconds\":3600,\"is_public\":true}}"
distribution=$(field contract_id "$reply")
call alice backend createDAO "{\"request_id\":\"run-dao\",\"init\":{\"name\":\"Alice DAO\",\"members\":[{\"member\":\"$alice\",\"voting_power\":10},{\"member\":\"$bob\",\"voting_power\":5}],\"quorum_bps\":5000,\"approval_threshold_bps\":5000,\"voting_period_seconds\":3600,\"is_public\":true}}"
dao=$(field contract_id "$reply")
call alice backend createLaunchpad "{\"request_id\":\"run-launchpad\",\"init\":{\"name\":\"ALC sale\",\"sale_token\":\"$token\",\"price_e8s\":1000000,\"soft_cap\":100000000,\"hard_cap\":1000000000,\"min_contribution\":1000000,\"max_contribution\":500000000,\"start_time\":$now,\"end_time\":$((now + 3600000000000)),\"is_public\":true}}"
launchpad=$(field contract_id "$reply")

# -- 5. participants come and go ----------------------------------------------
echo
echo "== 5. participants are added and removed; the factories' indexes follow"
call alice "$multisig" addSigner "{\"signer\":\"$carol\"}"
call alice "$multisig" removeSigner "{\"signer\":\"$carol\"}"
call alice "$distribution" addRecipient "{\"recipient\":\"$carol\",\"amount\":500}"
call alice "$dao" addMember "{\"member\":\"$carol\",\"voting_power\":1}"
call alice "$token" icrc1_transfer "{\"to\":$(acct "$carol"),\"amount\":5000}"
call bob ledger icrc2_approve "{\"spender\":$(acct "$launchpad"),\"amount\":60000000}"
call bob "$launchpad" contribute '{"amount":50000000}'

# -- 6. who takes part in what ------------------------------------------------
echo
echo "== 6. getMyContracts, per user and factory (creator or the role they hold)"
summary=()
for user in alice bob carol; do
  id=${!user}
  line=""
  for f in token multisig distribution dao launchpad; do
    r=$("$icto" call ${f}_factory getMyContracts "{\"user\":\"$id\",\"page\":{\"limit\":50,\"offset\":0}}" --anonymous --node "$url")
    roles=$( (grep -o '"role":"[a-z]*"' <<<"$r" || true) | cut -d'"' -f4 | sort -u | paste -sd+ -)
    line+=$(printf ' %-14s' "${roles:--}")
  done
  summary+=("$(printf '%-6s%s' "$user" "$line")")
done
printf '   %-6s %-14s %-14s %-14s %-14s %-14s\n' user token multisig distribution dao launchpad
printf '   %s\n' "${summary[@]}"

# -- 7. an unpaid deployment is refused -----------------------------------------
echo
echo "== 7. carol has not approved the backend: her deployment is refused and costs nothing"
before=$(balance "$carol")
expect_refusal carol backend createToken '{"request_id":"run-unpaid","init":{"name":"Nope","symbol":"NOPE","decimals":8,"fee":10,"initial_supply":1,"is_public":false}}'
after=$(balance "$carol")
echo "   carol's balance: $before before, $after after"
[[ $before == "$after" ]] || { echo "run.sh: carol was charged" >&2; exit 1; }

# -- 8. system status ---------------------------------------------------------
echo
echo "== 8. getSystemStatus"
call admin backend getSystemStatus '{}'
deployments=$(field deployments "$reply")

# -- 9. the cluster -------------------------------------------------------------
echo
echo "== 9. the token through the last node's ingress ($last_url): the same answer"
via_first=$("$icto" call "$token" icrc1_balance_of "$(acct "$carol")" --anonymous --node "$url")
via_last=$("$icto" call "$token" icrc1_balance_of "$(acct "$carol")" --anonymous --node "$last_url")
echo "   $url: $via_first    $last_url: $via_last"
[[ $via_first == "$via_last" ]] || { echo "run.sh: the ingresses disagree" >&2; exit 1; }
echo "\$ icto cluster status --config $config"
"$icto" cluster status --config "$config" --data-dir "$work/data" | sed 's/^/   /'

echo
echo "== summary"
printf '   %-38s %s\n' \
  "cluster" "$config (calls to $url)" \
  "calls made by this script" "$calls ($failures refused on purpose)" \
  "contracts deployed (backend count)" "$deployments" \
  "token / multisig / distribution" "$token / $multisig / $distribution" \
  "dao / launchpad" "$dao / $launchpad" \
  "alice's ICP after 5 paid deployments" "$(balance "$alice") e8s" \
  "backend's fee account" "$(balance "$backend") e8s"

if [[ ${ICTO_KEEP_RUNNING:-0} == 1 ]]; then
  trap - EXIT
  echo
  echo "The cluster keeps running. Try, for example:"
  echo "  ICTO_HOME=$ICTO_HOME $icto call token_factory getPublicContracts '{\"limit\":10,\"offset\":0}' --node $url"
  echo "  ICTO_HOME=$ICTO_HOME $icto call $token getTokenInfo '{}' --node $url --as alice"
  echo "  $icto cluster status --config $config --data-dir $work/data"
  echo "Stop it with: $icto cluster down --config $config --data-dir $work/data"
  exit 0
fi
echo
echo "== icto cluster down"
stop_cluster
echo "   stopped; run with ICTO_KEEP_RUNNING=1 to keep it up and call it by hand"
