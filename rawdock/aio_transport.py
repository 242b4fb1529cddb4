"""Moving the bytes over asyncio: what `rawdock.transport` does, with coroutines.

    transport = AsyncTransport(parse_host("unix:///var/run/docker.sock"))
    exchange = await transport.open(b"GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n", "GET")
    exchange.head.status, await exchange.read()     # (200, b'OK')

The HTTP is the same sans-IO `ResponseParser`; only the reads and writes differ. Connections
come from `asyncio.open_unix_connection` / `asyncio.open_connection`, are kept alive for reuse,
and at most `max_connections` carry ordinary requests at once (streams, which may stay open for
hours, are not counted: a client with many `events()` open must still answer a `ping()`).

Cancelling a task closes the connection it was using: a half-read response can never be reused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import ProtocolError, RawdockError, TransportError
from .transport import (
    DEFAULT_TIMEOUT,
    RECV_SIZE,
    Endpoint,
    TraceHook,
    TransportSettings,
    _cannot_connect,
    _Default,
    _may_resend,
    _transport_error,
)
from .wire import Event, Head, ResponseParser, body_of

if TYPE_CHECKING:
    import ssl

__all__ = ["AsyncConnection", "AsyncTransport", "AsyncExchange", "MAX_CONNECTIONS", "within"]

T = TypeVar("T")

#: Ordinary requests one client runs at once (and idle connections it keeps); more wait their
#: turn. Ten is docker-py's pool size; the daemon answers a few at a time anyway.
MAX_CONNECTIONS = 10

# asyncio.timeout() arrived in 3.11; before that, wait_for (which costs a task per await).
_asyncio_timeout: Any = getattr(asyncio, "timeout", None)


async def within(timeout: float | None, awaitable: Awaitable[T]) -> T:
    """`await awaitable`, raising the builtin TimeoutError after `timeout` seconds (None:
    forever). TimeoutError is what a blocking socket raises (socket.timeout), so one error
    mapping serves both clients; on 3.10 asyncio raises its own class, converted here."""
    if timeout is None:
        return await awaitable
    try:
        if _asyncio_timeout is not None:
            async with _asyncio_timeout(timeout):
                return await awaitable
        return await asyncio.wait_for(awaitable, timeout)
    except asyncio.TimeoutError:
        raise TimeoutError() from None


class AsyncConnection:
    """One open stream to the daemon. `live` is the transport's set of open connections: a
    connection is in it from connect to close."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        live: set[AsyncConnection],
    ) -> None:
        self.reader = reader
        self.writer = writer
        self._live = live
        live.add(self)

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        connect_timeout: float | None,
        live: set[AsyncConnection],
        ssl_context: ssl.SSLContext | None = None,
    ) -> AsyncConnection:
        """Connect to `endpoint`; with `ssl_context`, TLS over TCP (verifying the endpoint's
        host name as the server's name)."""
        if endpoint.scheme == "unix":
            opening = asyncio.open_unix_connection(endpoint.path, limit=RECV_SIZE)
        elif endpoint.scheme == "tcp":  # asyncio sets TCP_NODELAY itself
            server_hostname = endpoint.host if ssl_context else None
            opening = asyncio.open_connection(
                endpoint.host,
                endpoint.port,
                ssl=ssl_context,
                server_hostname=server_hostname,
                limit=RECV_SIZE,
            )
        else:
            raise TransportError(f"rawdock.aio cannot connect to {endpoint.url} yet")
        try:
            reader, writer = await within(connect_timeout, opening)
        except OSError as exc:
            raise _cannot_connect(endpoint, exc) from None
        return cls(reader, writer, live)

    async def send(self, data: bytes, timeout: float | None) -> None:
        self.writer.write(data)
        await within(timeout, self.writer.drain())

    async def recv(self, timeout: float | None) -> bytes:
        return await within(timeout, self.reader.read(RECV_SIZE))

    def is_stale(self) -> bool:
        """An idle kept-alive connection the daemon has closed (or broken) cannot be reused."""
        return (
            self.writer.is_closing() or self.reader.at_eof() or self.reader.exception() is not None
        )

    def close(self) -> None:
        """Close at once (the socket itself closes on the loop's next turn)."""
        self._live.discard(self)
        try:
            self.writer.close()
        except RuntimeError:  # its event loop is already closed: nothing left to tell
            pass


