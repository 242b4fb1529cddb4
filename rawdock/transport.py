"""Moving the bytes: endpoints, connections, timeouts, keep-alive. No HTTP knowledge beyond
"send these bytes, feed what comes back to a ResponseParser" lives here.

    endpoint = parse_host("unix:///var/run/docker.sock")
    transport = Transport(endpoint)
    exchange = transport.open(b"GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n", "GET")
    exchange.head.status, exchange.read()     # (200, b'OK')

A `Transport` keeps a few idle connections open (HTTP/1.1 keep-alive) and hands each request a
connection of its own, so streams, threads and nested requests never share a socket.
"""

from __future__ import annotations

import os
import socket
from _thread import allocate_lock  # threading.Lock itself, without importing threading
from collections.abc import Callable, Generator

from .errors import DaemonUnreachable, ProtocolError, Timeout, TransportError
from .wire import Data, End, Event, Head, ResponseParser, _Frozen

__all__ = [
    "DEFAULT_HOST",
    "Endpoint",
    "parse_host",
    "Connection",
    "Transport",
    "Exchange",
    "TraceHook",
    "DEFAULT_TIMEOUT",
]

DEFAULT_HOST = "unix:///var/run/docker.sock"
#: Bytes asked of the socket per read: large enough that a fast stream costs few system calls.
RECV_SIZE = 256 * 1024
#: Idle kept-alive connections held for reuse; more concurrent requests open more, then close them.
MAX_IDLE_CONNECTIONS = 4
#: Default port of a plain tcp:// endpoint, as in the docker CLI.
DEFAULT_TCP_PORT = 2375
#: Methods that may be sent again when a reused connection died before any response came back
#: (RFC 9110 §9.2.2: idempotent methods).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

#: `trace(direction, data)` sees every byte sent ("send") and received ("recv").
TraceHook = Callable[[str, bytes], None]


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT_TIMEOUT"


#: Marker: use the transport's configured read timeout.
DEFAULT_TIMEOUT = _Default()


class Endpoint(_Frozen):
    """Where the daemon listens. `url` is what the user gave; `host_header` is what `Host:`
    carries (HTTP/1.1 requires the field even on a Unix socket, RFC 9112 §3.2)."""

    # A frozen value class written out rather than made by @dataclass: see wire._Frozen.
    __slots__ = ("url", "scheme", "path", "host", "port")
    url: str
    scheme: str  # "unix" or "tcp"
    path: str  # unix
    host: str  # tcp
    port: int  # tcp

    def __init__(
        self, url: str, scheme: str, path: str = "", host: str = "", port: int = 0
    ) -> None:
        for name, value in zip(self.__slots__, (url, scheme, path, host, port), strict=True):
            object.__setattr__(self, name, value)

    @property
    def host_header(self) -> str:
        return "docker" if self.scheme == "unix" else f"{self.host}:{self.port}"


def parse_host(url: str | None = None) -> Endpoint:
    """The endpoint from `url`, else `DOCKER_HOST`, else the local Unix socket."""
    url = url or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise DaemonUnreachable(f"invalid host {url!r}: expected unix:///path or tcp://host:port")
    if scheme == "unix":
        if not rest.startswith("/"):
            raise DaemonUnreachable(f"invalid host {url!r}: a unix socket path must be absolute")
        return Endpoint(url, "unix", path=rest)
    if scheme in ("tcp", "http"):
        hostport = rest.rstrip("/")
        host, _, port = (
            hostport.rpartition(":")
            if "]" not in hostport.rpartition(":")[2]
            else (hostport, "", "")
        )
        if not host:
            host, port = hostport, ""
        host = host.strip("[]")
        if not host or (port and not port.isdigit()):
            raise DaemonUnreachable(f"invalid host {url!r}: expected tcp://host:port")
        return Endpoint(url, "tcp", host=host, port=int(port) if port else DEFAULT_TCP_PORT)
    raise DaemonUnreachable(
        f"unsupported scheme {scheme!r} in host {url!r}: rawdock speaks unix:// and tcp://"
    )


