"""A scripted stand-in for the Docker daemon, to see how rawdock copes when the other side
misbehaves. Standard library only: a Unix socket in a temporary directory, one thread to accept,
one thread per connection.

Each test scripts what happens on each accepted connection, in order, with functions that get a
`Peer` (the server's end of that connection):

    def cut_off(peer: Peer) -> None:
        peer.read_request()
        peer.send(b"HTTP/1.1 200 OK\\r\\nCont")
        peer.close()

    def test_cut_off(fake: FakeDaemon) -> None:
        fake.script(cut_off, answer(200, []))  # the next connection gets a proper answer
        client = fake.client()  # rawdock.Client(host="unix://...", version="1.41")

A connection beyond the script is closed at once and counted in `unexpected`; the fixture
fails the test if there was any (a request sent twice shows up there). `stop()` closes every
socket and joins every thread, so nothing leaks into the next test.
"""

from __future__ import annotations

import json
import os
import select
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import rawdock

#: How often blocked server threads look up to see whether the daemon is stopping.
POLL_INTERVAL = 0.02
#: A script thread still running this long after stop() is a bug in the test.
JOIN_TIMEOUT = 5.0

Script = Callable[["Peer"], object]


class Stopped(Exception):
    """Raised inside a script when the daemon stops while the script waits."""


class Peer:
    """The daemon's end of one accepted connection, with what a script can do to it."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self.sock = sock
        self._stopping = stopping
        self._buf = b""
        #: Every request read on this connection, as raw bytes.
        self.requests: list[bytes] = []

    # --- reading --------------------------------------------------------------------------

    def _fill(self) -> bool:
        """Wait for more bytes from the client; False on EOF."""
        while True:
            if self._stopping.is_set():
                raise Stopped
            if self.sock.fileno() < 0:  # the script closed it already
                return False
            readable, _, _ = select.select([self.sock], [], [], POLL_INTERVAL)
            if readable:
                data = self.sock.recv(65536)
                self._buf += data
                return bool(data)

    def read_request(self, peek: bool = False) -> bytes:
        """Read one whole request (head and Content-Length body) and return its bytes; b"" if
        the client closed first. With `peek`, the bytes are left unread in the socket too:
        closing a Unix socket that still has unread bytes is what resets the connection."""
        while b"\r\n\r\n" not in self._buf:
            if not self._fill_maybe_peek(peek):
                return b""
        head, _, rest = self._buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            if not self._fill_maybe_peek(peek):
                return b""
            head, _, rest = self._buf.partition(b"\r\n\r\n")
        request = head + b"\r\n\r\n" + rest[:length]
        self._buf = b"" if peek else rest[length:]
        self.requests.append(request)
        return request

    def _fill_maybe_peek(self, peek: bool) -> bool:
        if not peek:
            return self._fill()
        # Look at everything queued without consuming it, until it holds more than we had.
        while True:
            if self._stopping.is_set():
                raise Stopped
            readable, _, _ = select.select([self.sock], [], [], POLL_INTERVAL)
            if readable:
                data = self.sock.recv(65536, socket.MSG_PEEK)
                if not data:
                    return False
                if len(data) > len(self._buf):
                    self._buf = data
                    return True
                time.sleep(POLL_INTERVAL)

    def wait_for_close(self) -> None:
        """Wait until the client closes its end (or the daemon stops)."""
        try:
            while self._fill():
                pass
        except OSError:
            pass

    # --- writing --------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def drip(self, data: bytes, interval: float) -> None:
        """Send `data` one byte at a time, `interval` seconds apart."""
        for index in range(len(data)):
            self.sleep(interval)
            self.sock.sendall(data[index : index + 1])

    def sleep(self, seconds: float) -> None:
        """Pause, but wake up at once when the daemon stops."""
        if self._stopping.wait(seconds):
            raise Stopped

    def hang(self) -> None:
        """Never answer: hold the connection open until the client gives up."""
        self.wait_for_close()

    def close(self) -> None:
        """Close cleanly (FIN)."""
        self.sock.close()

    def reset(self) -> None:
        """Close abortively. On TCP, SO_LINGER 0 sends RST. On a Unix socket the peer sees
        ECONNRESET only if unread bytes are left: read the request with `peek=True` first."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


# --- Ready-made scripts and responses -------------------------------------------------------


