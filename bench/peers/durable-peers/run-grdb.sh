#!/usr/bin/env bash
# Starts the hb-grdb peer on a fresh SQLite file: run-grdb.sh PORT
# The file goes into $HB_GRDB_DIR, emptied first (bench/run.sh points it into its temporary folder, removed
# on exit), else into a new folder under ${TMPDIR:-/tmp}. Built-in peer of bench/harness/run-peers.sh
# (--only hb-grdb); build first: (cd bench/peers/durable-peers && swift build -c release).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -n "${HB_GRDB_DIR:-}" ]]; then
  dir="$HB_GRDB_DIR"; rm -rf "$dir"; mkdir -p "$dir"
else
  dir="$(mktemp -d "${TMPDIR:-/tmp}/hb-grdb.XXXXXX")"
fi
# exec: the harness measures the CPU of the process it started, so the peer must take this one's place.
exec "$here/.build/release/HBGRDBPeer" "${1:-18095}" "$dir/events.sqlite3"
