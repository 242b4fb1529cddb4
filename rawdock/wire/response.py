"""The response reader, sans-IO: feed it bytes as they arrive, get events back.

    >>> parser = ResponseParser()
    >>> parser.feed(b"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhel")
    [Head(status=200, reason='OK', headers=Headers([('Content-Length', '5')])), Data(data=b'hel')]
    >>> parser.feed(b"lo")
    [Data(data=b'lo'), End(trailers=Headers([]))]

Reading a response is two steps. First the head: bytes gather until the blank line that ends
the header section, and the status line and fields are checked against the grammar
(grammar.py). Then the head says how the body ends (RFC 9112 §6.3, `framing_of`), and that
picks one small reader from `READERS`: a Content-Length body, a chunked body, or a body that
runs until the connection closes. Chapter 4 of the tutorial reads all three by hand, in one
function; chapter 10 shows this parser doing the same, fed one byte at a time.

The same bytes give the same events however they are split across `feed` calls (only the
number of `Data` events may differ). docs/http-framing.md lists the rules followed.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Protocol

from ..errors import ProtocolError
from .events import Data, End, Event, Head
from .grammar import CHUNK_LINE, CONTENT_LENGTH, FIELD_LINE, FIELD_VALUE, STATUS_LINE
from .headers import Headers
from .limits import (
    MAX_CHUNK_LINE_BYTES,
    MAX_CHUNK_SIZE_DIGITS,
    MAX_CONTENT_LENGTH_DIGITS,
    MAX_HEADER_BYTES,
)

__all__ = [
    "ResponseParser",
    "State",
    "Framing",
    "READERS",
    "framing_of",
    "LengthReader",
    "ChunkedReader",
    "UntilEOFReader",
]

CRLF = b"\r\n"


# --- Lines and sections cut across reads ------------------------------------------------------


class LineBuffer:
    """Where the start of a line (or of a header section) waits when a read ends before it
    does. The bytes gather in a bytearray, so that a line arriving one byte at a time costs
    one append per byte, and only the bytes added since the last look are searched."""

    def __init__(self) -> None:
        self.pending = bytearray()

    def take(
        self, data: bytes, start: int, end_mark: bytes, limit: int, too_long: str
    ) -> tuple[bytes, int] | None:
        """The bytes before `end_mark`, from those pending here followed by `data[start:]`,
        and the position in `data` just after the mark; None if the mark has not come yet
        (`data[start:]` then waits here). Raises ProtocolError(`too_long`) once `limit` bytes
        have come without the mark (the mark counts in the limit)."""
        pending = self.pending
        if not pending:  # the usual case: the whole line is in this read
            end = data.find(end_mark, start, start + limit)
            if end >= 0:
                return data[start:end], end + len(end_mark)
            if len(data) - start >= limit:
                raise ProtocolError(too_long)
            pending += data[start:]
            return None
        # The mark may straddle the old bytes and the new: search from just before the join.
        searched_from = max(0, len(pending) - len(end_mark) + 1)
        joined_at = len(pending)
        pending += data[start:]
        end = pending.find(end_mark, searched_from, limit)
        if end < 0:
            if len(pending) >= limit:
                raise ProtocolError(too_long)
            return None
        line = bytes(pending[:end])
        pending.clear()
        return line, start + end + len(end_mark) - joined_at


# --- The head (RFC 9112 §4, §5) ---------------------------------------------------------------


def parse_head(section: bytes) -> tuple[int, int, str, Headers]:
    """(HTTP minor version, status code, reason phrase, fields) of a header section: the status
    line and the field lines, CRLF between them, without the blank line that ends it."""
    status_line, *field_lines = section.split(CRLF)
    match = STATUS_LINE.fullmatch(status_line)
    if match is None:
        raise ProtocolError(f"invalid status line {status_line[:80]!r}")
    reason = (match["reason"] or b"").decode("latin-1")
    return int(match["minor"]), int(match["status"]), reason, parse_fields(field_lines, "header")


def parse_fields(lines: list[bytes], what: str) -> Headers:
    """The fields of a header or trailer section, from its lines (CRLF removed)."""
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            # obs-fold = OWS CRLF RWS (§5.2): a line starting with whitespace continues the
            # value before it; a client replaces the fold, whitespace and all, with one space.
            # It never starts a field of its own.
            if not fields or not FIELD_VALUE.fullmatch(line):
                raise ProtocolError(
                    f"invalid continuation line in the {what} section {line[:80]!r}"
                )
            folded_name, folded_value = fields[-1]
            continued = line.strip(b" \t").decode("latin-1")
            joined = f"{folded_value} {continued}" if folded_value else continued
            fields[-1] = (folded_name, joined)
            continue
        match = FIELD_LINE.fullmatch(line)
        if match is None:
            raise ProtocolError(f"invalid {what} line {line[:80]!r}")
        raw_value = match["value"].rstrip(b" \t")  # the OWS after a value is not part of it
        fields.append((match["name"].decode("latin-1"), raw_value.decode("latin-1")))
    return Headers(fields)


# --- Which body (RFC 9112 §6.3) ---------------------------------------------------------------


class Framing(Enum):
    """How the end of a response's body is found."""

    NO_BODY = "the response ends with its head"
    CONTENT_LENGTH = "after Content-Length bytes"
    CHUNKED = "after the last chunk and the trailer section"
    UNTIL_EOF = "when the server closes the connection"


