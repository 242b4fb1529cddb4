"""Attach and exec: `docker attach`, `docker exec`, and the attach that `docker run -i` opens.

`attach_container` and `exec_start` are `@hijack` endpoints: the request asks for an upgrade,
the daemon answers `101 UPGRADED`, and the connection becomes a raw stream both ways (see
`rawdock.hijack`). The others are ordinary requests. `exec_run` is the everyday convenience,
`@sequence` of three of them: create, start (write the input, read the output), inspect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..wire import target
from .calls import (
    JSON,
    Call,
    Communicate,
    HijackCall,
    Steps,
    _json_call,
    _log_decoder,
    _multiplexed_stream,
    _nothing,
    _raw_stream,
    _tty_of,
    endpoint,
    hijack,
    sequence,
    upgrade_request,
)

__all__ = ["Attach"]


def _id_of(response: JSON) -> str:
    return str(response.json()["Id"])


def _env_list(env: Mapping[str, str] | Sequence[str] | None) -> list[str] | None:
    # The daemon takes "KEY=value" strings; a mapping is the friendlier way to write them.
    if env is None:
        return None
    if isinstance(env, Mapping):
        return [f"{key}={value}" for key, value in env.items()]
    return list(env)


class Attach:
    """`docker exec`, `docker attach`, and resizing their terminals."""

    @endpoint
    def exec_create(
        container: str,
        cmd: Sequence[str],
        *,
        env: Mapping[str, str] | Sequence[str] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        tty: bool = False,
        stdin: bool = False,
        privileged: bool = False,
        detach_keys: str | None = None,
    ) -> Call[str]:
        """The first half of `docker exec`: `POST /containers/{id}/exec` with the command and
        how to run it. Returns the exec id, for `exec_start`. A stopped container is refused
        with 409 (Conflict), a missing one with 404 (NotFound).

            exec_id = client.exec_create("web", ["cat", "/etc/hostname"])"""
        config: dict[str, JSON] = {
            "AttachStdin": stdin,
            "AttachStdout": True,
            "AttachStderr": True,
            "Tty": tty,
            "Cmd": list(cmd),
        }
        optional = {
            "Env": _env_list(env),
            "WorkingDir": workdir,
            "User": user,
            "Privileged": privileged or None,
            "DetachKeys": detach_keys,
        }
        config.update((key, value) for key, value in optional.items() if value is not None)
        return _json_call("POST", target("/containers/{}/exec", container), config, result=_id_of)

    @hijack
    def exec_start(
        exec_id: str, *, tty: bool = False, stdin: bool = False, detach: bool = False
    ) -> HijackCall:
        """The second half of `docker exec`: `POST /exec/{id}/start`, answered `101 UPGRADED`.
        Returns the session as a `HijackedStream`: iterate it for `("stdout"|"stderr", bytes)`
        (all "stdout" with a TTY), `write()` to the process's stdin (with `stdin=True`, and
        `stdin=True` at `exec_create`), `close_write()` to send EOF. `tty` must be what
        `exec_create` was given: it decides whether the output is framed. With `detach` the
        daemon answers at once and the stream is empty.

            with client.exec_start(exec_id, stdin=True) as session:
                session.write(b"hello")
                session.close_write()
                output = b"".join(data for _, data in session)"""
        decoder = _raw_stream if tty else _multiplexed_stream
        body = {"Detach": detach, "Tty": tty}
        return HijackCall(
            upgrade_request("POST", target("/exec/{}/start", exec_id), decoder, body), stdin
        )

    @endpoint
    def exec_inspect(exec_id: str) -> Call[JSON]:
        """`GET /exec/{id}/json`: the exec's state, `{"Running": false, "ExitCode": 0, ...}`.

        client.exec_inspect(exec_id)["ExitCode"]"""
        return Call("GET", target("/exec/{}/json", exec_id))

    @endpoint
    def exec_resize(exec_id: str, height: int, width: int) -> Call[None]:
        """`POST /exec/{id}/resize?h=H&w=W`: the size of an exec's TTY, in characters.

        client.exec_resize(exec_id, 24, 80)"""
        query = {"h": height, "w": width}
        return Call("POST", target("/exec/{}/resize", exec_id, query=query), result=_nothing)

    @hijack
    def attach_container(
        id: str,
        *,
        stdin: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        logs: bool = False,
        stream: bool = True,
        detach_keys: str | None = None,
        tty: bool | None = None,
    ) -> HijackCall:
        """`docker attach`: `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1`,
        answered `101 UPGRADED`. Returns the same `HijackedStream` as `exec_start`. Opened
        before `start_container`, it misses none of the output (what `docker run` does);
        `logs=True` replays what was written before. Whether the container has a TTY (which
        decides the framing) is asked with one `GET /containers/{id}/json` if the daemon does
        not say, unless `tty` tells it.

            session = client.attach_container("web", stdin=True)"""
        query = {
            "stream": stream,
            "stdin": stdin,
            "stdout": stdout,
            "stderr": stderr,
            "logs": logs or None,
            "detachKeys": detach_keys,
        }
        path = target("/containers/{}/attach", id, query=query)
        if tty is not None:
            known = _raw_stream if tty else _multiplexed_stream
            return HijackCall(upgrade_request("POST", path, known), stdin)
        probe = Call("GET", target("/containers/{}/json", id), result=_tty_of)
        return HijackCall(upgrade_request("POST", path, _log_decoder, None, probe), stdin)

    @endpoint
    def resize_container(id: str, height: int, width: int) -> Call[None]:
        """`POST /containers/{id}/resize?h=H&w=W`: the size of a container's TTY.

        client.resize_container("web", 24, 80)"""
        query = {"h": height, "w": width}
        return Call("POST", target("/containers/{}/resize", id, query=query), result=_nothing)

    @sequence
    def exec_run(
        container: str,
        cmd: Sequence[str],
        *,
        stdin: bytes | None = None,
        env: Mapping[str, str] | Sequence[str] | None = None,
        workdir: str | None = None,
        user: str | None = None,
    ) -> Steps[tuple[int, bytes, bytes]]:
        """Run a command in a running container and wait for it: `exec_create`, `exec_start`
        (writing `stdin`, then EOF, while reading the output), `exec_inspect`. Returns
        `(exit_code, stdout, stderr)`.

            client.exec_run("web", ["sh", "-c", "tr a-z A-Z"], stdin=b"hi")  # (0, b'HI', b'')"""
        exec_id = yield Attach.exec_create.describe(
            container, cmd, env=env, workdir=workdir, user=user, stdin=stdin is not None
        )
        start = Attach.exec_start.describe(exec_id, stdin=stdin is not None)
        stdout, stderr = yield Communicate(start, stdin or b"")
        inspected = yield Attach.exec_inspect.describe(exec_id)
        return int(inspected["ExitCode"]), stdout, stderr