def _cannot_connect(endpoint: Endpoint, exc: OSError) -> TransportError:
    """The error a person sees when the daemon is not there, worded like the docker CLI's."""
    if isinstance(exc, socket.timeout):
        return Timeout(f"timed out connecting to the Docker daemon at {endpoint.url}")
    if isinstance(exc, PermissionError):
        return DaemonUnreachable(
            f"permission denied while trying to connect to the Docker daemon socket at "
            f"{endpoint.url}: add your user to the 'docker' group (then log in again), "
            f"or run with sudo"
        )
    reason = "" if isinstance(exc, (FileNotFoundError, ConnectionRefusedError)) else f" ({exc})"
    return DaemonUnreachable(
        f"Cannot connect to the Docker daemon at {endpoint.url}. "
        f"Is the docker daemon running?{reason}"
    )


class Connection:
    """One open socket to the daemon."""

    def __init__(self, endpoint: Endpoint, connect_timeout: float | None) -> None:
        self.endpoint = endpoint
        try:
            if endpoint.scheme == "unix":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    sock.settimeout(connect_timeout)
                    sock.connect(endpoint.path)
                except BaseException:
                    sock.close()
                    raise
            else:
                sock = socket.create_connection((endpoint.host, endpoint.port), connect_timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            raise _cannot_connect(endpoint, exc) from None
        self.sock = sock
        self._timeout = sock.gettimeout()  # the timeout in place on the socket
        self._recv_buffer = bytearray(RECV_SIZE)
        self._recv_view = memoryview(self._recv_buffer)

    def _set_timeout(self, timeout: float | None) -> None:
        # settimeout() is a system call (it switches the descriptor between blocking and
        # non-blocking mode): skip it when that timeout is already in place.
        if timeout != self._timeout:
            self.sock.settimeout(timeout)
            self._timeout = timeout

    def send(self, data: bytes, timeout: float | None) -> None:
        self._set_timeout(timeout)
        self.sock.sendall(data)

    def recv(self, timeout: float | None) -> bytes:
        # recv_into a buffer kept for the connection, then copy out what arrived. sock.recv(n)
        # would allocate n bytes for every read and shrink them: with n = 256 KiB that costs
        # more (tens of µs, the allocator maps and unmaps memory) than a small response takes
        # to arrive; a copy of the bytes received costs a fraction of reading them.
        self._set_timeout(timeout)
        size = self.sock.recv_into(self._recv_view)
        return bytes(self._recv_view[:size])

    def is_stale(self) -> bool:
        """An idle kept-alive connection should have nothing to read. If it does, the daemon
        closed it (EOF) or sent something unasked for: either way it cannot be reused."""
        try:
            self.sock.setblocking(False)
            self._timeout = 0.0  # what setblocking(False) means
            return bool(self.sock.recv(1, socket.MSG_PEEK)) or True
        except BlockingIOError:
            return False
        except OSError:
            return True

    def close(self) -> None:
        self.sock.close()


class Transport:
    """Runs requests over connections to one endpoint, keeping idle ones for reuse.

    `timeout` bounds each read of an ordinary response (None: wait forever), `connect_timeout`
    the connection set-up. Thread-safe: each request takes a connection of its own."""

    def __init__(
        self,
        endpoint: Endpoint,
        timeout: float | None = 60,
        connect_timeout: float | None = None,
        trace: TraceHook | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.connect_timeout = timeout if connect_timeout is None else connect_timeout
        self.trace = trace
        self._idle: list[Connection] = []
        self._lock = allocate_lock()

    def open(
        self,
        request: bytes,
        method: str,
        timeout: float | None | _Default = DEFAULT_TIMEOUT,
    ) -> Exchange:
        """Send `request` and read up to the response head. The body is read from the returned
        `Exchange`. A kept-alive connection that turns out to be dead is replaced and the request
        sent again, but only when that cannot run it twice."""
        read_timeout = self.timeout if isinstance(timeout, _Default) else timeout
        for attempt in (1, 2):
            conn, reused = self._acquire()
            parser = ResponseParser(method)
            sent = False
            try:
                if self.trace:
                    self.trace("send", request)
                conn.send(request, read_timeout)
                sent = True
                events = _receive(conn, parser, read_timeout, self.trace)
                while parser.head is None:  # the parser sets it as it emits the Head event
                    events += _receive(conn, parser, read_timeout, self.trace)
                return Exchange(self, conn, parser, events, read_timeout)
            except (OSError, ProtocolError, TransportError) as exc:
                conn.close()
                # A reused connection the daemon had already closed: nothing of the response
                # came back. Resending is safe if the request never went out whole, or if the
                # method is idempotent.
                died_unused = reused and not parser.received_any and _is_disconnect(exc)
                if attempt == 1 and died_unused and (not sent or method in IDEMPOTENT_METHODS):
                    continue
                raise _transport_error(exc, self.endpoint) from None
            except BaseException:
                conn.close()
                raise
        raise AssertionError("unreachable")

    def _acquire(self) -> tuple[Connection, bool]:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return Connection(self.endpoint, self.connect_timeout), False
            if not conn.is_stale():
                return conn, True
            conn.close()

    def release(self, conn: Connection) -> None:
        """Take back a connection whose response was read to its end."""
        with self._lock:
            if len(self._idle) < MAX_IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close every idle connection. Open exchanges close their own."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class Exchange:
    """One request's response on one connection: the `head`, then the body from `iter_body()`
    or `read()`. Reading to the end gives the connection back for reuse; `close()` before the
    end closes it, since the rest of the body would still be in the way."""

    def __init__(
        self,
        transport: Transport,
        conn: Connection,
        parser: ResponseParser,
        events: list[Event],
        timeout: float | None,
    ) -> None:
        self._transport = transport
        self._conn: Connection | None = conn
        self._parser = parser
        head = events[0]
        assert isinstance(head, Head)
        self.head = head
        self._pending = events[1:]
        self.timeout = timeout

    @property
    def hijacked_bytes(self) -> bytes:
        """After a 101 response: bytes already read that belong to the upgraded stream."""
        return self._parser.trailing

    def iter_body(self) -> Generator[bytes, None, None]:
        """The body as it arrives, chunked framing removed."""
        try:
            while self._conn is not None:
                for event in self._pending:
                    if isinstance(event, Data):
                        yield event.data
                    elif isinstance(event, End):
                        self._complete()
                        return
                conn = self._conn
                self._pending = []
                self._pending = _receive(conn, self._parser, self.timeout, self._transport.trace)
        except (OSError, ProtocolError, TransportError) as exc:
            self.close()
            raise _transport_error(exc, self._transport.endpoint) from None
        finally:
            self.close()

    def read(self) -> bytes:
        """The whole body."""
        return b"".join(self.iter_body())

    def detach(self) -> socket.socket:
        """Take the socket out of HTTP (after a 101 upgrade): the caller owns it now."""
        conn, self._conn = self._conn, None
        if conn is None:
            raise TransportError("the connection is already closed")
        return conn.sock

    def _complete(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            if self._parser.keep_alive and not self._parser.trailing:
                self._transport.release(conn)
            else:
                conn.close()

    def close(self) -> None:
        """Abandon the response: the connection is closed, never reused."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _receive(
    conn: Connection, parser: ResponseParser, timeout: float | None, trace: TraceHook | None
) -> list[Event]:
    data = conn.recv(timeout)
    if trace:
        trace("recv", data)
    return parser.feed(data) if data else parser.feed_eof()


def _is_disconnect(exc: BaseException) -> bool:
    if isinstance(exc, ProtocolError):  # EOF before any byte of a response
        return True
    return isinstance(exc, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError))


def _transport_error(exc: Exception, endpoint: Endpoint) -> Exception:
    """Socket errors never leave rawdock raw."""
    if isinstance(exc, (ProtocolError, TransportError)):
        return exc
    if isinstance(exc, socket.timeout):
        return Timeout(f"timed out waiting for the Docker daemon at {endpoint.url}")
    if isinstance(exc, OSError):
        return TransportError(f"connection to the Docker daemon at {endpoint.url} failed: {exc}")
    return exc