def framing_of(status: int, headers: Headers, request_method: str) -> tuple[Framing, int]:
    """How the body of a response ends, and its length when Content-Length gives it: the
    rules of RFC 9112 §6.3, in its order (rules 2 and 7 are for CONNECT and requests)."""
    # 1. A response to HEAD, and any 1xx, 204 or 304, ends with its head, whatever its fields
    #    say (they describe the body a GET would have had).
    if request_method == "HEAD" or status < 200 or status in (204, 304):
        return Framing.NO_BODY, 0
    # 3-4. Transfer-Encoding overrides Content-Length. Chunked if it is the last coding;
    #      otherwise the body runs until the server closes.
    if "transfer-encoding" in headers:
        codings = headers.get_list("transfer-encoding")
        if codings and codings[-1].lower() == "chunked":
            return Framing.CHUNKED, 0
        return Framing.UNTIL_EOF, 0
    # 5-6. Content-Length: one value (a list of equal ones may be accepted), digits only.
    #      An empty list element is an invalid value here, not one to skip: "3," is refused.
    values = {
        element.strip(" \t")
        for value in headers.get_all("content-length")
        for element in value.split(",")
    }
    if values:
        if len(values) > 1:
            raise ProtocolError(f"conflicting Content-Length values {sorted(values)}")
        (value,) = values
        if not CONTENT_LENGTH.fullmatch(value.encode("latin-1")):
            raise ProtocolError(f"invalid Content-Length {value!r}")
        if len(value) > MAX_CONTENT_LENGTH_DIGITS:
            raise ProtocolError(f"Content-Length {value[:40]!r}... is too long")
        length = int(value)
        # A length of 0 is a body with no bytes: the response ends with its head.
        return (Framing.CONTENT_LENGTH if length else Framing.NO_BODY), length
    # 8. No framing at all: the body runs until the server closes the connection.
    return Framing.UNTIL_EOF, 0


# --- One reader per framing -------------------------------------------------------------------


class BodyReader(Protocol):
    """What every body reader does. `read` appends the events that `data` completes (one
    `Data` at most, then `End` if the body ended) and returns the bytes after the body, or
    None while the body goes on. `read_eof` is the server closing the connection: the end of
    an until-EOF body, an error for the others. `pending` is the number of bytes held back."""

    def read(self, data: bytes, events: list[Event]) -> bytes | None: ...

    def read_eof(self, events: list[Event]) -> None: ...

    @property
    def pending(self) -> int: ...


class LengthReader:
    """A body of Content-Length bytes (RFC 9112 §6.2)."""

    def __init__(self, length: int) -> None:
        self.remaining = length
        self.pending = 0

    def read(self, data: bytes, events: list[Event]) -> bytes | None:
        body = data[: self.remaining]  # of a whole bytes object, the slice is the object
        events.append(Data(body))
        self.remaining -= len(body)
        if self.remaining:
            return None
        events.append(End(Headers()))
        return data[len(body) :]

    def read_eof(self, events: list[Event]) -> None:
        raise ProtocolError(
            f"connection closed with {self.remaining} bytes of the body still to come"
        )


class UntilEOFReader:
    """A body that runs until the server closes the connection (RFC 9112 §6.3 rule 8)."""

    pending = 0

    def read(self, data: bytes, events: list[Event]) -> bytes | None:
        events.append(Data(data))
        return None

    def read_eof(self, events: list[Event]) -> None:
        events.append(End(Headers()))  # the close is the end, and a normal one


