#!/usr/bin/env bash
# Stop exactly the processes up.sh started (listed in STATE_DIR/pids, each the leader of its own
# process group), wait for them to exit, then remove STATE_DIR unless KEEP_LAB=1.
#   down.sh [STATE_DIR]    (default: $LAB_STATE_DIR)
set -euo pipefail
S=${1:-${LAB_STATE_DIR:-}}
[[ -n "$S" && -d "$S" ]] || { echo "down.sh: no state dir given (arg or LAB_STATE_DIR)" >&2; exit 1; }
S=$(cd "$S" && pwd)

alive() { # pid or any member of its process group alive
  kill -0 "$1" 2>/dev/null && return 0
  [[ -n "$(ps -o pid= -g "$1" 2>/dev/null)" ]]
}
pids=()
if [[ -f "$S/pids" ]]; then
  while read -r pid name; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    pids+=("$pid")
    # each peer was started with setsid: pid == pgid, so signal the whole group (workers, helpers)
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done < "$S/pids"
fi
deadline=$((SECONDS + 15))
for pid in "${pids[@]}"; do
  while alive "$pid"; do
    if (( SECONDS >= deadline )); then
      echo "down.sh: process group $pid still alive after 15s: SIGKILL" >&2
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5; break
    fi
    sleep 0.1
  done
done
[[ -f "$S/pids" ]] && : > "$S/pids"
if [[ "${KEEP_LAB:-0}" == 1 ]]; then
  echo "down.sh: stopped; state kept in $S"
else
  case "$S" in /|/tmp|/root|/home|"$HOME") echo "down.sh: refusing to remove $S" >&2; exit 1;; esac
  rm -rf -- "$S"
  echo "down.sh: stopped and removed $S"
fi
