"""Registry credentials: found as the docker CLI finds them (config.json auths, credsStore,
credHelpers, an explicit auth=), sent to a registry that requires them (127.0.0.1:5001, started
by .ci/registry-auth.sh), and never printed."""

from __future__ import annotations

import base64
import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import support
from conftest import REQUIRE_DAEMON

import rawdock
import rawdock.auth as auth
from rawdock.api import API
from rawdock.cli.trace import CurlClient, TraceFormatter

AUTH_REGISTRY = "127.0.0.1:5001"
# The test registry's credentials, as .ci/registry-auth.sh writes them: they guard nothing else.
USER, PASSWORD = "rawdock", "rawdock-test-password"
CREDS = {"username": USER, "password": PASSWORD, "serveraddress": AUTH_REGISTRY}


def _write_config(directory: Path, config: dict[str, object]) -> None:
    (directory / "config.json").write_text(json.dumps(config))


def _helper(bin_dir: Path, name: str, script: str) -> None:
    path = bin_dir / f"docker-credential-{name}"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty DOCKER_CONFIG directory, and a bin directory first on PATH for helpers."""
    config = tmp_path / "docker-config"
    config.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return config


# --- Finding credentials ----------------------------------------------------------------------


def test_registry_of_an_image() -> None:
    assert auth.registry_of("127.0.0.1:5001/app:1") == "127.0.0.1:5001"
    assert auth.registry_of("localhost/app") == "localhost"
    assert auth.registry_of("registry.example.com/team/app") == "registry.example.com"
    assert auth.registry_of("busybox") == auth.INDEX_SERVER
    assert auth.registry_of("library/busybox:1") == auth.INDEX_SERVER


def test_auths_in_config_json(docker_config: Path) -> None:
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    _write_config(docker_config, {"auths": {AUTH_REGISTRY: {"auth": encoded}}})
    assert auth.credentials(AUTH_REGISTRY) == CREDS
    assert auth.credentials("other.example.com") is None
    header = dict(auth.registry_auth_header(f"{AUTH_REGISTRY}/app"))["X-Registry-Auth"]
    assert json.loads(base64.urlsafe_b64decode(header)) == CREDS
    assert auth.all_credentials() == {AUTH_REGISTRY: CREDS}


def test_no_config_sends_empty_credentials(docker_config: Path) -> None:
    assert auth.registry_auth_header("busybox") == (("X-Registry-Auth", "e30="),)  # "{}"
    assert auth.registry_config_header() == ()


def test_explicit_auth_wins(docker_config: Path) -> None:
    _write_config(docker_config, {"credsStore": "missing-store"})
    call = API.pull.describe(f"{AUTH_REGISTRY}/app", auth={"username": "a", "password": "b"})
    value = dict(call.headers)["X-Registry-Auth"]
    assert json.loads(base64.urlsafe_b64decode(value)) == {"username": "a", "password": "b"}


def test_creds_store_and_cred_helpers(docker_config: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    # The helper protocol: `get`, the server on stdin, JSON on stdout.
    _helper(
        bin_dir,
        "rawdocktest",
        f'read server\nprintf \'{{"ServerURL":"%s","Username":"{USER}","Secret":"{PASSWORD}"}}\''
        ' "$server"\n',
    )
    _helper(bin_dir, "tokens", 'printf \'{"Username":"<token>","Secret":"tok"}\'\n')
    _write_config(
        docker_config,
        {"credsStore": "rawdocktest", "credHelpers": {"token.example.com": "tokens"}},
    )
    assert auth.credentials(AUTH_REGISTRY) == CREDS
    assert auth.credentials("token.example.com") == {
        "identitytoken": "tok",
        "serveraddress": "token.example.com",
    }


def test_a_helper_missing_or_failing_is_a_clear_error(docker_config: Path, tmp_path: Path) -> None:
    _write_config(docker_config, {"credsStore": "rawdock-absent"})
    missing = "docker-credential-rawdock-absent .*not on PATH"
    with pytest.raises(auth.CredentialsError, match=missing):
        API.pull.describe(f"{AUTH_REGISTRY}/app")
    _helper(tmp_path / "bin", "broken", "echo 'keychain locked' >&2; exit 3\n")
    _write_config(docker_config, {"credsStore": "broken"})
    with pytest.raises(auth.CredentialsError, match="broken failed for 127.0.0.1:5001: keychain"):
        auth.credentials(AUTH_REGISTRY)
    _helper(tmp_path / "bin", "empty", "echo 'credentials not found in native keychain'; exit 1\n")
    _write_config(docker_config, {"credsStore": "empty"})
    assert auth.credentials(AUTH_REGISTRY) is None  # nothing stored: no credentials, no error
    (docker_config / "config.json").write_text("{not json")
    with pytest.raises(auth.CredentialsError, match="cannot read"):
        auth.credentials(AUTH_REGISTRY)


# --- Never printed ----------------------------------------------------------------------------


def test_trace_and_curl_redact_credentials() -> None:
    call = API.pull.describe(f"{AUTH_REGISTRY}/app", auth=CREDS)
    out = io.StringIO()
    curl = CurlClient("unix:///var/run/docker.sock", "1.41", out).command(call)
    assert PASSWORD not in curl and "X-Registry-Auth: <redacted>" in curl
    value = dict(call.headers)["X-Registry-Auth"]
    trace = TraceFormatter(out)
    head = f"POST /v1.41/images/create HTTP/1.1\r\nX-Registry-Auth: {value}\r\n\r\n"
    trace("send", head.encode())
    login = API.login.describe(USER, PASSWORD, AUTH_REGISTRY)
    assert isinstance(login.body, bytes)
    request = b"POST /v1.41/auth HTTP/1.1\r\nAuthorization: Basic eDp5\r\n\r\n" + login.body
    trace("send", request)
    shown = out.getvalue()
    assert value not in shown and PASSWORD not in shown and "eDp5" not in shown
    assert shown.count("<redacted>") == 3
    assert PASSWORD not in CurlClient(None, "1.41", io.StringIO()).command(login)


def test_errors_never_show_credentials() -> None:
    client = rawdock.Client(host="unix:///nonexistent.sock", version="1.41")
    with pytest.raises(rawdock.InvalidArgument, match="Authorization") as caught:
        client.request("GET", "/info", headers={"Authorization": "Basic czNjcmV0\r\nX: y"})
    assert "czNjcmV0" not in str(caught.value)


# --- Against the registry that requires them --------------------------------------------------


@pytest.fixture(scope="module")
def auth_registry() -> str:
    with socket_to(AUTH_REGISTRY) as reachable:
        if not reachable:
            message = f"no auth registry on {AUTH_REGISTRY}: run .ci/registry-auth.sh start"
            if REQUIRE_DAEMON:
                pytest.fail(message)
            pytest.skip(message)
    return AUTH_REGISTRY


class socket_to:  # noqa: N801 -- a context manager read as a phrase
    def __init__(self, address: str) -> None:
        import socket

        host, port = address.rsplit(":", 1)
        self.sock = socket.socket()
        self.sock.settimeout(2)
        self.ok = self.sock.connect_ex((host, int(port))) == 0

    def __enter__(self) -> bool:
        return self.ok

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


@pytest.fixture
def pushed(client: rawdock.Client, busybox: str, auth_registry: str) -> Iterator[str]:
    """busybox pushed to the auth registry (with explicit credentials), then untagged here."""
    repo = f"{auth_registry}/rawdock-auth-{support.RUN_ID}"
    client.tag_image(busybox, repo, "1")
    for item in client.push(repo, "1", auth=CREDS):
        assert "error" not in item
    client.remove_image(f"{repo}:1")
    yield f"{repo}:1"
    try:
        client.remove_image(f"{repo}:1", force=True)
    except rawdock.NotFound:
        pass


def test_login(client: rawdock.Client, auth_registry: str) -> None:
    assert client.login(USER, PASSWORD, auth_registry)["Status"] == "Login Succeeded"
    with pytest.raises(rawdock.DockerError, match="(?i)401 unauthorized") as caught:
        client.login(USER, "wrong-password", auth_registry)
    assert "wrong-password" not in str(caught.value)


def test_pull_without_credentials_fails_clearly(
    client: rawdock.Client, pushed: str, docker_config: Path
) -> None:
    with pytest.raises(rawdock.DockerError, match="no basic auth credentials|unauthorized"):
        list(client.pull(pushed))
    with pytest.raises(rawdock.NotFound):
        client.inspect_image(pushed)


def test_pull_with_config_json_credentials(
    client: rawdock.Client, pushed: str, docker_config: Path
) -> None:
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    _write_config(docker_config, {"auths": {AUTH_REGISTRY: {"auth": encoded}}})
    list(client.pull(pushed))
    assert client.inspect_image(pushed)["RepoTags"]
    assert client.inspect_distribution(pushed)["Descriptor"]["digest"].startswith("sha256:")


def test_pull_with_a_credential_helper(
    client: rawdock.Client, pushed: str, docker_config: Path, tmp_path: Path
) -> None:
    _helper(
        tmp_path / "bin",
        "rawdocktest",
        f'read server\nprintf \'{{"ServerURL":"%s","Username":"{USER}","Secret":"{PASSWORD}"}}\''
        ' "$server"\n',
    )
    _write_config(docker_config, {"credHelpers": {AUTH_REGISTRY: "rawdocktest"}})
    list(client.pull(pushed))
    assert client.inspect_image(pushed)["RepoTags"]


def test_wrong_password_in_config_fails_clearly(
    client: rawdock.Client, pushed: str, docker_config: Path
) -> None:
    encoded = base64.b64encode(f"{USER}:nope".encode()).decode()
    _write_config(docker_config, {"auths": {AUTH_REGISTRY: {"auth": encoded}}})
    with pytest.raises(rawdock.DockerError, match="(?i)unauthorized") as caught:
        list(client.pull(pushed))
    assert encoded not in str(caught.value)
