"""Remote engines: tcp:// with TLS, ssh://, and docker contexts.

The CI engine also listens on TLS at $RAWDOCK_TLS_HOST (certs in $RAWDOCK_TLS_CERTS, an
unrelated CA in $RAWDOCK_WRONG_CA) and an sshd at $RAWDOCK_SSH_HOST (key $RAWDOCK_SSH_KEY):
see .ci/engine.sh. Each way in must reach the same daemon as the local socket. Without that
environment these tests skip; under RAWDOCK_REQUIRE_DAEMON=1 they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import support

import rawdock
from rawdock.context import context_endpoint, context_id, current_context
from rawdock.transport import (
    SSHConnection,
    TLSConfig,
    TLSConnection,
    connect,
    parse_host,
)

REQUIRE_DAEMON = os.environ.get("RAWDOCK_REQUIRE_DAEMON") == "1"
DOCKER_ENV = (
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_CONFIG",
    "DOCKER_TLS",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
)


def _missing(what: str) -> None:
    if REQUIRE_DAEMON:
        pytest.fail(f"RAWDOCK_REQUIRE_DAEMON=1 but {what} (run `.ci/engine.sh start`)")
    pytest.skip(what)


@pytest.fixture(autouse=True)
def clean_docker_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's own DOCKER_* settings or ~/.docker."""
    for name in DOCKER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "empty-docker-config"))


# --- Endpoints, without an engine -------------------------------------------------------------


def test_tcp_port_defaults_follow_tls() -> None:
    assert parse_host("tcp://example.test").port == 2375
    assert parse_host("tcp://example.test", tls=TLSConfig(verify=False)).port == 2376
    assert parse_host("tcp://example.test:1234", tls=TLSConfig()).port == 1234


def test_tls_from_env_like_the_docker_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("x")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(tmp_path))
    assert parse_host("tcp://h:1").tls is None  # no DOCKER_TLS*: plain TCP
    forced = parse_host("tcp://h:1", tls=True).tls  # like `docker --tlsverify`
    assert forced is not None and forced.verify and forced.ca == str(tmp_path / "ca.pem")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    assert parse_host("tcp://h:1").tls == TLSConfig(
        str(tmp_path / "ca.pem"), str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"), True
    )
    assert parse_host("tcp://h:1", tls=False).tls is None
    monkeypatch.delenv("DOCKER_TLS_VERIFY")
    monkeypatch.setenv("DOCKER_TLS", "1")
    tls = parse_host("tcp://h:1").tls
    assert tls is not None and tls.verify is False


def test_tls_cert_path_defaults_to_the_docker_config_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    tls = parse_host("tcp://h:1").tls
    assert tls is not None and tls.ca == str(tmp_path / "ca.pem")
    # No cert.pem/key.pem there: no client certificate, as in the CLI.
    assert tls.cert is None and tls.key is None


@pytest.mark.parametrize(
    ("url", "user", "host", "port", "path"),
    [
        ("ssh://example.test", "", "example.test", 0, ""),
        ("ssh://me@example.test:2200", "me", "example.test", 2200, ""),
        ("ssh://me@[::1]:22", "me", "::1", 22, ""),
        ("ssh://me@example.test/run/docker.sock", "me", "example.test", 0, "/run/docker.sock"),
    ],
)
def test_parse_ssh_hosts(url: str, user: str, host: str, port: int, path: str) -> None:
    endpoint = parse_host(url)
    assert (endpoint.scheme, endpoint.user, endpoint.host, endpoint.port, endpoint.path) == (
        "ssh",
        user,
        host,
        port,
        path,
    )
    assert endpoint.host_header == "docker"


def test_ssh_command_is_the_docker_clis() -> None:
    endpoint = parse_host("ssh://me@example.test:2200", ssh_options=["-i", "key"])
    command = endpoint.ssh_command()
    assert command[0] == "ssh" and "BatchMode=yes" in command
    assert command[-7:] == [
        "-p",
        "2200",
        "--",
        "example.test",
        "docker",
        "system",
        "dial-stdio",
    ]
    assert command[command.index("-l") + 1] == "me"
    assert command[command.index("-i") + 1] == "key"
    with_path = parse_host("ssh://example.test/run/d.sock").ssh_command()
    assert with_path[-5:] == ["docker", "--host", "unix:///run/d.sock", "system", "dial-stdio"]


