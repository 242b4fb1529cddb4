"""Container endpoints: the article's create and start, and the rest of a container's life."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidArgument
from ..exchange import DEFAULT_TIMEOUT
from ..wire import target
from .calls import (
    DAEMON_WORK,
    JSON,
    Body,
    Call,
    Filters,
    StreamCall,
    Timestamp,
    _byte_stream,
    _filters,
    _json_call,
    _json_stream,
    _log_decoder,
    _nothing,
    _path_stat,
    _since,
    _time,
    _tty_of,
    endpoint,
    stream,
)

__all__ = ["Containers"]


def _grace(t: int | None) -> float | None:
    """How long stop and restart let the daemon work before it answers: the grace period `t`
    asked for. A negative one makes the daemon wait for the container to exit on its own (moby
    daemon/stop.go), as long as it takes (None). Without one the container's StopTimeout
    applies (10 s unless set at create, and any number may be): `DAEMON_WORK` covers it."""
    if not isinstance(t, int) or isinstance(t, bool):
        return DAEMON_WORK  # (not a number of seconds: the daemon refuses it)
    return None if t < 0 else t


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
        exactly as given. Returns `{"Id": ..., "Warnings": [...]}`. `name=None` lets the
        daemon pick a name; an empty name is an InvalidArgument, as it is for every method
        taking a name or ID."""
        if name is not None and not name:
            raise InvalidArgument("name must be a non-empty string (None: the daemon picks one)")
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
        """`docker stop [-t N] [-s SIG] ID`: `POST /containers/{id}/stop?t=N`. 304 (already
        stopped) is success; `signal` needs API 1.42 (older daemons would ignore it, so rawdock
        refuses it there with InvalidArgument). The daemon answers once the container has
        stopped: the answer is awaited for the client's timeout plus the grace period
        (`DAEMON_WORK` when none is given: the container's own StopTimeout applies, 10 s
        unless set at create; a negative one waits for the container, as long as it takes).
        A deadline, if any, bounds it instead."""
        query = {"t": timeout, "signal": signal}
        return Call(
            "POST",
            target("/containers/{}/stop", id, query=query),
            ok=(304,),
            result=_nothing,
            work=_grace(timeout),  # the daemon answers once the container has stopped
            needs=_since("1.42", signal=signal),
        )

    @endpoint
    def restart_container(
        id: str, timeout: int | None = None, signal: str | None = None
    ) -> Call[None]:
        """`docker restart [-t N] [-s SIG] ID`: `POST /containers/{id}/restart?t=N`. `signal`
        (instead of the container's stop signal) needs API 1.42. The answer is awaited as
        stop's is: the client's timeout plus the grace period."""
        return Call(
            "POST",
            target("/containers/{}/restart", id, query={"t": timeout, "signal": signal}),
            result=_nothing,
            work=_grace(timeout),  # the daemon answers once the container has restarted
            needs=_since("1.42", signal=signal),
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
            timeout=None,  # the body comes when the container exits; the head at once
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
        quiet = None if follow else DEFAULT_TIMEOUT  # following: quiet while nothing runs
        if tty is not None:
            decoder = lambda headers, _: _log_decoder(headers, tty)  # noqa: E731
            return StreamCall("GET", path, decoder, timeout=quiet)
        probe = Call("GET", target("/containers/{}/json", id), result=_tty_of)
        return StreamCall("GET", path, _log_decoder, tty_probe=probe, timeout=quiet)

    @stream
    def export_container(id: str) -> StreamCall[bytes]:
        """`docker export ID`: `GET /containers/{id}/export`, the container's filesystem as a
        stream of tar bytes. The daemon mounts the filesystem before it answers: the head is
        awaited for `DAEMON_WORK` more."""
        path = target("/containers/{}/export", id)
        return StreamCall("GET", path, _byte_stream, work=DAEMON_WORK)

    @endpoint
    def top(id: str, ps_args: str | None = None) -> Call[JSON]:
        """`docker top ID [ps OPTIONS]`: `GET /containers/{id}/top?ps_args=..`, returning
        `{"Titles": ["UID", "PID", ...], "Processes": [[...], ...]}`."""
        return Call("GET", target("/containers/{}/top", id, query={"ps_args": ps_args}))

    @endpoint
    def diff(id: str) -> Call[JSON]:
        """`docker diff ID`: `GET /containers/{id}/changes`, a list of `{"Path": "/tmp/x",
        "Kind": 1}` (0 modified, 1 added, 2 deleted), or None when nothing changed."""
        return Call("GET", target("/containers/{}/changes", id))

    @endpoint
    def stats(id: str, one_shot: bool = False) -> Call[JSON]:
        """`docker stats --no-stream ID`: `GET /containers/{id}/stats?stream=0`, one sample of
        CPU, memory, network and block I/O use. The daemon takes two samples a second apart to
        fill `precpu_stats`, unless `one_shot` (API 1.41+)."""
        query = {"stream": False, "one-shot": one_shot or None}
        return Call("GET", target("/containers/{}/stats", id, query=query))

    @stream
    def stream_stats(id: str) -> StreamCall[JSON]:
        """`docker stats ID`: `GET /containers/{id}/stats?stream=1`, yielding a sample a second
        until closed (or until the container is removed):

            for sample in client.stream_stats("web"):
                print(sample["memory_stats"].get("usage"))"""
        return StreamCall("GET", target("/containers/{}/stats", id), _json_stream)

    @endpoint
    def update_container(id: str, config: Mapping[str, Any]) -> Call[JSON]:
        """`docker update`: `POST /containers/{id}/update` with `config` (resources and
        `RestartPolicy`, as in HostConfig) as the body; returns `{"Warnings": [...]}`:

            client.update_container("web", {"Memory": 256 * 2**20, "MemorySwap": -1})"""
        return _json_call("POST", target("/containers/{}/update", id), dict(config))

    @endpoint
    def rename_container(id: str, name: str) -> Call[None]:
        """`docker rename ID NAME`: `POST /containers/{id}/rename?name=NAME`."""
        path = target("/containers/{}/rename", id, query={"name": name})
        return Call("POST", path, result=_nothing)

    @endpoint
    def pause_container(id: str) -> Call[None]:
        """`docker pause ID`: `POST /containers/{id}/pause` (the cgroup freezer)."""
        return Call("POST", target("/containers/{}/pause", id), result=_nothing)

    @endpoint
    def unpause_container(id: str) -> Call[None]:
        """`docker unpause ID`: `POST /containers/{id}/unpause`."""
        return Call("POST", target("/containers/{}/unpause", id), result=_nothing)

    @endpoint
    def prune_containers(filters: Filters | None = None) -> Call[JSON]:
        """`docker container prune`: `POST /containers/prune`, removing stopped containers;
        returns `{"ContainersDeleted": [...], "SpaceReclaimed": n}`."""
        query = {"filters": _filters(filters)}
        return Call("POST", target("/containers/prune", query=query), work=DAEMON_WORK)

    # --- Files in and out: what `docker cp` does (rawdock.archive makes and reads the tars) ----

    @endpoint
    def archive_stat(id: str, path: str) -> Call[JSON]:
        """`HEAD /containers/{id}/archive?path=P`: what is at `path`, from the
        X-Docker-Container-Path-Stat header: `{"name", "size", "mode", "mtime",
        "linkTarget"}`. A missing path raises NotFound."""
        path_query = target("/containers/{}/archive", id, query={"path": path})
        return Call("HEAD", path_query, ok=(404,), result=_path_stat(id, path))

    @stream
    def get_archive(id: str, path: str) -> StreamCall[bytes]:
        """`docker cp ID:PATH -`: `GET /containers/{id}/archive?path=P`, a tar of `path` as a
        stream of bytes (flat memory); the stream's `headers` hold the path's stat, decoded by
        `rawdock.archive.path_stat`:

            with client.get_archive("web", "/etc/hosts") as tar:
                stat = rawdock.archive.path_stat(tar.headers)
                data = b"".join(tar)

        A missing path raises NotFound ("Could not find the file ... in container ...")."""
        return StreamCall(
            "GET", target("/containers/{}/archive", id, query={"path": path}), _byte_stream
        )

    @endpoint
    def put_archive(
        id: str,
        path: str,
        data: Body,
        no_overwrite_dir_non_dir: bool = False,
        copy_uid_gid: bool = False,
    ) -> Call[None]:
        """`docker cp - ID:PATH`: `PUT /containers/{id}/archive?path=P`, extracting the tar
        `data` into the directory `path`. `data` is bytes, or an iterable of pieces (such as
        `rawdock.archive.tar_stream(host_path)`) sent chunked as they come, so a 1 GB file
        needs no 1 GB buffer. A missing directory raises NotFound."""
        query = {
            "path": path,
            "noOverwriteDirNonDir": no_overwrite_dir_non_dir or None,
            "copyUIDGID": copy_uid_gid or None,
        }
        return Call(
            "PUT",
            target("/containers/{}/archive", id, query=query),
            data,
            "application/x-tar",
            result=_nothing,
            work=DAEMON_WORK,  # the daemon answers once it has extracted the whole tar
        )