class AsyncTransport(TransportSettings):
    """Runs requests over connections to one endpoint, keeping idle ones for reuse. One
    transport belongs to one event loop at a time: it moves to another only once it has no
    connection open (after `close()`)."""

    def __init__(
        self,
        endpoint: Endpoint,
        timeout: float | None = 60,
        connect_timeout: float | None = None,
        trace: TraceHook | None = None,
    ) -> None:
        super().__init__(endpoint, timeout, connect_timeout, trace)
        #: TLS for a tcp endpoint: passed to asyncio.open_connection as is.
        self.ssl_context: ssl.SSLContext | None = None
        self.max_connections = MAX_CONNECTIONS
        self._idle: list[AsyncConnection] = []
        self._live: set[AsyncConnection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(self.max_connections)

    @property
    def open_connections(self) -> int:
        """Connections open now: idle ones and those carrying a request or a stream."""
        return len(self._live)

    @property
    def idle_connections(self) -> int:
        return len(self._idle)

    async def open(
        self,
        request: bytes,
        method: str,
        timeout: float | None | _Default = DEFAULT_TIMEOUT,
        bounded: bool = True,
    ) -> AsyncExchange:
        """Send `request` and read up to the response head; the body is read from the returned
        `AsyncExchange`. `bounded` requests wait for one of the `max_connections` slots, held
        until the body is read or the exchange closed. A kept-alive connection that turns out to
        be dead is replaced and the request sent again, but only when that cannot run it twice."""
        self._bind_loop()
        read_timeout = self.timeout if isinstance(timeout, _Default) else timeout
        release: Callable[[], None] = _nothing
        if bounded:
            slots = self._slots
            await slots.acquire()
            release = slots.release
        try:
            for attempt in (1, 2):
                conn, reused = await self._acquire()
                parser = ResponseParser(method)
                sent = False
                try:
                    if self.trace:
                        self.trace("send", request)
                    await conn.send(request, read_timeout)
                    sent = True
                    events = await _receive(conn, parser, read_timeout, self.trace)
                    while parser.head is None:  # the parser sets it as it emits the Head event
                        events += await _receive(conn, parser, read_timeout, self.trace)
                    return AsyncExchange(self, conn, parser, events, read_timeout, release)
                except (OSError, ProtocolError, TransportError) as exc:
                    conn.close()
                    if attempt == 1 and _may_resend(method, reused, sent, parser, exc):
                        continue
                    raise _transport_error(exc, self.endpoint) from None
                except BaseException:  # cancelled: the response may be half read
                    conn.close()
                    raise
            raise AssertionError("unreachable")
        except BaseException:
            release()
            raise

    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        if self._live:
            raise RawdockError(
                "this rawdock.aio.Client has connections open in another event loop: "
                "use one client per loop, or `await client.close()` before moving it"
            )
        # asyncio primitives belong to the loop that first waits on them.
        self._loop, self._slots = loop, asyncio.Semaphore(self.max_connections)

    async def _acquire(self) -> tuple[AsyncConnection, bool]:
        while self._idle:
            conn = self._idle.pop()
            if not conn.is_stale():
                return conn, True
            conn.close()
        conn = await AsyncConnection.open(
            self.endpoint, self.connect_timeout, self._live, self.ssl_context
        )
        return conn, False

    def release(self, conn: AsyncConnection) -> None:
        """Take back a connection whose response was read to its end."""
        if len(self._idle) < self.max_connections:
            self._idle.append(conn)
        else:
            conn.close()

    async def close(self) -> None:
        """Close every idle connection and wait until their sockets are closed. Open exchanges
        and streams close their own."""
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        for conn in idle:
            try:
                await conn.writer.wait_closed()
            except (OSError, RuntimeError):  # it was broken anyway; closed is all we need
                pass


class AsyncExchange:
    """One request's response on one connection: the `head`, then the body from `next_data()`
    or `read()`. Reading to the end gives the connection back for reuse; `close()` before the
    end closes it, since the rest of the body would still be in the way."""

    def __init__(
        self,
        transport: AsyncTransport,
        conn: AsyncConnection,
        parser: ResponseParser,
        events: list[Event],
        timeout: float | None,
        release_slot: Callable[[], None] = lambda: None,
    ) -> None:
        self._transport = transport
        self._conn: AsyncConnection | None = conn
        self._parser = parser
        head = events[0]
        assert isinstance(head, Head)
        self.head = head
        self._pending = events[1:]
        self.timeout = timeout
        self._release_slot: Callable[[], None] | None = release_slot

    @property
    def connection(self) -> AsyncConnection | None:
        """The connection still carrying this response; None once read or closed."""
        return self._conn

    async def next_data(self) -> bytes | None:
        """The next piece of the body (chunked framing removed): what one read from the socket
        brought; None at the end. (A log of short lines comes as one tiny chunk per line; joining
        a read's chunks spares the consumer a round per chunk, as in the blocking transport.)"""
        try:
            while self._conn is not None:
                events, self._pending = self._pending, []
                data, ended = body_of(events)
                if ended:
                    self._complete()  # back to the pool before the last piece is handed over
                if data:
                    return data
                if self._conn is None:
                    return None
                self._pending = await _receive(
                    self._conn, self._parser, self.timeout, self._transport.trace
                )
        except (OSError, ProtocolError, TransportError) as exc:
            self.close()
            raise _transport_error(exc, self._transport.endpoint) from None
        except BaseException:
            self.close()
            raise
        return None

    async def read(self) -> bytes:
        """The whole body."""
        chunks = []
        while (data := await self.next_data()) is not None:
            chunks.append(data)
        return b"".join(chunks)

    def _complete(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            if self._parser.reusable:
                self._transport.release(conn)
            else:  # closed by the daemon, or hijacked: never back into the pool
                conn.close()
        self._free_slot()

    def close(self) -> None:
        """Abandon the response: the connection is closed, never reused."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
        self._free_slot()

    def _free_slot(self) -> None:
        release, self._release_slot = self._release_slot, None
        if release is not None:
            release()


def _nothing() -> None:
    return None


async def _receive(
    conn: AsyncConnection, parser: ResponseParser, timeout: float | None, trace: TraceHook | None
) -> list[Event]:
    data = await conn.recv(timeout)
    if trace:
        trace("recv", data)
    return parser.feed(data) if data else parser.feed_eof()
