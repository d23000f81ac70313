#!/usr/bin/env bash
# Fuzzes the HTTP/1.1 request parser with libFuzzer for SECONDS (default 60); exits non-zero on a crash,
# a sanitizer report, a broken invariant (Fuzz/ParserFuzz.swift) or a hang.
#
# The parser's sources are compiled directly with the fuzz entry (`swiftc -sanitize=fuzzer,address
# -parse-as-library`): an executable target built by `swift build -sanitize=fuzzer` fails to link here
# (docs/architecture.md). Crashing inputs are kept in .build/fuzz-artifacts/ (replay: the printed binary path + file).
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/fuzz-parser.XXXXXX")"
trap 'rm -rf "$work"' EXIT
artifacts="$root/.build/fuzz-artifacts"
mkdir -p "$artifacts" "$work/corpus"

echo "fuzz-parser: compiling the parser with -sanitize=fuzzer,address"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name ParserFuzz \
    "$root"/Sources/WebhookHTTP/Parser/*.swift \
    "$root"/Sources/WebhookHTTP/HTTP/*.swift \
    "$root"/Fuzz/ParserFuzz.swift \
    -o "$work/parser-fuzz"

echo "fuzz-parser: running for ${seconds}s (seed corpus: Fuzz/corpus)"
# New inputs go to the temporary corpus (first directory); the committed seeds are only read.
status=0
# The Swift runtime's backtracer would attach to a crashing input and can outlive the run; libFuzzer
# prints the stack itself.
SWIFT_BACKTRACE=enable=no "$work/parser-fuzz" \
    -max_total_time="$seconds" \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -max_len=4096 \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts/" \
    "$work/corpus" "$root/Fuzz/corpus" || status=$?
if ((status != 0)); then
    echo "fuzz-parser: FAILED (exit $status); the input is in $artifacts/" >&2
    exit "$status"
fi
echo "fuzz-parser: no crash, hang or broken invariant in ${seconds}s"
