"""What each endpoint is: method, path, query, body, and what the response becomes.

Nothing here does I/O. An endpoint is a small function that returns a `Call` (or a `StreamCall`)
describing one request; a client runs it. `rawdock.Client` runs calls over blocking sockets and
`rawdock.aio.Client` over asyncio, both from these same definitions:

    >>> API.start_container.describe("web")
    Call(method='POST', target='/containers/web/start', ...)

`Endpoints` lists them as methods. Each is declared once with `@endpoint` (or `@stream`) and
appears in every client that inherits `Endpoints`.
"""

from __future__ import annotations

import functools
import json as _json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping

from ._typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload
from .errors import ProtocolError, error_for_status
from .transport import DEFAULT_TIMEOUT, _Default
from .wire import Head, Headers, QueryValue, _Frozen, target

if TYPE_CHECKING:
    from .streams import Decoder

__all__ = [
    "Call",
    "StreamCall",
    "Response",
    "Endpoints",
    "API",
    "endpoint",
    "stream",
    "SyncRunner",
    "AsyncRunner",
    "check_status",
    "result_of",
    "json_body",
]

T = TypeVar("T")
P = ParamSpec("P")
JSON = Any  # the daemon's JSON, decoded as is


class Response(_Frozen):
    """A whole response: what `Client.request` returns and what a `Call`'s `result` reads."""

    # Frozen value classes written out rather than made by @dataclass: see wire._Frozen.
    __slots__ = ("status", "reason", "headers", "body")
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


class Call(_Frozen, Generic[T]):
    """One request, described. `target` is path and query without the version prefix.
    `ok` lists statuses besides 2xx that are success (e.g. 304 from start). `result` turns the
    response into what the method returns. `timeout` overrides the client's read timeout (None
    waits forever); `deadline` bounds the whole exchange in seconds; `versioned=False` sends the
    path without `/v1.xx` (for `/_ping`)."""

    __slots__ = (
        "method",
        "target",
        "body",
        "content_type",
        "headers",
        "ok",
        "result",
        "timeout",
        "versioned",
        "deadline",
    )
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
        set_field = object.__setattr__  # set once, here: the class is frozen
        set_field(self, "method", method)
        set_field(self, "target", target)
        set_field(self, "body", body)
        set_field(self, "content_type", content_type)
        set_field(self, "headers", headers)
        set_field(self, "ok", ok)
        set_field(self, "result", result)
        set_field(self, "timeout", timeout)
        set_field(self, "versioned", versioned)
        set_field(self, "deadline", deadline)


class StreamCall(_Frozen, Generic[T]):
    """A request whose body is a stream of items. `decoder(headers, tty)` picks the decoder from
    the response headers; it returns None when it needs to know whether the container has a TTY
    (engines before API 1.42 do not say), and then `tty_probe` is run to find out."""

    __slots__ = (
        "method",
        "target",
        "decoder",
        "body",
        "content_type",
        "headers",
        "tty_probe",
        "timeout",
        "versioned",
    )
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
        values = (method, target, decoder, body, content_type, headers, tty_probe, timeout)
        for name, value in zip(self.__slots__, (*values, versioned), strict=True):
            object.__setattr__(self, name, value)


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
# rawdock.streams is imported by these, when a client first reads a stream, rather than with
# rawdock: a program that never streams does not pay for it at import.


def _log_decoder(headers: Headers, tty: bool | None) -> Decoder[tuple[str, bytes]] | None:
    # API 1.42+ names the framing in Content-Type. But moby answers "raw-stream" to a request
    # of an older API version for every container, framed or not (router: `contentType :=
    # RawStream; if !tty && version >= 1.42 { MultiplexedStream }`), and this function is not
    # told the request's version: so only "multiplexed-stream" settles it; otherwise (raw-stream,
    # or nothing, as engine 20.10 sends) the container's Config.Tty does.
    from .streams import FrameDecoder, RawStreamDecoder

    content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == "application/vnd.docker.multiplexed-stream":
        return FrameDecoder()
    if tty is None:
        return None
    return RawStreamDecoder() if tty else FrameDecoder()


def _json_stream(headers: Headers, tty: bool | None) -> Decoder[JSON]:
    from .streams import JSONStreamDecoder

    return JSONStreamDecoder()


def _byte_stream(headers: Headers, tty: bool | None) -> Decoder[bytes]:
    from .streams import BytesDecoder

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


# --- The endpoints ----------------------------------------------------------------------------
# Grouped as the docker CLI groups them. Each docstring names the CLI command and the request.


