#!/usr/bin/env bash
# The commands a newcomer runs. Each sets up what it needs (services, restore) by itself.
#
#   ./build.sh run      install what is missing (apt-get), start Redis + PostgreSQL, then the main job (see README)
#   ./build.sh test     install what is missing, start the services, run every test project, say which tests were
#                       skipped and why, print "tests: N passed, N failed, N skipped"
#   ./build.sh pack     make the .nupkg and .snupkg of every package under artifacts/packages
#   ./build.sh bench <caching|flashsale|webhooks|notifications|analytics|host> [args]   run a benchmark
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

require_dotnet() {
  if ! command -v dotnet >/dev/null; then
    echo "The .NET SDK 10 is needed: https://dot.net (then run this again)." >&2
    exit 1
  fi
}

# What a fresh Debian box lacks for a command, installed with apt-get (as root, or with sudo): npm bundles the
# dashboard's client libraries at build time, curl waits for the host, Chromium runs the browser test.
prerequisites() {
  local need=() tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || need+=("$tool")
  done
  [ ${#need[@]} -gt 0 ] || return 0
  echo "installing ${need[*]} with apt-get" >&2
  local sudo=""
  [ "$(id -u)" = "0" ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

services() {
  eng/services.sh start >/dev/null
  eval "$(eng/services.sh env)"
}

cmd_test() {
  require_dotnet
  # git, Chromium and npm when missing; without apt (or sudo) the browser test is skipped with its reason instead
  eng/ci-prerequisites.sh || echo "could not install the test prerequisites (see above); tests that need them are skipped" >&2
  services
  local results="$ROOT/artifacts/test-results"
  rm -rf "$results"
  mkdir -p "$results"
  local status=0
  dotnet build Commerce.sln -c Release -nologo -clp:ErrorsOnly || status=$?
  if [ "$status" = 0 ]; then
    dotnet test Commerce.sln -c Release --no-build --logger "trx" --logger "console;verbosity=normal" \
      --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=false || status=$?
  fi
  # Says which tests were skipped and why, which failed, then the counts (skipped ones included).
  local report line
  report=$(eng/test-summary.sh "$results")
  echo "$report" | grep '^skipped: ' || true
  # Which tests failed, with their messages' first lines: .ci/run prints them again beside its last line.
  echo "$report" | grep '^failed: ' | tee "$results/failed.txt" || true
  line=$(echo "$report" | tail -1)
  read -r passed failed skipped < <(echo "$line" | sed 's/tests: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped/\1 \2 \3/')
  if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
    echo "build or test host failed (exit $status) without a failing test to show for it" >&2
    failed=1
  fi
  echo "tests: $passed passed, $failed failed, $skipped skipped" | tee "$results/summary.txt"
  return "$status"
}

cmd_pack() {
  require_dotnet
  rm -rf artifacts/packages
  dotnet pack Commerce.sln -c Release -o artifacts/packages -nologo -clp:ErrorsOnly
  ls -1 artifacts/packages
}

cmd_run() {
  require_dotnet
  prerequisites npm curl
  services
  if [ -d samples/Commerce.SampleHost ]; then
    exec samples/run.sh "$@"
  fi
  dotnet run --project samples/Commerce.Caching.Sample -c Release -- "$@"
}

cmd_bench() {
  require_dotnet
  services
  local which=${1:-}
  shift || true
  case "$which" in
    caching) dotnet run --project benchmarks/Commerce.Caching.Benchmarks -c Release -- "$@" ;;
    flashsale) dotnet run --project benchmarks/Commerce.FlashSale.LoadDriver -c Release -- "$@" ;;
    webhooks) dotnet run --project benchmarks/Commerce.Webhooks.Benchmarks -c Release -- "$@" ;;
    notifications) dotnet run --project benchmarks/Commerce.Notifications.LoadDriver -c Release -- "$@" ;;
    analytics) dotnet run --project benchmarks/Commerce.Analytics.Benchmarks -c Release -- "$@" ;;
    host) dotnet run --project benchmarks/Commerce.SampleHost.LoadDriver -c Release -- "$@" ;;
    *) echo "usage: ./build.sh bench caching|flashsale|webhooks|notifications|analytics|host [args]" >&2; exit 2 ;;
  esac
}

case "${1:-}" in
  test) shift; cmd_test "$@" ;;
  pack) shift; cmd_pack "$@" ;;
  run) shift; cmd_run "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  *) echo "usage: ./build.sh run|test|pack|bench" >&2; exit 2 ;;
esac
