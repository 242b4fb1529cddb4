"""One request on one connection, decided once for both transports (sans-IO).

`rawdock.transport` (blocking sockets) and `rawdock.aio_transport` (asyncio) differ only in how
they wait for bytes. What they decide is written here, once, without I/O, in the manner of
h11's connection object: the caller moves the bytes, this module says what they mean.

- `Deadline`: how long the next wait for the daemon may last (the one deadline mechanism);
- `Pool`: the idle kept-alive connections, and when they are dropped;
- `BaseExchange`: one exchange's state: what was received, where the body stands, whether the
  connection goes back to the pool at the end, whether a failed try may be sent again on a
  fresh connection, and which rawdock error a failure becomes.

A transport's `open()` and its exchange's `next_data()` are then a few lines each: send,
receive, ask. docs/connections.md explains the keep-alive, resend and timeout rules (RFC 9110
§9.2.2, RFC 9112 §9.3).
"""

from __future__ import annotations

import time
from _thread import allocate_lock  # threading.Lock itself, without importing threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, Protocol, TypeVar

from .errors import InvalidArgument, ProtocolError, Timeout, TransportError
from .wire import Event, Head, ResponseParser, body_of, chunked

__all__ = [
    "DEFAULT_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "Deadline",
    "seconds",
    "Pool",
    "BaseExchange",
    "TraceHook",
]

#: Methods that may be sent again when a reused connection died before any response came back
#: (RFC 9110 §9.2.2: idempotent methods).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

#: The longest timeout or deadline taken, in seconds (about 31 years): larger is a mistake.
MAX_SECONDS = 1e9

#: `trace(direction, data)` sees every byte sent ("send") and received ("recv"); on a hijacked
#: connection (attach, exec), the raw stream after the 101 head as "raw-send" and "raw-recv"
#: (b"" sent: a half-close).
TraceHook = Callable[[str, bytes], None]


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT_TIMEOUT"


#: Marker: use the transport's configured read timeout.
DEFAULT_TIMEOUT = _Default()


class Deadline:
    """How long the next wait for the daemon may last, in seconds (None: no bound).

    `head_timeout` bounds each wait until the response head is complete (connecting and
    sending included), `body_timeout` each wait for a piece of the body, and `total` the whole
    exchange from its start, however the daemon spaces its bytes. Each wait gets the shorter of
    its timeout and what is left of `total`."""

    __slots__ = ("head_timeout", "body_timeout", "total", "ends_at")

    def __init__(
        self, head_timeout: float | None, body_timeout: float | None, total: float | None
    ) -> None:
        self.head_timeout = head_timeout
        self.body_timeout = body_timeout
        self.total = total
        self.ends_at = None if total is None else time.monotonic() + total

    def wait(self, timeout: float | None) -> float | None:
        """`timeout`, shortened to what is left; TimeoutError once nothing is."""
        if self.ends_at is None:
            return timeout
        left = self.ends_at - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        return left if timeout is None else min(left, timeout)

    def passed(self) -> bool:
        return self.ends_at is not None and time.monotonic() >= self.ends_at


def seconds(value: float | None) -> float | None:
    """`value` if it is a number of seconds a wait can take (or None); else InvalidArgument."""
    if value is None or (type(value) in (int, float) and 0 <= value <= MAX_SECONDS):
        return value  # (NaN fails the comparison)
    raise InvalidArgument(f"a timeout or deadline must be seconds from 0 to 1e9, not {value!r}")


class Pooled(Protocol):
    """What the pool needs of a connection, blocking or asyncio."""

    def is_stale(self) -> bool: ...
    def close(self) -> None: ...


C = TypeVar("C", bound=Pooled)


class Pool(Generic[C]):
    """Idle kept-alive connections to one endpoint, at most `limit` of them. Thread-safe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._idle: list[C] = []
        self._lock = allocate_lock()

    def take_idle(self, check: bool) -> C | None:
        """An idle connection, or None. With `check`, each is first asked whether the daemon
        closed it, and a stale one is closed; so is every other, checked in turn: when one is
        dead, the daemon probably restarted and they all are."""
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None or not check or not conn.is_stale():
                return conn
            conn.close()

    def release(self, conn: C) -> None:
        """Take back a connection whose response was read to its end (or close it: full)."""
        with self._lock:
            if len(self._idle) < self.limit:
                self._idle.append(conn)
                return
        conn.close()

    def drop_idle(self) -> list[C]:
        """Close every idle connection; returns them (asyncio waits for their sockets)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        return idle


class _More:
    def __repr__(self) -> str:
        return "MORE"


#: What `BaseExchange._take` returns when the body needs more bytes from the socket.
MORE = _More()


