"""`rawdock.aio.Client`: the Docker Engine API over asyncio, from the same endpoint definitions.

    import asyncio
    import rawdock.aio

    async def main():
        async with rawdock.aio.Client() as client:       # unix socket, or DOCKER_HOST
            print(await client.containers(all=True))     # GET /v1.41/containers/json?all=1
            async for stream, data in client.logs("web", follow=True):
                print(stream, data)

    asyncio.run(main())

Every method of `rawdock.Client` is here with the same signature, as a coroutine; streaming
endpoints (`logs`, `events`, `pull`, `build`, ...) return an `AsyncStream` to `async for` over.
Nothing about an endpoint is written twice: each one is declared once in `rawdock.api.Endpoints`,
and this class only says how to run a `Call` (`_run`) and a `StreamCall` (`_stream`). Errors,
version negotiation, `DOCKER_HOST` and the request bytes are the sync client's own.

`import rawdock` does not import asyncio; only `import rawdock.aio` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Generator
from typing import Any, TypeVar

from .aio_hijack import AsyncHijackedStream
from .aio_transport import MAX_CONNECTIONS, AsyncExchange, AsyncTransport
from .api import (
    AsyncRunner,
    Call,
    Communicate,
    Endpoints,
    HijackCall,
    Steps,
    StreamCall,
    advance,
    check_status,
    check_version,
    result_of,
)
from .client import RequestBuilder, negotiate_version
from .hijack import HijackSession, is_hijacked
from .streams import Decoder
from .transport import TraceHook, _ssl_context
from .wire import Headers

__all__ = ["Client", "AsyncStream", "AsyncHijackedStream", "MAX_CONNECTIONS"]

T = TypeVar("T")

_PING: Call[Any] = Call("GET", "/_ping", versioned=False)


class Client(RequestBuilder, Endpoints, AsyncRunner):
    """A Docker Engine API client over asyncio.

    The arguments are `rawdock.Client`'s: `host` ("unix:///path" or "tcp://host:port"; default
    `DOCKER_HOST`, else the docker context, else the local socket), `version` (pinned, or
    negotiated on first use), `timeout`, `connect_timeout` and `deadline` (see the table in
    `rawdock.Client`'s docstring: they mean the same here), `trace` (called as
    trace("send"|"recv", bytes)), `tls` (a `rawdock.TLSConfig` for tcp:// hosts, or as
    DOCKER_TLS_VERIFY says).
    ssh:// hosts are for the sync client only, so far.

    The constructor does no I/O and needs no running loop. Any number of tasks may share one
    client: up to `MAX_CONNECTIONS` requests run at once, each on a connection of its own, and the
    rest wait for one. `async with` (or `await client.close()`) closes the idle connections."""

    transport: AsyncTransport
    _negotiation: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def _make_transport(
        self,
        timeout: float | None,
        connect: float | None,
        trace: TraceHook | None,
        deadline: float | None,
    ) -> None:
        self.transport = AsyncTransport(self.endpoint, timeout, connect, trace, deadline)
        if self.endpoint.tls is not None:
            self.transport.ssl_context = _ssl_context(self.endpoint.tls)

    @property
    def api_version(self) -> str | None:
        """The API version in use: pinned, or negotiated by the first request (with one
        GET /_ping); None before that, since a property cannot wait for the daemon."""
        return self._version

    async def close(self) -> None:
        """Close the kept-alive connections."""
        await self.transport.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- Running calls ------------------------------------------------------------------------

    async def _negotiate(self) -> str:
        # One task pings; the others wait for its answer rather than ping too.
        loop = asyncio.get_running_loop()
        if self._negotiation is None or self._negotiation[0] is not loop:
            self._negotiation = (loop, asyncio.Lock())
        async with self._negotiation[1]:
            if self._version is None:
                exchange = await self._open(_PING)
                await exchange.read()
                self._version = negotiate_version(exchange.head.headers.get("api-version"))
        return self._version

    async def _open(self, call: Call[Any] | StreamCall[Any]) -> AsyncExchange:
        if call.versioned:
            # Before taking a connection slot: negotiating needs one itself.
            version = self._version or await self._negotiate()
            if call.needs:
                check_version(call.needs, version, f"{call.method} {call.target.split('?')[0]}")
        request = self.request_bytes(
            call.method, call.target, call.versioned, call.body, call.content_type, call.headers
        )
        # Streams may stay open for hours, so they do not hold one of the bounded slots.
        bounded = isinstance(call, Call)
        pieces = None if isinstance(call.body, bytes) else call.body
        return await self.transport.open(request, call.method, *self.bounds(call), bounded, pieces)

    async def _run(self, call: Call[T]) -> T:
        exchange = await self._open(call)
        body = await exchange.read()
        return result_of(call, exchange.head, body)

    def _stream(self, call: StreamCall[T]) -> AsyncStream[T]:
        return AsyncStream(self, call)

    async def _hijack(self, call: HijackCall) -> AsyncHijackedStream:
        # As rawdock.Client._hijack: after the 101, the connection and the bytes that came with
        # the head are the stream's, never the pool's.
        request = call.request
        exchange = await self._open(request)
        try:
            head = exchange.head
            if not is_hijacked(head):  # an error, or `detach=True` answered at once
                check_status(head.status, (), await exchange.read())
                return AsyncHijackedStream(None, None, HijackSession.answered())
            decoder = request.decoder(head.headers, None)
            if decoder is None:  # attach on engines that do not say how it is framed
                assert request.tty_probe is not None
                tty: bool = await self._run(request.tty_probe)
                decoder = request.decoder(head.headers, tty)
                assert decoder is not None
            session = HijackSession(decoder, exchange.hijacked_bytes, writable=call.stdin)
            reader, writer = exchange.detach()
        except BaseException:
            exchange.close()
            raise
        return AsyncHijackedStream(reader, writer, session, self.transport.trace)

    async def _sequence(self, steps: Steps[T]) -> T:
        result: Any = None
        while True:
            try:
                step = advance(steps, result)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(step, Communicate):
                async with await self._hijack(step.call) as stream:
                    result = await stream.communicate(step.input)
            else:
                result = await self._run(step)


class AsyncStream(AsyncIterator[T]):
    """The items of a streaming response, decoded as the bytes arrive.

        async for stream, data in client.logs(id):
            ...

    The request goes out at the first item, or at `await stream`, which sends it and raises any
    error of the request itself (NotFound, DaemonUnreachable) there and then:
    `logs = await client.logs(id)`. Reading to the end gives the connection back for reuse;
    `aclose()` (or `async with`, or cancelling the task that reads it) closes the connection at
    once, without reading the rest."""

    def __init__(self, client: Client, call: StreamCall[T]) -> None:
        self._client = client
        self._call = call
        #: The response's header fields, once open (e.g. get_archive's path stat).
        self.headers: Headers | None = None
        self._exchange: AsyncExchange | None = None
        self._decoder: Decoder[T] | None = None
        self._items: list[T] = []
        self._index = 0
        self._finished = False

    async def open(self) -> AsyncStream[T]:
        """Send the request and check the response head (done by the first item otherwise)."""
        if self._exchange is not None or self._finished:
            return self
        self._finished = True  # a failed request is not sent again by the next item
        call = self._call
        exchange = await self._client._open(call)
        try:
            head = exchange.head
            if head.status >= 300:
                check_status(head.status, (), await exchange.read())
            decoder = call.decoder(head.headers, None)
            if decoder is None:  # the framing depends on the container's TTY: ask
                assert call.tty_probe is not None
                tty = await self._client._run(call.tty_probe)
                decoder = call.decoder(head.headers, tty)
                assert decoder is not None
        except BaseException:
            exchange.close()
            raise
        self._exchange, self._decoder, self._finished = exchange, decoder, False
        self.headers = head.headers
        return self

    def __await__(self) -> Generator[Any, None, AsyncStream[T]]:
        return self.open().__await__()

    async def __anext__(self) -> T:
        if self._exchange is None:
            await self.open()
        while self._index >= len(self._items):
            if self._finished or self._exchange is None or self._decoder is None:
                raise StopAsyncIteration
            try:
                data = await self._exchange.next_data()
                if data is None:
                    self._items, self._index, self._finished = self._decoder.close(), 0, True
                else:
                    self._items, self._index = self._decoder.feed(data), 0
            except BaseException:  # an error, or the task was cancelled: close the connection
                self._close()
                raise
        item = self._items[self._index]
        self._index += 1
        return item

    async def aclose(self) -> None:
        """Stop reading: the connection is closed unless the stream was read to its end."""
        self._close()

    def _close(self) -> None:
        self._finished, self._items = True, []
        if self._exchange is not None:
            self._exchange.close()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._close()

    def __del__(self) -> None:
        self._close()
