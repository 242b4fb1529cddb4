"""Container endpoints: the article's create and start, and the rest of a container's life."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..wire import target
from .calls import (
    JSON,
    Call,
    Filters,
    StreamCall,
    Timestamp,
    _byte_stream,
    _filters,
    _json_call,
    _log_decoder,
    _nothing,
    _time,
    _tty_of,
    endpoint,
    stream,
)

__all__ = ["Containers"]


class Containers:
    """`docker ps`, `docker create`, `docker start`, `docker logs`, ..."""

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
        details: bool = False,
        tty: bool | None = None,
    ) -> StreamCall[tuple[str, bytes]]:
        """`docker logs [-f] ID`: `GET /containers/{id}/logs`, yielding `(stream, data)` with
        stream "stdout" or "stderr", in the order written (one iterator, so stdout and stderr
        keep their interleaving). `data` is bytes as the container wrote them, cut wherever
        the reads fell, not per line. A TTY container has one stream: all of it is "stdout".
        `tail`: the last N lines ("all"); `since`/`until`: times; `timestamps`: each line
        starts with an RFC 3339 time and a space. With `follow`, the stream ends when the
        container stops, however long it is quiet before (no read timeout). `details`: the
        extra attributes given to the log driver before each line. `tty`: whether the container
        has a TTY, when the caller knows; otherwise an engine that does not say how the stream is
        framed (before API 1.42) costs a second request to find out."""
        query = {
            "follow": follow,
            "stdout": stdout,
            "stderr": stderr,
            "timestamps": timestamps or None,
            "tail": tail,
            "since": _time(since),
            "until": _time(until),
            "details": details or None,
        }
        path = target("/containers/{}/logs", id, query=query)
        if tty is not None:
            return StreamCall("GET", path, lambda headers, _: _log_decoder(headers, tty))
        probe = Call("GET", target("/containers/{}/json", id), result=_tty_of)
        return StreamCall("GET", path, _log_decoder, tty_probe=probe)

    @stream
    def export_container(id: str) -> StreamCall[bytes]:
        """`docker export ID`: `GET /containers/{id}/export`, the container's filesystem as a
        stream of tar bytes."""
        return StreamCall("GET", target("/containers/{}/export", id), _byte_stream)
