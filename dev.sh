#!/usr/bin/env bash
# The project's two set-up commands, for a fresh Debian 12 machine as root:
#
#   ./dev.sh run    install what is missing, build Release, start ledgerd
#   ./dev.sh test   install what is missing, build, run the whole suite
#
# Also: ./dev.sh deps | build | bench
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
DATA_DIR=${DATA_DIR:-var/ledger}
LISTEN=${LISTEN:-127.0.0.1:50051}
JOBS=${JOBS:-$(nproc)}

# Debian 12 packages the build, the tests and the tools need.
PACKAGES=(
  g++ make cmake pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev rocksdb-tools libabsl-dev libsodium-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-grpcio python3-protobuf
)

deps() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  echo "dev.sh: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

run() {
  mkdir -p "$DATA_DIR"
  local ctl="$BUILD_DIR/clients/ledgerctl --server $LISTEN"
  cat <<TXT

ledgerd is starting on $LISTEN with its log in $DATA_DIR (Ctrl-C stops it).
Talk to it from another terminal:
  $ctl append demo --type Greeting --data '{"hello":"world"}'
  $ctl read --all
  $ctl subscribe --from 1
  $ctl streams
  $ctl --json read demo

TXT
  exec "$BUILD_DIR/service/ledgerd" --data-dir "$DATA_DIR" --listen "$LISTEN"
}

unit_and_integration_tests() {
  ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600 -j "$JOBS"
}

case "${1:-}" in
  deps) deps ;;
  build) deps; build ;;
  run) deps; build; run ;;
  test) deps; build; unit_and_integration_tests ;;
  *)
    echo "usage: $0 run|test|deps|build" >&2
    exit 2
    ;;
esac
