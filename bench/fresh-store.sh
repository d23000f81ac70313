#!/usr/bin/env bash
# bench/fresh-store.sh DIR COMMAND...: removes DIR (a store's folder), then becomes COMMAND (same pid, same
# CPU pinning), so that each round of the harness starts ours on an empty store and its events are new.
set -euo pipefail
rm -rf "$1"
shift
exec "$@"