class ChunkState(Enum):
    """What a chunked body expects next (RFC 9112 §7.1)."""

    SIZE_LINE = "chunk-size [ chunk-ext ] CRLF"
    DATA = "chunk-data"
    DATA_END = "the CRLF after chunk-data"
    TRAILERS = "trailer-section CRLF"


def chunk_size(line: bytes) -> int:
    """The size from a chunk-size line (CRLF removed), checked; extensions checked, then
    ignored (§7.1.1)."""
    match = CHUNK_LINE.fullmatch(line)
    if match is None:
        raise ProtocolError(f"invalid chunk-size line {line[:80]!r}")
    digits = match["size"].lstrip(b"0")
    if len(digits) > MAX_CHUNK_SIZE_DIGITS:
        raise ProtocolError(f"chunk size {digits[:40]!r}... is too large")
    return int(digits or b"0", 16)


class ChunkedReader:
    """A chunked body (RFC 9112 §7.1):

        chunked-body = *chunk last-chunk trailer-section CRLF
        chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF

    All the chunk data one read completes comes out as one `Data`, joined from memoryview
    slices: Docker sends a log or progress stream as one small chunk per line, so a read can
    hold hundreds of chunks, and one event with one copy serves them all.

    `read` is the reader, one step of the grammar at a time. Before each size line it lets
    `whole_chunks` (below), a fast path, take the chunks that are plainly whole; set
    `use_fast_path` to False and `read` alone gives the same events (tests/test_fast_path.py
    checks it for any input, cut anywhere)."""

    #: Whether `read` lets `whole_chunks` take the plain whole chunks first.
    use_fast_path = True

    def __init__(self) -> None:
        self.state = ChunkState.SIZE_LINE
        self.remaining = 0  # bytes of the current chunk's data still to come
        self.lines = LineBuffer()  # a size line, CRLF or trailer line cut by the end of a read
        self.trailer_lines: list[bytes] = []
        self.trailer_bytes = 0  # the size of the trailer section so far

    @property
    def pending(self) -> int:
        return len(self.lines.pending)

    def read(self, data: bytes, events: list[Event]) -> bytes | None:
        view = memoryview(data)
        body: list[memoryview] = []
        rest = None
        position = 0
        while position < len(data) and rest is None:
            if self.state is ChunkState.SIZE_LINE:
                if self.use_fast_path and not self.lines.pending:
                    position = whole_chunks(data, position, view, body)
                    if position == len(data):
                        break
                line = self.lines.take(
                    data, position, CRLF, MAX_CHUNK_LINE_BYTES + len(CRLF), _LONG_CHUNK_LINE
                )
                if line is None:
                    break
                size_line, position = line
                self.remaining = chunk_size(size_line)
                # last-chunk (a size of 0): the trailer section follows.
                self.state = ChunkState.DATA if self.remaining else ChunkState.TRAILERS
            elif self.state is ChunkState.DATA:
                taken = min(self.remaining, len(data) - position)
                body.append(view[position : position + taken])
                position += taken
                self.remaining -= taken
                if not self.remaining:
                    self.state = ChunkState.DATA_END
            elif self.state is ChunkState.DATA_END:
                # The data is followed by exactly CRLF: an empty line at most 2 bytes long.
                # Skipping "any two bytes" instead is how lenient parsers get desynchronised.
                line = self.lines.take(data, position, CRLF, 2, "chunk data not followed by CRLF")
                if line is None:
                    break
                position = line[1]
                self.state = ChunkState.SIZE_LINE
            else:  # ChunkState.TRAILERS: field lines, then an empty line (§7.1.2)
                line = self.lines.take(
                    data, position, CRLF, MAX_HEADER_BYTES - self.trailer_bytes, _LONG_TRAILERS
                )
                if line is None:
                    break
                field_line, position = line
                self.trailer_bytes += len(field_line) + len(CRLF)
                if field_line:
                    self.trailer_lines.append(field_line)
                else:
                    rest = data[position:]
        if body:
            events.append(Data(b"".join(body)))
        if rest is not None:
            # Trailers never change the framing: they are only handed on (§7.1.2).
            events.append(End(parse_fields(self.trailer_lines, "trailer")))
        return rest

    def read_eof(self, events: list[Event]) -> None:
        raise ProtocolError("connection closed in the middle of a chunked body")


_LONG_CHUNK_LINE = f"chunk-size line longer than {MAX_CHUNK_LINE_BYTES} bytes"
_LONG_TRAILERS = f"trailer section larger than {MAX_HEADER_BYTES} bytes"