class BaseExchange(Generic[C]):
    """One request's exchange on one connection, without I/O: the transports subclass it and
    add only the reads and writes.

    A transport drives it so: write `_sending(request)` with the wait `_next_wait()` allows, then
    feed every read to `_received(data)` until `head` is set. A failure goes to `_retry(exc)`,
    which says whether to try again on a fresh connection. The body: `_take()` gives the next
    piece, None at the end, or MORE when a read must come first."""

    def __init__(
        self,
        pool: Pool[C],
        conn: C,
        method: str,
        deadline: Deadline,
        endpoint_url: str,
        trace: TraceHook | None,
        reused: bool,
    ) -> None:
        self._pool = pool
        self._conn: C | None = conn
        self._method = method
        self._parser = ResponseParser(method)
        self._pending: list[Event] = []
        self._deadline = deadline
        self._url = endpoint_url
        self._trace = trace
        self._reused = reused
        self._sent = False
        self._received_any = False
        self._streamed = False  # a body sent from an iterable: never sent again

    @property
    def head(self) -> Head:
        """The response's status line and fields (set once `open()` returned the exchange)."""
        head = self._parser.head
        assert head is not None, "the head is read before the exchange is handed out"
        return head

    @property
    def hijacked_bytes(self) -> bytes:
        """After a 101 response: bytes already read that belong to the upgraded stream (after
        a hijacking `200 OK`, the parser took them for the start of a body)."""
        return self._parser.trailing or body_of(self._pending)[0]

    # --- What the transports call ------------------------------------------------------------

    def _live(self) -> C:
        conn = self._conn
        if conn is None:
            raise TransportError("the connection is already closed")
        return conn

    def _next_wait(self) -> float | None:
        """Seconds the next send or read may wait: the head's or the body's timeout, within the
        deadline."""
        timeout = self._deadline.head_timeout
        if self._parser.head is not None:
            timeout = self._deadline.body_timeout
        return self._deadline.wait(timeout)

    def _sending(self, request: bytes) -> bytes:
        if self._trace:
            self._trace("send", request)
        return request

    def _sent_whole(self) -> None:
        self._sent = True

    def _chunks(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """The pieces of a body of unknown length as sent, chunk-framed (RFC 9112 §7.1) and
        traced. Once one is taken the request is never resent: an iterable gives its pieces
        once."""
        self._streamed = True
        for chunk in chunked(_bytes_only(pieces)):
            if self._trace:
                self._trace("send", chunk)
            yield chunk

    def _received(self, data: bytes) -> None:
        """Feed what one read brought (b"": the daemon closed the connection)."""
        if self._trace:
            self._trace("recv", data)
        if data:
            self._received_any = True
            self._pending += self._parser.feed(data)
        else:
            self._pending += self._parser.feed_eof()

    def _take(self) -> bytes | None | _More:
        """The next piece of the body from what was received: bytes, None at the end, or MORE
        when the socket must be read first. At the end the connection goes back to the pool
        before the last piece is handed over."""
        events, self._pending = self._pending, []
        data, ended = body_of(events)
        if ended:
            self._complete()
        if data:
            return data
        return None if self._conn is None else MORE

    def _complete(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            if self._parser.reusable:
                self._pool.release(conn)
            else:  # closed by the daemon, or hijacked: never back into the pool
                conn.close()

    def _detach(self) -> C:
        """Take the connection out of HTTP (after a 101 upgrade): the caller owns it now."""
        conn = self._live()
        self._conn = None
        return conn

    def close(self) -> None:
        """Abandon the response: the connection is closed, never reused."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _retry(self, exc: BaseException) -> BaseException | None:
        """After a failed try: closes the connection, and returns None if the request may go
        again on a fresh connection, else the error to raise.

        It may go again only when a reused connection proved dead before any byte of a response
        came back (the daemon closed it while idle: a restart, or its idle timeout), and the
        request never went out whole or its method is idempotent: it cannot run twice. The
        pool's other idle connections are as old as the dead one, so they are dropped too."""
        self.close()
        dead = isinstance(exc, (ProtocolError, BrokenPipeError, ConnectionResetError))
        dead_unused = self._reused and not self._received_any and dead and not self._streamed
        if dead_unused and (not self._sent or self._method in IDEMPOTENT_METHODS):
            self._pool.drop_idle()
            return None
        return self._error(exc)

    def _error(self, exc: BaseException) -> BaseException:
        """Closes the connection; returns what `exc` becomes: socket errors never leave
        rawdock raw."""
        self.close()
        return transport_error(exc, self._url, self._deadline)


def _bytes_only(pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        if not isinstance(piece, (bytes, bytearray)):
            raise InvalidArgument(f"a piece of a body must be bytes, not {type(piece).__name__}")
        yield bytes(piece)


def transport_error(exc: BaseException, url: str, deadline: Deadline | None) -> BaseException:
    """The rawdock error for a failure while talking to the daemon at `url`."""
    if isinstance(exc, (ProtocolError, TransportError)):
        return exc
    if isinstance(exc, TimeoutError):  # socket.timeout is TimeoutError
        if deadline is not None and deadline.total is not None and deadline.passed():
            return Timeout(
                f"no complete answer from the Docker daemon at {url} "
                f"within the deadline of {deadline.total:g} s"
            )
        return Timeout(f"timed out waiting for the Docker daemon at {url}")
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        return TransportError(f"the connection to the Docker daemon at {url} failed: {reason}")
    return exc
