"""The machinery of endpoint definitions: `Call`, `StreamCall` and `HijackCall` (one request,
described), `Response`, the `@endpoint`, `@stream` and `@hijack` decorators that turn a
description into a method on every client, `@sequence` for a convenience made of several
calls, the one function that turns a status into an error (`check_status`), and the
decoders a stream's response picks from. The endpoints themselves live beside this module, one
module per resource (`system`, `images`, `containers`, `swarm`)."""

from __future__ import annotations

import functools
import json as _json
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
)
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

from ..errors import InvalidArgument, ProtocolError, error_for_status
from ..exchange import DEFAULT_TIMEOUT, _Default
from ..streams import Decoder
from ..wire import UPGRADE_TO_TCP, Head, Headers, QueryValue, quote
from ..wire.values import Value

if TYPE_CHECKING:
    from ..aio import AsyncStream
    from ..aio import Client as AsyncClient
    from ..aio_hijack import AsyncHijackedStream
    from ..client import Client, Stream
    from ..hijack import HijackedStream

__all__ = [
    "Call",
    "StreamCall",
    "HijackCall",
    "upgrade_request",
    "Communicate",
    "Steps",
    "advance",
    "Response",
    "endpoint",
    "stream",
    "hijack",
    "sequence",
    "SyncRunner",
    "AsyncRunner",
    "check_status",
    "result_of",
    "json_body",
    "JSON",
    "Filters",
    "Timestamp",
    "Body",
    "check_version",
    "DAEMON_WORK",
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


#: A request body: bytes (sent with Content-Length), or an iterable of byte pieces sent as
#: they come with `Transfer-Encoding: chunked` (RFC 9112 §7.1), so a 1 GB upload needs no
#: 1 GB buffer. An iterable can be sent once only: such a request is never sent again.
Body = bytes | Iterable[bytes]
#: What a call needs of the API version: (what, minimum version) pairs, e.g.
#: (("signal", "1.42"),). Checked by the client against the negotiated version before sending.
Needs = tuple[tuple[str, str], ...]


#: The seconds a call that the daemon answers only once its work is done (extracting an
#: archive, adding up disk use, asking a registry, leaving a swarm, deleting images, loading or
#: saving an image) may wait for its head, beyond the client's read timeout; and a build for
#: each piece of its body (a step may run quiet for minutes). Such work grows with the data and the
#: network, hence five minutes. A deadline replaces it: `client.with_deadline(3600)` lets one
#: call wait an hour, `with_deadline(5)` only five seconds.
DAEMON_WORK = 300.0


def _since(version: str, **given: object) -> Needs:
    """The `needs` of the parameters in `given` that were given (not None): each needs
    `version`. `_since("1.42", signal=signal)` is (("signal", "1.42"),) when a signal is set."""
    return tuple((name, version) for name, value in given.items() if value is not None)


def version_tuple(version: str) -> tuple[int, ...]:
    """ "1.41" -> (1, 41): versions compare as numbers, never as text ("1.9" < "1.10")."""
    return tuple(int(part) for part in version.split("."))


def check_version(needs: Needs, version: str, what: str) -> None:
    """Raise InvalidArgument when the negotiated API `version` lacks something `needs` lists:
    the daemon would otherwise ignore the parameter silently (or answer 404 for the path)."""
    for name, minimum in needs:
        if version_tuple(version) < version_tuple(minimum):
            raise InvalidArgument(
                f"{name} ({what}) needs API version {minimum}; this daemon speaks {version}"
            )


class Call(Value, Generic[T]):
    """One request, described. `target` is path and query without the version prefix.
    `ok` lists statuses besides 2xx that are success (e.g. 304 from start). `result` turns the
    response into what the method returns. `timeout` overrides the client's read timeout for the
    body (None: the body may wait without limit, as wait's does); `work` is how long the
    daemon may work before it answers (`DAEMON_WORK`, stop's grace period; None: as long as
    the caller's deadline allows), added to the read timeout of the head; `deadline` bounds
    the whole exchange in seconds; `versioned=False` sends the path without `/v1.xx`
    (for `/_ping`). `body` is bytes, or an iterable of pieces sent chunked. `needs` lists what
    of the call needs a newer API version than 1.41 (`_since`)."""

    _hidden = ("body", "result")
    method: str
    target: str
    body: Body
    content_type: str | None
    headers: tuple[tuple[str, str], ...]
    ok: tuple[int, ...]
    result: Callable[[Response], T]
    timeout: float | None | _Default
    versioned: bool
    deadline: float | None
    work: float | None
    needs: Needs

    def __init__(
        self,
        method: str,
        target: str,
        body: Body = b"",
        content_type: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        ok: tuple[int, ...] = (),
        result: Callable[[Response], T] = _decode_json,
        timeout: float | None | _Default = DEFAULT_TIMEOUT,
        versioned: bool = True,
        deadline: float | None = None,
        work: float | None = 0,
        needs: Needs = (),
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
        object.__setattr__(self, "work", work)
        object.__setattr__(self, "needs", needs)


class StreamCall(Value, Generic[T]):
    """A request whose body is a stream of items. `decoder(headers, tty)` picks the decoder from
    the response headers; it returns None when it needs to know whether the container has a TTY
    (engines before API 1.42 do not say), and then `tty_probe` is run to find out. The head is
    awaited under the client's read timeout, longer by `work` where the daemon answers once
    its work is done (as a `Call`'s); `timeout` bounds each wait for a piece of the body (None:
    a follow stream, quiet for as long as nothing happens), longer by `item_work` where the
    daemon works between items (a build step runs a container: `DAEMON_WORK`)."""

    _hidden = ("decoder", "body")
    method: str
    target: str
    decoder: Callable[[Headers, bool | None], Decoder[T] | None]
    body: Body
    content_type: str | None
    headers: tuple[tuple[str, str], ...]
    tty_probe: Call[bool] | None
    timeout: float | None | _Default
    versioned: bool
    needs: Needs
    work: float | None
    item_work: float

    def __init__(
        self,
        method: str,
        target: str,
        decoder: Callable[[Headers, bool | None], Decoder[T] | None],
        body: Body = b"",
        content_type: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        tty_probe: Call[bool] | None = None,
        timeout: float | None | _Default = DEFAULT_TIMEOUT,
        versioned: bool = True,
        needs: Needs = (),
        work: float | None = 0,
        item_work: float = 0,
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
        object.__setattr__(self, "needs", needs)
        object.__setattr__(self, "work", work)
        object.__setattr__(self, "item_work", item_work)


class HijackCall(Value):
    """A request that takes the connection over (attach, exec start). `request` is sent with
    `Connection: Upgrade` and `Upgrade: tcp` (`upgrade_request` builds it), the daemon answers
    `101 UPGRADED`, and from then on the socket is a raw stream both ways (`rawdock.hijack`):
    its `decoder` and `tty_probe` pick the frames of a container without a TTY, or the raw bytes
    of one with a TTY. `stdin` says whether the caller may write (without it, the stream is
    read-only)."""

    request: StreamCall[tuple[str, bytes]]
    stdin: bool

    def __init__(self, request: StreamCall[tuple[str, bytes]], stdin: bool = False) -> None:
        object.__setattr__(self, "request", request)
        object.__setattr__(self, "stdin", stdin)


def upgrade_request(
    method: str,
    target: str,
    decoder: Callable[[Headers, bool | None], Decoder[tuple[str, bytes]] | None],
    body: JSON = None,
    tty_probe: Call[bool] | None = None,
) -> StreamCall[tuple[str, bytes]]:
    """The request of a `HijackCall`: a JSON body if any, the upgrade fields. Its head is
    awaited under the client's read timeout; after the upgrade the stream has none (an
    interactive session may be quiet for hours)."""
    data, content_type = (json_body(body), "application/json") if body is not None else (b"", None)
    return StreamCall(
        method, target, decoder, data, content_type, UPGRADE_TO_TCP, tty_probe=tty_probe
    )


class Communicate(Value):
    """A step of a `@sequence`: open `call`, write `input` (then half-close), and read every
    item to the end; the client sends back `(stdout bytes, stderr bytes)`."""

    _hidden = ("input",)
    call: HijackCall
    input: bytes

    def __init__(self, call: HijackCall, input: bytes = b"") -> None:
        object.__setattr__(self, "call", call)
        object.__setattr__(self, "input", input)


#: What a `@sequence` function is: a generator yielding each step (a `Call`, whose result is
#: sent back, or a `Communicate`, whose output is) and returning the sequence's result.
Steps = Generator[Call[Any] | Communicate, Any, T]


def advance(steps: Steps[T], result: Any) -> Call[Any] | Communicate:
    """The next step of a sequence, given the result of the last (None before the first);
    StopIteration at the end. The code before the first step reads the arguments, as a
    describe function does: an argument it cannot use is an InvalidArgument there too."""
    if result is not None:
        return steps.send(result)
    try:
        return steps.send(None)
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        raise InvalidArgument(str(exc)) from None


def json_body(value: JSON) -> bytes:
    """The request body for a JSON value, compact as the docker CLI sends it. NaN and the
    infinities are not JSON (RFC 8259 §6): they, and values JSON has no form for, raise
    InvalidArgument naming where they are (`body["Labels"]["x"]`), before anything is sent."""
    try:
        return _json.dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except (ValueError, TypeError, RecursionError) as exc:
        try:
            where = _unsendable(value, "body") or "body"
        except RecursionError:  # nested deeper than the interpreter can walk
            where = "body"
        raise InvalidArgument(f"{where}: {exc}") from None


def _unsendable(value: JSON, path: str) -> str | None:
    """The key path of the first value in `value` that JSON cannot carry, or None."""
    if isinstance(value, float):
        return None if value - value == 0 else path  # inf - inf and NaN - NaN are NaN
    if value is None or isinstance(value, (str, int, bool)):
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}[{_json.dumps(key) if isinstance(key, str) else repr(key)}]"
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return where
            found = _unsendable(item, where)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _unsendable(item, f"{path}[{index}]")
            if found:
                return found
        return None
    return path


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

    def _hijack(self, call: HijackCall) -> HijackedStream:
        raise NotImplementedError

    def _sequence(self, steps: Steps[T]) -> T:
        raise NotImplementedError


class AsyncRunner:
    """A client that runs calls as coroutines (asyncio)."""

    async def _run(self, call: Call[T]) -> T:
        raise NotImplementedError

    def _stream(self, call: StreamCall[T]) -> AsyncIterator[T]:
        raise NotImplementedError

    async def _hijack(self, call: HijackCall) -> AsyncHijackedStream:
        raise NotImplementedError

    async def _sequence(self, steps: Steps[T]) -> T:
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
            try:
                call = describe(*args, **kwargs)
            except InvalidArgument:
                raise
            except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # unsendable
                raise InvalidArgument(f"{describe.__name__}(): {exc}") from None
            return run(call)

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
    """Declares a streaming endpoint: on `rawdock.Client` the method returns a `Stream` (an
    iterator of items, and a context manager that closes it), on `rawdock.aio.Client` an
    `AsyncStream` (the same, async)."""

    runner = "_stream"

    def __init__(self, describe: Callable[P, StreamCall[T]]) -> None:
        super().__init__(describe)

    @overload
    def __get__(self, client: None, owner: type) -> stream[P, T]: ...
    @overload
    def __get__(self, client: Client, owner: type) -> Callable[P, Stream[T]]: ...
    @overload
    def __get__(self, client: AsyncClient, owner: type) -> Callable[P, AsyncStream[T]]: ...
    @overload
    def __get__(self, client: SyncRunner, owner: type) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(self, client: AsyncRunner, owner: type) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, client: object, owner: type) -> Any:
        return self if client is None else self._bind(client)


class hijack(_Declared, Generic[P]):
    """Declares an endpoint that hijacks its connection: on `rawdock.Client` the method returns
    a `rawdock.hijack.HijackedStream` (iterate it, `write`, `close_write`, `close`); on
    `rawdock.aio.Client` a coroutine giving a `rawdock.aio_hijack.AsyncHijackedStream`."""

    runner = "_hijack"

    def __init__(self, describe: Callable[P, HijackCall]) -> None:
        super().__init__(describe)

    @overload
    def __get__(self, client: None, owner: type) -> hijack[P]: ...
    @overload
    def __get__(self, client: SyncRunner, owner: type) -> Callable[P, HijackedStream]: ...
    @overload
    def __get__(
        self, client: AsyncRunner, owner: type
    ) -> Callable[P, Awaitable[AsyncHijackedStream]]: ...
    def __get__(self, client: object, owner: type) -> Any:
        return self if client is None else self._bind(client)


class sequence(_Declared, Generic[P, T]):
    """Declares a convenience made of several requests, once for every client: a generator
    function (`Steps`) that yields each step and gets its result back, and returns the whole
    result. Each client runs the steps its own way (`_sequence`), as it runs one `Call`."""

    runner = "_sequence"

    def __init__(self, describe: Callable[P, Steps[T]]) -> None:
        super().__init__(describe)

    @overload
    def __get__(self, client: None, owner: type) -> sequence[P, T]: ...
    @overload
    def __get__(self, client: SyncRunner, owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, client: AsyncRunner, owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, client: object, owner: type) -> Any:
        return self if client is None else self._bind(client)


# --- Decoders chosen from the response --------------------------------------------------------
# rawdock.streams is imported by these, when a client first reads a stream, rather than with
# rawdock: a program that never streams does not pay for it at import.


def _log_decoder(headers: Headers, tty: bool | None) -> Decoder[tuple[str, bytes]] | None:
    # API 1.42+ names the framing in Content-Type. But moby answers "raw-stream" to a request
    # of an older API version for every container, framed or not (router: `contentType :=
    # RawStream; if !tty && version >= 1.42 { MultiplexedStream }`), and this function is not
    # told the request's version: so only "multiplexed-stream" settles it; otherwise (raw-stream,
    # or nothing, as engine 20.10 sends) the container's Config.Tty does.
    from ..streams import FrameDecoder, RawStreamDecoder

    content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == "application/vnd.docker.multiplexed-stream":
        return FrameDecoder()
    if tty is None:
        return None
    return RawStreamDecoder() if tty else FrameDecoder()


def _raw_stream(headers: Headers, tty: bool | None) -> Decoder[tuple[str, bytes]]:
    # A TTY joins stdout and stderr in the terminal: the daemon sends its bytes as they are.
    from ..streams import RawStreamDecoder

    return RawStreamDecoder()


def _multiplexed_stream(headers: Headers, tty: bool | None) -> Decoder[tuple[str, bytes]]:
    from ..streams import FrameDecoder

    return FrameDecoder()


def _json_stream(headers: Headers, tty: bool | None) -> Decoder[JSON]:
    from ..streams import JSONStreamDecoder

    return JSONStreamDecoder()


def _byte_stream(headers: Headers, tty: bool | None) -> Decoder[bytes]:
    from ..streams import BytesDecoder

    return BytesDecoder()


def _tty_of(response: Response) -> bool:
    return bool(response.json().get("Config", {}).get("Tty"))


def _service_tty(response: Response) -> bool:
    spec = response.json().get("Spec", {})
    return bool(spec.get("TaskTemplate", {}).get("ContainerSpec", {}).get("TTY"))


def _path_stat(id: str, path: str) -> Callable[[Response], JSON]:
    """The result of HEAD /containers/{id}/archive: the decoded path stat. The daemon answers a
    missing path with a bare 404 (a HEAD response has no body to say why): the message is
    written here."""

    def result(response: Response) -> JSON:
        if response.status == 404:
            raise error_for_status(404, f"no such container or path: {id}:{path}")
        from ..archive import path_stat

        return path_stat(response.headers)

    return result


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


def _repeated(path: str, name: str, values: Iterable[str]) -> str:
    """`path` with `name=value` once per value, for the few parameters the daemon reads as a
    list of repeated fields (`names` of GET /images/get, `type` of GET /system/df) rather than
    as JSON."""
    pairs = "&".join(f"{name}={quote(value)}" for value in values)
    return f"{path}{'&' if '?' in path else '?'}{pairs}" if pairs else path


def _json_call(method: str, path: str, body: JSON, **kwargs: Any) -> Call[Any]:
    return Call(method, path, json_body(body), "application/json", **kwargs)
