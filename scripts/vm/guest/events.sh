#!/bin/bash
# events.sh FILE — run timed in-guest events. FILE has "SECONDS<TAB>bash command" lines; SECONDS (may be
# fractional) counts from when this script starts, i.e. from the start of the guest command.
# Every event runs in its own background job; this script waits for all of them and logs to stdout.
GUEST=$(dirname "$(readlink -f "$0")")
export PATH=$GUEST:$PATH
read -r t0 _ < /proc/uptime
elapsed() { local u _; read -r u _ < /proc/uptime; awk -v a="$t0" -v b="$u" 'BEGIN { printf "%.2f", b - a }'; }
while IFS=$'\t' read -r at cmd; do
  [ -n "$at" ] || continue
  (
    read -r now _ < /proc/uptime
    delay=$(awk -v a="$t0" -v b="$now" -v s="$at" 'BEGIN { d = a + s - b; printf "%.3f", (d > 0 ? d : 0) }')
    sleep "$delay"
    echo "[+$(elapsed)s] start: $cmd"
    out=$(cd "$GUEST" && bash -c "$cmd" 2>&1); rc=$?
    [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
    echo "[+$(elapsed)s] done rc=$rc: $cmd"
  ) &
done < "$1"
wait
