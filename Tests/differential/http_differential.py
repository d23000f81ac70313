#!/usr/bin/env python3
"""Differential test of the HTTP/1.1 request parser against Python's h11.

Generates requests (valid ones, then seeded random mutations: byte flips, inserted CR/LF/space/NUL,
duplicated headers, changed lengths, smuggling headers, truncation), feeds each to `http-probe --batch`
and to h11 acting as a server, and compares the decisions: which requests are accepted (method, target,
version, body, keep-alive) and how the input ends (refused, incomplete, end of input, closed).

Every disagreement must be explained by an entry of ALLOW_LIST: a deliberate stricter choice of ours,
documented in docs/http.md under the same id. Each entry checks a predicate on the bytes (usually the byte
the parser says decided its refusal), so an entry explains only the disagreements it describes.
Exit status: 0 when every disagreement is explained, 1 otherwise, 2 on a usage or setup error.

Usage: http_differential.py --probe PATH [--seed N] [--count N] [--verbose]
"""

import argparse
import os
import random
import re
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Callable, List, Optional

try:
    import h11
except ImportError:  # pragma: no cover - the Swift test turns this into a clear failure
    print("http_differential: the Python package h11 is missing (python3 -m pip install h11)", file=sys.stderr)
    sys.exit(2)

MAX_BODY = 1_048_576  # HTTPParserLimits() defaults, which the probe uses
MAX_HEADER = 16_384
MAX_TARGET = 8_192
MAX_FIELDS = 100

