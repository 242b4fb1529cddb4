"""`--trace` and `--curl`: showing requests instead of (or as well as) running them.

`TraceFormatter` is the `trace=` hook of `rawdock.Client`: it sees every byte sent and received
and prints them readably, marking the chunk-size lines of chunked bodies (RFC 9112 §7.1).
`CurlClient` is a client whose executor prints the equivalent curl command of each call and
sends nothing: the endpoints are data, so it runs the very calls `rawdock.Client` would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..api import Call, Endpoints, StreamCall, SyncRunner
from ..transport import parse_host

if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["TraceFormatter", "CurlClient", "shell_word", "DEFAULT_CURL_API_VERSION"]

T = TypeVar("T")

#: How much of a body (or a piece of one) a trace shows before cutting it.
BODY_PREVIEW_BYTES = 160
#: A head longer than this is not HTTP we understand: stop parsing and show raw bytes.
MAX_TRACE_HEAD_BYTES = 64 * 1024

# --- --trace ----------------------------------------------------------------------------------

# What the receiving side expects next.
_HEAD = "head"
_LENGTH = "length"
_CHUNK_SIZE = "chunk-size"
_CHUNK_DATA = "chunk-data"
_CHUNK_CRLF = "chunk-crlf"
_TRAILERS = "trailers"
_RAW = "raw"  # until EOF, after a 101 upgrade, or after bytes we could not parse


def preview(data: bytes, limit: int = BODY_PREVIEW_BYTES) -> str:
    """Bytes as one readable line: UTF-8 text as is, control characters and invalid bytes
    escaped, cut after `limit` bytes, with the byte count."""
    shown = data[:limit].decode("utf-8", "backslashreplace")
    shown = "".join(
        char
        if char.isprintable() or char == " "
        else {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")
        for char in shown
    )
    cut = " …" if len(data) > limit else ""
    return f"{shown}{cut} [{len(data)} bytes]"


class TraceFormatter:
    """`trace(direction, data)` hook printing each request and response to `out`:

        > GET /v1.41/info HTTP/1.1          request line and fields, as sent
        > Host: docker
        >
        < HTTP/1.1 200 OK                   status line and fields, as received
        < Transfer-Encoding: chunked
        <
        < [chunk-size line "a3f" = 2623 bytes]
        < {"ID":"7TQJ:...  … [2623 bytes]   the body, cut, with its byte count
        < [chunk-size line "0" = last chunk]

    Responses arrive cut anywhere; a small state machine (the framing rules of RFC 9112 §6)
    finds where the head ends, where each chunk-size line is, and where the response ends,
    whichever way the bytes are split. It assumes what the CLI does: one request at a time."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._methods: list[str] = []  # methods of requests whose responses are still to come
        self._state = _HEAD
        self._buf = bytearray()
        self._remaining = 0
        self._no_body = False

    def __call__(self, direction: str, data: bytes) -> None:
        if direction == "send":
            self._sent(data)
        else:
            self._received(data)
        self.out.flush()

    def _line(self, mark: str, text: str) -> None:
        self.out.write(f"{mark} {text}".rstrip() + "\n")

    def _sent(self, data: bytes) -> None:
        head, sep, body = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        if lines and lines[0]:
            self._methods.append(lines[0].split(b" ", 1)[0].decode("latin-1"))
        for line in lines:
            self._line(">", line.decode("latin-1"))
        if sep:
            self._line(">", "")
        if body:
            self._line(">", preview(body))

    def _received(self, data: bytes) -> None:
        if not data:
            if self._state is _RAW:
                self._line("<", "[connection closed: end of body]")
            self._state = _HEAD
            self._buf.clear()
            return
        self._buf += data
        while self._buf and self._step():
            pass

    def _step(self) -> bool:
        """Consume what the state allows from the buffer; False when more bytes are needed."""
        buf = self._buf
        if self._state is _HEAD:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_TRACE_HEAD_BYTES:
                    self._state = _RAW
                    return True
                return False
            head = bytes(buf[:end])
            del buf[: end + 4]
            self._head(head)
            return True
        if self._state in (_LENGTH, _CHUNK_DATA):
            piece = bytes(buf[: self._remaining])
            del buf[: len(piece)]
            self._remaining -= len(piece)
            self._line("<", preview(piece))
            if not self._remaining:
                self._state = _HEAD if self._state is _LENGTH else _CHUNK_CRLF
            return True
        if self._state is _CHUNK_CRLF:
            if len(buf) < 2:
                return False
            del buf[:2]
            self._state = _CHUNK_SIZE
            return True
        if self._state in (_CHUNK_SIZE, _TRAILERS):
            end = buf.find(b"\r\n")
            if end < 0:
                return False
            line = bytes(buf[:end])
            del buf[: end + 2]
            if self._state is _TRAILERS:
                self._line("<", line.decode("latin-1"))
                if not line:
                    self._state = _HEAD
                return True
            return self._chunk_size(line)
        # _RAW: an upgraded stream, a body running to EOF, or bytes we could not frame.
        self._line("<", preview(bytes(buf)))
        buf.clear()
        return False

    def _chunk_size(self, line: bytes) -> bool:
        digits = line.split(b";", 1)[0].strip()
        try:
            size = int(digits, 16)
        except ValueError:
            self._line("<", f"[invalid chunk-size line {preview(line)}]")
            self._state = _RAW
            return True
        shown = line.decode("latin-1")
        if size:
            self._line("<", f'[chunk-size line "{shown}" = {size} bytes]')
            self._state, self._remaining = _CHUNK_DATA, size
        else:
            self._line("<", f'[chunk-size line "{shown}" = last chunk]')
            self._state = _TRAILERS
        return True

    def _head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        for line in lines:
            self._line("<", line.decode("latin-1"))
        self._line("<", "")
        match = re.match(rb"HTTP/1\.[01] ([0-9]{3})", lines[0])
        status = int(match.group(1)) if match else 0
        if 100 <= status < 200 and status != 101:
            return  # an interim response: the real head follows
        method = self._methods.pop(0) if self._methods else "GET"
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip().lower()
        # RFC 9112 §6.3: which framing the body has.
        if status == 101:
            self._line("<", "[switched protocols: raw stream follows]")
            self._state = _RAW
        elif method == "HEAD" or status in (204, 304):
            self._state = _HEAD
        elif b"chunked" in fields.get(b"transfer-encoding", b""):
            self._state = _CHUNK_SIZE
        elif fields.get(b"content-length", b"").isdigit():
            self._remaining = int(fields[b"content-length"])
            self._state = _LENGTH if self._remaining else _HEAD
        else:
            self._state = _RAW


# --- --curl -----------------------------------------------------------------------------------

#: The API version `--curl` writes when none is given. It cannot ask the daemon (it sends
#: nothing), so it picks the version the most engines accept: 1.40 is understood by every engine
#: since 19.03 (2019) and is still accepted by the newest ones (Engine 29.3+ lowered its minimum
#: back to 1.40). 1.41 would leave out 19.03; 1.44 every engine before 25.0; and 1.24 or older
#: is refused by Engine 29.
DEFAULT_CURL_API_VERSION = "1.40"

# Words a POSIX shell reads literally without quotes. "?" is a glob character, but only matches
# an existing file path, which "http:/v1.40/..." never is; the Docker docs leave it bare too.
_BARE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./?-]+")
# Inside double quotes only $ ` \ " and ! (history, in interactive shells) are special.
_DOUBLE_QUOTABLE = re.compile(r'[^$`\\"!]*')