def response(
    status: int = 200,
    body: bytes = b"",
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),),
) -> bytes:
    """The bytes of a well-formed Content-Length response."""
    lines = [f"HTTP/1.1 {status} X"] + [f"{name}: {value}" for name, value in headers]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(*chunks: bytes) -> bytes:
    """A chunked body (without the head): each chunk framed, then the last-chunk."""
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks if c) + b"0\r\n\r\n"


def answer(status: int = 200, body: Any = None, requests: int = 1) -> Script:
    """A script that answers `requests` requests properly on its connection (keep-alive), then
    waits for the client to close. `body` is JSON-encoded unless it is bytes."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    def script(peer: Peer) -> None:
        for _ in range(requests):
            if not peer.read_request():
                return
            peer.send(response(status, raw))
        peer.wait_for_close()

    return script


class FakeDaemon:
    """The server: listens on `path` until `stop()`; `url` is what rawdock.Client takes."""

    def __init__(self, directory: str | None = None, backlog: int = 16) -> None:
        self._own_dir = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="rawdock-fake-")
        self.path = os.path.join(self.directory, "docker.sock")
        self.url = f"unix://{self.path}"
        self._scripts: list[Script] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        #: One Peer per accepted connection, in order.
        self.peers: list[Peer] = []
        #: Connections that arrived when the script had run out.
        self.unexpected = 0
        #: Exceptions raised by scripts (other than the client hanging up).
        self.errors: list[BaseException] = []
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(backlog)
        self._listener.settimeout(POLL_INTERVAL)
        self._acceptor = threading.Thread(target=self._accept_loop, name="fake-daemon-accept")
        self._acceptor.start()

    def script(self, *scripts: Script) -> None:
        """Queue what happens on the next accepted connections, one script per connection."""
        with self._lock:
            self._scripts.extend(scripts)

    @property
    def connections(self) -> int:
        return len(self.peers) + self.unexpected

    @property
    def requests(self) -> list[bytes]:
        """Every request read, over all connections, in connection order."""
        return [request for peer in self.peers for request in peer.requests]

    def client(self, **kwargs: Any) -> rawdock.Client:
        """A rawdock.Client aimed here, API version pinned so there is no /_ping first."""
        kwargs.setdefault("version", "1.41")
        kwargs.setdefault("timeout", 5)
        return rawdock.Client(host=self.url, **kwargs)

    def __enter__(self) -> FakeDaemon:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(None)
            with self._lock:
                self._socks.append(sock)
                script = self._scripts.pop(0) if self._scripts else None
                if script is None:
                    self.unexpected += 1
                    sock.close()
                    continue
                peer = Peer(sock, self._stopping)
                self.peers.append(peer)
                thread = threading.Thread(
                    target=self._run, args=(script, peer), name=f"fake-daemon-{len(self.peers)}"
                )
                self._threads.append(thread)
            thread.start()

    def _run(self, script: Script, peer: Peer) -> None:
        try:
            script(peer)
        except Stopped:
            pass
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up first: often the point of the test
        except BaseException as exc:  # noqa: BLE001 -- reported by the fixture
            self.errors.append(exc)
        finally:
            peer.sock.close()

    def stop(self) -> None:
        """Stop accepting, wake every script, join every thread, close every socket. Safe to
        call twice (a test may stop early to look at what the scripts did)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._acceptor.join(JOIN_TIMEOUT)
        self._listener.close()
        with self._lock:
            threads, socks = list(self._threads), list(self._socks)
        for sock in socks:  # wakes a script blocked in sendall to a client that stopped reading
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        for sock in socks:
            sock.close()
        stuck = [t.name for t in [self._acceptor, *threads] if t.is_alive()]
        if os.path.exists(self.path):
            os.unlink(self.path)
        if self._own_dir:
            os.rmdir(self.directory)
        assert not stuck, f"fake daemon threads did not stop: {stuck}"


@pytest.fixture
def fake() -> Iterator[FakeDaemon]:
    """A FakeDaemon for one test; fails the test if a script raised or a connection came that
    no script was waiting for (a request sent twice, a retry that should not have been)."""
    daemon = FakeDaemon()
    try:
        yield daemon
    finally:
        daemon.stop()
    assert not daemon.errors, f"fake daemon scripts failed: {daemon.errors!r}"
    assert daemon.unexpected == 0, f"{daemon.unexpected} unscripted connection(s)"
