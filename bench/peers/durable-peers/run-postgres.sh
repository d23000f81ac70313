#!/usr/bin/env bash
# Starts the hb-postgres peer on a fresh `events` table: run-postgres.sh PORT
# Needs a PostgreSQL reachable with the PG* environment (default 127.0.0.1:5432, user/password/db "bench");
# bench/run.sh starts a throwaway cluster and sets PGHOST/PGPORT/PGUSER/PGDATABASE for it. Built-in peer of
# bench/harness/run-peers.sh (--only hb-postgres); build first: (cd bench/peers/durable-peers && swift build -c release).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-bench}" \
       PGPASSWORD="${PGPASSWORD:-bench}" PGDATABASE="${PGDATABASE:-bench}"
psql -q -v ON_ERROR_STOP=1 -f "$here/schema.sql" >/dev/null
# exec: the harness measures the CPU of the process it started, so the peer must take this one's place.
exec "$here/.build/release/HBPostgresPeer" "${1:-18096}"
