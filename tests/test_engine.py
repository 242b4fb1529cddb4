"""The article's flow, and the core client's promises, against a real Docker engine."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
import support

import rawdock
from rawdock.client import MAX_API_VERSION, negotiate_version


def _http_get(port: int, deadline: float = 10.0) -> bytes:
    """GET / from 127.0.0.1:port, retrying while the server in the container starts."""
    end = time.monotonic() + deadline
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
                chunks = []
                while chunk := sock.recv(65536):
                    chunks.append(chunk)
                reply = b"".join(chunks)
                if reply:
                    return reply
        except OSError:
            pass
        if time.monotonic() > end:
            raise AssertionError(f"nothing answered on 127.0.0.1:{port}")
        time.sleep(0.1)


def test_ping_and_version(client: rawdock.Client) -> None:
    assert client.ping() is True
    version = client.version()
    assert version["ApiVersion"]
    assert client.info()["ID"]


def test_article_flow(client: rawdock.Client, busybox: str) -> None:
    """docker images; docker ps; docker run --name N -p 127.0.0.1:PORT:80 IMAGE; stop; rm."""
    images = client.images()
    assert any(busybox in (image.get("RepoTags") or []) for image in images)
    assert isinstance(client.containers(), list)

    port = support.free_port()
    name = f"rawdock-article-{support.RUN_ID}"
    config = {
        "Image": busybox,
        "Cmd": ["sh", "-c", "echo hello from rawdock > /index.html && httpd -f -p 80 -h /"],
        "Labels": support.labels(),
        "ExposedPorts": {"80/tcp": {}},
        "HostConfig": {
            "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}
        },
    }
    try:
        created = client.create_container(config, name=name)
        assert set(created) >= {"Id", "Warnings"}
        client.start_container(name)
        client.start_container(name)  # 304 Not Modified: already started, still success

        reply = _http_get(port)
        assert reply.startswith(b"HTTP/1.") and b"hello from rawdock" in reply

        running = client.containers(filters={"name": [name]})
        assert [c["Id"] for c in running] == [created["Id"]]
        assert running[0]["Ports"][0]["PublicPort"] == port

        client.stop_container(name, timeout=1)
        client.stop_container(name, timeout=1)  # 304 again
        assert client.inspect_container(name)["State"]["Running"] is False
    finally:
        client.remove_container(name, force=True)
    with pytest.raises(rawdock.NotFound):
        client.inspect_container(name)


def test_not_found_carries_the_daemons_message(client: rawdock.Client) -> None:
    with pytest.raises(rawdock.NotFound) as caught:
        client.inspect_container("rawdock-no-such-container")
    assert caught.value.status == 404
    assert caught.value.message == "No such container: rawdock-no-such-container"
    with pytest.raises(rawdock.NotFound) as image_error:
        client.create_container({"Image": "rawdock-no-such-image:0"})
    assert "No such image" in str(image_error.value)


def test_name_conflict_is_409(
    client: rawdock.Client, make_container: Callable[..., dict[str, Any]]
) -> None:
    name = f"rawdock-conflict-{support.RUN_ID}"
    make_container(name=name, Cmd=["true"])
    with pytest.raises(rawdock.Conflict) as caught:
        make_container(name=name, Cmd=["true"])
    assert caught.value.status == 409
    assert name in caught.value.message and "already in use" in caught.value.message


def test_kill_restart_wait(
    client: rawdock.Client, make_container: Callable[..., dict[str, Any]]
) -> None:
    container = make_container(Cmd=["sleep", "60"])["Id"]
    client.start_container(container)
    client.restart_container(container, timeout=0)
    assert client.inspect_container(container)["State"]["Running"]
    client.kill_container(container, signal="KILL")
    assert client.wait_container(container)["StatusCode"] == 137
    with pytest.raises(rawdock.Conflict):  # not running
        client.kill_container(container)


def test_wait_returns_exit_code(
    client: rawdock.Client, make_container: Callable[..., dict[str, Any]]
) -> None:
    container = make_container(Cmd=["sh", "-c", "sleep 1; exit 3"])["Id"]
    client.start_container(container)
    # The answer comes after the container exits: a short client read timeout must not apply.
    with rawdock.Client(timeout=0.3) as impatient:
        assert impatient.wait_container(container)["StatusCode"] == 3


def test_wait_deadline_is_explicit(
    client: rawdock.Client, make_container: Callable[..., dict[str, Any]]
) -> None:
    container = make_container(Cmd=["sleep", "30"])["Id"]
    client.start_container(container)
    started = time.monotonic()
    with pytest.raises(rawdock.Timeout):
        client.wait_container(container, timeout=0.5)
    assert time.monotonic() - started < 5
    assert client.ping()  # the client is still usable


def test_inspect_and_remove_image(client: rawdock.Client, busybox: str) -> None:
    image = client.inspect_image(busybox)
    assert busybox in image["RepoTags"]
    assert image["Config"]["Labels"][support.LABEL] == support.RUN_ID
    extra = f"rawdock-test-extra:{support.RUN_ID}"
    client.tag_image(busybox, *extra.split(":"))
    removed = client.remove_image(extra)
    assert {"Untagged": extra} in removed
    with pytest.raises(rawdock.NotFound):
        client.inspect_image(extra)


def test_version_negotiation(client: rawdock.Client) -> None:
    server = client.version()["ApiVersion"]
    assert client.api_version == negotiate_version(server)
    assert negotiate_version("1.99") == MAX_API_VERSION
    assert negotiate_version("1.41") == "1.41"
    sent: list[bytes] = []
    with rawdock.Client(trace=lambda d, b: sent.append(b) if d == "send" else None) as traced:
        traced.containers()
    # One unversioned ping to negotiate, then the versioned request.
    assert sent[0].startswith(b"GET /_ping HTTP/1.1\r\n")
    assert sent[1].startswith(f"GET /v{traced.api_version}/containers/json HTTP/1.1".encode())


def test_pinned_version_is_sent_without_negotiation(client: rawdock.Client) -> None:
    sent: list[bytes] = []
    with rawdock.Client(
        version="1.40", trace=lambda d, b: sent.append(b) if d == "send" else None
    ) as pinned:
        assert pinned.api_version == "1.40"
        pinned.images()
    assert len(sent) == 1 and sent[0].startswith(b"GET /v1.40/images/json ")


def test_version_out_of_range_is_the_daemons_message(client: rawdock.Client) -> None:
    with rawdock.Client(version="9.99") as too_new:
        with pytest.raises(rawdock.DockerError) as caught:
            too_new.version()
    assert caught.value.status == 400
    assert "is too new" in caught.value.message


def test_keep_alive_reuses_one_connection(client: rawdock.Client) -> None:
    opened: list[int] = []
    with rawdock.Client() as counted:
        original = counted.transport.take_idle

        def take_idle(check: bool) -> Any:
            conn = original(check)
            if conn is None:  # the transport connects anew
                opened.append(1)
            return conn

        counted.transport.take_idle = take_idle  # type: ignore[method-assign]
        for _ in range(5):
            counted.ping()
            counted.containers()
    assert len(opened) == 1


def test_docker_host_is_honoured(monkeypatch: pytest.MonkeyPatch, engine: None) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///var/run/docker.sock")
    with rawdock.Client() as from_env:
        assert from_env.endpoint.path == "/var/run/docker.sock"
        assert from_env.ping()
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with rawdock.Client() as wrong, pytest.raises(rawdock.DaemonUnreachable) as caught:
        wrong.ping()
    assert str(caught.value) == (
        "Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock. "
        "Is the docker daemon running?"
    )


def test_request_escape_hatch(client: rawdock.Client, busybox: str) -> None:
    response = client.request("GET", "/images/json", params={"filters": {"reference": [busybox]}})
    assert response.status == 200
    assert [image["RepoTags"] for image in response.json()] == [[busybox]]
    with pytest.raises(rawdock.NotFound):
        client.request("GET", "/containers/rawdock-nope/json")


def test_import_loads_only_the_standard_library() -> None:
    code = (
        "import sys; before = set(sys.modules); import rawdock; "
        "new = sorted(m.split('.')[0] for m in set(sys.modules) - before); print(' '.join(new))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    stdlib = sys.stdlib_module_names
    assert [m for m in set(loaded) if m not in stdlib and m != "rawdock"] == []
    assert not {"http", "urllib", "email", "requests"} & set(loaded)


def test_import_adds_nothing_to_what_socket_and_json_load() -> None:
    # The import budget (docs/benchmarks.md, "Import"): nothing beyond socket and json but
    # typing and the stream decoders (with struct), which the public API's annotations name
    # (issue 12: typing.get_type_hints() works on it); dataclasses, which pulls in inspect and
    # ast, is not imported.
    def added_by(imports: str) -> list[str]:
        code = (
            "import sys; import socket, json; before = set(sys.modules); "
            f"{imports}; print(' '.join(sorted(set(sys.modules) - before)))"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    loaded = added_by("import rawdock; rawdock.Client")
    # What typing and struct bring with them depends on the Python: 3.12's typing imports
    # contextlib and warnings, 3.11's does not.
    allowed = set(added_by("import typing, struct, __future__"))
    assert [m for m in loaded if m not in allowed and not m.startswith("rawdock")] == []


def test_import_compiles_no_forward_reference() -> None:
    # A string where typing wants a class (`TypeVar("B", bound="RequestBuilder")`,
    # `Generic["X"]`) makes a ForwardRef, and ForwardRef compiles its text: the process's first
    # compile() costs ~0.7 ms, a tenth of `import rawdock` (docs/benchmarks.md, "Import").
    # Annotations are strings already (`from __future__ import annotations`) and cost nothing.
    code = (
        "import typing; made = []; init = typing.ForwardRef.__init__\n"
        "def counting(self, arg, *rest, **named):\n"
        "    made.append(arg); init(self, arg, *rest, **named)\n"
        "typing.ForwardRef.__init__ = counting\n"
        "import rawdock; rawdock.Client; print(made)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