TCHAR = set(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
ALNUM = set(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
TARGET = ALNUM | set(b"-._~!$&'()*+,;=:@/?%")
HOST = ALNUM | set(b"-._~!$&'()*+,;=:%[]")
HEX = set(b"0123456789abcdefABCDEF")


# MARK: - Outcomes


@dataclass
class Request:
    offset: int
    method: bytes
    target: bytes
    version: bytes
    keep_alive: bool
    body: bytes = b""

    def key(self):
        return (self.method, self.target, self.version, self.body)


@dataclass
class Outcome:
    requests: List[Request] = field(default_factory=list)
    end: str = "eof"  # eof | incomplete | error | close
    error: str = ""
    status: int = 0
    offset: int = 0  # where the unfinished or refused request starts
    position: int = -1  # (ours) the byte that decided a refusal


def run_h11(data: bytes) -> Outcome:
    """Drives h11 as a server over one connection's input, answering each request so pipelining goes on."""
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER)
    if data:  # receive_data(b"") would mean end of input
        conn.receive_data(data)
    out = Outcome()
    current: Optional[Request] = None
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            out.end, out.error, out.status = "error", str(exc), exc.error_status_hint
            return out
        if event is h11.NEED_DATA:
            pending = conn.trailing_data[0]
            out.end = "incomplete" if current is not None or pending else "eof"
            return out
        if isinstance(event, h11.Request):
            current = Request(0, bytes(event.method), bytes(event.target), bytes(event.http_version), True)
        elif isinstance(event, h11.Data):
            current.body += bytes(event.data)
        elif isinstance(event, h11.EndOfMessage):
            current.keep_alive = conn.their_state is not h11.MUST_CLOSE
            out.requests.append(current)
            current = None
            if not current_keep_alive(out):
                out.end = "close"
                return out
            conn.send(h11.Response(status_code=200, headers=[("Content-Length", "0")]))
            conn.send(h11.EndOfMessage())
            conn.start_next_cycle()
        else:  # PAUSED or ConnectionClosed cannot happen here
            out.end, out.error = "error", f"unexpected event {event!r}"
            return out


def current_keep_alive(out: Outcome) -> bool:
    return out.requests[-1].keep_alive


def parse_probe_case(lines: List[str]) -> Outcome:
    out = Outcome()
    for line in lines:
        parts = line.split(" ")
        if parts[0] == "head":
            method = b"" if parts[2] == "-" else bytes.fromhex(parts[2])
            target = b"" if parts[3] == "-" else bytes.fromhex(parts[3])
            out.requests.append(Request(int(parts[1]), method, target, parts[4].encode(), parts[5] == "1"))
        elif parts[0] == "end":
            out.requests[-1].body = b"" if parts[1] == "-" else bytes.fromhex(parts[1])
        elif parts[0] == "error":
            out.end, out.error, out.status = "error", parts[1], int(parts[2])
            out.offset, out.position = int(parts[3]), int(parts[4])
        elif parts[0] == "incomplete":
            out.end, out.offset = "incomplete", int(parts[1])
        elif parts[0] in ("eof", "close"):
            out.end = parts[0]
    # A head whose body was refused or cut short has no `end` line: it is not a complete request.
    return out


def run_probe(probe: str, cases: List[bytes]) -> List[Outcome]:
    payload = b"".join(struct.pack(">I", len(c)) + c for c in cases)
    proc = subprocess.run([probe, "--batch"], input=payload, capture_output=True, timeout=120)
    if proc.returncode != 0:
        print(f"http_differential: probe failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}",
              file=sys.stderr)
        sys.exit(2)
    outcomes, lines = [], []
    pending_head = False
    for line in proc.stdout.decode().splitlines():
        if line == "done":
            outcomes.append(parse_probe_case(complete_only(lines)))
            lines = []
        else:
            lines.append(line)
    if len(outcomes) != len(cases):
        print(f"http_differential: probe answered {len(outcomes)} of {len(cases)} cases", file=sys.stderr)
        sys.exit(2)
    return outcomes


def complete_only(lines: List[str]) -> List[str]:
    """Drops a trailing `head` line without its `end` (a request refused or cut short in its body)."""
    kept = []
    for i, line in enumerate(lines):
        if line.startswith("head ") and not (i + 1 < len(lines) and lines[i + 1].startswith("end ")):
            continue
        kept.append(line)
    return kept


# MARK: - Byte helpers for the allow-list predicates


def head_region(msg: bytes) -> bytes:
    """The head as h11 delimits it (it accepts bare LF line ends), or all of msg."""
    m = re.search(rb"\n\r?\n", msg)
    return msg[: m.end()] if m else msg


def head_lines(msg: bytes) -> List[bytes]:
    return [line[:-1] if line.endswith(b"\r") else line for line in head_region(msg).split(b"\n")]


def fields_of(msg: bytes):
    out = []
    for line in head_lines(msg)[1:]:
        if b":" in line:
            name, _, value = line.partition(b":")
            out.append((name.strip().lower(), value.strip(b" \t")))
    return out


def request_line(msg: bytes) -> bytes:
    return head_lines(msg)[0]


def line_around(data: bytes, pos: int) -> bytes:
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    return data[start: len(data) if end < 0 else end + 1]


def target_is_ours(method: bytes, target: bytes) -> bool:
    """The target grammar http-probe enforces (docs/http.md, "Request target"), with the forms each method may use."""
    if not target or any(b not in TARGET for b in target):
        return False
    i = 0
    while i < len(target):
        if target[i] == 0x25:
            if len(target[i + 1: i + 3]) < 2 or any(b not in HEX for b in target[i + 1: i + 3]):
                return False
            i += 3
        else:
            i += 1
    if method == b"CONNECT":
        return re.fullmatch(rb"[^/?@:]+:[0-9]+", target) is not None
    if target[0] == 0x2F:
        return True
    if target == b"*":
        return method == b"OPTIONS"
    m = re.fullmatch(rb"[A-Za-z][A-Za-z0-9+.\-]*://([^/?]*)([/?].*)?", target, re.S)
    return m is not None and m.group(1) != b"" and b"@" not in m.group(1)


# MARK: - Allow-list


@dataclass
class Allowance:
    """A deliberate difference: `ours` refuses (errors) where h11 does not, or the other way round."""

    id: str
    ours_refuses: bool
    errors: Optional[set]
    predicate: Callable[["Divergence"], bool]


@dataclass
class Divergence:
    data: bytes
    msg: bytes  # the bytes from the diverging request's start
    ours: Outcome
    theirs: Outcome
    kind: str

    @property
    def byte(self) -> int:
        p = self.ours.position
        return self.data[p] if 0 <= p < len(self.data) else -1

    @property
    def prev(self) -> int:
        p = self.ours.position
        return self.data[p - 1] if 0 < p <= len(self.data) else -1


def h11_refuses_completed(d: Divergence) -> bool:
    """h11 refuses the same request once the line we refused in, and the head, are terminated.

    We judge each byte as it arrives; h11 waits for a whole head (or chunk line) first. So when h11 only
    lacks a line end, terminate it and ask again: h11 must then refuse the same request (not accept it and
    trip over the suffix as a next request).
    """
    data = d.data
    suffix = b"\n\r\n" if data.endswith(b"\r") else (b"\r\n" if data.endswith(b"\n") else b"\r\n\r\n")
    completed = run_h11(data + suffix)
    return completed.end == "error" and len(completed.requests) == len(d.ours.requests)


CTL_H11_ALLOWS = set(range(0x01, 0x09)) | set(range(0x0E, 0x20)) | {0x7F}
CHUNK_H11 = re.compile(rb"[0-9A-Fa-f]{1,20}(;.*)?[ \t]*\r?\n?", re.S)
CHUNK_OURS = re.compile(
    rb'[0-9A-Fa-f]{1,16}(;[-!#$%&\'*+.^_`|~0-9A-Za-z]+(=([-!#$%&\'*+.^_`|~0-9A-Za-z]+|"([\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"))?)*\r\n'
)


def bad_utf8_value(d: Divergence) -> bool:
    """Decided at the end of the head (UTF-8 is checked once the head is complete)."""
    if d.data[d.ours.position - 3: d.ours.position + 1] != b"\r\n\r\n":
        return False
    for _, value in fields_of(d.msg):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return True
    return False


def cl_list_or_repeat(d: Divergence) -> bool:
    cls = [v for n, v in fields_of(d.msg) if n == b"content-length"]
    return len(cls) > 1 or any(b"," in v for v in cls)


def cl_overflows(d: Divergence) -> bool:
    cls = [v for n, v in fields_of(d.msg) if n == b"content-length"]
    return len(cls) == 1 and cls[0].isdigit() and int(cls[0]) > 2**63 - 1


def has_field(d: Divergence, name: bytes) -> bool:
    return any(n == name for n, _ in fields_of(d.msg))


def version_other(d: Divergence) -> bool:
    m = re.fullmatch(rb"\S+ \S+ HTTP/(\d\.\d)", request_line(d.msg))
    return m is not None and m.group(1) not in (b"1.0", b"1.1")


def target_outside_grammar(d: Divergence) -> bool:
    parts = request_line(d.msg).split(b" ")
    return len(parts) == 3 and not target_is_ours(parts[0], parts[1])


def host_value_invalid(d: Divergence) -> bool:
    hosts = [v for n, v in fields_of(d.msg) if n == b"host"]
    if len(hosts) == 1 and hosts[0] == b"":
        return request_line(d.msg).endswith(b"HTTP/1.1")
    return len(hosts) == 1 and any(b not in HOST for b in hosts[0])


def over_body_limit(d: Divergence) -> bool:
    """A declared length over the limit, or a chunk size that cannot fit in what is left of it."""
    cls = [v for n, v in fields_of(d.msg) if n == b"content-length"]
    if len(cls) == 1 and cls[0].isdigit() and int(cls[0]) > MAX_BODY:
        return True
    size = re.match(rb"[0-9A-Fa-f]+", line_around(d.data, d.ours.position))
    return size is not None and int(size.group(0), 16) > MAX_BODY - len(d.data)


def chunk_line_lenient(d: Divergence) -> bool:
    line = line_around(d.data, d.ours.position)
    return CHUNK_H11.fullmatch(line) is not None and CHUNK_OURS.fullmatch(line) is None


def leading_empty_line(d: Divergence) -> bool:
    """One CRLF (or its CR, the input ending there) before a request line: we ignore it, h11 refuses."""
    if d.msg == b"\r":
        return True
    return d.msg.startswith(b"\r\n") and not d.msg.startswith(b"\r\n\r\n") and not d.msg.startswith(b"\r\n\n")


def http10_keep_alive(d: Divergence) -> bool:
    tokens = []
    for n, v in fields_of(d.msg):
        if n == b"connection":
            tokens += [t.strip(b" \t").lower() for t in v.split(b",")]
    return request_line(d.msg).endswith(b"HTTP/1.0") and b"keep-alive" in tokens and b"close" not in tokens


ALLOW_LIST: List[Allowance] = [
    Allowance("bare-lf", True, {"invalidRequestLine", "invalidField", "invalidChunk"},
              lambda d: d.byte == 0x0A and d.prev != 0x0D),
    Allowance("obs-fold", True, {"invalidField"}, lambda d: d.byte in (0x20, 0x09) and d.prev == 0x0A),
    Allowance("control-byte-in-value", True, {"invalidField"}, lambda d: d.byte in CTL_H11_ALLOWS),
    Allowance("non-utf8-value", True, {"invalidField"}, bad_utf8_value),
    Allowance("content-length-list-or-repeat", True, {"invalidContentLength"}, cl_list_or_repeat),
    Allowance("content-length-overflow", True, {"invalidContentLength"}, cl_overflows),
    Allowance("content-length-with-transfer-encoding", True, {"conflictingFraming"},
              lambda d: has_field(d, b"content-length") and has_field(d, b"transfer-encoding")),
    Allowance("transfer-encoding-on-http10", True, {"transferEncodingOnHTTP10"},
              lambda d: request_line(d.msg).endswith(b"HTTP/1.0") and has_field(d, b"transfer-encoding")),
    Allowance("version-other-than-1.0-1.1", True, {"unsupportedVersion"}, version_other),
    Allowance("target-grammar", True, {"invalidTarget"}, target_outside_grammar),
    Allowance("host-value", True, {"invalidHost"}, host_value_invalid),
    Allowance("body-limit", True, {"bodyTooLarge"}, over_body_limit),
    Allowance("strict-chunk-line", True, {"invalidChunk"}, chunk_line_lenient),
    Allowance("early-refusal", True, None, lambda d: d.theirs.end == "incomplete" and h11_refuses_completed(d)),
    Allowance("one-leading-empty-line", False, None, leading_empty_line),
    Allowance("http10-keep-alive", False, None, lambda d: d.kind == "keep-alive" and http10_keep_alive(d)),
]


# MARK: - Comparison


def compare(data: bytes, ours: Outcome, theirs: Outcome) -> Optional[str]:
    """None when the decisions agree or differ only as an allow-list entry says; else a description."""
    n = min(len(ours.requests), len(theirs.requests))
    for k in range(n):
        a, b = ours.requests[k], theirs.requests[k]
        if a.key() != b.key():
            return f"request {k} differs: ours {a.key()!r} h11 {b.key()!r}"
        if a.keep_alive != b.keep_alive:
            d = Divergence(data, data[a.offset:], ours, theirs, "keep-alive")
            return explain(d, ours_refuses=False, default=f"request {k} keep-alive: ours {a.keep_alive} h11 {b.keep_alive}")
    if len(ours.requests) == len(theirs.requests) and ours.end == theirs.end:
        return None
    start = ours.offset if len(ours.requests) == n else ours.requests[n].offset
    d = Divergence(data, data[start:], ours, theirs, "end")
    summary = (f"after {n} request(s): ours {describe(ours, n)}, h11 {describe(theirs, n)}")
    if ours.end == "error" and len(ours.requests) == n:
        return explain(d, ours_refuses=True, default=summary)
    if theirs.end == "error" and len(theirs.requests) == n:
        return explain(d, ours_refuses=False, default=summary)
    return summary


def describe(out: Outcome, n: int) -> str:
    if len(out.requests) > n:
        return f"accepted {out.requests[n].method!r} {out.requests[n].target!r} ({len(out.requests)} total, then {out.end})"
    return f"{out.end} {out.error}".strip() + (f" at byte {out.position}" if out.position >= 0 else "")


MATCHED = {}


def explain(d: Divergence, ours_refuses: bool, default: str) -> Optional[str]:
    for allowance in ALLOW_LIST:
        if allowance.ours_refuses != ours_refuses:
            continue
        if allowance.errors is not None and d.ours.error not in allowance.errors:
            continue
        if allowance.predicate(d):
            MATCHED[allowance.id] = MATCHED.get(allowance.id, 0) + 1
            return None
    return default


# MARK: - Generation


METHODS = [b"GET", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS"]
EXTRA_FIELDS = [
    (b"User-Agent", [b"gu1-webhooks/2.1", b"curl/8.5.0", b"ARGOS Identity"]),
    (b"Accept", [b"*/*", b"application/json"]),
    (b"X-Webhook-Signature", [b"sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]),
    (b"X-Request-Id", [b"3f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6"]),
    (b"Accept-Encoding", [b"gzip, deflate", b"identity"]),
    (b"X-Forwarded-For", [b"10.0.0.1, 10.0.0.2"]),
    (b"Cache-Control", [b"no-cache"]),
]


def gen_target(rnd: random.Random) -> bytes:
    segs = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz0123456789-._~") for _ in range(rnd.randint(1, 8)))
            for _ in range(rnd.randint(0, 3))]
    target = b"/" + b"/".join(segs)
    if rnd.random() < 0.4:
        pairs = []
        for _ in range(rnd.randint(1, 3)):
            value = bytes(rnd.choice(b"abcdef0123456789") for _ in range(rnd.randint(0, 6)))
            if rnd.random() < 0.3:
                value += b"%2F%C3%A9"
            pairs.append(b"k" + str(rnd.randint(0, 9)).encode() + b"=" + value)
        target += b"?" + b"&".join(pairs)
    return target


def case_variant(rnd: random.Random, name: bytes) -> bytes:
    r = rnd.random()
    if r < 0.15:
        return name.lower()
    if r < 0.25:
        return name.upper()
    return name


def field_line(rnd: random.Random, name: bytes, value: bytes) -> bytes:
    sep = rnd.choice([b": ", b": ", b":", b":  ", b":\t"])
    trail = rnd.choice([b"", b"", b"", b" ", b"\t"])
    return case_variant(rnd, name) + sep + value + trail + b"\r\n"


def gen_body(rnd: random.Random) -> bytes:
    n = rnd.choice([0, 1, 5, 17, 64, rnd.randint(0, 300)])
    return bytes(rnd.choice(b'{}":,abcdefghij0123456789 \r\n') for _ in range(n))


def chunked_encode(rnd: random.Random, body: bytes) -> bytes:
    out, i = b"", 0
    while i < len(body):
        n = rnd.randint(1, max(1, len(body) - i))
        size = format(n, rnd.choice(["x", "X"])).encode()
        if rnd.random() < 0.1:
            size = b"0" + size
        ext = b""
        if rnd.random() < 0.2:
            ext = rnd.choice([b";a", b";name=value", b';q="x y"', b";a=1;b"])
        out += size + ext + b"\r\n" + body[i: i + n] + b"\r\n"
        i += n
    out += b"0" + (b";end" if rnd.random() < 0.1 else b"") + b"\r\n"
    if rnd.random() < 0.2:
        out += b"X-Checksum: abc\r\n"
    return out + b"\r\n"


def gen_request(rnd: random.Random, last: bool) -> bytes:
    v11 = rnd.random() < 0.85
    method = rnd.choice(METHODS)
    target = gen_target(rnd)
    form = rnd.random()
    if form < 0.08:
        # The absolute form (RFC 9112 §3.2.2), whose authority a mutation may empty or give userinfo.
        target = rnd.choice([b"http://example.test", b"https://127.0.0.1:8443", b"HTTP://h"]) + target
    elif form < 0.11 and method == b"OPTIONS":
        target = b"*"
    lines = [method + b" " + target + b" " + (b"HTTP/1.1" if v11 else b"HTTP/1.0") + b"\r\n"]
    fields = []
    if v11 or rnd.random() < 0.5:
        hosts = [b"example.test", b"127.0.0.1:8080", b"[::1]:8443", b"hooks.example.test"]
        fields.append((b"Host", rnd.choice(hosts + [b""]) if rnd.random() < 0.05 else rnd.choice(hosts)))
    for name, values in rnd.sample(EXTRA_FIELDS, rnd.randint(0, 4)):
        fields.append((name, rnd.choice(values)))
    body = b""
    framing = "none"
    if method in (b"POST", b"PUT", b"PATCH") or rnd.random() < 0.1:
        body = gen_body(rnd)
        framing = "chunked" if v11 and rnd.random() < 0.35 else "length"
        fields.append((b"Content-Type", b"application/json"))
        if framing == "chunked":
            fields.append((b"Transfer-Encoding", rnd.choice([b"chunked", b"Chunked"])))
        else:
            fields.append((b"Content-Length", str(len(body)).encode()))
        if v11 and rnd.random() < 0.2:
            fields.append((b"Expect", b"100-continue"))
    if not v11:
        if not last and True:
            fields.append((b"Connection", b"keep-alive"))
    elif last and rnd.random() < 0.2:
        fields.append((b"Connection", b"close"))
    rnd.shuffle(fields)
    head = b"".join(lines) + b"".join(field_line(rnd, n, v) for n, v in fields) + b"\r\n"
    payload = chunked_encode(rnd, body) if framing == "chunked" else body
    return head + payload


def gen_valid(rnd: random.Random) -> bytes:
    count = rnd.choice([1, 1, 1, 2, 3])
    return b"".join(gen_request(rnd, i == count - 1) for i in range(count))


# MARK: - Mutation


INSERTS = [b"\r", b"\n", b" ", b"\t", b"\x00", b"\r\n", b" \r\n", b"\r\n ", b",", b":", b"\x7f", b"\x01", b"\xff"]
SMUGGLE = [b"Transfer-Encoding: chunked\r\n", b"Content-Length: 5\r\n", b"Content-Length: 0\r\n",
           b"Transfer-Encoding: chunked, identity\r\n", b"Transfer-Encoding : chunked\r\n",
           b"Transfer-Encoding:\tchunked\r\n", b"Transfer-Encoding:\r\n chunked\r\n", b"Host: other.test\r\n",
           b"Content-Length: 5, 5\r\n", b"Content-Length: +5\r\n", b"Transfer-Encoding: gzip\r\n",
           b"Connection: close\r\n"]


def mutate(rnd: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    kind = rnd.randrange(10)
    if not b:
        return bytes(b)
    pos = rnd.randrange(len(b))
    if kind == 0:
        b[pos] ^= 1 << rnd.randrange(8)
    elif kind == 1:
        b[pos] = rnd.choice([0x0D, 0x0A, 0x20, 0x09, 0x00, 0x3A, 0x2C, 0x22, 0x7F, 0x80, 0xC3, rnd.randrange(256)])
    elif kind == 2:
        b[pos:pos] = rnd.choice(INSERTS)
    elif kind == 3:
        del b[pos]
    elif kind == 4:  # duplicate a field line
        lines = [m.start() for m in re.finditer(rb"\r\n(?=[^\r])", bytes(b))]
        if lines:
            start = rnd.choice(lines) + 2
            end = b.find(b"\r\n", start)
            if end > 0:
                b[start:start] = b[start: end + 2]
    elif kind == 5:  # change a length: Content-Length value or a chunk size
        spots = [m for m in re.finditer(rb"(?i)(content-length:[ \t]*)(\d+)", bytes(b))]
        spots += [m for m in re.finditer(rb"(\r\n)([0-9A-Fa-f]+)(?=[;\r])", bytes(b))]
        if spots:
            m = rnd.choice(spots)
            old = m.group(2)
            new = rnd.choice([
                str(int(old, 16 if m.group(1) == b"\r\n" else 10) + rnd.choice([-1, 1, 2])).encode(),
                old + b"0", b"0" + old, b"+" + old, b"-" + old, b"0x" + old, old + b", " + old, old + b" ",
                b" " + old, b"1_0", b"99999999999999999999", b"FFFFFFFFFFFFFFFFF", old + old,
            ])
            b[m.start(2): m.end(2)] = new
    elif kind == 6:  # add a smuggling or framing field to the first head
        end = b.find(b"\r\n")
        if end > 0:
            b[end + 2: end + 2] = rnd.choice(SMUGGLE)
    elif kind == 7:  # truncate
        del b[pos:]
    elif kind == 8:  # change the version
        m = re.search(rb"HTTP/1\.[01]", bytes(b))
        if m:
            b[m.start(): m.end()] = rnd.choice([b"HTTP/1.0", b"HTTP/1.1", b"HTTP/2.0", b"HTTP/1.2", b"http/1.1",
                                                  b"HTTP/1.1 ", b"HTTP/0.9", b"HTTP/11", b"HTTPS/1.1"])
    else:  # a line ending becomes a bare LF or bare CR
        ends = [m.start() for m in re.finditer(rb"\r\n", bytes(b))]
        if ends:
            at = rnd.choice(ends)
            b[at: at + 2] = rnd.choice([b"\n", b"\r", b"\r\r\n", b"\n\r"])
    return bytes(b)


def gen_case(rnd: random.Random) -> bytes:
    data = gen_valid(rnd)
    if rnd.random() < 0.75:
        for _ in range(rnd.choice([1, 1, 1, 2, 3])):
            data = mutate(rnd, data)
    return data


# MARK: - Main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--probe", required=True, help="path of the http-probe executable")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    # Every allow-list entry must be documented, with its reason, in docs/http.md.
    docs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "http.md")
    with open(docs, encoding="utf-8") as f:
        documented = f.read()
    missing = [a.id for a in ALLOW_LIST if f"| `{a.id}` |" not in documented]
    if missing:
        print(f"http_differential: allow-list entries not documented in docs/http.md: {missing}", file=sys.stderr)
        return 2

    rnd = random.Random(args.seed)
    cases = [gen_case(rnd) for _ in range(args.count)]
    outcomes = run_probe(args.probe, cases)
    failures = 0
    stats = {"agree": 0, "explained": 0}
    for i, (data, ours) in enumerate(zip(cases, outcomes)):
        theirs = run_h11(data)
        before = sum(MATCHED.values())
        problem = compare(data, ours, theirs)
        if problem is not None:
            failures += 1
            if failures <= 20:
                print(f"DISAGREEMENT case {i}: {problem}\n  input: {data!r}")
        elif sum(MATCHED.values()) > before:
            stats["explained"] += 1
        else:
            stats["agree"] += 1
    accepted = sum(1 for o in outcomes if o.requests and o.end != "error")
    print(f"http_differential: seed {args.seed}, {len(cases)} cases, {stats['agree']} agree, "
          f"{stats['explained']} explained by the allow-list, {failures} unexplained; "
          f"{accepted} inputs with accepted requests")
    if args.verbose or failures:
        for key in sorted(MATCHED):
            print(f"  allowed {key}: {MATCHED[key]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
