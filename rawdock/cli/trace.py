"""`--trace` and `--curl`: showing requests instead of (or as well as) running them.

`TraceFormatter` is the `trace=` hook of `rawdock.Client`: it sees every byte sent and received
and prints them readably, framing the responses with rawdock's own parser.
`CurlClient` is a client whose executor prints the equivalent curl command of each call and
sends nothing: the endpoints are data, so it runs the very calls `rawdock.Client` would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..api import Call, Endpoints, HijackCall, StreamCall, SyncRunner
from ..auth import REDACTED, redact_fields, redact_request
from ..errors import ProtocolError
from ..hijack import HijackedStream, HijackSession
from ..transport import parse_host
from ..wire import Data, Event, Head, ResponseParser

if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["TraceFormatter", "CurlClient", "shell_word"]

T = TypeVar("T")

#: How much of a body (or a piece of one) a trace shows before cutting it.
BODY_PREVIEW_BYTES = 160
#: How much of each stdin write or output frame of a hijacked stream a trace shows: one short
#: line each, so that 50 MB through `exec -i cat` is a summary, not 50 MB of escapes.
RAW_PREVIEW_BYTES = 32
#: The stream names of the frame header's first byte (moby pkg/stdcopy).
_FRAME_STREAMS = {0: "stdin", 1: "stdout", 2: "stderr", 3: "error"}

# --- --trace ----------------------------------------------------------------------------------


#: How a request starts (RFC 9112 §3): what tells a head from a piece of a body sent after it.
_REQUEST_LINE = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP/1\.[01]\r\n")


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
        < HTTP/1.1 200 OK                   status line and fields, as the parser read them
        < Transfer-Encoding: chunked
        <
        < {"ID":"7TQJ:...  … [2623 bytes]   each piece of body the parser delivers, cut
        < [end of body: 2623 bytes, chunked]

    Responses arrive cut anywhere. Where a head ends, how the body is framed and where it ends
    is decided by the very parser the client uses (`rawdock.wire.ResponseParser`, RFC 9112 §6),
    one per response, fed the bytes as they come: the trace shows what rawdock understood. It
    assumes what the CLI does: one request at a time, but for one it may leave waiting (the
    `wait` that `run -i` sends before `start`): a response still unfinished when the next
    request goes out is put aside, and taken up again once nothing else is awaited.

    After a `101` the connection is a raw stream, whose bytes come as "raw-send" and
    "raw-recv" (rawdock.hijack): one line per stdin write and per output frame (per read with a
    TTY, which has no frames), with the first bytes of each."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._methods: list[str] = []  # methods of requests whose responses are still to come
        self._parser: ResponseParser | None = None
        self._framing = ""
        self._body_bytes = 0
        self._raw = False  # after bytes the parser refused: shown as they come
        self._upgraded = False  # a 101 head was just read: what follows it is the raw stream's
        self._waiting: list[ResponseParser] = []  # unfinished responses put aside
        # The hijacked stream's frames: the header being read, and payload left to skip.
        self._frame_header = bytearray()
        self._frame_left = 0
        self._framed: bool | None = None  # unknown until its first bytes

    def __call__(self, direction: str, data: bytes) -> None:
        if direction == "send":
            self._sent(data)
        elif direction == "recv":
            self._received(data)
        elif direction == "raw-send":
            self._raw_sent(data)
        else:
            self._raw_received(data)
        self.out.flush()

    def _raw_sent(self, data: bytes) -> None:
        if data:
            self._line(">", f"[stdin] {preview(data, RAW_PREVIEW_BYTES)}")
        else:
            self._line(">", "[stdin closed: shutdown(SHUT_WR), the output goes on]")

    def _raw_received(self, data: bytes) -> None:
        if not data:
            self._line("<", "[the daemon closed the stream: the process has ended]")
            self._frame_header.clear()
            self._frame_left, self._framed = 0, None
            return
        if self._framed is None:  # `[0-3, 0, 0, 0, ...]` starts a frame; a TTY's text does not
            self._framed = len(data) >= 4 and data[0] <= 3 and data[1:4] == b"\0\0\0"
        if not self._framed:
            self._line("<", f"[tty output] {preview(data, RAW_PREVIEW_BYTES)}")
            return
        view = memoryview(data)
        while view:
            if self._frame_left:  # payload of a frame already shown
                step = min(self._frame_left, len(view))
                self._frame_left -= step
                view = view[step:]
                continue
            need = 8 - len(self._frame_header)
            self._frame_header += view[:need]
            view = view[need:]
            if len(self._frame_header) == 8:
                header = self._frame_header
                name = _FRAME_STREAMS.get(header[0], str(header[0]))
                size = int.from_bytes(header[4:], "big")
                shown = preview(bytes(view[:size]), RAW_PREVIEW_BYTES).rsplit(" [", 1)[0]
                self._line("<", f"[{name} frame: {size} bytes] {shown}")
                header.clear()
                self._frame_left = size

    def _line(self, mark: str, text: str) -> None:
        self.out.write(f"{mark} {text}".rstrip() + "\n")

    def _sent(self, data: bytes) -> None:
        if not _REQUEST_LINE.match(data):  # a piece of a chunked body, sent after its head
            self._line(">", preview(data))
            return
        self._raw = False
        if self._parser is not None and self._parser.head is not None:
            self._waiting.append(self._parser)  # answered later (a wait): the next one first
            self._parser = None
        head, sep, body = redact_request(data).partition(b"\r\n\r\n")
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
        if self._raw:
            if data:
                self._line("<", preview(data))
            else:
                self._line("<", "[connection closed]")
            return
        while True:
            if self._parser is None:
                if not data:
                    return
                if not self._methods and self._waiting:
                    self._parser = self._waiting.pop()  # nothing else awaited: its turn
                else:
                    method = self._methods.pop(0) if self._methods else "GET"
                    self._parser = ResponseParser(method)
                self._body_bytes = 0
            parser = self._parser
            try:
                events = parser.feed(data) if data else parser.feed_eof()
            except ProtocolError as exc:
                self._line("<", f"[not HTTP rawdock can parse: {exc}; raw bytes follow]")
                self._line("<", preview(data))
                self._parser, self._raw = None, True
                return
            for event in events:
                self._event(event)
            if not parser.done:
                return
            self._parser = None
            data = parser.trailing
            if self._upgraded:  # a 101: what came with its head is the raw stream's start
                self._upgraded = False
                if data:
                    self._raw_received(data)
                return
            if not data:
                return

    def _event(self, event: Event) -> None:
        if isinstance(event, Head):
            self._line("<", f"HTTP/1.1 {event.status} {event.reason}")
            for name, value in event.headers:
                self._line("<", f"{name}: {value}")
            self._line("<", "")
            chunked = "chunked" in (event.headers.get("transfer-encoding") or "").lower()
            self._framing = "chunked" if chunked else "Content-Length"
            if event.status == 101:
                self._line("<", "[switched protocols: a raw stream both ways from here]")
                self._upgraded = True
        elif isinstance(event, Data):
            self._body_bytes += len(event.data)
            self._line("<", preview(event.data))
        elif self._body_bytes:
            for name, value in event.trailers:
                self._line("<", f"{name}: {value}")
            self._line("<", f"[end of body: {self._body_bytes} bytes, {self._framing}]")


# --- --curl -----------------------------------------------------------------------------------

# Words a POSIX shell reads literally without quotes. "?" is a glob character, but only matches
# an existing file path, which "http://localhost/v1.40/..." never is; the Docker docs leave it
# bare too.
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


#: What a --curl of attach or exec says under the command. Checked with curl 7.88: given the
#: upgrade fields, it reads on after the 101 head and prints the stream until the daemon closes.
CURL_CANNOT_HIJACK = (
    "# curl prints the output (without a TTY, in 8-byte-header frames: add --output -) until\n"
    "# the process exits, but it cannot send stdin over the upgraded connection nor half-close\n"
    "# it, and sends no resize: rawdock attach/exec/run -i do that over the same request.\n"
)


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
            # curl sends the URL's host as Host: and nothing else of it over a socket. Without a
            # host ("http:/v1.40/...") curl takes "v1.40" for the host and sends no version.
            url = f"http://localhost{path}"
        else:
            host = self.endpoint.host
            host = f"[{host}]" if ":" in host else host
            url = f"http://{host}:{self.endpoint.port}{path}"
        if isinstance(call, StreamCall):
            words.append("--no-buffer")  # show a stream as it comes
        if call.content_type:
            words += ["-H", _header_word(f"Content-Type: {call.content_type}")]
        for name, value in redact_fields(call.headers):
            words += ["-H", _header_word(f"{name}: {value}")]
        if not isinstance(call.body, bytes):  # sent as it is made: curl reads it from stdin
            words += ["-H", '"Transfer-Encoding: chunked"', "--data-binary", "@-"]
        elif call.target == "/auth":  # a password
            words += ["-d", REDACTED]
        elif call.body:
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

    def _hijack(self, call: HijackCall) -> HijackedStream:
        self.out.write(self.command(call.request) + "\n" + CURL_CANNOT_HIJACK)
        self.out.flush()
        return HijackedStream(None, HijackSession.answered())

    def close(self) -> None:
        pass
