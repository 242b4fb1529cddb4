"""The machinery of endpoint definitions: `Call` and `StreamCall` (one request, described),
`Response`, the `@endpoint` and `@stream` decorators that turn a description into a method on
every client, the one function that turns a status into an error (`check_status`), and the
decoders a stream's response picks from. The endpoints themselves live beside this module, one
module per resource (`system`, `images`, `containers`, `swarm`)."""

from __future__ import annotations

import functools
import json as _json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, Generic, ParamSpec, TypeVar, overload

from ..errors import ProtocolError, error_for_status
from ..streams import BytesDecoder, Decoder, FrameDecoder, JSONStreamDecoder, RawStreamDecoder
from ..transport import DEFAULT_TIMEOUT, _Default
from ..wire import Head, Headers, QueryValue
from ..wire.values import Value

__all__ = [
    "Call",
    "StreamCall",
    "Response",
    "endpoint",
    "stream",
    "SyncRunner",
    "AsyncRunner",
    "check_status",
    "result_of",
    "json_body",
    "JSON",
    "Filters",
    "Timestamp",
]

T = TypeVar("T")
P = ParamSpec("P")
JSON = Any  # the daemon's JSON, decoded as is


class Response(Value):
    """A whole response: what `Client.request` returns and what a `Call`'s `result` reads."""

    __hash__ = None  # type: ignore[assignment]  # Headers cannot be hashed

    status: int
    reason: str
    headers: Headers
    body: bytes

    def __init__(self, status: int, reason: str, headers: Headers, body: bytes) -> None:
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "body", body)

    def json(self) -> JSON:
        """The body decoded as JSON."""
        try:
            return _json.loads(self.body)
        except ValueError as exc:
            raise ProtocolError(f"response body is not JSON: {exc}") from None


def _decode_json(response: Response) -> JSON:
    return response.json()


def _nothing(response: Response) -> None:
    return None


class Call(Value, Generic[T]):
    """One request, described. `target` is path and query without the version prefix.
    `ok` lists statuses besides 2xx that are success (e.g. 304 from start). `result` turns the
    response into what the method returns. `timeout` overrides the client's read timeout (None
    waits forever); `deadline` bounds the whole exchange in seconds; `versioned=False` sends the
    path without `/v1.xx` (for `/_ping`)."""

    _hidden = ("body", "result")
    method: str
    target: str
    body: bytes
    content_type: str | None
    headers: tuple[tuple[str, str], ...]
    ok: tuple[int, ...]
    result: Callable[[Response], T]
    timeout: float | None | _Default
    versioned: bool
    deadline: float | None

    def __init__(
        self,
        method: str,
        target: str,
        body: bytes = b"",
        content_type: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        ok: tuple[int, ...] = (),
        result: Callable[[Response], T] = _decode_json,
        timeout: float | None | _Default = DEFAULT_TIMEOUT,
        versioned: bool = True,
        deadline: float | None = None,
    ) -> None:
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "content_type", content_type)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "ok", ok)
        object.__setattr__(self, "result", result)
        object.__setattr__(self, "timeout", timeout)
        object.__setattr__(self, "versioned", versioned)
        object.__setattr__(self, "deadline", deadline)


class StreamCall(Value, Generic[T]):
    """A request whose body is a stream of items. `decoder(headers, tty)` picks the decoder from
    the response headers; it returns None when it needs to know whether the container has a TTY
    (engines before API 1.42 do not say), and then `tty_probe` is run to find out."""

    _hidden = ("decoder", "body")
    method: str
    target: str
    decoder: Callable[[Headers, bool | None], Decoder[T] | None]
    body: bytes
    content_type: str | None
    headers: tuple[tuple[str, str], ...]
    tty_probe: Call[bool] | None
    timeout: float | None | _Default
    versioned: bool

    def __init__(
        self,
        method: str,
        target: str,
        decoder: Callable[[Headers, bool | None], Decoder[T] | None],
        body: bytes = b"",
        content_type: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        tty_probe: Call[bool] | None = None,
        timeout: float | None | _Default = None,  # a quiet stream is not a dead one
        versioned: bool = True,
    ) -> None:
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "decoder", decoder)
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "content_type", content_type)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "tty_probe", tty_probe)
        object.__setattr__(self, "timeout", timeout)
        object.__setattr__(self, "versioned", versioned)


def json_body(value: JSON) -> bytes:
    """The request body for a JSON value, compact as the docker CLI sends it."""
    return _json.dumps(value, separators=(",", ":")).encode("utf-8")


def check_status(status: int, ok: tuple[int, ...], body: bytes) -> None:
    """The one way a response becomes an error: any status outside 2xx and `ok` raises the
    matching DockerError with the daemon's `message`, verbatim."""
    if 200 <= status < 300 or status in ok:
        return
    try:
        message = _json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        message = body.decode("utf-8", "replace").strip() or f"HTTP {status}"
    raise error_for_status(status, str(message))


def result_of(call: Call[T], head: Head, body: bytes) -> T:
    """What the whole response to `call` becomes: its result, or the error of its status. Both
    clients finish every ordinary call here."""
    check_status(head.status, call.ok, body)
    return call.result(Response(head.status, head.reason, head.headers, body))


# --- Turning definitions into client methods --------------------------------------------------


class SyncRunner:
    """A client that runs calls and returns their results (blocking I/O)."""

    def _run(self, call: Call[T]) -> T:
        raise NotImplementedError

    def _stream(self, call: StreamCall[T]) -> Iterator[T]:
        raise NotImplementedError


