"""HTTP/1.1 on the wire, sans-IO: request bytes out, response events in.

Nothing here touches a socket or a clock. You hand `build_request` what you want to send and get
bytes back; you `feed` a `ResponseParser` whatever bytes arrived and get events back:

    >>> parser = ResponseParser()
    >>> for event in parser.feed(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nOK"):
    ...     print(event)
    Head(status=200, reason='OK', headers=Headers([('Content-Length', '2')]))
    Data(data=b'OK')
    End(trailers=Headers([]))

The same bytes give the same events however they are split across `feed` calls: whole, one byte
at a time, or cut anywhere. Section numbers refer to RFC 9112 (HTTP/1.1 message syntax) and
RFC 9110 (HTTP semantics). See also ../shared notes/http-framing.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping

from ._typing import Any, TypeVar
from .errors import InvalidArgument, ProtocolError

__all__ = [
    "Headers",
    "Head",
    "Data",
    "End",
    "Event",
    "ResponseParser",
    "body_of",
    "build_request",
    "chunked",
    "UPGRADE_TO_TCP",
    "target",
    "quote",
    "MAX_HEADER_BYTES",
    "MAX_CHUNK_LINE_BYTES",
    "MAX_CHUNK_SIZE_DIGITS",
    "MAX_CONTENT_LENGTH_DIGITS",
]

# --- Limits -----------------------------------------------------------------------------------
# Enforced while bytes arrive, so a hostile peer cannot make us buffer without bound.

#: The whole header section (status line + fields), and separately the trailer section.
#: http.client allows 64 KiB per line; Docker's heads are a few hundred bytes.
MAX_HEADER_BYTES = 64 * 1024
#: One chunk-size line, extensions included (RFC 9112 §7.1.1). Go sends "<hex>\r\n" only.
MAX_CHUNK_LINE_BYTES = 1024
#: 16 hex digits is 2**64 - 1: more cannot be a real size and would only be a smuggling attempt.
MAX_CHUNK_SIZE_DIGITS = 16
#: 19 decimal digits reach 10**19 - 1, past 2**63: the largest length any peer can mean.
MAX_CONTENT_LENGTH_DIGITS = 19


# --- Grammar (RFC 9110 §5.6.2, RFC 9112 §4, §5, §7.1) -----------------------------------------
# Short rules are checked with bytes methods. A whole head is matched against two regular
# expressions (see _STATUS_LINE below), compiled at the first response rather than at import.

# token = 1*tchar; tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_"
#                          / "`" / "|" / "~" / DIGIT / ALPHA
_TCHAR = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_HEXDIG = b"0123456789ABCDEFabcdef"
_HTTP_NAME = b"HTTP/"


def _is_token(data: bytes) -> bool:
    # translate(None, delete) drops every tchar: a token is non-empty and leaves nothing behind.
    return bool(data) and not data.translate(None, _TCHAR)


def _has_ctl(line: bytes) -> bool:
    """CR, LF or NUL inside a line: how a line is ended early or a field smuggled in."""
    return b"\r" in line or b"\n" in line or b"\x00" in line


class Headers:
    """Header (or trailer) fields: ordered (name, value) pairs of str, duplicates kept.

    Lookup by name is case-insensitive (RFC 9110 §5.1). Values are decoded as latin-1, so any
    byte the peer sent survives (RFC 9110 §5.5: obs-text)."""

    __slots__ = ("_fields", "_names", "_section", "_lowered")

    def __init__(self, fields: Iterable[tuple[str, str]] = ()) -> None:
        self._fields: list[tuple[str, str]] | None = list(fields)
        # Names lowered once here, not on every lookup.
        self._names = [key.lower() for key, _ in self._fields]
        self._section = self._lowered = b""

    @classmethod
    def _checked(cls, section: bytes) -> Headers:
        """The parser's constructor, from a section of plain "name: value" lines it has checked
        against the grammar. They are split into fields only when something asks for them all:
        a response is read for its body, and splitting a dozen fields costs as much as the rest
        of the parse. A lookup by name searches the section instead (_search)."""
        headers = cls.__new__(cls)
        headers._fields, headers._names, headers._section = None, [], section
        # CRLF first, so that every field, the first too, is found as "\r\n<name>:".
        headers._lowered = b"\r\n" + section.lower()
        return headers

    def _split(self) -> list[tuple[str, str]]:
        fields = self._fields
        if fields is None:
            text = self._section.decode("latin-1")
            names, _, values = zip(
                *[line.partition(":") for line in text.split("\r\n")], strict=True
            )
            # One lower() for all the names: they are ASCII tokens, and "\n" is in none.
            self._names = "\n".join(names).lower().split("\n")
            fields = self._fields = list(
                zip(names, [value.strip(" \t") for value in values], strict=True)
            )
        return fields

    def _search(self, key: bytes) -> list[str]:
        """The values of the fields whose line starts with `key` (CRLF, the name lowered, ":")
        in a section not yet split."""
        lowered, section = self._lowered, self._section
        values = []
        at = lowered.find(key)
        while at >= 0:
            start = at + len(key) - 2  # the lowered copy has the CRLF in front
            end = section.find(b"\r\n", start)
            value = section[start:] if end < 0 else section[start:end]
            values.append(value.strip(b" \t").decode("latin-1"))
            at = lowered.find(key, at + 1)
        return values

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of `name`, or `default`."""
        values = self.get_all(name)
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        """Every value of `name`, in the order received."""
        name = name.lower()
        if self._fields is None:
            key = b"\r\n" + name.encode("latin-1", "replace") + b":"
            if key not in self._lowered:  # most lookups, the parser's among them
                return []
            # A name that is not a token cannot match, and would confuse the search.
            return self._search(key) if _is_token(key[2:-1]) else []
        if name not in self._names:
            return []
        return [
            value for key, (_, value) in zip(self._names, self._fields, strict=True) if key == name
        ]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._split())

    def __len__(self) -> int:
        return len(self._split())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and self._split() == other._split()

    def __repr__(self) -> str:
        return f"Headers({self._split()!r})"


