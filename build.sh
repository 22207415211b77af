#!/usr/bin/env bash
# The commands a newcomer runs. Each sets up what it needs (services, restore) by itself.
#
#   ./build.sh run      start Redis + PostgreSQL, then the main job (see README)
#   ./build.sh test     start the services, run every test project, print "tests: N passed, N failed, N skipped"
#   ./build.sh pack     make the .nupkg and .snupkg of every package under artifacts/packages
#   ./build.sh bench <caching|flashsale|webhooks|notifications|analytics> [args]   run a benchmark
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

services() {
  eng/services.sh start >/dev/null
  eval "$(eng/services.sh env)"
}

# Sums the counters of every TRX file under $1 into "tests: N passed, N failed, N skipped".
summarize() {
  local dir=$1 passed=0 failed=0 skipped=0 f counters
  for f in "$dir"/*.trx; do
    [ -e "$f" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
    p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
    x=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
    e=$(echo "$counters" | sed -n 's/.* error="\([0-9]*\)".*/\1/p')
    n=$(echo "$counters" | sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${x:-0} + ${e:-0}))
    skipped=$((skipped + ${n:-0}))
  done
  echo "$passed $failed $skipped"
}

cmd_test() {
  require_dotnet
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
  read -r passed failed skipped < <(summarize "$results")
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
    *) echo "usage: ./build.sh bench caching|flashsale|webhooks|notifications|analytics [args]" >&2; exit 2 ;;
  esac
}

case "${1:-}" in
  test) shift; cmd_test "$@" ;;
  pack) shift; cmd_pack "$@" ;;
  run) shift; cmd_run "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  *) echo "usage: ./build.sh run|test|pack|bench" >&2; exit 2 ;;
esac