class AsyncRunner:
    """A client that runs calls as coroutines (asyncio)."""

    async def _run(self, call: Call[T]) -> T:
        raise NotImplementedError

    def _stream(self, call: StreamCall[T]) -> AsyncIterator[T]:
        raise NotImplementedError


class _Declared:
    """What `endpoint` and `stream` share: a description function that becomes, on a client, a
    method passing each description to the client's runner (`_run` or `_stream`)."""

    runner = ""  # the name of the client method that runs a description

    def __init__(self, describe: Callable[..., Any]) -> None:
        self.describe = describe
        functools.update_wrapper(self, describe)  # type: ignore[arg-type]

    def _bind(self, client: object) -> Any:
        describe, run = self.describe, getattr(client, self.runner)

        def method(*args: Any, **kwargs: Any) -> Any:
            return run(describe(*args, **kwargs))

        # Made at each lookup rather than kept on the client: kept, it would tie the client in
        # a reference cycle, and its sockets would wait for the garbage collector. So it is
        # made cheaply: what functools.wraps would copy, help() and inspect.signature() need
        # only these (the signature is read from __wrapped__).
        method.__name__, method.__qualname__ = describe.__name__, describe.__qualname__
        method.__doc__, method.__wrapped__ = describe.__doc__, describe  # type: ignore[attr-defined]
        return method


class endpoint(_Declared, Generic[P, T]):
    """Declares an endpoint: a function describing a request becomes a method on every client.
    On `rawdock.Client` the method returns the result; on `rawdock.aio.Client`, a coroutine."""

    runner = "_run"

    def __init__(self, describe: Callable[P, Call[T]]) -> None:
        super().__init__(describe)

    @overload
    def __get__(self, client: None, owner: type) -> endpoint[P, T]: ...
    @overload
    def __get__(self, client: SyncRunner, owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, client: AsyncRunner, owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, client: object, owner: type) -> Any:
        return self if client is None else self._bind(client)


class stream(_Declared, Generic[P, T]):
    """Declares a streaming endpoint: on `rawdock.Client` the method returns an iterator of
    items (a `Stream`), on `rawdock.aio.Client` an async iterator."""

    runner = "_stream"

    def __init__(self, describe: Callable[P, StreamCall[T]]) -> None:
        super().__init__(describe)

    @overload
    def __get__(self, client: None, owner: type) -> stream[P, T]: ...
    @overload
    def __get__(self, client: SyncRunner, owner: type) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(self, client: AsyncRunner, owner: type) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, client: object, owner: type) -> Any:
        return self if client is None else self._bind(client)


# --- Decoders chosen from the response --------------------------------------------------------


def _log_decoder(headers: Headers, tty: bool | None) -> Decoder[tuple[str, bytes]] | None:
    # API 1.42+ names the framing in Content-Type. But moby answers "raw-stream" to a request
    # of an older API version for every container, framed or not (router: `contentType :=
    # RawStream; if !tty && version >= 1.42 { MultiplexedStream }`), and this function is not
    # told the request's version: so only "multiplexed-stream" settles it; otherwise (raw-stream,
    # or nothing, as engine 20.10 sends) the container's Config.Tty does.
    content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == "application/vnd.docker.multiplexed-stream":
        return FrameDecoder()
    if tty is None:
        return None
    return RawStreamDecoder() if tty else FrameDecoder()


def _json_stream(headers: Headers, tty: bool | None) -> Decoder[JSON]:
    return JSONStreamDecoder()


def _byte_stream(headers: Headers, tty: bool | None) -> Decoder[bytes]:
    return BytesDecoder()


def _tty_of(response: Response) -> bool:
    return bool(response.json().get("Config", {}).get("Tty"))


def _service_tty(response: Response) -> bool:
    spec = response.json().get("Spec", {})
    return bool(spec.get("TaskTemplate", {}).get("ContainerSpec", {}).get("TTY"))


def _ping_ok(response: Response) -> bool:
    return response.body.strip() == b"OK"


Filters = Mapping[str, list[str] | Mapping[str, bool]]
#: A point in time for `since`/`until`: Unix seconds, as an int, a float or a string
#: "seconds.nanoseconds". (The daemon does not parse dates or durations here: the docker CLI
#: turns "10m" or an RFC 3339 date into seconds before sending.)
Timestamp = str | int | float


def _time(value: Timestamp | None) -> str | int | None:
    # The daemon reads "seconds[.nanoseconds]"; repr of a float could be "1e+20".
    return f"{value:.9f}" if isinstance(value, float) else value


def _split_reference(image: str) -> tuple[str, str | None]:
    """`repo[:tag]` -> (repo, tag or None). A ":" before the last "/" is a registry's port;
    with nothing on either side of the ":" it is no tag (and the daemon will refuse the name)."""
    if "@" in image:
        return image, None
    repo, colon, tag = image.rpartition(":")
    if colon and repo and tag and "/" not in tag:
        return repo, tag
    return image, None


def _filters(filters: Filters | None) -> QueryValue:
    # Filters travel as JSON in the query string: {"status": ["running"]}.
    return dict(filters) if filters else None


def _json_call(method: str, path: str, body: JSON, **kwargs: Any) -> Call[Any]:
    return Call(method, path, json_body(body), "application/json", **kwargs)