# --- Events -----------------------------------------------------------------------------------
# Small frozen classes, as @dataclass(frozen=True) would make them, written out: importing
# dataclasses (it pulls in inspect and ast) and the code it generates for each class cost more
# import time than all the rest of rawdock. The other modules' value classes use _Frozen too.


_F = TypeVar("_F", bound="_Frozen")


class _Frozen:
    """An immutable value: its fields are its __slots__; compared, hashed and shown by value.
    Subclasses set their fields with object.__setattr__ in __init__ and may hide some from
    repr() in `_hidden` (long bytes, functions)."""

    __slots__: tuple[str, ...] = ()
    _hidden: tuple[str, ...] = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is frozen")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = (name for name in self.__slots__ if name not in self._hidden)
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__name__}({fields})"

    def _replace(self: _F, **changes: Any) -> _F:
        """A copy with some fields changed (the constructor takes the fields by name)."""
        values = {name: getattr(self, name) for name in self.__slots__}
        return type(self)(**{**values, **changes})


class Head(_Frozen):
    """The status line and header fields: the first event of every response."""

    __slots__ = ("status", "reason", "headers")
    status: int
    reason: str
    headers: Headers

    def __init__(self, status: int, reason: str, headers: Headers) -> None:
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "headers", headers)


class Data(_Frozen):
    """A piece of the body, with chunked framing already removed. Never empty. Pieces do not
    follow the chunks: every body byte that one `feed` completes comes out as one `Data`."""

    __slots__ = ("data",)
    data: bytes

    def __init__(self, data: bytes) -> None:
        object.__setattr__(self, "data", data)


class End(_Frozen):
    """The response is complete. `trailers` are the fields after a chunked body (usually none)."""

    __slots__ = ("trailers",)
    trailers: Headers

    def __init__(self, trailers: Headers) -> None:
        object.__setattr__(self, "trailers", trailers)


Event = Head | Data | End

_NO_FIELDS = Headers()  # Headers are never changed once made: one empty set serves everyone
_END = End(_NO_FIELDS)  # the End of every response without trailers (all of Docker's)


