#!/usr/bin/env bash
# The main job. Installs what is missing, builds, and runs what the runtime
# can do so far (see README.md, "Status"): it validates the default topology
# and shows the principal tools. The node process (ictod), the actors and the
# workload come with the platform issues and will be started from here.
set -euo pipefail
cd "$(dirname "$0")"

config=${ICTO_CONFIG:-config/single-node.toml}

./test.sh --no-test
icto=build/bin/icto

echo
echo "== topology: $config"
"$icto" config check "$config"

echo
echo "== principals"
for p in aaaaa-aa 2vxsx-fae ryjl3-tyaaa-aaaaa-aaaba-cai; do
  "$icto" principal "$p"
done
"$icto" principal --from-hex abcd01
echo
echo "== a principal with a bad checksum is refused:"
"$icto" principal em77e-bvlzu-ba || echo "(exit $?)"
