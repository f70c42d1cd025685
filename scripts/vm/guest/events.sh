#!/bin/bash
# events.sh FILE — run timed in-guest events. FILE has "SECONDS<TAB>bash command" lines; SECONDS (may be
# fractional) counts from when this script starts, i.e. from the start of the guest command.
# Every event runs in its own background job; this script waits for all of them and logs to stdout.
# Timing uses bash arithmetic on $EPOCHREALTIME only: under TCG each exec (awk, sleep) costs 50-500 ms.
export PATH=${BASH_SOURCE[0]%/*}:$PATH
us() { local t=${1:-$EPOCHREALTIME}; echo $(( ${t%.*} * 1000000 + 10#${t#*.} )); }   # seconds.micros -> micros
t0=$(us)
to_us() {  # "1.5" -> 1500000
  local s=$1 int frac
  int=${s%%.*}; frac=; [[ $s == *.* ]] && frac=${s#*.}
  frac=${frac}000000; frac=${frac:0:6}
  echo $(( 10#${int:-0} * 1000000 + 10#$frac ))
}
stamp() { local e=$(( $(us) - t0 )); printf '[+%d.%02ds]' $((e / 1000000)) $((e % 1000000 / 10000)); }
while IFS=$'\t' read -r at cmd; do
  [ -n "$at" ] || continue
  (
    wait_us=$(( t0 + $(to_us "$at") - $(us) ))
    if [ $wait_us -gt 0 ]; then read -rt "$((wait_us / 1000000)).$(printf '%06d' $((wait_us % 1000000)))" <> <(:) || :; fi
    echo "$(stamp) start: $cmd"
    out=$(eval "$cmd" 2>&1); rc=$?
    [ -n "$out" ] && printf '%s\n' "$out" | while IFS= read -r l; do echo "    $l"; done
    echo "$(stamp) done rc=$rc: $cmd"
  ) &
done < "$1"
wait