def body_of(events: list[Event]) -> tuple[bytes, bool]:
    """The body bytes among `events` (what one `feed` returned), joined, and whether the
    response ended there. How a transport turns events into the pieces of a body."""
    pieces = [event.data for event in events if type(event) is Data]
    data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
    return data, bool(events) and type(events[-1]) is End  # End is always the last event


# --- Building requests (RFC 9112 §3) ----------------------------------------------------------


#: The fields that ask the daemon to hijack the connection (attach, exec start): once it answers
#: `101 UPGRADED`, the socket carries raw bytes both ways (RFC 9110 §7.8 Upgrade, §15.2.2 101).
#: "tcp" is Docker's own protocol name, not a registered one; the daemon only checks the field
#: is there (without it, it answers 200 and hijacks anyway).
UPGRADE_TO_TCP = (("Connection", "Upgrade"), ("Upgrade", "tcp"))


def build_request(
    method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes = b""
) -> bytes:
    """The bytes of one request: request line, header fields, blank line, body.

    Adds `Content-Length` when there is a body and the caller gave none (RFC 9112 §6.2).
    Raises `ValueError` for CR, LF or NUL anywhere in the method, target, names or values, and
    for a space or other control in the target: no caller input can end a line early, add a
    field, or start a second request on the same connection."""
    if not _is_token(method.encode("latin-1", "replace")):
        raise ValueError(f"invalid HTTP method {method!r}")
    # request-target in origin-form (§3.2.1): a path starting with "/", no spaces or controls.
    # Whitespace and controls (C0 and DEL): some parsers split the request line on any of them.
    # (isprintable() is False for every C0 control and DEL; the space is checked apart.)
    if not target.startswith("/") or not target.isprintable() or " " in target:
        raise ValueError(f"invalid request target {target!r}")
    fields = list(headers)
    names = [name for name, _ in fields]
    block = "".join([f"{name}: {value}\r\n" for name, value in fields])
    # Every name a token and no CR, LF or NUL in any value, checked once over all the fields at
    # C speed (a request is built for every call); _check_fields finds the culprit to name it.
    if (
        not all(names)
        or "".join(names).encode("latin-1", "replace").translate(None, _TCHAR)
        or block.count("\r") != len(fields)
        or block.count("\n") != len(fields)
        or "\0" in block
    ):
        _check_fields(fields)
    if body and "content-length" not in [name.lower() for name in names]:
        block += f"Content-Length: {len(body)}\r\n"
    # latin-1 is HTTP's historical field encoding; a character outside it raises
    # UnicodeEncodeError, itself a ValueError.
    return f"{method} {target} HTTP/1.1\r\n{block}\r\n".encode("latin-1") + body


