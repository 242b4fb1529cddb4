"""`rawdock.Client`: the Docker Engine API over blocking sockets.

    import rawdock
    client = rawdock.Client()            # no I/O yet
    client.ping()                        # GET /_ping -> True
    client.containers(all=True)          # GET /v1.41/containers/json?all=1 (version negotiated)

Every endpoint method comes from `rawdock.api.Endpoints`; this module only runs them: it builds
the request bytes, sends them through the transport, and turns the response into a result or an
error.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import Any, TypeVar

from .api import (
    Call,
    Endpoints,
    Response,
    StreamCall,
    SyncRunner,
    check_status,
    json_body,
    result_of,
)
from .streams import Decoder
from .transport import Exchange, TraceHook, Transport, _Default, parse_host
from .wire import QueryValue, build_request, target

__all__ = ["Client", "Stream", "MAX_API_VERSION", "negotiate_version"]

T = TypeVar("T")

#: The newest API version rawdock speaks. Negotiation picks min(this, the daemon's).
MAX_API_VERSION = "1.48"
USER_AGENT = "rawdock"


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def negotiate_version(server: str | None) -> str:
    """min(server, MAX_API_VERSION); the daemon's newest when it does not say."""
    if not server:
        return MAX_API_VERSION
    return min(server, MAX_API_VERSION, key=_version_tuple)


class RequestBuilder:
    """What both clients share: the endpoint, the API version and the bytes of a request."""

    def __init__(self, host: str | None = None, version: str | None = None) -> None:
        self.endpoint = parse_host(host)
        self._version = version

    def request_bytes(
        self,
        method: str,
        path: str,
        versioned: bool,
        body: bytes = b"",
        content_type: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> bytes:
        if versioned:
            path = f"/v{self._version}{path}"
        fields = [("Host", self.endpoint.host_header), ("User-Agent", USER_AGENT)]
        if content_type:
            fields.append(("Content-Type", content_type))
        fields.extend(headers)
        return build_request(method, path, fields, body)

    @staticmethod
    def raw_call(
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Call[Response]:
        """The Call behind `request()`: any endpoint, path given without the version prefix."""
        content_type = None
        if json is not None:
            body, content_type = json_body(json), "application/json"
        query = target("/", query=params)[1:] if params else ""
        return Call(
            method,
            path + ("?" + query.lstrip("?") if query else ""),
            body or b"",
            content_type,
            tuple((headers or {}).items()),
            result=lambda response: response,
        )


class Client(RequestBuilder, Endpoints, SyncRunner):
    """A Docker Engine API client over blocking sockets.

    `host`: "unix:///path" or "tcp://host:port"; default `DOCKER_HOST`, else the local socket.
    `version`: pin the API version ("1.41"); default: negotiated on first use.
    `timeout`: seconds to wait for each read of an ordinary response (None: forever). Streams
    that may be quiet (logs follow, events, wait) have no read timeout.
    `connect_timeout`: seconds to connect; default the same as `timeout`.
    `trace`: called as trace("send"|"recv", bytes) with every byte on the wire.

    The constructor does no I/O. One client may be shared between threads: each request takes a
    connection of its own from a small pool of kept-alive ones."""

    def __init__(
        self,
        host: str | None = None,
        version: str | None = None,
        timeout: float | None = 60,
        connect_timeout: float | None = None,
        trace: TraceHook | None = None,
    ) -> None:
        RequestBuilder.__init__(self, host, version)
        self.transport = Transport(self.endpoint, timeout, connect_timeout, trace)

    @property
    def api_version(self) -> str:
        """The API version in use: pinned, or negotiated (with one GET /_ping) on first use."""
        if self._version is None:
            exchange = self._open(Call("GET", "/_ping", versioned=False))
            exchange.read()
            self._version = negotiate_version(exchange.head.headers.get("api-version"))
        return self._version

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Any endpoint, by hand: `client.request("GET", "/containers/json", params={"all": 1})`.
        The path is given without the version prefix. Raises DockerError for an error status."""
        return self._run(self.raw_call(method, path, params, json, body, headers))

    def close(self) -> None:
        """Close the kept-alive connections."""
        self.transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Running calls ------------------------------------------------------------------------

    def _open(
        self,
        call: Call[Any] | StreamCall[Any],
    ) -> Exchange:
        if call.versioned:
            self.api_version  # noqa: B018 -- negotiates on first use
        request = self.request_bytes(
            call.method, call.target, call.versioned, call.body, call.content_type, call.headers
        )
        timeout: float | None | _Default = call.timeout
        return self.transport.open(request, call.method, timeout)

    def _run(self, call: Call[T]) -> T:
        exchange = self._open(call)
        body = exchange.read()
        return result_of(call, exchange.head, body)

    def _stream(self, call: StreamCall[T]) -> Iterator[T]:
        # Not a generator itself, so that errors in the request (404, unreachable daemon) raise
        # here, at the call, not at the first next().
        exchange = self._open(call)
        try:
            if exchange.head.status >= 300:
                check_status(exchange.head.status, (), exchange.read())
            decoder = call.decoder(exchange.head.headers, None)
            if decoder is None:
                assert call.tty_probe is not None
                decoder = call.decoder(exchange.head.headers, self._run(call.tty_probe))
                assert decoder is not None
        except BaseException:
            exchange.close()
            raise
        return Stream(exchange, decoder)


class Stream(Iterator[T]):
    """The items of a streaming response, decoded as the bytes arrive.

    Iterate it like a generator. Reading it to the end gives its connection back for reuse;
    `close()` (or `with`, or `break` then garbage collection) before the end closes the
    connection at once, without reading the rest."""

    def __init__(self, exchange: Exchange, decoder: Decoder[T]) -> None:
        self._exchange = exchange
        self._decoder = decoder
        self._body: Generator[bytes, None, None] = exchange.iter_body()
        self._items: list[T] = []
        self._index = 0
        self._finished = False

    def __next__(self) -> T:
        while self._index >= len(self._items):
            if self._finished:
                raise StopIteration
            try:
                self._items, self._index = self._decoder.feed(next(self._body)), 0
            except StopIteration:
                self._items, self._index, self._finished = self._decoder.close(), 0, True
            except BaseException:
                self.close()
                raise
        item = self._items[self._index]
        self._index += 1
        return item

    def close(self) -> None:
        self._finished, self._items = True, []
        self._body.close()
        self._exchange.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
