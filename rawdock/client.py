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

from collections.abc import Generator, Iterator, Mapping, Sequence
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
from .transport import Exchange, TLSConfig, TraceHook, Transport, _Default, parse_host
from .wire import QueryValue, build_request, target

__all__ = ["Client", "Stream", "MAX_API_VERSION", "negotiate_version"]

T = TypeVar("T")

#: The newest API version rawdock speaks. Negotiation picks min(this, the daemon's).
MAX_API_VERSION = "1.48"
USER_AGENT = "rawdock"
#: Header fields rawdock writes itself and a caller may not add. Content-Length and
#: Transfer-Encoding decide where the request ends (RFC 9112 §6): one from a caller that
#: disagrees with the body would leave the rest of the body to be read as a second request.
#: Host is required exactly once (RFC 9112 §3.2).
RESERVED_FIELDS = frozenset({"host", "content-length", "transfer-encoding"})


def _is_raw_path(path: str) -> bool:
    """A path given to `request()`: "/" then visible ASCII (RFC 3986 characters; encode others).
    No space or other whitespace, which lenient parsers take as the end of the target
    (RFC 9112 §3), and no control characters (isprintable() is False for C0 and DEL)."""
    return path.startswith("/") and path.isascii() and path.isprintable() and " " not in path


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def negotiate_version(server: str | None) -> str:
    """min(server, MAX_API_VERSION); the daemon's newest when it does not say."""
    if not server:
        return MAX_API_VERSION
    return min(server, MAX_API_VERSION, key=_version_tuple)


class RequestBuilder:
    """What both clients share: the endpoint, the API version and the bytes of a request."""

    def __init__(
        self,
        host: str | None = None,
        version: str | None = None,
        tls: TLSConfig | bool | None = None,
        ssh_options: Sequence[str] = (),
    ) -> None:
        self.endpoint = parse_host(host, tls, ssh_options)
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
        fields = [("Host", self.endpoint.host_header)]
        given = {name.lower() for name, _ in headers}
        if given & RESERVED_FIELDS:
            raise ValueError(f"headers {sorted(given & RESERVED_FIELDS)} are ones rawdock sets")
        # A caller's User-Agent or Content-Type replaces rawdock's rather than doubling it.
        if "user-agent" not in given:
            fields.append(("User-Agent", USER_AGENT))
        if content_type and "content-type" not in given:
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
        """The Call behind `request()`: any endpoint, path given without the version prefix.
        Raises ValueError for a path that is not "/" and visible ASCII."""
        if not _is_raw_path(path):
            raise ValueError(f"invalid path {path!r}: expected '/' then visible ASCII")
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

    `host`: "unix:///path", "tcp://host:port" or "ssh://[user@]host[:port]"; default
    `DOCKER_HOST`, else the docker context (DOCKER_CONTEXT, else the CLI's current one), else
    the local socket.
    `tls`: for tcp:// hosts, a `rawdock.TLSConfig(ca=, cert=, key=, verify=True)`, False for
    plain TCP; default as the docker CLI reads DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH.
    `ssh_options`: extra arguments to ssh for ssh:// hosts, e.g. ["-i", "~/.ssh/docker_key"].
    `version`: pin the API version ("1.41"); default: negotiated on first use.
    `timeout`: seconds to wait for each read of an ordinary response (None: forever). Streams
    that may be quiet (logs follow, events, wait) have no read timeout.
    `connect_timeout`: seconds to connect; default the same as `timeout`.
    `trace`: called as trace("send"|"recv", bytes) with every byte on the wire.

    `timeout` is per read, like a socket timeout: a daemon that keeps sending, however slowly,
    is not timed out. `wait_container(timeout=...)` is a deadline for the whole call.

    The constructor does no I/O. One client may be shared between threads: each request, and
    each open stream, takes a connection of its own from a small pool of kept-alive ones (at
    most MAX_IDLE_CONNECTIONS idle), so requests never share a socket. A `Stream` is for one
    thread at a time; call `close()` once the other threads are done with the client."""

    def __init__(
        self,
        host: str | None = None,
        version: str | None = None,
        timeout: float | None = 60,
        connect_timeout: float | None = None,
        trace: TraceHook | None = None,
        tls: TLSConfig | bool | None = None,
        ssh_options: Sequence[str] = (),
    ) -> None:
        RequestBuilder.__init__(self, host, version, tls, ssh_options)
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
        deadline = call.deadline if isinstance(call, Call) else None
        return self.transport.open(request, call.method, timeout, deadline)

    def _run(self, call: Call[T]) -> T:
        exchange = self._open(call)
        body = exchange.read()
        return result_of(call, exchange.head, body)

    def _stream(self, call: StreamCall[T]) -> Stream[T]:
        # Not a generator itself, so that errors in the request (404, unreachable daemon) raise
        # here, at the call, not at the first next(). The tty probe (logs on engines that do
        # not say how the stream is framed) runs on another pooled connection meanwhile.
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

    Iterate it like a generator; it holds at most one read's worth of items, so memory stays
    flat however long the stream. Reading it to the end gives its connection back for reuse.
    `close()` (or leaving a `with` block, or `break` and then garbage collection) before the end
    closes the connection at once, without reading the rest: a follow or events stream may never
    end by itself. An error while reading (in-band DockerError, ProtocolError, TransportError)
    closes it too."""

    _exchange: Exchange | None = None  # None until __init__ ran: __del__ may see that

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
                data = next(self._body, None)
                if data is None:  # the body ended: the decoder checks nothing is left half-read
                    self._finished = True
                    items = self._decoder.close()
                else:
                    items = self._decoder.feed(data)
            except BaseException:
                self.close()
                raise
            self._items, self._index = items, 0
        item = self._items[self._index]
        self._index += 1
        return item

    def close(self) -> None:
        """Stop reading. Before the end of the body this closes the connection."""
        self._finished, self._items, self._index = True, [], 0
        exchange, self._exchange = self._exchange, None
        if exchange is not None:
            self._body.close()
            exchange.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
