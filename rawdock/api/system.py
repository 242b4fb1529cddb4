"""System endpoints: is the daemon there, what is it, what is happening on it."""

from __future__ import annotations

from collections.abc import Sequence

from ..wire import target
from .calls import (
    DAEMON_WORK,
    JSON,
    Call,
    Filters,
    Response,
    StreamCall,
    Timestamp,
    _filters,
    _json_call,
    _json_stream,
    _ping_ok,
    _repeated,
    _since,
    _time,
    endpoint,
    stream,
)

__all__ = ["System"]


def _ping_head_ok(response: Response) -> bool:
    return response.status == 200


class System:
    """`docker version`, `docker info`, `docker events`, and the ping that starts every session."""

    @endpoint
    def ping() -> Call[bool]:
        """`GET /_ping`: True when the daemon answers OK."""
        return Call("GET", "/_ping", result=_ping_ok, versioned=False)

    @endpoint
    def ping_head() -> Call[bool]:
        """`HEAD /_ping`: the ping without a body (the headers, API-Version among them, are
        all there is); True when the daemon answers 200."""
        return Call("HEAD", "/_ping", result=_ping_head_ok, versioned=False)

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
        # Events come as they happen, until `until` if given: quiet for hours is not dead.
        return StreamCall("GET", target("/events", query=query), _json_stream, timeout=None)

    @endpoint
    def df(type: Sequence[str] | None = None) -> Call[JSON]:
        """`docker system df`: `GET /system/df`, the disk used by images, containers, volumes
        and the build cache (`{"LayersSize", "Images", "Containers", "Volumes", "BuildCache"}`).
        `type` (API 1.42+) narrows it to some of "container", "image", "volume", "build-cache".
        The daemon answers once it has added it all up (awaited for `DAEMON_WORK` more)."""
        path = _repeated("/system/df", "type", type or ())
        return Call("GET", path, work=DAEMON_WORK, needs=_since("1.42", type=type))

    @endpoint
    def login(
        username: str,
        password: str,
        registry: str | None = None,
        email: str | None = None,
    ) -> Call[JSON]:
        """`docker login REGISTRY`: `POST /auth` with `{"username", "password",
        "serveraddress"}`: the daemon checks the credentials with the registry (Docker Hub when
        `registry` is None) and returns `{"Status": "Login Succeeded", "IdentityToken": ...}`;
        a wrong password raises DockerError with the registry's refusal. Nothing is stored
        (the docker CLI writes config.json itself):

            client.login("ann", "s3cret", "127.0.0.1:5001")"""
        body = {"username": username, "password": password}
        if registry is not None:
            body["serveraddress"] = registry
        if email is not None:
            body["email"] = email
        return _json_call("POST", "/auth", body, work=DAEMON_WORK)