# The fast path. Why it exists: with one small chunk per line of a log, the reader above spends
# about 2.5 µs a chunk, which leaves rawdock under 2x h11 where its guard-rail asks for 3x
# (docs/benchmarks.md, "Readable core: what it costs"). This loop takes only what needs no
# decision: a size line of hex digits alone, its data and the CRLF after it, all in `data`.
# Anything else (an extension, a cut, the last chunk, an error) stops it, and `read` takes the
# next step the plain way, so that errors and limits live in one place only.
_HEX_DIGITS = b"0123456789ABCDEFabcdef"


def whole_chunks(data: bytes, position: int, view: memoryview, body: list[memoryview]) -> int:
    """Add to `body` the data of the whole chunks with a plain size line from `position` on;
    return the position of the first byte not taken: a size line `read` must take itself."""
    while True:
        # At most MAX_CHUNK_SIZE_DIGITS digits: a longer line (leading zeros, say) is read's.
        line_end = data.find(CRLF, position, position + MAX_CHUNK_SIZE_DIGITS + len(CRLF))
        if line_end < 0:
            return position
        digits = data[position:line_end]
        if not digits or digits.translate(None, _HEX_DIGITS):  # not hex digits alone
            return position
        size = int(digits, 16)
        data_start = line_end + len(CRLF)
        data_end = data_start + size
        if size == 0 or not data.startswith(CRLF, data_end):
            return position  # the last chunk, or a chunk not all here
        body.append(view[data_start:data_end])
        position = data_end + len(CRLF)


#: The reader of each framing, made from the length the head gave (only one uses it).
READERS: dict[Framing, Callable[[int], BodyReader]] = {
    Framing.CONTENT_LENGTH: LengthReader,
    Framing.CHUNKED: lambda length: ChunkedReader(),
    Framing.UNTIL_EOF: lambda length: UntilEOFReader(),
}


# --- The parser -------------------------------------------------------------------------------


class State(Enum):
    """What a `ResponseParser` expects next."""

    HEAD = "the status line and header fields"
    BODY = "the body, read by the reader its framing chose"
    DONE = "nothing: the response is complete; later bytes are kept in `trailing`"
    FAILED = "nothing: the bytes broke the rules, and the connection is of no further use"


_HTTP_NAME = b"HTTP/"