class Endpoints:
    """Every endpoint rawdock knows, shared by the sync and asyncio clients."""

    # System

    @endpoint
    def ping() -> Call[bool]:
        """`GET /_ping`: True when the daemon answers OK."""
        return Call("GET", "/_ping", result=_ping_ok, versioned=False)

    @endpoint
    def version() -> Call[JSON]:
        """`docker version`: `GET /version`."""
        return Call("GET", "/version")

    @endpoint
    def info() -> Call[JSON]:
        """`docker info`: `GET /info`."""
        return Call("GET", "/info")

    @stream
    def events(
        since: Timestamp | None = None,
        until: Timestamp | None = None,
        filters: Filters | None = None,
    ) -> StreamCall[JSON]:
        """`docker events`: `GET /events?since=..&until=..&filters=..`, yielding each event as a
        dict (`{"Type": "container", "Action": "start", "Actor": {...}, "time": ...}`). Without
        `until` it goes on until closed; there is no read timeout, as events may be rare."""
        query = {"since": _time(since), "until": _time(until), "filters": _filters(filters)}
        return StreamCall("GET", target("/events", query=query), _json_stream)

    # Images

    @endpoint
    def images(all: bool = False, filters: Filters | None = None) -> Call[JSON]:
        """`docker images`: `GET /images/json`."""
        query = {"all": all or None, "filters": _filters(filters)}
        return Call("GET", target("/images/json", query=query))

    @endpoint
    def inspect_image(name: str) -> Call[JSON]:
        """`docker image inspect NAME`: `GET /images/{name}/json`."""
        return Call("GET", target("/images/{}/json", name))

    @endpoint
    def remove_image(name: str, force: bool = False, noprune: bool = False) -> Call[JSON]:
        """`docker rmi NAME`: `DELETE /images/{name}`; returns what was untagged and deleted."""
        query = {"force": force or None, "noprune": noprune or None}
        return Call("DELETE", target("/images/{}", name, query=query))

    @endpoint
    def tag_image(name: str, repo: str, tag: str | None = None) -> Call[None]:
        """`docker tag NAME REPO[:TAG]`: `POST /images/{name}/tag?repo=..&tag=..`."""
        query = {"repo": repo, "tag": tag}
        return Call("POST", target("/images/{}/tag", name, query=query), result=_nothing)

    @stream
    def pull(image: str, tag: str | None = None, platform: str | None = None) -> StreamCall[JSON]:
        """`docker pull IMAGE[:TAG]`: `POST /images/create?fromImage=..&tag=..`, yielding the
        progress objects (`{"status": "Pulling fs layer", "id": ...}`, ...). The tag is `tag`,
        else the one in `image`, else "latest" (an empty tag would pull every tag).

        Errors: one found before the daemon answered is an error status (NotFound for a
        missing image) raised here, at the call; one found later comes inside the 200 stream as
        `{"errorDetail": ...}` and raises DockerError from the iteration, after the objects
        before it, once the daemon has ended the body (it does so right after the error: the
        connection stays reusable). So consume the stream: `for p in client.pull(...)`."""
        repo, own_tag = _split_reference(image)
        if "@" not in image:  # a digest names the image exactly: no tag goes with it
            tag = tag or own_tag or "latest"
        query = {"fromImage": repo, "tag": tag, "platform": platform}
        return StreamCall(
            "POST",
            target("/images/create", query=query),
            _json_stream,
            headers=(("X-Registry-Auth", "e30="),),  # "{}": no credentials
        )

    @stream
    def push(image: str, tag: str | None = None) -> StreamCall[JSON]:
        """`docker push IMAGE[:TAG]`: `POST /images/{name}/push`, yielding progress objects. The
        daemon insists on an X-Registry-Auth header, even an empty one. Errors come as for
        `pull` (most inside the stream: consume it)."""
        return StreamCall(
            "POST",
            target("/images/{}/push", image, query={"tag": tag}),
            _json_stream,
            headers=(("X-Registry-Auth", "e30="),),
        )

    @stream
    def build(
        context: bytes,
        tag: str | None = None,
        labels: Mapping[str, str] | None = None,
        rm: bool = True,
    ) -> StreamCall[JSON]:
        """`docker build`: `POST /build` with a tar of the build context, yielding the build's
        output objects (`{"stream": ...}`, then `{"aux": {"ID": ...}}`)."""
        query = {"t": tag, "labels": dict(labels) if labels else None, "rm": rm, "forcerm": rm}
        return StreamCall(
            "POST",
            target("/build", query=query),
            _json_stream,
            body=context,
            content_type="application/x-tar",
        )

    @stream
    def get_image(name: str) -> StreamCall[bytes]:
        """`docker save NAME`: `GET /images/{name}/get`, a tar archive as a stream of bytes
        (`manifest.json`, the config and one tar per layer), read as it comes:

            with open("image.tar", "wb") as out:
                for data in client.get_image("busybox"):
                    out.write(data)"""
        return StreamCall("GET", target("/images/{}/get", name), _byte_stream)

    # Containers

    @endpoint
    def containers(
        all: bool = False,
        filters: Filters | None = None,
        limit: int | None = None,
        size: bool = False,
    ) -> Call[JSON]:
        """`docker ps [-a]`: `GET /containers/json`."""
        query = {
            "all": all or None,
            "limit": limit,
            "size": size or None,
            "filters": _filters(filters),
        }
        return Call("GET", target("/containers/json", query=query))

    @endpoint
    def create_container(
        config: Mapping[str, Any], name: str | None = None, platform: str | None = None
    ) -> Call[JSON]:
        """`docker create`: `POST /containers/create?name=..` with `config` as the JSON body,
        exactly as given. Returns `{"Id": ..., "Warnings": [...]}`."""
        return _json_call(
            "POST",
            target("/containers/create", query={"name": name, "platform": platform}),
            dict(config),
        )

    @endpoint
    def start_container(id: str) -> Call[None]:
        """`docker start ID`: `POST /containers/{id}/start`. 304 (already started) is success."""
        return Call("POST", target("/containers/{}/start", id), ok=(304,), result=_nothing)

    @endpoint
    def stop_container(
        id: str, timeout: int | None = None, signal: str | None = None
    ) -> Call[None]:
        """`docker stop [-t N] ID`: `POST /containers/{id}/stop?t=N`. 304 (already stopped) is
        success. The request waits while the daemon stops the container, so no read timeout
        shorter than the grace period applies."""
        query = {"t": timeout, "signal": signal}
        return Call(
            "POST",
            target("/containers/{}/stop", id, query=query),
            ok=(304,),
            result=_nothing,
            timeout=None,
        )

    @endpoint
    def restart_container(id: str, timeout: int | None = None) -> Call[None]:
        """`docker restart [-t N] ID`: `POST /containers/{id}/restart?t=N`."""
        return Call(
            "POST",
            target("/containers/{}/restart", id, query={"t": timeout}),
            result=_nothing,
            timeout=None,
        )

    @endpoint
    def kill_container(id: str, signal: str | int | None = None) -> Call[None]:
        """`docker kill [-s SIG] ID`: `POST /containers/{id}/kill?signal=SIG`."""
        return Call(
            "POST", target("/containers/{}/kill", id, query={"signal": signal}), result=_nothing
        )

    @endpoint
    def remove_container(id: str, force: bool = False, volumes: bool = False) -> Call[None]:
        """`docker rm [-f] [-v] ID`: `DELETE /containers/{id}?force=1&v=1`."""
        query = {"force": force or None, "v": volumes or None}
        return Call("DELETE", target("/containers/{}", id, query=query), result=_nothing)

    @endpoint
    def inspect_container(id: str) -> Call[JSON]:
        """`docker inspect ID`: `GET /containers/{id}/json`."""
        return Call("GET", target("/containers/{}/json", id))

    @endpoint
    def wait_container(
        id: str, condition: str | None = None, timeout: float | None = None
    ) -> Call[JSON]:
        """`docker wait ID`: `POST /containers/{id}/wait`, returning `{"StatusCode": n, ...}`.
        The daemon answers only when the container exits, so by default this waits as long as
        that takes; `timeout` is an explicit deadline in seconds (raising rawdock.Timeout)."""
        return Call(
            "POST",
            target("/containers/{}/wait", id, query={"condition": condition}),
            timeout=None,  # the answer comes when the container exits: no read timeout
            deadline=timeout,
        )

    @stream
    def logs(
        id: str,
        follow: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        timestamps: bool = False,
        tail: int | str | None = None,
        since: Timestamp | None = None,
        until: Timestamp | None = None,
    ) -> StreamCall[tuple[str, bytes]]:
        """`docker logs [-f] ID`: `GET /containers/{id}/logs`, yielding `(stream, data)` with
        stream "stdout" or "stderr", in the order written (one iterator, so stdout and stderr
        keep their interleaving). `data` is bytes as the container wrote them, cut wherever
        the reads fell, not per line. A TTY container has one stream: all of it is "stdout".
        `tail`: the last N lines ("all"); `since`/`until`: times; `timestamps`: each line
        starts with an RFC 3339 time and a space. With `follow`, the stream ends when the
        container stops, however long it is quiet before (no read timeout)."""
        query = {
            "follow": follow,
            "stdout": stdout,
            "stderr": stderr,
            "timestamps": timestamps or None,
            "tail": tail,
            "since": _time(since),
            "until": _time(until),
        }
        probe = Call("GET", target("/containers/{}/json", id), result=_tty_of)
        return StreamCall(
            "GET", target("/containers/{}/logs", id, query=query), _log_decoder, tty_probe=probe
        )

    @stream
    def export_container(id: str) -> StreamCall[bytes]:
        """`docker export ID`: `GET /containers/{id}/export`, the container's filesystem as a
        stream of tar bytes."""
        return StreamCall("GET", target("/containers/{}/export", id), _byte_stream)

    # Swarm
    # A swarm is the engine's own orchestrator: services (a desired state: image, command,
    # replicas) are turned into tasks, each run as a container on some node.

    @endpoint
    def swarm_init(
        advertise_addr: str,
        listen_addr: str = "0.0.0.0:2377",
        force_new_cluster: bool = False,
        spec: Mapping[str, Any] | None = None,
    ) -> Call[str]:
        """`docker swarm init --advertise-addr A --listen-addr L`: `POST /swarm/init`; returns
        the new node's id."""
        body = {
            "AdvertiseAddr": advertise_addr,
            "ListenAddr": listen_addr,
            "ForceNewCluster": force_new_cluster,
            "Spec": dict(spec or {}),
        }
        return _json_call("POST", "/swarm/init", body)

    @endpoint
    def swarm_leave(force: bool = False) -> Call[None]:
        """`docker swarm leave [--force]`: `POST /swarm/leave?force=1` (a manager, even the last
        one, leaves only with force)."""
        query = {"force": force or None}
        return Call("POST", target("/swarm/leave", query=query), result=_nothing, timeout=None)

    @endpoint
    def swarm_inspect() -> Call[JSON]:
        """`GET /swarm`: the cluster's id, spec, `Version.Index` and join tokens (what
        `docker swarm join-token` prints); 503 when the engine is not a swarm manager."""
        return Call("GET", "/swarm")

    @endpoint
    def nodes(filters: Filters | None = None) -> Call[JSON]:
        """`docker node ls`: `GET /nodes`."""
        return Call("GET", target("/nodes", query={"filters": _filters(filters)}))

    @endpoint
    def services(filters: Filters | None = None, status: bool = False) -> Call[JSON]:
        """`docker service ls`: `GET /services`; `status` adds ServiceStatus (running and
        desired task counts, API 1.41+)."""
        query = {"filters": _filters(filters), "status": status or None}
        return Call("GET", target("/services", query=query))

    @endpoint
    def create_service(spec: Mapping[str, Any]) -> Call[JSON]:
        """`docker service create`: `POST /services/create` with `spec` as the JSON body, exactly
        as given. Returns `{"ID": ...}`. The daemon tries to pull a tagged image whenever a task
        starts (and falls back to a local image if that fails); an image given by id
        ("sha256:...") is never pulled."""
        return _json_call("POST", "/services/create", dict(spec))

    @endpoint
    def inspect_service(id: str, insert_defaults: bool = False) -> Call[JSON]:
        """`docker service inspect ID`: `GET /services/{id}`. `Version.Index` is what
        `update_service` needs."""
        query = {"insertDefaults": insert_defaults or None}
        return Call("GET", target("/services/{}", id, query=query))

    @endpoint
    def update_service(id: str, version: int, spec: Mapping[str, Any]) -> Call[JSON]:
        """`docker service update` / `scale`: `POST /services/{id}/update?version=N` with the
        whole new spec. `version` is the `Version.Index` the spec was read at: if the service
        changed since, the daemon refuses (optimistic concurrency) and you read it again."""
        return _json_call(
            "POST", target("/services/{}/update", id, query={"version": version}), dict(spec)
        )

    @endpoint
    def remove_service(id: str) -> Call[None]:
        """`docker service rm ID`: `DELETE /services/{id}`."""
        return Call("DELETE", target("/services/{}", id), result=_nothing)

    @endpoint
    def tasks(filters: Filters | None = None) -> Call[JSON]:
        """`docker service ps` / `docker node ps`: `GET /tasks`, e.g. with
        filters={"service": [id], "desired-state": ["running"]}."""
        return Call("GET", target("/tasks", query={"filters": _filters(filters)}))

    @stream
    def service_logs(
        id: str,
        follow: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        timestamps: bool = False,
        tail: int | str | None = None,
        since: str | int | None = None,
        details: bool = False,
    ) -> StreamCall[tuple[str, bytes]]:
        """`docker service logs [-f] ID`: `GET /services/{id}/logs`, the logs of all its tasks,
        yielding `(stream, data)` like `logs`. The framing follows the service's
        TaskTemplate.ContainerSpec.TTY (multiplexed without one), which engines before API 1.42
        do not say in Content-Type: then the service is inspected to find out."""
        query = {
            "follow": follow,
            "stdout": stdout,
            "stderr": stderr,
            "timestamps": timestamps or None,
            "tail": tail,
            "since": since,
            "details": details or None,
        }
        probe = Call("GET", target("/services/{}", id), result=_service_tty)
        return StreamCall(
            "GET", target("/services/{}/logs", id, query=query), _log_decoder, tty_probe=probe
        )


#: The endpoint definitions, for looking at a call without running it:
#: `API.start_container.describe("web")`.
API = Endpoints