def chunked(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """A body of unknown length framed as chunks (RFC 9112 §7.1): each non-empty piece as
    `size-in-hex CRLF data CRLF`, then the last chunk `0 CRLF CRLF` (no trailers). An empty
    piece is skipped, since a chunk of size 0 would end the body."""
    for piece in pieces:
        if piece:
            yield b"%x\r\n%b\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


#: Fields whose values are credentials: an error names the field, never shows the value.
_SECRET_FIELDS = frozenset({"authorization", "x-registry-auth", "x-registry-config"})


def _check_fields(fields: list[tuple[str, str]]) -> None:
    for name, value in fields:
        if not _is_token(name.encode("latin-1", "replace")):
            raise ValueError(f"invalid header name {name!r}")
        if _has_ctl(value.encode("latin-1", "replace")):
            shown = "<redacted>" if name.lower() in _SECRET_FIELDS else repr(value)
            raise ValueError(f"invalid value for header {name}: {shown}")


# --- Building targets from caller input (RFC 3986 §2-3) ---------------------------------------

# Unreserved characters never need encoding (RFC 3986 §2.3).
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
# In a path segment ":" and "@" are allowed too (pchar, §3.3): they keep image references such
# as "busybox:latest" readable in a trace.
_SEGMENT_SAFE = _UNRESERVED + b":@"
QueryValue = str | int | bool | None | Mapping[str, Any] | list[Any]


def quote(text: str, safe: bytes = _UNRESERVED) -> str:
    """Percent-encode every UTF-8 byte of `text` outside `safe`."""
    raw = text.encode("utf-8")
    if not raw.translate(None, safe):  # nothing to encode: most names, ids and numbers
        return text
    return "".join(chr(b) if b in safe else f"%{b:02X}" for b in raw)


def _query_value(value: QueryValue) -> str:
    # Docker reads booleans as "anything but '', 0, no, false, none"; send 1/0 to be unambiguous.
    # Filters and other structured values go as JSON (engine-api.md).
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list, Mapping)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def target(template: str, *segments: str, query: Mapping[str, QueryValue] | None = None) -> str:
    """The one way a request target is built from caller input.

    `template` is the endpoint's path with `{}` where each segment goes; every segment is
    percent-encoded (a "/" inside an image name becomes %2F), and query values are encoded with
    None values dropped:

        >>> target("/containers/{}/stop", "web", query={"t": 5, "signal": None})
        '/containers/web/stop?t=5'
        >>> target("/containers/{}/json", "../images/json?x")
        Traceback (most recent call last):
        ...
        rawdock.errors.InvalidArgument: path segment '../images/json?x' has a '.' or '..' part

    Empty segments and "."/".." parts are refused: the daemon's router decodes %2F back to "/"
    and would then resolve dot-segments, reaching another endpoint."""
    encoded = []
    for segment in segments:
        if not isinstance(segment, str) or not segment:
            raise InvalidArgument(f"path segment must be a non-empty string, not {segment!r}")
        if any(part in (".", "..") for part in segment.split("/")):
            raise InvalidArgument(f"path segment {segment!r} has a '.' or '..' part")
        encoded.append(quote(segment, _SEGMENT_SAFE))
    path = template.format(*encoded)
    if query:
        pairs = [
            f"{quote(str(key))}={quote(_query_value(value))}"
            for key, value in query.items()
            if value is not None
        ]
        if pairs:
            path += "?" + "&".join(pairs)
    return path


# --- Parsing responses ------------------------------------------------------------------------

# Parser states. Each names what the next bytes are.
_HEAD = "head"  # status line and fields
_LENGTH = "length"  # a body of known Content-Length
_CHUNK_SIZE_LINE = "chunk-size"  # "1a2b;ext\r\n"
_CHUNK_DATA = "chunk-data"  # the chunk's bytes
_CHUNK_CRLF = "chunk-crlf"  # the CRLF that must follow the data
_TRAILERS = "trailers"  # fields after the last chunk, then a blank line
_UNTIL_EOF = "until-eof"  # no framing: the body ends when the connection does
_DONE = "done"
_BODY_STATES = frozenset({_LENGTH, _UNTIL_EOF, _CHUNK_SIZE_LINE, _CHUNK_DATA, _CHUNK_CRLF})


