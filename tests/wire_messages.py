"""Helpers the wire tests share: feeding a ResponseParser in pieces, and a hypothesis strategy
that builds valid HTTP/1.1 responses together with what parsing them must give."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st

from rawdock.wire import Data, End, Event, Head, Headers, ResponseParser


def merge_data(events: Iterable[Event]) -> list[Event]:
    """Events with adjacent Data joined: how a body is cut into Data events depends on how the
    bytes arrived, and only the bytes themselves must not."""
    merged: list[Event] = []
    for event in events:
        if isinstance(event, Data) and merged and isinstance(merged[-1], Data):
            merged[-1] = Data(merged[-1].data + event.data)
        else:
            merged.append(event)
    return merged


def cut(data: bytes, positions: Iterable[int]) -> list[bytes]:
    """`data` cut at the given positions (clamped, deduplicated, sorted)."""
    points = sorted({min(max(p, 0), len(data)) for p in positions} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False) if b > a]


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def feed_pieces(
    pieces: Sequence[bytes], *, method: str = "GET", eof: bool = False
) -> tuple[list[Event], ResponseParser]:
    """Feed every piece (then EOF if asked) to a fresh parser; the merged events and parser.
    Checks on the way that nothing is emitted after End and that Data is never empty."""
    parser = ResponseParser(method)
    events: list[Event] = []
    for piece in pieces:
        events += parser.feed(piece)
    if eof:
        events += parser.feed_eof()
    for index, event in enumerate(events):
        assert not isinstance(event, End) or index == len(events) - 1, events
        assert not isinstance(event, Data) or event.data, events
    return merge_data(events), parser


def body_of(events: Iterable[Event]) -> bytes:
    return b"".join(event.data for event in events if isinstance(event, Data))


# --- Valid responses for property tests -----------------------------------------------------

TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Field names the generator must not produce: they decide framing or connection reuse.
FRAMING_NAMES = {"content-length", "transfer-encoding", "connection"}
# Field values: any latin-1 character but CR, LF and NUL (obs-text is kept, RFC 9110 §5.5).
VALUE_CHARS = st.characters(min_codepoint=1, max_codepoint=0xFF, exclude_characters="\r\n")
OWS = st.text(alphabet=" \t", max_size=3)
field_names = st.text(alphabet=TCHAR, min_size=1, max_size=12).filter(
    lambda name: name.lower() not in FRAMING_NAMES
)
# A value as sent: no surrounding whitespace (that is OWS, added separately), inside kept.
field_values = st.text(alphabet=VALUE_CHARS, max_size=20).map(lambda v: v.strip(" \t"))


@dataclass
class Response:
    """A generated response: its bytes and what a parser must make of them."""

    raw: bytes
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    framing: str  # "length", "chunked", "eof" or "none" (HEAD, 204, 304)
    method: str = "GET"
    trailers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def needs_eof(self) -> bool:
        return self.framing == "eof"

    def expected_events(self) -> list[Event]:
        events: list[Event] = [Head(self.status, self.reason, Headers(self.headers))]
        if self.body and self.framing != "none":
            events.append(Data(self.body))
        events.append(End(Headers(self.trailers)))
        return events


@st.composite
def fields(draw: st.DrawFn, max_size: int = 5) -> list[tuple[bytes, str, str]]:
    """(line bytes, name, value) for some field lines, with random OWS around the value."""
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        name, value = draw(field_names), draw(field_values)
        line = f"{name}:{draw(OWS)}{value}{draw(OWS)}".encode("latin-1")
        out.append((line, name, value))
    return out


def _hex(size: int, upper: bool, zeros: int) -> bytes:
    digits = f"{size:X}" if upper else f"{size:x}"
    return ("0" * zeros + digits).encode()


# Chunk extensions (RFC 9112 §7.1.1), checked then ignored by the parser: BWS around ";" and
# "=", values as tokens or quoted strings (which may hold ";", quoted-pairs and obs-text).
chunk_extensions = st.sampled_from(
    [b"", b";a", b";a=b", b' ;name="x;y"', b";a=1;b=2", b'\t;q="\\";"', b';e="\xff"', b"; a = b"]
)


INTERIM = [
    b"HTTP/1.1 100 Continue\r\n\r\n",
    b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
    b"HTTP/1.1 102 Processing\r\nContent-Length: 5\r\n\r\n",  # 1xx never has a body
]


@st.composite
def responses(draw: st.DrawFn, methods: Sequence[str] = ("GET", "HEAD")) -> Response:
    """A valid response with Content-Length, chunked or until-EOF framing (or none at all,
    for HEAD, 204 and 304), random fields, chunk sizes, extensions and trailers, sometimes
    after interim 1xx responses."""
    method = draw(st.sampled_from(methods))
    status = draw(st.sampled_from([200, 201, 204, 304, 404, 500, 599]) | st.integers(200, 599))
    reason = draw(st.text(alphabet=VALUE_CHARS, max_size=16))
    minor = draw(st.sampled_from("11110"))
    start = f"HTTP/1.{minor} {status}" + (f" {reason}" if reason or draw(st.booleans()) else "")
    generated = draw(fields())
    lines = [start.encode("latin-1")] + [line for line, _, _ in generated]
    headers = [(name, value) for _, name, value in generated]
    body = draw(st.binary(max_size=300))
    no_body = method == "HEAD" or status in (204, 304)
    framing = draw(st.sampled_from(["length", "chunked", "eof"]))
    trailers: list[tuple[str, str]] = []
    payload = b""
    if framing == "length":
        length = draw(st.integers(0, 50)) if no_body else len(body)
        lines.append(b"Content-Length: %d" % length)
        headers.append(("Content-Length", str(length)))
        payload = body
    elif framing == "chunked":
        coding = draw(st.sampled_from(["chunked", "Chunked", "gzip, chunked", "CHUNKED"]))
        lines.append(b"Transfer-Encoding: " + coding.encode())
        headers.append(("Transfer-Encoding", coding))
        sizes = draw(st.lists(st.integers(1, 64), max_size=10))
        parts, offset = [], 0
        for size in sizes:
            piece = body[offset : offset + size]
            if not piece:
                break
            offset += len(piece)
            ext = draw(chunk_extensions)
            size_line = _hex(len(piece), draw(st.booleans()), draw(st.integers(0, 3)))
            parts.append(size_line + ext + b"\r\n" + piece + b"\r\n")
        body = body[:offset]
        trailer_fields = draw(fields(max_size=2))
        trailers = [(name, value) for _, name, value in trailer_fields]
        last = _hex(0, False, draw(st.integers(0, 2))) + draw(chunk_extensions)
        trailer_lines = b"".join(line + b"\r\n" for line, _, _ in trailer_fields)
        payload = b"".join(parts) + last + b"\r\n" + trailer_lines + b"\r\n"
    elif framing == "eof":
        payload = body
    if no_body:  # whatever the headers say, nothing follows the head (RFC 9112 §6.3 rule 1)
        framing, body, trailers, payload = "none", b"", [], b""
    # Interim 1xx responses (RFC 9112 §4) before the final one: skipped by the parser.
    interim = draw(st.lists(st.sampled_from(INTERIM), max_size=2))
    raw = b"".join(interim) + b"\r\n".join(lines) + b"\r\n\r\n" + payload
    return Response(raw, status, reason, headers, body, framing, method, trailers)
