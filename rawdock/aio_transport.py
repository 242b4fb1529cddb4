"""Moving the bytes over asyncio: what `rawdock.transport` does, with coroutines.

    transport = AsyncTransport(parse_host("unix:///var/run/docker.sock"))
    exchange = await transport.open(b"GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n", "GET")
    exchange.head.status, await exchange.read()     # (200, b'OK')

The HTTP is the same sans-IO `ResponseParser`; only the reads and writes differ. Connections
come from `asyncio.open_unix_connection` / `asyncio.open_connection`, are kept alive for reuse,
and at most `max_connections` carry ordinary requests at once (streams, which may stay open for
hours, are not counted: a client with many `events()` open must still answer a `ping()`).

Cancelling a task closes the connection it was using: a half-read response can never be reused.
What to decide about a connection (resend, reuse, deadlines) is `rawdock.exchange`'s, shared
with the blocking transport; this module only reads and writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import RawdockError, TransportError
from .exchange import MORE, BaseExchange, _Default
from .transport import (
    DEFAULT_TIMEOUT,
    RECV_SIZE,
    Endpoint,
    TraceHook,
    TransportSettings,
    _cannot_connect,
)

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

    def forget(self) -> None:
        """No longer the transport's to close (detached after an upgrade)."""
        self._live.discard(self)

    def close(self) -> None:
        """Close at once (the socket itself closes on the loop's next turn)."""
        self._live.discard(self)
        try:
            self.writer.close()
        except RuntimeError:  # its event loop is already closed: nothing left to tell
            pass


class AsyncTransport(TransportSettings[AsyncConnection]):
    """Runs requests over connections to one endpoint, keeping idle ones for reuse. One
    transport belongs to one event loop at a time: it moves to another only once it has no
    connection open (after `close()`)."""

    def __init__(
        self,
        endpoint: Endpoint,
        timeout: float | None = 60,
        connect_timeout: float | None = None,
        trace: TraceHook | None = None,
        deadline: float | None = None,
    ) -> None:
        super().__init__(endpoint, timeout, connect_timeout, trace, deadline, MAX_CONNECTIONS)
        #: TLS for a tcp endpoint: passed to asyncio.open_connection as is.
        self.ssl_context: ssl.SSLContext | None = None
        self.max_connections = MAX_CONNECTIONS
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
        deadline: float | None | _Default = DEFAULT_TIMEOUT,
        work: float | None = 0,
        item_work: float = 0,
        bounded: bool = True,
        pieces: Iterable[bytes] | None = None,
    ) -> AsyncExchange:
        """Send `request` and read up to the response head; the body is read from the returned
        `AsyncExchange`. The timeouts and the resend are `rawdock.Transport.open`'s. `bounded`
        requests wait for one of the `max_connections` slots, held until the body is read or
        the exchange closed. `pieces`: a chunked body, as for `rawdock.Transport.open`."""
        self._bind_loop()
        release: Callable[[], None] = _nothing
        if bounded:
            await self._slots.acquire()
            release = self._slots.release
        try:
            exchange = await self._exchange(
                request, method, timeout, deadline, work, item_work, pieces
            )
        except BaseException:
            release()
            raise
        exchange._release_slot = release
        return exchange

    async def _exchange(
        self,
        request: bytes,
        method: str,
        timeout: float | None | _Default,
        deadline: float | None | _Default,
        work: float | None,
        item_work: float,
        pieces: Iterable[bytes] | None = None,
    ) -> AsyncExchange:
        bounds = self._deadline(timeout, deadline, work, item_work)
        conn = self.take_idle(check=True)  # a cheap check here: no system call
        while True:
            reused = conn is not None
            conn = conn or await AsyncConnection.open(
                self.endpoint, self._connect_timeout(bounds), self._live, self.ssl_context
            )
            exchange = AsyncExchange(
                self, conn, method, bounds, self.endpoint.url, self.trace, reused
            )
            try:
                await exchange._start(request, pieces)
                return exchange
            except BaseException as exc:  # cancelled too: the response may be half read
                error = exchange._retry(exc)
                if error is not None:
                    raise error from None
            conn = None  # a resend never takes a pooled connection: they are as old as this one

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

    async def close(self) -> None:
        """Close every idle connection and wait until their sockets are closed. Open exchanges
        and streams close their own."""
        for conn in self.drop_idle():
            try:
                await conn.writer.wait_closed()
            except (OSError, RuntimeError):  # it was broken anyway; closed is all we need
                pass


class AsyncExchange(BaseExchange[AsyncConnection]):
    """One request's response on one connection: the `head`, then the body from `next_data()`
    or `read()`. Reading to the end gives the connection back for reuse; `close()` before the
    end closes it, since the rest of the body would still be in the way. After a 101 response,
    `detach()` hands over the reader and writer and `hijacked_bytes` what came after the head."""

    _release_slot: Callable[[], None] | None = None  # set by the transport once the head is in

    @property
    def connection(self) -> AsyncConnection | None:
        """The connection still carrying this response; None once read or closed."""
        return self._conn

    async def _start(self, request: bytes, pieces: Iterable[bytes] | None = None) -> None:
        conn = self._live()
        await conn.send(self._sending(request), self._next_wait())
        if pieces is not None:
            try:
                for chunk in self._chunks(pieces):
                    await conn.send(chunk, self._next_wait())
            except (BrokenPipeError, ConnectionResetError):
                pass  # an early answer is read below (see rawdock.transport.Exchange._start)
        self._sent_whole()
        while self._parser.head is None:
            self._received(await conn.recv(self._next_wait()))

    async def next_data(self) -> bytes | None:
        """The next piece of the body (chunked framing removed): what one read from the socket
        brought; None at the end."""
        try:
            while (piece := self._take()) is MORE:
                self._received(await self._live().recv(self._next_wait()))
        except BaseException as exc:  # an error, or the task was cancelled
            self._free_slot()
            raise self._error(exc) from None
        if self._conn is None:
            self._free_slot()
        return piece  # type: ignore[return-value]  # not MORE, as the loop says

    async def read(self) -> bytes:
        """The whole body."""
        pieces = []
        while (data := await self.next_data()) is not None:
            pieces.append(data)
            if self._conn is None:  # that was the last piece (the usual small response)
                break
        return b"".join(pieces)

    def detach(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Take the connection out of HTTP (after a 101 upgrade): the caller owns the reader
        and writer now, and `hijacked_bytes` holds what already came after the head."""
        conn = self._detach()
        conn.forget()
        self._free_slot()
        return conn.reader, conn.writer

    def close(self) -> None:
        """Abandon the response: the connection is closed, never reused."""
        super().close()
        self._free_slot()

    def _free_slot(self) -> None:
        release, self._release_slot = self._release_slot, None
        if release is not None:
            release()


def _nothing() -> None:
    return None