@pytest.mark.parametrize("url", ["ssh://", "ssh://me@", "ssh://h:port", "ssh://-oProxyCommand=x"])
def test_invalid_ssh_hosts(url: str) -> None:
    with pytest.raises(rawdock.DaemonUnreachable, match="invalid host"):
        parse_host(url)


def test_import_stays_cheap() -> None:
    code = "import rawdock, sys; print(sorted({'ssl', 'subprocess', 'hashlib'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _write_context(
    config_dir: Path, name: str, host: str, tls_from: str | None = None, skip_verify: bool = False
) -> None:
    """A context exactly as `docker context create` stores it."""
    meta_dir = config_dir / "contexts" / "meta" / context_id(name)
    meta_dir.mkdir(parents=True)
    meta = {
        "Name": name,
        "Metadata": {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip_verify}},
    }
    (meta_dir / "meta.json").write_text(json.dumps(meta))
    if tls_from:
        tls_dir = config_dir / "contexts" / "tls" / context_id(name) / "docker"
        tls_dir.mkdir(parents=True)
        for file in ("ca.pem", "cert.pem", "key.pem"):
            shutil.copy(os.path.join(tls_from, file), tls_dir / file)


def test_context_resolution_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    _write_context(tmp_path, "in-config", "tcp://config.test:2375")
    _write_context(tmp_path, "in-env", "ssh://me@env.test")
    assert parse_host().url == rawdock.transport.DEFAULT_HOST  # nothing set: the socket
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "in-config"}))
    assert current_context() == "in-config"
    assert parse_host().url == "tcp://config.test:2375"
    monkeypatch.setenv("DOCKER_CONTEXT", "in-env")
    assert parse_host().url == "ssh://me@env.test"
    monkeypatch.setenv("DOCKER_HOST", "tcp://host.test:2375")
    assert parse_host().url == "tcp://host.test:2375"  # DOCKER_HOST wins over any context
    assert parse_host("unix:///explicit.sock").path == "/explicit.sock"  # explicit wins over all
    monkeypatch.delenv("DOCKER_HOST")
    monkeypatch.setenv("DOCKER_CONTEXT", "default")
    assert parse_host().url == rawdock.transport.DEFAULT_HOST


