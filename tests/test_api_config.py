"""rawdock.config builds the create body as the docker CLI does: checked against the body the
docker CLI itself sends (captured by a small stand-in daemon), and parser by parser."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from rawdock.config import (
    ConfigError,
    container,
    parse_bytes,
    parse_cpus,
    parse_mount,
    parse_restart,
    parse_volume,
)

DOCKER = shutil.which("docker")


class CreateCatcher:
    """A Unix socket that answers the docker CLI's ping and keeps the body of its
    POST /containers/create (answered with a fake id)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.bodies: list[dict[str, object]] = []
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(path)
        self.server.listen(8)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        data = b""
        while True:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, data = data.partition(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            fields = dict(line.lower().partition(": ")[::2] for line in lines[1:])
            length = int(fields.get("content-length", 0))
            while len(data) < length:
                data += conn.recv(65536)
            body, data = data[:length], data[length:]
            method, target = lines[0].split(" ")[:2]
            if target.endswith("/containers/create") or "/containers/create?" in target:
                self.bodies.append(json.loads(body))
                payload, status = b'{"Id":"0123456789ab","Warnings":[]}', "201 Created"
            elif "/_ping" in target:
                payload, status = b"OK", "200 OK"
            else:
                payload, status = b'{"message":"not here"}', "404 Not Found"
            conn.sendall(
                f"HTTP/1.1 {status}\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload) if method != 'HEAD' else 0}\r\n\r\n".encode()
                + (payload if method != "HEAD" else b"")
            )

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[CreateCatcher]:
    caught = CreateCatcher(str(tmp_path / "docker.sock"))
    yield caught
    caught.close()


def _docker_create(catcher: CreateCatcher, tmp_path: Path, *flags: str) -> dict[str, object]:
    assert DOCKER is not None
    env = {**os.environ, "DOCKER_HOST": f"unix://{catcher.path}", "DOCKER_CONFIG": str(tmp_path)}
    env.pop("DOCKER_CONTEXT", None)
    subprocess.run(
        [DOCKER, "create", "--pull", "never", *flags], env=env, capture_output=True, timeout=30
    )
    assert catcher.bodies, "the docker CLI sent no create request"
    return catcher.bodies.pop()


@pytest.mark.skipif(DOCKER is None, reason="no docker CLI to compare with")
def test_same_fields_as_the_docker_cli(catcher: CreateCatcher, tmp_path: Path) -> None:
    sent = _docker_create(
        catcher,
        tmp_path,
        *("-p", "127.0.0.1:8080:80", "-p", "9000-9001:90-91/udp", "-e", "MODE=prod"),
        *("-l", "team=web", "-v", "data:/data:ro", "-v", "/scratch"),
        *("--mount", "type=tmpfs,target=/run,tmpfs-size=64m"),
        *("--restart", "on-failure:3", "-m", "512m", "--cpus", "1.5", "-w", "/srv"),
        *("busybox", "sleep", "60"),
    )
    ours = container(
        "busybox",
        ["sleep", "60"],
        ports=["127.0.0.1:8080:80", "9000-9001:90-91/udp"],
        env=["MODE=prod"],
        labels=["team=web"],
        volumes=["data:/data:ro", "/scratch"],
        mounts=["type=tmpfs,target=/run,tmpfs-size=64m"],
        restart="on-failure:3",
        memory="512m",
        cpus="1.5",
        workdir="/srv",
    )
    for key, value in ours.items():
        if key != "HostConfig":
            assert sent[key] == value, key
    host = sent["HostConfig"]
    assert isinstance(host, dict)
    for key, value in ours["HostConfig"].items():
        assert host[key] == value, key


def test_volume_specs() -> None:
    assert parse_volume("/host:/ctr") == ("Binds", "/host:/ctr")
    assert parse_volume("data:/ctr:ro,z") == ("Binds", "data:/ctr:ro,z")
    assert parse_volume("/anon") == ("Volumes", "/anon")
    for bad in ("relative", "/a:relative", "/a:/b:bogus", "a:b:c:d", ":/x"):
        with pytest.raises(ConfigError):
            parse_volume(bad)


def test_mount_specs() -> None:
    assert parse_mount("type=bind,src=/srv,dst=/data,ro,bind-propagation=rshared") == {
        "Type": "bind",
        "Source": "/srv",
        "Target": "/data",
        "ReadOnly": True,
        "BindOptions": {"Propagation": "rshared"},
    }
    assert parse_mount("source=v,target=/v,volume-nocopy,volume-label=a=b")["VolumeOptions"] == {
        "NoCopy": True,
        "Labels": {"a": "b"},
    }
    assert parse_mount("type=tmpfs,target=/t,tmpfs-mode=1770")["TmpfsOptions"] == {"Mode": 0o1770}
    for bad in ("type=bind,src=/a", "type=nope,target=/a", "target=/a,bogus=1",
                "type=bind,target=/a,tmpfs-size=1m"):
        with pytest.raises(ConfigError):
            parse_mount(bad)


def test_restart_bytes_cpus() -> None:
    assert parse_restart("always") == {"Name": "always"}
    assert parse_restart("on-failure:5") == {"Name": "on-failure", "MaximumRetryCount": 5}
    for bad in ("sometimes", "always:3", "on-failure:x"):
        with pytest.raises(ConfigError):
            parse_restart(bad)
    assert parse_bytes("512m") == 512 * 2**20
    assert parse_bytes("1.5g") == int(1.5 * 2**30)
    assert parse_bytes("64KiB") == 64 * 1024 and parse_bytes("100") == 100
    with pytest.raises(ConfigError):
        parse_bytes("12 parsecs")
    assert parse_cpus("1.5") == 1_500_000_000 and parse_cpus(0.25) == 250_000_000
    with pytest.raises(ConfigError):
        parse_cpus("0.0000000001")
    with pytest.raises(ConfigError):
        parse_cpus("many")


def test_the_dict_is_the_daemons_json() -> None:
    body = container("busybox", "sh", tty=True, auto_remove=True, network="none")
    assert body == {
        "Image": "busybox",
        "Cmd": ["sh"],
        "Tty": True,
        "HostConfig": {"NetworkMode": "none", "AutoRemove": True},
    }
    assert container("busybox") == {"Image": "busybox"}
