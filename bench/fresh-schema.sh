#!/usr/bin/env bash
# bench/fresh-schema.sh SCHEMA COMMAND...: drops the PostgreSQL schema SCHEMA (with the PG* environment that
# bench/run.sh sets for its throwaway cluster), then becomes COMMAND (same pid, same CPU pinning), so that
# each round of the harness starts ours-postgres on an empty store and its events are new.
set -euo pipefail
psql -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $1 CASCADE" >/dev/null
shift
exec "$@"