class ResponseParser:
    """Turns the bytes of one HTTP/1.1 response into `Head`, `Data`... and `End` events.

    Feed it with `feed(data)` as bytes arrive and `feed_eof()` when the peer closes. It emits
    exactly one `Head` and one `End` per response; 1xx interim responses are skipped. After a 101
    (Switching Protocols, how Docker hijacks a connection for attach and exec) or after `End`,
    any further bytes are kept in `trailing`: they belong to whatever comes next.

    Any violation of the framing rules raises `ProtocolError`, as does an EOF before the
    response is complete, so a truncated body is never mistaken for a whole one."""

    def __init__(self, request_method: str = "GET") -> None:
        self._head_only = request_method.upper() == "HEAD"
        self._state = _HEAD
        self._buf = bytearray()  # bytes received but not yet turned into events
        self._scanned = 0  # how much of _buf is known to hold no end of section
        self._remaining = 0  # body or chunk bytes still expected
        self.head: Head | None = None
        #: False when the connection cannot carry another response after this one.
        self.keep_alive = True
        #: Bytes received after the response ended (or after a 101 switched protocols).
        self.trailing = b""
        self.received_any = False

    @property
    def done(self) -> bool:
        return self._state is _DONE

    @property
    def reusable(self) -> bool:
        """The response is complete and the connection may carry another (RFC 9112 §9.3): no
        close, and nothing unasked-for came after it (or after a 101)."""
        return self._state is _DONE and self.keep_alive and not self.trailing

    def feed(self, data: bytes) -> list[Event]:
        """Add bytes from the peer; return the events they complete (possibly none)."""
        if not data:
            return []
        if type(data) is not bytes:  # a bytearray or memoryview: slices of bytes are cheaper
            data = bytes(data)
        self.received_any = True
        events: list[Event] = []
        # Each turn reads what the state expects and hands on the bytes after it: a response
        # may end and bytes follow it, a 1xx head may be followed by the final one.
        while data:
            state = self._state
            if state is _HEAD:
                data = self._read_head(data, events)
            elif state is _DONE:
                self.trailing += data
                break
            elif state is _TRAILERS:
                data = self._read_trailers(data, events)
            else:
                if self._buf:  # only a chunk-size line or CRLF cut by the last feed waits there
                    data = bytes(self._buf) + data
                    self._buf.clear()
                data = self._read_body(data, events)
        return events

    def feed_eof(self) -> list[Event]:
        """The peer closed the connection. Returns the final events or raises `ProtocolError`."""
        self.keep_alive = False
        if self._state is _DONE:
            return []
        if self._state is _UNTIL_EOF:
            # §6.3 rule 8: with no framing, the close is the end of the body.
            self._state = _DONE
            return [_END]
        if self._state is _HEAD:
            if not self.received_any:
                raise ProtocolError("connection closed before any response was received")
            raise ProtocolError("connection closed in the middle of the response head")
        if self._state is _LENGTH:
            raise ProtocolError(
                f"connection closed with {self._remaining} bytes of the body still to come"
            )
        raise ProtocolError("connection closed in the middle of a chunked body")

    def _read_body(self, data: bytes, events: list[Event]) -> bytes:
        """Turn body bytes into Data. Returns the bytes after the end of the body, if it ended
        (trailers, or what follows the response); b"" otherwise."""
        if self._state is _UNTIL_EOF:
            events.append(Data(data))
            return b""
        if self._state is _LENGTH:
            take = min(self._remaining, len(data))
            events.append(Data(data[:take]))  # the slice of a whole bytes object is itself
            self._remaining -= take
            if self._remaining:
                return b""
            self._finish(events)
            return data[take:]
        return self._read_chunked(data, events)

    def _read_chunked(self, data: bytes, events: list[Event]) -> bytes:
        # chunked-body = *chunk last-chunk trailer-section CRLF
        # chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF   (§7.1)
        # Why it is shaped this way: Docker sends a log or progress stream as one small chunk per
        # line, so a read holds hundreds of chunks and the work per chunk is what counts. One
        # pass walks an offset through the bytes (no `del buf[:n]`, which moves everything after
        # n, per chunk), and the data of all the chunks is joined from memoryview slices into a
        # single Data: one copy, one event, however many chunks the read held.
        view = memoryview(data)
        pieces: list[memoryview] = []
        state, remaining = self._state, self._remaining
        pos, size = 0, len(data)
        # Each turn of the loop reads at most one size line, its data and the CRLF after it, in
        # that order; a read may begin or end in any of the three.
        while pos < size:
            if state is _CHUNK_SIZE_LINE:
                end = data.find(b"\r\n", pos, pos + MAX_CHUNK_LINE_BYTES + 2)
                if end < 0:
                    # A line of exactly the limit may still be waiting for the LF after its CR.
                    if size - pos > MAX_CHUNK_LINE_BYTES + (data[size - 1 : size] == b"\r"):
                        raise ProtocolError(
                            f"chunk-size line longer than {MAX_CHUNK_LINE_BYTES} bytes"
                        )
                    break  # the rest of the line is in the next read
                line = data[pos:end]
                if 0 < len(line) <= MAX_CHUNK_SIZE_DIGITS and not line.translate(None, _HEXDIG):
                    remaining = int(line, 16)  # hex digits only: the usual line, all Docker sends
                else:
                    remaining = _chunk_size(line)
                if not remaining:  # last-chunk: the trailer section follows.
                    # Its CRLF is left in place: the trailer section then ends in CRLF CRLF like
                    # the head, with no fields (all Docker sends) or some, and one reader cuts
                    # both.
                    pos = end
                    state = _TRAILERS
                    break
                pos = end + 2
                stop = pos + remaining
                if data.startswith(b"\r\n", stop):
                    # The whole chunk and its CRLF are here: the common case, in one step.
                    pieces.append(view[pos:stop])
                    pos = stop + 2
                    continue
                state = _CHUNK_DATA
            if state is _CHUNK_DATA:
                take = min(remaining, size - pos)
                if take:
                    pieces.append(view[pos : pos + take])
                pos += take
                remaining -= take
                if remaining:
                    break  # the rest of the chunk is in the next read
                state = _CHUNK_CRLF
            # _CHUNK_CRLF. §7.1: the data is followed by exactly CRLF. Skipping "any two bytes"
            # instead is how lenient parsers get desynchronised.
            if data.startswith(b"\r\n", pos):
                pos += 2
                state = _CHUNK_SIZE_LINE
            elif size - pos >= 2 or data[pos:] not in (b"", b"\r"):
                raise ProtocolError("chunk data not followed by CRLF")
            else:
                break  # the CRLF, or its LF, is in the next read
        self._state, self._remaining = state, remaining
        if pieces:
            events.append(Data(b"".join(pieces)))
        if state is _TRAILERS:
            return data[pos:]
        self._buf += view[pos:]  # an incomplete chunk-size line or CRLF, or nothing
        return b""

    def _take_section(self, data: bytes, what: str) -> tuple[bytes, bytes] | None:
        """Cut a section (field lines up to an empty line) from the bytes received: (the
        section, the bytes after it), or None when its end has not arrived yet; the bytes then
        wait in the buffer for the next feed. Enforces MAX_HEADER_BYTES as bytes arrive."""
        buf = self._buf
        if buf:  # the section began in an earlier feed: only the new bytes need scanning
            buf += data
            end = buf.find(b"\r\n\r\n", max(0, self._scanned - 3))
        else:  # the usual case: a whole head in one read, cut without copying it to the buffer
            end = data.find(b"\r\n\r\n", 0, MAX_HEADER_BYTES)
        if end < 0:
            if len(buf or data) > MAX_HEADER_BYTES:
                raise ProtocolError(f"{what} section larger than {MAX_HEADER_BYTES} bytes")
            if not buf:
                buf += data
            self._scanned = len(buf)
            return None
        if end + 4 > MAX_HEADER_BYTES:
            raise ProtocolError(f"{what} section larger than {MAX_HEADER_BYTES} bytes")
        if not buf:
            return data[:end], data[end + 4 :]
        section, rest = bytes(buf[:end]), bytes(buf[end + 4 :])
        buf.clear()
        self._scanned = 0
        return section, rest

    def _read_head(self, data: bytes, events: list[Event]) -> bytes:
        """Parse the head if it is complete; return the bytes after it."""
        # A response starts with "HTTP/" (RFC 9112 §4). Checking the first bytes as they come
        # fails at once on a peer that speaks something else (an SSH banner, a TLS alert)
        # instead of waiting for a blank line that may never come.
        if self._buf or not data.startswith(_HTTP_NAME):  # (the usual head: one check, passed)
            start = (bytes(self._buf[:5]) + data[:5] if self._buf else data)[:5]
            if not _HTTP_NAME.startswith(start):
                message = f"not an HTTP response, starts with {start!r}"
                raise ProtocolError(f"invalid status line: {message}")
        cut = self._take_section(data, "header")
        if cut is None:
            return b""
        section, rest = cut
        status_line, _, fields = section.partition(b"\r\n")
        minor, status, reason = _parse_status_line(status_line)
        headers = _parse_fields(fields, "header")
        if 100 <= status < 200:
            if status == 101:
                # Switching Protocols: HTTP ends here; the rest belongs to the new protocol.
                self.head = Head(101, reason, headers)
                self.keep_alive = False
                events += [self.head, _END]
                self._state = _DONE
            # §4: other interim responses precede the final one; skip them.
            return rest
        self.head = Head(status, reason, headers)
        events.append(self.head)
        if minor == b"0" or _has_token(headers, "connection", "close"):
            self.keep_alive = False
        self._choose_framing(status, headers, events)
        return rest

    def _choose_framing(self, status: int, headers: Headers, events: list[Event]) -> None:
        # RFC 9112 §6.3, in its order.
        if self._head_only or status in (204, 304):  # rule 1
            self._finish(events)
            return
        lowered = headers._lowered  # b"" unless the section is plain lines, checked, unsplit
        if lowered and b"\r\ntransfer-encoding:" not in lowered:
            # Fast path for what nearly every response is: plain fields, no Transfer-Encoding,
            # at most one Content-Length, read straight from the section. Anything else takes
            # the general path below, which this must agree with.
            at = lowered.find(b"\r\ncontent-length:")
            if at < 0:
                self._until_eof()  # rule 8, as below
                return
            if lowered.find(b"\r\ncontent-length:", at + 1) < 0:
                end = lowered.find(b"\r\n", at + 2)
                digits = lowered[at + 17 : None if end < 0 else end].strip(b" \t")
                if digits.isdigit() and len(digits) <= MAX_CONTENT_LENGTH_DIGITS:
                    self._expect_length(int(digits), events)
                    return
        codings = headers.get_all("transfer-encoding")
        lengths = headers.get_all("content-length")
        if codings:  # rule 4 (Transfer-Encoding overrides Content-Length)
            if lengths:
                # A message with both is a smuggling smell (§6.3 rule 3): read it by
                # Transfer-Encoding, then never reuse the connection.
                self.keep_alive = False
            # Empty list elements are ignored (RFC 9110 §5.6.1): "chunked," ends in chunked.
            listed = [c.strip().lower() for c in ",".join(codings).split(",") if c.strip()]
            if listed[-1:] == ["chunked"]:
                self._state = _CHUNK_SIZE_LINE
            else:
                self._until_eof()
            return
        if lengths:  # rule 6
            values = {v.strip() for field in lengths for v in field.split(",")}
            if len(values) != 1:
                raise ProtocolError(f"conflicting Content-Length values {sorted(values)}")
            (value,) = values
            # Digits only: int() would also take "+3", "1_0", " 7" and non-ASCII digits.
            if not value.encode("latin-1").isdigit():  # bytes.isdigit(): ASCII digits only
                raise ProtocolError(f"invalid Content-Length {value!r}")
            if len(value) > MAX_CONTENT_LENGTH_DIGITS:
                raise ProtocolError(f"Content-Length {value[:40]!r}... is too long")
            self._expect_length(int(value), events)
            return
        self._until_eof()  # rule 8

    def _expect_length(self, length: int, events: list[Event]) -> None:
        self._remaining = length
        if length:
            self._state = _LENGTH
        else:
            self._finish(events)

    def _until_eof(self) -> None:
        # No framing at all, so the body runs until the server closes (§6.3 rule 8).
        self.keep_alive = False
        self._state = _UNTIL_EOF

    def _read_trailers(self, data: bytes, events: list[Event]) -> bytes:
        """Parse the trailer section if it is complete; return the bytes after it. It starts
        with the CRLF of the last-chunk line (see _read_chunked)."""
        cut = self._take_section(data, "trailer")
        if cut is None:
            return b""
        section, rest = cut
        self._state = _DONE
        events.append(End(_parse_fields(section[2:], "trailer")) if section else _END)
        return rest

    def _finish(self, events: list[Event]) -> None:
        self._state = _DONE
        events.append(_END)


