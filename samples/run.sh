#!/usr/bin/env bash
# The main job: the sample host on http://localhost:3000 (Development) and the store simulator feeding it.
# Called by ./build.sh run after it started Redis and PostgreSQL. Extra arguments go to the simulator
# (for example --rate 5 --crowd 200). Ctrl+C stops both.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
URL="${COMMERCE_URL:-http://localhost:3000}"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"

dotnet build samples/Commerce.SampleHost -c Release -nologo -clp:ErrorsOnly
dotnet build samples/Commerce.StoreSimulator -c Release -nologo -clp:ErrorsOnly

mkdir -p artifacts
dotnet run --project samples/Commerce.SampleHost -c Release --no-build -- --urls "$URL" > artifacts/sample-host.log 2>&1 &
HOST_PID=$!
trap 'kill $HOST_PID 2>/dev/null || true' EXIT

ready=false
for _ in $(seq 1 60); do
  if curl -fs "$URL/health/ready" >/dev/null 2>&1; then ready=true; break; fi
  if ! kill -0 $HOST_PID 2>/dev/null; then echo "The host stopped; see artifacts/sample-host.log" >&2; tail -20 artifacts/sample-host.log >&2; exit 1; fi
  sleep 1
done
if [ "$ready" != true ]; then
  echo "The host did not get ready within 60 s ($URL/health/ready); its log (artifacts/sample-host.log) ends:" >&2
  tail -30 artifacts/sample-host.log >&2
  exit 1
fi

cat <<MSG

  Commerce is running.
    Dashboard:  $URL/            (sign in as shop-1; it mints a development token)
    API docs:   $URL/docs        (OpenAPI at $URL/openapi/v1.json)
    Host log:   artifacts/sample-host.log
  The store simulator now syncs a history and streams orders; watch the dashboard change. Ctrl+C stops.

MSG
dotnet run --project samples/Commerce.StoreSimulator -c Release --no-build -- --host "$URL" "$@"
