"""Attach and exec: where HTTP stops being request/response.

`POST /containers/{id}/attach` and `POST /exec/{id}/start`, sent with `Connection: Upgrade` and
`Upgrade: tcp`, are answered `HTTP/1.1 101 UPGRADED` (RFC 9110 §15.2.2). After that head the
connection carries no more HTTP: what we write is the process's stdin, raw, and what we read is
its output, in 8-byte-header frames without a TTY (`rawdock.streams.FrameDecoder`) or raw with
one. Writing nothing more is said with a half-close (`shutdown(SHUT_WR)`): the process reads
EOF, and its output still comes back until it exits and the daemon closes the connection.

    with client.exec_start(client.exec_create("web", ["cat"], stdin=True), stdin=True) as s:
        s.write(b"hello\\n")
        s.close_write()
        for stream, data in s:          # ("stdout", b"hello\\n")
            ...

The core is sans-IO, as `rawdock.wire` is: `HijackSession` holds the state of one hijacked
connection (the output decoder, the bytes that came with the 101 head, which side is still
open), `DetachKeys` finds the detach sequence in what a user types, and `encode_frame` writes
a frame as the daemon does. `HijackedStream` moves the bytes over a blocking socket;
`rawdock.aio_hijack.AsyncHijackedStream` does the same over asyncio, around the same session.

A hijacked connection never goes back to a pool: it ends when the process does.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

from .errors import ProtocolError, TransportError
from .exchange import TraceHook
from .streams import Decoder
from .wire import Head

__all__ = [
    "HijackSession",
    "HijackedStream",
    "DetachKeys",
    "encode_frame",
    "is_hijacked",
    "RAW_STREAM",
    "DEFAULT_DETACH_KEYS",
    "WRITE_SIZE",
]

Item = tuple[str, bytes]

#: The Content-Type of a hijacked response. A daemon asked without `Upgrade` (and old ones)
#: answer `200 OK` with it instead of 101, and hijack the connection all the same.
RAW_STREAM = "application/vnd.docker.raw-stream"
#: The docker CLI's detach sequence: ctrl-p then ctrl-q.
DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q"
#: Bytes of input sent per write when copying a file or a pipe (what `communicate` and the
#: CLI read from their input at a time): 64 KiB is what a Linux pipe holds.
WRITE_SIZE = 64 * 1024
#: Bytes asked of the socket per read, as `rawdock.transport` does.
RECV_SIZE = 256 * 1024
#: A frame header is `[stream, 0, 0, 0, payload size (uint32, big-endian)]` (moby pkg/stdcopy).
_STREAM_NUMBERS = {"stdin": 0, "stdout": 1, "stderr": 2, "system": 3}


def is_hijacked(head: Head) -> bool:
    """Whether the daemon took the connection over: `101`, or `200` with a raw-stream type."""
    if head.status == 101:
        return True
    content_type = (head.headers.get("content-type") or "").split(";")[0].strip().lower()
    return head.status == 200 and content_type == RAW_STREAM


def encode_frame(stream: str, data: bytes) -> bytes:
    """One frame as the daemon writes it for a container without a TTY:

        >>> encode_frame("stdout", b"hi")
        b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x02hi'

    (Only the daemon frames: stdin goes the other way raw, with or without a TTY.)"""
    return bytes((_STREAM_NUMBERS[stream], 0, 0, 0)) + len(data).to_bytes(4, "big") + data


class HijackSession:
    """The state of one hijacked connection, sans-IO: bytes in, items out.

    `decoder` reads the output (frames, or raw with a TTY). `already_read` is what came in the
    same read as the 101 head: it is the first output, and losing it loses the start of the
    stream (docker-py #3332). `writable` is False for a session opened without stdin.

        session = HijackSession(FrameDecoder(), already_read=b"\\1\\0\\0\\0\\0\\0\\0\\2hi")
        session.next_item()            # ("stdout", b"hi")
        session.next_item()            # None: feed more with receive_data()
        session.receive_data(b"")      # EOF: the daemon closed
        session.ended                  # True
    """

    def __init__(self, decoder: Decoder[Item], already_read: bytes = b"", writable: bool = True):
        self._decoder = decoder
        self._items: list[Item] = []
        self._index = 0
        #: The daemon closed its side: the process has exited (or the session was detached).
        self.ended = False
        #: We may still write: not half-closed, not closed, opened with stdin.
        self.writable = writable
        self._why_not_writable = "" if writable else "the stream was opened without stdin"
        if already_read:
            self.receive_data(already_read)

    @classmethod
    def answered(cls) -> HijackSession:
        """The session of a request the daemon answered without hijacking (`detach=True`):
        no output, nothing to write."""
        from .streams import RawStreamDecoder

        session = cls(RawStreamDecoder(), writable=False)
        session.ended = True
        return session

    def next_item(self) -> Item | None:
        """The next output item, or None when more bytes are needed (or the output `ended`)."""
        if self._index < len(self._items):
            item = self._items[self._index]
            self._index += 1
            return item
        return None

    def receive_data(self, data: bytes) -> None:
        """Bytes read from the connection; b"" for EOF. Raises ProtocolError if the output ends
        inside a frame, DockerError for an error frame from the daemon."""
        if self.ended:
            return
        if data:
            items = self._decoder.feed(data)
        else:
            self.ended = True
            items = self._decoder.close()
        if self._index < len(self._items):  # items not handed out yet come first
            items = self._items[self._index :] + items
        self._items, self._index = items, 0

    def check_writable(self) -> None:
        """Raise TransportError, saying why, when stdin cannot take more bytes."""
        if not self.writable:
            raise TransportError(f"cannot write: {self._why_not_writable}")
        if self.ended:
            raise TransportError("cannot write: the daemon closed the stream (the process exited)")

    def close_write(self) -> bool:
        """Mark stdin as finished; True the first time (the caller then half-closes)."""
        was, self.writable = self.writable, False
        if was:
            self._why_not_writable = "stdin is closed (close_write() was called)"
        return was

    def write_failed(self) -> TransportError:
        """The error for a write the connection refused: the daemon closed it."""
        self.writable, self.ended = False, True
        self._why_not_writable = "the daemon closed the stream (the process exited)"
        return TransportError(f"cannot write: {self._why_not_writable}")


class DetachKeys:
    """The detach sequence in typed input, as the docker CLI looks for it (only with a TTY).

    `DetachKeys("ctrl-p,ctrl-q").feed(data)` returns the bytes to send on and whether the
    sequence was typed. A byte that could start the sequence is held back until the next one
    shows whether it does; if not, it is sent after all (as the docker CLI's escape proxy).

        >>> keys = DetachKeys("ctrl-p,ctrl-q")
        >>> keys.feed(b"ls\\x10"), keys.feed(b"\\x11")
        ((b'ls', False), (b'', True))
    """

    def __init__(self, spec: str = DEFAULT_DETACH_KEYS) -> None:
        self.sequence = parse_detach_keys(spec)
        self._held = 0  # how many bytes of the sequence the input has matched so far

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        sequence = self.sequence
        if not self._held and sequence[:1] not in data:
            return data, False  # the usual case: no byte of the sequence's start
        out = bytearray()
        for byte in data:
            if byte == sequence[self._held]:
                self._held += 1
                if self._held == len(sequence):
                    self._held = 0
                    return bytes(out), True
                continue
            out += sequence[: self._held]  # a false start: what was held goes out after all
            self._held = 1 if byte == sequence[0] else 0
            if not self._held:
                out.append(byte)
        return bytes(out), False


def parse_detach_keys(spec: str) -> bytes:
    """ "ctrl-p,ctrl-q" -> b"\\x10\\x11", as `docker --detach-keys` reads it: comma-separated
    keys, each one character or `ctrl-X` (X a letter, or one of @ [ \\ ] ^ _)."""
    sequence = bytearray()
    for key in spec.split(","):
        word = key.strip().lower()
        if len(word) == 1:
            sequence.append(ord(word))
        elif word.startswith("ctrl-") and len(word) == 6 and word[5] in _CTRL_KEYS:
            sequence.append(_CTRL_KEYS.index(word[5]))
        else:
            raise ValueError(f"invalid detach key {key!r}: expected one character or ctrl-X")
    if not sequence:
        raise ValueError("empty detach key sequence")
    return bytes(sequence)


class Output:
    """What `communicate` collects: the stdout and the stderr of a session, each joined."""

    def __init__(self) -> None:
        self._pieces: dict[str, list[bytes]] = {"stdout": [], "stderr": []}

    def add(self, item: Item) -> None:
        self._pieces[item[0]].append(item[1])

    def joined(self) -> tuple[bytes, bytes]:
        return b"".join(self._pieces["stdout"]), b"".join(self._pieces["stderr"])


def _collect(items: Iterator[Item]) -> tuple[bytes, bytes]:
    output = Output()
    for item in items:
        output.add(item)
    return output.joined()


# ctrl-@ is 0, ctrl-a is 1, ... ctrl-z is 26, then ctrl-[ \ ] ^ _ (27-31): the ASCII controls.
_CTRL_KEYS = "@abcdefghijklmnopqrstuvwxyz[\\]^_"


class HijackedStream(Iterator[Item]):
    """A hijacked connection over a blocking socket: the output to iterate, stdin to write.

    Iterating gives `("stdout" | "stderr", bytes)` as the daemon sends it (all "stdout" with a
    TTY) until the process exits. `write(data)` sends stdin; `close_write()` half-closes, so the
    process reads EOF while its output still arrives. `close()` (or leaving a `with` block)
    closes the connection at once. Memory stays flat: one read's worth of items at a time.

    Reading and writing may go on in two threads at once (one iterating, one writing), which
    is how `communicate()` and the CLI copy a pipe both ways without deadlock.

    Over TLS and ssh there is no half-close of the stream itself: `close_write()` does what the
    docker CLI does. TLS: it shuts down the writing side of the TCP connection under TLS (the
    docker CLI's `CloseWrite` on the raw connection); the daemon's TLS reader sees EOF there and
    closes stdin, and its output still comes back over TLS. ssh: it half-closes the socket to
    the ssh process, ssh sends EOF on its channel, and `docker system dial-stdio` at the other
    end half-closes its connection to the daemon."""

    def __init__(
        self,
        sock: socket.socket | None,
        session: HijackSession,
        trace: TraceHook | None = None,
    ) -> None:
        self._sock = sock
        self.session = session
        self._trace = trace
        self._buffer: memoryview | None = None  # where reads land, as in rawdock.transport
        if sock is not None:
            sock.settimeout(None)  # the process decides when the stream ends

    def __next__(self) -> Item:
        session = self.session
        while (item := session.next_item()) is None:
            sock = self._sock
            if session.ended or sock is None:
                raise StopIteration
            if self._buffer is None:
                self._buffer = memoryview(bytearray(RECV_SIZE))
            try:
                # recv_into a kept buffer and copy out what came: recv(RECV_SIZE) would
                # allocate 256 KiB for every read (see rawdock.transport.Connection.recv).
                data = bytes(self._buffer[: sock.recv_into(self._buffer)])
            except OSError as exc:
                self.close()
                raise TransportError(f"the hijacked stream failed: {exc}") from None
            if self._trace:
                self._trace("raw-recv", data)
            try:
                session.receive_data(data)
            except (ProtocolError, TransportError, ValueError):
                self.close()
                raise
        return item

    def write(self, data: bytes) -> None:
        """Send `data` to the process's stdin, as is (stdin is never framed)."""
        self.session.check_writable()
        if self._sock is None:
            raise TransportError("cannot write: the stream is closed")
        if self._trace:
            self._trace("raw-send", data)
        try:
            self._sock.sendall(data)
        except OSError:
            raise self.session.write_failed() from None

    def close_write(self) -> None:
        """Tell the process its stdin is finished (EOF), keeping the output coming."""
        if self.session.close_write() and self._sock is not None:
            if self._trace:
                self._trace("raw-send", b"")
            try:
                # On a TLS socket, socket.socket.shutdown reaches the TCP connection under TLS
                # (SSLSocket.shutdown would also drop the TLS state, and the output with it).
                socket.socket.shutdown(self._sock, socket.SHUT_WR)
            except OSError:
                pass  # already closed by the daemon: the process has exited, EOF or not

    def communicate(self, input: bytes = b"") -> tuple[bytes, bytes]:
        """Write `input`, half-close, and read the output to its end: `(stdout, stderr)`, as
        `subprocess.Popen.communicate` does. The input is written by a second thread while
        this one reads, so a process that answers before it has read everything cannot
        deadlock against us."""
        import threading  # only here: a stream that is only read needs no thread

        def send() -> None:
            try:
                view = memoryview(input)
                for start in range(0, len(view), WRITE_SIZE):
                    self.write(view[start : start + WRITE_SIZE].tobytes())
                self.close_write()
            except TransportError:
                pass  # the process exited before reading it all, as a pipe's reader may

        writer = threading.Thread(target=send, name="rawdock-stdin", daemon=True)
        if self.session.writable:
            writer.start()
        try:
            return _collect(self)
        except BaseException:
            self.close()  # the writer then fails at once, rather than block the join below
            raise
        finally:
            if writer.ident is not None:
                writer.join()

    def fileno(self) -> int:
        """The socket's descriptor (-1 once closed), for select()."""
        return -1 if self._sock is None else self._sock.fileno()

    def close(self) -> None:
        """Close the connection: the daemon sees the attach (or exec) end. A thread blocked
        reading the stream wakes up and sees its end."""
        sock, self._sock = self._sock, None
        self.session.ended = True
        self.session.writable = False
        if sock is not None:
            try:
                # close() alone does not wake a recv() blocked in another thread; shutdown
                # does (on the TCP connection itself for TLS, as in close_write).
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # the daemon closed first
            sock.close()

    def __enter__(self) -> HijackedStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