# The grammar of a status line and of a section of plain field lines, as regular expressions.
# Matching them checks a whole head in two calls at C speed; a Python loop over its lines costs
# more than everything else a request does. They are compiled at the first response, not at
# import (compiling costs about 0.4 ms, a third of what importing all of rawdock costs).
#
#   status-line = HTTP-version SP status-code SP [ reason-phrase ]                (§4)
#   HTTP-version = "HTTP/1." DIGIT (case-sensitive, §2.3); status-code = 3DIGIT
#   (a missing SP before an empty reason is tolerated; reason: any byte but CR, LF, NUL)
_STATUS_LINE = rb"HTTP/1\.([0-9]) ([1-5][0-9][0-9])(?: ([^\r\n\x00]*))?"
#   field-line = field-name ":" OWS field-value OWS; field-name = token             (§5)
#   (no whitespace before the colon, §5.1; in a value, any byte but CR, LF, NUL)
_FIELD_LINE = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+:[^\r\n\x00]*"
_grammar: list[re.Pattern[bytes]] = []  # [status line, field section], compiled at first use


def _compiled() -> list[re.Pattern[bytes]]:
    if not _grammar:
        field_lines = _FIELD_LINE + rb"(?:\r\n" + _FIELD_LINE + rb")*"
        _grammar.extend([re.compile(_STATUS_LINE), re.compile(field_lines)])
    return _grammar


