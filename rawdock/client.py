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

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from .api import (
    Body,
    Call,
    Communicate,
    Endpoints,
    HijackCall,
    Response,
    Steps,
    StreamCall,
    SyncRunner,
    advance,
    check_status,
    check_version,
    endpoint,
    json_body,
    result_of,
)
from .api.calls import version_tuple
from .errors import InvalidArgument
from .exchange import DEFAULT_TIMEOUT, _Default
from .hijack import HijackedStream, HijackSession, is_hijacked
from .streams import Decoder
from .transport import Exchange, TLSConfig, TraceHook, Transport, parse_host
from .wire import QueryValue, build_request, target

__all__ = ["Client", "Stream", "MAX_API_VERSION", "negotiate_version"]

T = TypeVar("T")
#: The bounds `RequestBuilder.bounds` gives the transport: body read timeout, deadline, the
#: daemon's work before it answers, and its work between two pieces of the body.
Bounds = tuple["float | None | _Default", "float | None | _Default", "float | None", float]

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


def negotiate_version(server: str | None) -> str:
    """min(server, MAX_API_VERSION); the daemon's newest when it does not say."""
    if not server:
        return MAX_API_VERSION
    return min(server, MAX_API_VERSION, key=version_tuple)


class RequestBuilder:
    """What both clients share: their arguments, the endpoint, the API version, the bounds and
    the bytes of a request. Each client makes its own transport in `_make_transport`."""

    def __init__(
        self,
        host: str | None = None,
        version: str | None = None,
        timeout: float | None = 60,
        connect_timeout: float | None = None,
        trace: TraceHook | None = None,
        tls: TLSConfig | bool | None = None,
        ssh_options: Sequence[str] = (),
        deadline: float | None = None,
    ) -> None:
        self.endpoint = parse_host(host, tls, ssh_options)
        self._version = version
        self._deadline: float | None | _Default = DEFAULT_TIMEOUT  # see with_deadline
        self._make_transport(timeout, connect_timeout, trace, deadline)

    def _make_transport(
        self,
        timeout: float | None,
        connect_timeout: float | None,
        trace: TraceHook | None,
        deadline: float | None,
    ) -> None:
        raise NotImplementedError

    def with_deadline(self: B, deadline: float | None) -> B:
        """This client with every call bounded by `deadline` seconds as a whole (connect, send,
        head and body), follow streams and `wait_container` included; None lifts every
        deadline. No I/O: the copy shares the connections, `client.with_deadline(5).ping()`.

        A Timeout is raised when the deadline passes; a stream being read is then closed."""
        bounded = object.__new__(type(self))  # a shallow copy (copy.copy imports weakref)
        bounded.__dict__.update(self.__dict__)
        bounded._deadline = deadline
        return bounded

    def bounds(self, call: Call[Any] | StreamCall[Any]) -> Bounds:
        """How long `call` may wait (see the table in the Client's docstring): its own read
        timeouts, and the first of its own deadline (`wait_container(timeout=)`), this client's
        `with_deadline`, and the client's `deadline`, which does not bound calls whose body
        waits for the daemon's events or work by design (follow streams, events, wait,
        build)."""
        item_work = call.item_work if isinstance(call, StreamCall) else 0
        deadline: float | None | _Default = self._deadline
        if isinstance(call, Call) and call.deadline is not None:
            deadline = call.deadline
        elif isinstance(deadline, _Default) and (call.timeout is None or item_work):
            deadline = None
        return call.timeout, deadline, call.work, item_work

    def request_bytes(
        self,
        method: str,
        path: str,
        versioned: bool,
        body: Body = b"",
        content_type: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> bytes:
        """The request's bytes; for a body given as an iterable of pieces, its head only, saying
        `Transfer-Encoding: chunked`: the transport sends the pieces after it."""
        if versioned:
            path = f"/v{self._version}{path}"
        fields = [("Host", self.endpoint.host_header)]
        given = {name.lower() for name, _ in headers}
        if given & RESERVED_FIELDS:
            raise InvalidArgument(
                f"headers {sorted(given & RESERVED_FIELDS)} are ones rawdock sets"
            )
        # A caller's User-Agent or Content-Type replaces rawdock's rather than doubling it.
        if "user-agent" not in given:
            fields.append(("User-Agent", USER_AGENT))
        if content_type and "content-type" not in given:
            fields.append(("Content-Type", content_type))
        fields.extend(headers)
        if not isinstance(body, bytes) and (
            isinstance(body, (str, dict)) or not hasattr(type(body), "__iter__")
        ):  # refused before sending; an iterable's pieces are checked as they go out
            raise InvalidArgument(
                f"a request body is bytes or an iterable of bytes, not {type(body).__name__}"
            )
        if not isinstance(body, bytes):
            if isinstance(body, str) or not hasattr(body, "__iter__"):
                raise InvalidArgument(
                    f"a body is bytes or an iterable of bytes, not {type(body).__name__}"
                )
            fields.append(("Transfer-Encoding", "chunked"))
            body = b""
        try:
            return build_request(method, path, fields, body)
        except (ValueError, TypeError) as exc:  # a CR, LF or control in a header, not bytes
            raise InvalidArgument(str(exc)) from None

    @endpoint
    def request(
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Call[Response]:
        """Any endpoint, by hand: `client.request("GET", "/containers/json", params={"all": 1})`
        (awaited on rawdock.aio.Client). The path is given without the version prefix. Raises
        DockerError for an error status, InvalidArgument for a path that is not "/" and
        visible ASCII."""
        if not isinstance(path, str) or not _is_raw_path(path):
            raise InvalidArgument(f"invalid path {path!r}: expected '/' then visible ASCII")
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


#: A RequestBuilder's own type, for `with_deadline`. Defined after the class so that its bound
#: is the class itself: a bound given as a string makes a ForwardRef, which compiles its text,
#: and the process's first compile() costs ~0.7 ms of `import rawdock`.
B = TypeVar("B", bound=RequestBuilder)


class Client(RequestBuilder, Endpoints, SyncRunner):
    """A Docker Engine API client over blocking sockets.

    `host`: "unix:///path", "tcp://host:port" or "ssh://[user@]host[:port]"; default
    `DOCKER_HOST`, else the docker context (DOCKER_CONTEXT, else the CLI's current one), else
    the local socket.
    `tls`: for tcp:// hosts, a `rawdock.TLSConfig(ca=, cert=, key=, verify=True)`, False for
    plain TCP; default as the docker CLI reads DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH.
    `ssh_options`: extra arguments to ssh for ssh:// hosts, e.g. ["-i", "~/.ssh/docker_key"].
    `version`: pin the API version ("1.41"); default: negotiated on first use.
    `timeout`, `connect_timeout`, `deadline`: how long a call may wait (None: no bound):

    | bound                  | what it bounds                                   | default   |
    |------------------------|--------------------------------------------------|-----------|
    | `connect_timeout`      | connecting (a Unix socket's full queue included)  | `timeout` |
    | `timeout`              | each wait for the response head, every call       | 60        |
    |                        | each wait for a piece of the body, except the     |           |
    |                        | bodies that wait for events: logs(follow=True),   |           |
    |                        | events(), wait_container()                        |           |
    | `timeout` + the work   | each wait for the head of a call the daemon       | 300       |
    |                        | answers once its work is done: stop's grace       |           |
    |                        | period, else `rawdock.api.DAEMON_WORK`; each wait |           |
    |                        | for a piece of build()'s body                     |           |
    | `deadline`             | the whole call: connect, send, head, body; not    | None      |
    |                        | the bodies that wait for events, nor build();     |           |
    |                        | where it applies, it replaces the work's bound    |           |
    | `with_deadline(s)`     | the whole of every call of the returned client,   |           |
    |                        | bodies that wait for events included              |           |
    | `wait_container(timeout=s)` | that call as a whole                         |           |

    `timeout` is per read, like a socket timeout: a daemon that keeps sending, however slowly,
    is not timed out by it; `deadline` is what cuts off a daemon sending a byte a second.
    The calls the daemon answers once its work is done (stop_container, put_archive, df,
    login, pull, load_image, get_image, the prunes, ...: the README's table lists them) wait
    for their head for the timeout plus that work, and a build for each piece of its body; a
    deadline, shorter or longer, replaces it.
    `trace`: called as trace("send"|"recv", bytes) with every byte on the wire.

    The constructor does no I/O. One client may be shared between threads: each request, and
    each open stream, takes a connection of its own from a small pool of kept-alive ones (at
    most MAX_IDLE_CONNECTIONS idle), so requests never share a socket. A `Stream` is for one
    thread at a time; call `close()` once the other threads are done with the client."""

    transport: Transport

    def _make_transport(
        self,
        timeout: float | None,
        connect_timeout: float | None,
        trace: TraceHook | None,
        deadline: float | None,
    ) -> None:
        self.transport = Transport(self.endpoint, timeout, connect_timeout, trace, deadline)

    @property
    def api_version(self) -> str:
        """The API version in use: pinned, or negotiated (with one GET /_ping) on first use."""
        if self._version is None:
            exchange = self._open(Call("GET", "/_ping", versioned=False))
            exchange.read()
            self._version = negotiate_version(exchange.head.headers.get("api-version"))
        return self._version

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
            version = self.api_version  # negotiates on first use
            if call.needs:
                check_version(call.needs, version, f"{call.method} {call.target.split('?')[0]}")
        request = self.request_bytes(
            call.method, call.target, call.versioned, call.body, call.content_type, call.headers
        )
        pieces = None if isinstance(call.body, bytes) else call.body
        return self.transport.open(request, call.method, *self.bounds(call), pieces)

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

    def _hijack(self, call: HijackCall) -> HijackedStream:
        # The exchange is taken out of HTTP once the daemon said 101: its socket, and the bytes
        # that came with the head, become the stream's. It never returns to the pool.
        request = call.request
        exchange = self._open(request)
        try:
            head = exchange.head
            if not is_hijacked(head):  # an error, or `detach=True` answered at once
                check_status(head.status, (), exchange.read())
                return HijackedStream(None, HijackSession.answered())
            decoder = request.decoder(head.headers, None)
            if decoder is None:  # attach on engines that do not say how it is framed
                assert request.tty_probe is not None
                decoder = request.decoder(head.headers, self._run(request.tty_probe))
                assert decoder is not None
            session = HijackSession(decoder, exchange.hijacked_bytes, writable=call.stdin)
            sock = exchange.detach()
        except BaseException:
            exchange.close()
            raise
        return HijackedStream(sock, session, self.transport.trace)

    def _sequence(self, steps: Steps[T]) -> T:
        result: Any = None
        while True:
            try:
                step = advance(steps, result)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(step, Communicate):
                with self._hijack(step.call) as stream:
                    result = stream.communicate(step.input)
            else:
                result = self._run(step)


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
        #: The response's header fields (e.g. get_archive's X-Docker-Container-Path-Stat).
        self.headers = exchange.head.headers
        self._exchange = exchange
        self._decoder = decoder
        self._items: list[T] = []
        self._index = 0
        self._finished = False

    def __next__(self) -> T:
        while self._index >= len(self._items):
            if self._finished:
                raise StopIteration
            try:
                data = self._exchange.next_data() if self._exchange else None
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
            exchange.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