class ResponseParser:
    """Turns the bytes of one HTTP/1.1 response into `Head`, `Data`... and `End` events.

    Feed it with `feed(data)` as bytes arrive and `feed_eof()` when the peer closes. It emits
    exactly one `Head` and one `End` per response; 1xx interim responses are skipped. After a
    101 (Switching Protocols: how Docker hijacks a connection for attach and exec) or after
    `End`, any further bytes are kept in `trailing`: they belong to whatever comes next.

    `request_method` is the method of the request this answers: a response to HEAD has no body.
    Any violation of the framing rules raises `ProtocolError`, as does an EOF before the
    response is complete, so that a truncated body is never mistaken for a whole one."""

    def __init__(self, request_method: str = "GET") -> None:
        self.request_method = request_method.upper()
        self.state = State.HEAD
        #: The Head event, once the head has been read.
        self.head: Head | None = None
        #: False when the connection cannot carry another response after this one.
        self.keep_alive = True
        #: Bytes received after the response ended (or after a 101 switched protocols).
        self.trailing = b""
        #: Whether any byte arrived: a kept-alive connection closed before answering anything
        #: is one the server had already given up, and the request may be sent again.
        self.received_any = False
        self._head_lines = LineBuffer()  # a header section cut by the end of a read
        self._reader: BodyReader | None = None  # the body's reader, once the head has come

    @property
    def done(self) -> bool:
        """The response is complete."""
        return self.state is State.DONE

    @property
    def reusable(self) -> bool:
        """The response is complete and the connection may carry another (RFC 9112 §9.3): no
        close, and nothing unasked-for came after it (or after a 101)."""
        return self.state is State.DONE and self.keep_alive and not self.trailing

    @property
    def buffered(self) -> int:
        """How many bytes wait for the rest of their line or section: never more than the
        limits (limits.py) allow, plus the piece just fed."""
        reader = self._reader
        return len(self._head_lines.pending) + (reader.pending if reader else 0)

    def feed(self, data: bytes) -> list[Event]:
        """Add bytes from the peer; return the events they complete (possibly none).

        On bytes that break the rules it raises `ProtocolError`, and the events this call
        had completed before them are not returned (as h11 delivers nothing past an error):
        the connection is unusable, and the caller, which must close it, could not tell a
        body that stops there from a complete one. Every later `feed` raises again."""
        if self.state is State.FAILED:
            raise ProtocolError("the response was already refused")
        if not data:
            return []
        data = bytes(data)  # a bytearray or memoryview: copied once, then sliced freely
        self.received_any = True
        events: list[Event] = []
        try:
            # Each turn reads what the state expects and hands on the bytes after it: a 1xx
            # head may be followed by the final one, the response by bytes nobody asked for.
            while data:
                if self.state is State.HEAD:
                    data = self._read_head(data, events)
                elif self.state is State.BODY:
                    data = self._read_body(data, events)
                else:  # State.DONE
                    self.trailing += data
                    break
        except ProtocolError:
            self.state = State.FAILED
            raise
        return events

    def feed_eof(self) -> list[Event]:
        """The peer closed the connection. Returns the final events (the `End` of a body that
        runs until EOF), or raises `ProtocolError` if the response is incomplete."""
        self.keep_alive = False
        if self.state is State.DONE:
            return []
        events: list[Event] = []
        try:
            if self.state is State.FAILED:
                raise ProtocolError("the response was already refused")
            if self.state is State.HEAD:
                if not self.received_any:
                    raise ProtocolError("connection closed before any response was received")
                raise ProtocolError("connection closed in the middle of the response head")
            assert self._reader is not None  # State.BODY always has one
            self._reader.read_eof(events)
        except ProtocolError:
            self.state = State.FAILED
            raise
        self.state = State.DONE
        return events

    def _read_head(self, data: bytes, events: list[Event]) -> bytes:
        """Read the head if it is complete; return the bytes after it."""
        self._check_first_bytes(data)
        section = self._head_lines.take(
            data,
            0,
            CRLF + CRLF,
            MAX_HEADER_BYTES,
            f"header section larger than {MAX_HEADER_BYTES} bytes",
        )
        if section is None:
            return b""
        head, end = section
        minor, status, reason, headers = parse_head(head)
        if 100 <= status < 200 and status != 101:
            return data[end:]  # interim (RFC 9110 §15.2): the final response follows
        self.head = Head(status, reason, headers)
        events.append(self.head)
        if status == 101:
            # Switching Protocols (RFC 9110 §15.2.2): HTTP ends with this head; the bytes
            # after it belong to the new protocol (Docker's attach stream), in `trailing`.
            self.keep_alive = False
            self._finish(events)
            return data[end:]
        # Persistence (RFC 9112 §9.3): HTTP/1.1 keeps the connection unless "close" is
        # listed; HTTP/1.0 is not trusted to keep it, even if it says keep-alive.
        connection = [option.lower() for option in headers.get_list("connection")]
        if minor == 0 or "close" in connection:
            self.keep_alive = False
        if "transfer-encoding" in headers and "content-length" in headers:
            # Both: a smuggling smell (§6.3 rule 3). Read by Transfer-Encoding, never reuse.
            self.keep_alive = False
        framing, length = framing_of(status, headers, self.request_method)
        if framing is Framing.NO_BODY:
            self._finish(events)
        else:
            if framing is Framing.UNTIL_EOF:
                self.keep_alive = False  # the close is the end of the body
            self._reader = READERS[framing](length)
            self.state = State.BODY
        return data[end:]

    def _check_first_bytes(self, data: bytes) -> None:
        # A response starts with "HTTP/" (RFC 9112 §4). Checking the first bytes as they come
        # fails at once on a peer that speaks something else (an SSH banner, a TLS alert)
        # instead of waiting for a blank line that may never come.
        pending = self._head_lines.pending
        if len(pending) < len(_HTTP_NAME):
            first = (bytes(pending) + data[: len(_HTTP_NAME)])[: len(_HTTP_NAME)]
            if not _HTTP_NAME.startswith(first):
                raise ProtocolError(
                    f"invalid status line: not an HTTP response, starts with {first!r}"
                )

    def _read_body(self, data: bytes, events: list[Event]) -> bytes:
        """Hand body bytes to the reader; return the bytes after the body, if it ended."""
        assert self._reader is not None  # State.BODY always has one
        rest = self._reader.read(data, events)
        if rest is None:
            return b""
        self.state = State.DONE
        return rest

    def _finish(self, events: list[Event]) -> None:
        self.state = State.DONE
        events.append(End(Headers()))