def _parse_status_line(line: bytes) -> tuple[bytes, int, str]:
    """(minor version digit, status code, reason phrase) of a status line, checked."""
    match = (_grammar or _compiled())[0].fullmatch(line)
    if match is None:
        raise ProtocolError(f"invalid status line {line[:80]!r}")
    minor, status, reason = match.groups()
    return minor, int(status), reason.decode("latin-1") if reason else ""


def _chunk_size(line: bytes) -> int:
    """The size from a chunk-size line (CRLF removed), checked; extensions are ignored."""
    # chunk-size [ chunk-ext ]; chunk-size = 1*HEXDIG; chunk-ext = *( BWS ";" BWS ext... )
    digits = line.partition(b";")[0].rstrip(b" \t")
    if not digits or digits.translate(None, _HEXDIG) or _has_ctl(line):
        raise ProtocolError(f"invalid chunk-size line {line[:80]!r}")
    if len(digits.lstrip(b"0")) > MAX_CHUNK_SIZE_DIGITS:
        raise ProtocolError(f"chunk size {digits[:40]!r}... is too large")
    return int(digits, 16)


def _parse_fields(section: bytes, what: str) -> Headers:
    """The fields of a section: its lines, CRLF between them, the blank line removed."""
    if not section:
        return _NO_FIELDS
    if (_grammar or _compiled())[1].fullmatch(
        section
    ):  # plain "name: value" lines, all Docker sends
        return Headers._checked(section)
    # Anything else, line by line: obs-fold, or an error to report with its line.
    fields: list[tuple[str, str]] = []
    for line in section.split(b"\r\n"):
        if b"\r" in line or b"\n" in line or b"\x00" in line:
            raise ProtocolError(f"bare CR, LF or NUL in {what} line {line[:80]!r}")
        if line[:1] in (b" ", b"\t"):
            # obs-fold (§5.2): a client replaces it with a space. It never starts a new field.
            if not fields:
                raise ProtocolError(f"{what} section starts with a continuation line")
            name, value = fields[-1]
            fields[-1] = (name, value + " " + _latin1(line.strip(b" \t")))
            continue
        field_name, colon, field_value = line.partition(b":")
        if not colon or not _is_token(field_name):
            raise ProtocolError(f"invalid {what} line {line[:80]!r}")
        fields.append((_latin1(field_name), _latin1(field_value.strip(b" \t"))))
    return Headers(fields)


def _has_token(headers: Headers, name: str, token: str) -> bool:
    """Whether a comma-separated field such as Connection lists `token` (case-insensitive)."""
    return any(
        part.strip().lower() == token
        for value in headers.get_all(name)
        for part in value.split(",")
    )


def _latin1(data: bytes | None) -> str:
    return data.decode("latin-1") if data else ""
