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
  librocksdb-dev rocksdb-tools libabsl-dev libsodium-dev libssl-dev libcli11-dev
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

# Seconds run() waits for a fresh ledgerd to answer before giving up.
START_WAIT_S=${START_WAIT_S:-30}

# Polls ledgerd until it answers (or exits, or START_WAIT_S pass).
wait_until_answering() {
  local pid=$1 ctl=$2
  local deadline=$((SECONDS + START_WAIT_S))
  until "$ctl" --server "$LISTEN" --timeout-ms 1000 info >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "dev.sh: ledgerd exited before answering" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "dev.sh: ledgerd did not answer on $LISTEN within ${START_WAIT_S}s" >&2
      return 1
    fi
    sleep 0.2
  done
}

# Waits for ledgerd to end; a trapped signal interrupts `wait`, so wait
# again until the process is really gone. Returns its exit status.
wait_for_ledgerd() {
  local pid=$1 status=0
  while :; do
    status=0
    wait "$pid" || status=$?
    if ! kill -0 "$pid" 2>/dev/null; then return "$status"; fi
  done
}

# Starts ledgerd, loads the curated data set (data/) into it — idempotently:
# a second start finds everything present and writes nothing — then
# serves until Ctrl-C or SIGTERM, which are passed on to ledgerd.
run() {
  mkdir -p "$DATA_DIR"
  local ctl="$BUILD_DIR/clients/ledgerctl"
  "$BUILD_DIR/service/ledgerd" --data-dir "$DATA_DIR" --listen "$LISTEN" &
  local pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM
  if ! wait_until_answering "$pid" "$ctl" || ! "$ctl" --server "$LISTEN" import data/; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_for_ledgerd "$pid" || true
    exit 1
  fi
  local q="$ctl --server $LISTEN"
  cat <<TXT

ledgerd serves on $LISTEN with its log in $DATA_DIR; the data set in data/
is loaded (the line above). Ctrl-C stops it. From another terminal:
  $q announcements --entity 엔비디아
  $q announcements --entity softbank --from 2024 --to 2024-12
  $q --json announcements --entity 'SB OpenAI Japan'
  $q entities
  $q read announcements --count 5
  $q info

TXT
  local status=0
  wait_for_ledgerd "$pid" || status=$?
  exit "$status"
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
