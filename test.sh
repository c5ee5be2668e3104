#!/usr/bin/env bash
# Installs what is missing, builds and runs the default test suite.
#
#   ./test.sh                 install missing Debian packages, build build/, run ctest
#   ./test.sh --sanitize      the same in build-asan/ with ICTO_SANITIZERS=address,undefined
#   ./test.sh --bench         also build the benchmarks (bench/); they are not run
#   ./test.sh --no-test       install and build only (run.sh uses this)
#   ./test.sh -- -R trie      arguments after -- go to ctest
set -euo pipefail
cd "$(dirname "$0")"

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
run_tests=1
ctest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) build_dir=build-asan
                cmake_args+=(-DICTO_SANITIZERS=address,undefined) ;;
    --bench) cmake_args+=(-DICTO_BUILD_BENCHMARKS=ON) ;;
    --no-test) run_tests=0 ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$1' (see ./test.sh --help)" >&2; exit 2 ;;
  esac
  shift
done

# -- Debian packages ------------------------------------------------------------
packages=(
  cmake g++ ninja-build pkg-config git clang-format jq
  libcaf-dev libssl-dev libboost-serialization-dev libtbb-dev libspdlog-dev
  nlohmann-json3-dev libtomlplusplus-dev libsodium-dev libcli11-dev
  librocksdb-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "test.sh: installing missing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "test.sh: these Debian packages are missing: ${missing[*]}" >&2
    echo "test.sh: run as root, or give this user password-less sudo, or install them:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# -- build ----------------------------------------------------------------------
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}"
cmake --build "$build_dir" -j2

# -- tests ----------------------------------------------------------------------
if [[ $run_tests -eq 1 ]]; then
  cd "$build_dir"
  ctest --output-on-failure -j2 "${ctest_args[@]}"
fi