def shell_word(text: str) -> str:
    """`text` as one POSIX shell word: bare when safe, else in single quotes (a ' inside
    becomes '\\'' : close the quotes, an escaped quote, reopen)."""
    if _BARE_WORD.fullmatch(text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def _header_word(text: str) -> str:
    # Headers read best in double quotes, as the Docker docs write them.
    return f'"{text}"' if _DOUBLE_QUOTABLE.fullmatch(text) else shell_word(text)


class _Placeholder(dict[str, Any]):
    """What a `--curl` call returns in place of the daemon's answer, so that a command can go on
    to its next request: an "Id" to start, a "StatusCode" to exit with, nothing to list."""

    def __missing__(self, key: str) -> Any:
        return ""

    def __iter__(self) -> Iterator[str]:
        return iter(())  # listed (ps, images, rmi), it is an empty list


#: The id a --curl command uses for an object it did not really create.
PLACEHOLDER_ID = "CONTAINER_ID"


class CurlClient(Endpoints, SyncRunner):
    """A client that prints `curl` commands instead of sending requests. It has every endpoint
    method of `rawdock.Client`, from the same definitions."""

    def __init__(self, host: str | None, version: str, out: TextIO) -> None:
        self.endpoint = parse_host(host)
        self.api_version = version
        self.out = out

    def command(self, call: Call[Any] | StreamCall[Any]) -> str:
        """The curl command line that sends `call`."""
        path = f"/v{self.api_version}{call.target}" if call.versioned else call.target
        words = ["curl"]
        if self.endpoint.scheme == "unix":
            words += ["--unix-socket", shell_word(self.endpoint.path)]
            url = f"http:{path}"  # curl ignores the host part when it talks to a socket
        else:
            host = self.endpoint.host
            host = f"[{host}]" if ":" in host else host
            url = f"http://{host}:{self.endpoint.port}{path}"
        if isinstance(call, StreamCall):
            words.append("--no-buffer")  # show a stream as it comes
        if call.content_type:
            words += ["-H", _header_word(f"Content-Type: {call.content_type}")]
        for name, value in call.headers:
            words += ["-H", _header_word(f"{name}: {value}")]
        if call.body:
            try:
                words += ["-d", shell_word(call.body.decode("utf-8"))]
            except UnicodeDecodeError:
                words += ["--data-binary", f"@BODY  # {len(call.body)} bytes, not text"]
        if call.method != "GET":
            words += ["-X", call.method]
        words.append(shell_word(url))
        return " ".join(words)

    def _run(self, call: Call[T]) -> T:
        self.out.write(self.command(call) + "\n")
        self.out.flush()
        return cast(T, _Placeholder(Id=PLACEHOLDER_ID, StatusCode=0))

    def _stream(self, call: StreamCall[T]) -> Iterator[T]:
        self.out.write(self.command(call) + "\n")
        self.out.flush()
        return iter(())

    def close(self) -> None:
        pass
