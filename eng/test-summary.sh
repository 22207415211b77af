#!/usr/bin/env bash
# Sums the TRX files in a directory into one line, "tests: N passed, N failed, N skipped", and says before it which
# tests were skipped and why, and which failed (a TRX's notExecuted counter stays 0 for skipped xUnit tests: they are
# counted by outcome).
#   eng/test-summary.sh artifacts/test-results
set -uo pipefail
dir=${1:?usage: eng/test-summary.sh <directory with .trx files>}
passed=0 failed=0 skipped=0
# TRX is XML: test names and messages carry entities.
decode() { sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'; }
for f in "$dir"/*.trx; do
  [ -e "$f" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  x=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  e=$(echo "$counters" | sed -n 's/.* error="\([0-9]*\)".*/\1/p')
  t=$(echo "$counters" | sed -n 's/.* timeout="\([0-9]*\)".*/\1/p')
  a=$(echo "$counters" | sed -n 's/.* aborted="\([0-9]*\)".*/\1/p')
  n=$(grep -c 'outcome="NotExecuted"' "$f")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${x:-0} + ${e:-0} + ${t:-0} + ${a:-0}))   # a test that timed out or was aborted failed too
  skipped=$((skipped + ${n:-0}))
  # "skipped: <test>: <reason>" and "failed: <test>: <first line of its message>" for each (so a CI log's tail names
  # what failed), from the result's <Message>; a result without one is named alone.
  awk '
    /<UnitTestResult / {
      if (want) print kind ": " name
      want = 0
      if ($0 ~ /outcome="NotExecuted"/) kind = "skipped"
      else if ($0 ~ /outcome="(Failed|Error|Timeout|Aborted)"/) kind = "failed"
      else next
      match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11)
      if ($0 ~ /\/>[[:space:]]*$/) print kind ": " name; else want = 1
      next
    }
    want && /<Message>/ { line = $0; sub(/.*<Message>/, "", line); sub(/<\/Message>.*/, "", line); print kind ": " name ": " (kind == "failed" ? substr(line, 1, 300) : line); want = 0 }
    /<\/UnitTestResult>/ { if (want) print kind ": " name; want = 0 }
    END { if (want) print kind ": " name }
  ' "$f" | decode
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