def test_context_tls_material(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    for file in ("ca.pem", "cert.pem", "key.pem"):
        (certs / file).write_text("x")
    config = tmp_path / "config"
    _write_context(config, "secure", "tcp://h:2376", tls_from=str(certs))
    _write_context(config, "insecure", "tcp://h:2376", skip_verify=True)
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    tls_dir = config / "contexts" / "tls" / context_id("secure") / "docker"
    secure = context_endpoint("secure")
    assert secure is not None and secure.tls == TLSConfig(
        str(tls_dir / "ca.pem"), str(tls_dir / "cert.pem"), str(tls_dir / "key.pem"), True
    )
    insecure = context_endpoint("insecure")
    assert insecure is not None and insecure.tls is not None and not insecure.tls.verify


def test_missing_context_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONTEXT", "nowhere")
    with pytest.raises(rawdock.DaemonUnreachable, match="context 'nowhere' does not exist"):
        rawdock.Client()


def test_tls_file_missing_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "ca.pem"
    with pytest.raises(rawdock.DaemonUnreachable, match=f"CA file not found: {missing}"):
        connect(parse_host("tcp://127.0.0.1:9", tls=TLSConfig(ca=str(missing))), 5)


# --- TLS against a local TLS server (no engine needed, only the CI certificates) --------------


@pytest.fixture
def certs() -> str:
    path = os.environ.get("RAWDOCK_TLS_CERTS", "")
    if not path or not os.path.exists(os.path.join(path, "server-cert.pem")):
        _missing("no TLS certificates: RAWDOCK_TLS_CERTS is not set")
    return path


def test_tls_idle_check_sees_the_peer_close(certs: str) -> None:
    """Connection.is_stale uses MSG_PEEK, which TLS sockets refuse: the TLS variant must still
    tell an idle live connection from one the daemon closed."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(
        os.path.join(certs, "server-cert.pem"), os.path.join(certs, "server-key.pem")
    )
    close_now = threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def serve() -> None:
            raw, _ = listener.accept()
            with server_context.wrap_socket(raw, server_side=True) as conn:
                conn.sendall(b"hello")
                close_now.wait(10)

        server = threading.Thread(target=serve)
        server.start()
        tls = TLSConfig(ca=os.path.join(certs, "ca.pem"))
        conn = connect(parse_host(f"tcp://127.0.0.1:{port}", tls=tls), 10)
        try:
            assert isinstance(conn, TLSConnection)
            assert conn.recv(10) == b"hello"
            assert conn.is_stale() is False
            assert conn.is_stale() is False  # asking does not change the answer
            close_now.set()
            server.join(10)
            for _ in range(50):  # the close_notify/FIN may take a moment to arrive
                if conn.is_stale():
                    break
                threading.Event().wait(0.05)
            assert conn.is_stale() is True
        finally:
            close_now.set()
            conn.close()
            server.join(10)


# --- Against the engine: the same answers every way in ---------------------------------------


@pytest.fixture
def tls_host(engine: None, certs: str) -> str:
    host = os.environ.get("RAWDOCK_TLS_HOST", "")
    if not host:
        _missing("the engine has no TLS listener: RAWDOCK_TLS_HOST is not set")
    return host


@pytest.fixture
def expected(
    client: rawdock.Client, make_container: Callable[..., dict[str, Any]]
) -> Iterator[tuple[str, list[str]]]:
    """What every way in must see: the daemon's ID, and a labelled container's id."""
    created = make_container(Cmd=["true"], Labels=support.labels(**{"rawdock.remote": "1"}))
    yield client.info()["ID"], [created["Id"]]


def _answers(remote: rawdock.Client) -> tuple[str, list[str]]:
    with remote:
        filters = {"label": [f"{support.LABEL}={support.RUN_ID}", "rawdock.remote=1"]}
        return remote.info()["ID"], [c["Id"] for c in remote.containers(all=True, filters=filters)]


def test_tls_from_env(
    monkeypatch: pytest.MonkeyPatch, tls_host: str, certs: str, expected: tuple[str, list[str]]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", tls_host)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", certs)
    remote = rawdock.Client(timeout=30)
    assert remote.endpoint.tls is not None and remote.endpoint.tls.verify
    assert _answers(remote) == expected


def test_tls_explicit(tls_host: str, certs: str, expected: tuple[str, list[str]]) -> None:
    tls = TLSConfig(
        ca=os.path.join(certs, "ca.pem"),
        cert=os.path.join(certs, "cert.pem"),
        key=os.path.join(certs, "key.pem"),
    )
    assert _answers(rawdock.Client(tls_host, tls=tls, timeout=30)) == expected


def test_tls_connections_are_kept_alive(tls_host: str, certs: str) -> None:
    with rawdock.Client(tls_host, tls=TLSConfig.from_directory(certs), timeout=30) as remote:
        remote.ping()
        (first,) = remote.transport._idle
        remote.ping()
        remote.version()
        assert remote.transport._idle == [first]


def test_tls_context(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tls_host: str,
    certs: str,
    expected: tuple[str, list[str]],
) -> None:
    _write_context(tmp_path, "ci-tls", tls_host, tls_from=certs)
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "ci-tls"}))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    remote = rawdock.Client(timeout=30)
    assert remote.endpoint.url == tls_host and remote.endpoint.tls is not None
    assert _answers(remote) == expected


def test_context_made_by_the_docker_cli(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tls_host: str,
    certs: str,
    expected: tuple[str, list[str]],
) -> None:
    """The files `docker context create` writes are the ones rawdock reads."""
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI to create a context with")
    ca, cert, key = (os.path.join(certs, f) for f in ("ca.pem", "cert.pem", "key.pem"))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    subprocess.run(
        [docker, "context", "create", "made-by-cli", "--docker",
         f"host={tls_host},ca={ca},cert={cert},key={key}"],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("DOCKER_CONTEXT", "made-by-cli")
    assert _answers(rawdock.Client(timeout=30)) == expected


def test_tls_wrong_ca_is_refused(tls_host: str, certs: str) -> None:
    wrong = os.environ.get("RAWDOCK_WRONG_CA") or os.path.join(certs, "wrong-ca")
    tls = TLSConfig.from_directory(wrong)
    with rawdock.Client(tls_host, tls=tls, timeout=30) as remote:
        with pytest.raises(rawdock.DaemonUnreachable, match="does not verify against .*ca.pem"):
            remote.ping()


def test_tls_missing_client_cert_file_is_named(tls_host: str, certs: str) -> None:
    tls = TLSConfig(
        ca=os.path.join(certs, "ca.pem"),
        cert=os.path.join(certs, "no-such-cert.pem"),
        key=os.path.join(certs, "key.pem"),
    )
    with rawdock.Client(tls_host, tls=tls, timeout=30) as remote:
        with pytest.raises(rawdock.DaemonUnreachable, match="no-such-cert.pem"):
            remote.ping()


def test_tls_without_client_cert_is_refused(tls_host: str, certs: str) -> None:
    tls = TLSConfig(ca=os.path.join(certs, "ca.pem"))
    with rawdock.Client(tls_host, tls=tls, timeout=30) as remote:
        with pytest.raises(rawdock.DaemonUnreachable, match="no client certificate"):
            remote.ping()


def test_plain_http_to_a_tls_port_fails_clearly(tls_host: str) -> None:
    with rawdock.Client(tls_host, tls=False, timeout=30) as remote:
        with pytest.raises(rawdock.RawdockError):
            remote.ping()


# --- ssh:// -----------------------------------------------------------------------------------


@pytest.fixture
def ssh_host(engine: None) -> tuple[str, list[str]]:
    host = os.environ.get("RAWDOCK_SSH_HOST", "")
    key = os.environ.get("RAWDOCK_SSH_KEY", "")
    if not host or not key:
        _missing("no sshd for ssh:// tests: RAWDOCK_SSH_HOST / RAWDOCK_SSH_KEY are not set")
    if not any(os.path.exists(p) for p in ("/usr/local/bin/docker", "/usr/bin/docker")):
        pytest.skip("no docker CLI for the remote side's `docker system dial-stdio`")
    options = ["-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes"]
    known_hosts = os.environ.get("RAWDOCK_SSH_KNOWN_HOSTS")
    if known_hosts:
        options += ["-o", f"UserKnownHostsFile={known_hosts}"]
    return host, options


def test_ssh(ssh_host: tuple[str, list[str]], expected: tuple[str, list[str]]) -> None:
    host, options = ssh_host
    assert _answers(rawdock.Client(host, ssh_options=options, timeout=30)) == expected


def test_ssh_connection_is_reused_then_its_process_ends(ssh_host: tuple[str, list[str]]) -> None:
    host, options = ssh_host
    remote = rawdock.Client(host, ssh_options=options, timeout=30)
    remote.ping()
    (conn,) = remote.transport._idle
    assert isinstance(conn, SSHConnection) and conn.process.returncode is None
    remote.version()
    assert remote.transport._idle == [conn]
    remote.close()
    assert conn.process.returncode is not None


def test_ssh_auth_failure_carries_sshs_stderr(ssh_host: tuple[str, list[str]]) -> None:
    host, options = ssh_host
    wrong_user = "ssh://nobody-here@" + host.removeprefix("ssh://").rpartition("@")[2]
    remote = rawdock.Client(wrong_user, ssh_options=options, timeout=30)
    with remote, pytest.raises(rawdock.DaemonUnreachable, match=r"exit status 255.*Permission"):
        remote.ping()


def test_ssh_remote_without_the_daemon_socket(ssh_host: tuple[str, list[str]]) -> None:
    host, options = ssh_host
    with rawdock.Client(host + "/nonexistent/docker.sock", ssh_options=options) as remote:
        with pytest.raises(rawdock.DaemonUnreachable, match="ssh .* failed .*nonexistent"):
            remote.ping()


# --- The asyncio client over TLS ---------------------------------------------------------------


def test_tls_asyncio_client(tls_host: str, certs: str, expected: tuple[str, list[str]]) -> None:
    import asyncio

    import rawdock.aio

    async def answers() -> tuple[str, list[str]]:
        tls = TLSConfig.from_directory(certs)
        async with rawdock.aio.Client(tls_host, tls=tls, timeout=30) as remote:
            filters = {"label": [f"{support.LABEL}={support.RUN_ID}", "rawdock.remote=1"]}
            containers = await remote.containers(all=True, filters=filters)
            return (await remote.info())["ID"], [c["Id"] for c in containers]

    assert asyncio.run(answers()) == expected


def test_tls_asyncio_wrong_ca_is_refused(tls_host: str, certs: str) -> None:
    import asyncio

    import rawdock.aio

    async def ping() -> bool:
        wrong = os.environ.get("RAWDOCK_WRONG_CA") or os.path.join(certs, "wrong-ca")
        async with rawdock.aio.Client(tls_host, tls=TLSConfig.from_directory(wrong)) as remote:
            return await remote.ping()

    with pytest.raises(rawdock.DaemonUnreachable, match="certificate verify failed"):
        asyncio.run(ping())
