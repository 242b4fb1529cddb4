"""The main job's set-up, `.ci/engine.sh start`, on machines we make up: it must never touch a
Docker that is already there.

Each test runs the script in a mount namespace of its own, with directories of ours over /run
(so /var/run/docker.sock is whatever the test puts there) and /usr/local/bin, an empty
/usr/sbin, HOME and XDG_RUNTIME_DIR in a temporary directory, and a PATH whose apt-get, dpkg,
sshd, dockerd, docker-registry, openssl, ssh-keygen, curl and systemctl are stubs that only
write down how they were called. dpkg-query answers from a list of "installed" packages the
test writes.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_daemon import FakeDaemon, answer

ROOT = Path(__file__).resolve().parent.parent
ENGINE_SH = ROOT / ".ci" / "engine.sh"
RECORDED = (
    "apt-get", "apt", "dpkg", "sshd", "dockerd", "docker-registry", "openssl", "ssh-keygen",
    "curl", "systemctl", "service",
)  # fmt: skip
#: Run as root, stripped of the capability that lets root through a socket's permissions.
AS_ROOT_WITHOUT_DAC_OVERRIDE = (
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
    "--",
)
SCRIPT_TIMEOUT_S = 120
NOBODY = 65534

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"),
    reason="needs root, unshare and setpriv (a mount namespace of its own)",
)


class Machine:
    """A made-up machine: its /run, home, installed packages, and the record of stub calls."""

    def __init__(self, base: Path) -> None:
        self.run = base / "run"  # mounted on /run, so also /var/run
        self.home = base / "home"
        self.xdg = base / "xdg"
        self.stubs = base / "bin"
        self.local_bin = base / "usr-local-bin"  # mounted on /usr/local/bin
        self.calls_file = base / "calls"
        self.packages = base / "installed-packages"
        for directory in (self.run, self.home, self.xdg, self.stubs, self.local_bin):
            directory.mkdir()
        self.calls_file.touch()
        self.packages.touch()
        for name in RECORDED:
            self._stub(name, "")
        # apt-get install "installs": the packages it is given show up in dpkg-query.
        self._stub(
            "apt-get",
            'if [ "$1" = install ]; then\n'
            '  for p in "$@"; do case "$p" in -*|install) ;; *) echo "$p" >>'
            f' "{self.packages}" ;; esac; done\nfi\n',
        )
        self._write(
            "dpkg-query",
            f'for p; do :; done\ngrep -qx "$p" "{self.packages}" || exit 1\n'
            "printf 'install ok installed'\n",
        )
        # The script's python3 is the interpreter running this test (each CI version).
        self._write("python3", f'exec "{sys.executable}" "$@"\n')

    def _write(self, name: str, body: str) -> None:
        path = self.stubs / name
        path.write_text(f"#!/bin/sh\n{body}")
        path.chmod(0o755)

    def _stub(self, name: str, then: str) -> None:
        self._write(name, f'echo "{name} $*" >>"{self.calls_file}"\n{then}')

    def install(self, *packages: str) -> None:
        with self.packages.open("a") as db:
            db.writelines(f"{p}\n" for p in packages)

    def dead_socket(self, path: Path) -> None:
        """A socket file nobody listens on, as a stopped engine leaves behind."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))

    def calls(self) -> list[str]:
        return self.calls_file.read_text().splitlines()

    def start(
        self, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess[str]:
        environ = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DOCKER_", "RAWDOCK_", "SUDO_")) and key != "XDG_RUNTIME_DIR"
        }
        environ.update(
            PATH=f"{self.stubs}:{os.environ['PATH']}",
            HOME=str(self.home),
            XDG_RUNTIME_DIR=str(self.xdg),
            RAWDOCK_CI_DIR=str(self.run / "rawdock-ci"),
            **(env or {}),
        )
        mount_then_run = (
            'mount --bind "$1" /run && mount --bind "$2" /usr/local/bin'
            ' && mount -t tmpfs none /usr/sbin && shift 2 && exec "$@"'
        )
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount_then_run]
        argv += ["sh", str(self.run), str(self.local_bin), *prefix]
        argv += ["bash", str(ENGINE_SH), "start"]
        return subprocess.run(
            argv, env=environ, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT_S
        )


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


@pytest.fixture
def engine(machine: Machine) -> Iterator[FakeDaemon]:
    """An engine answering /_ping on the machine's /var/run/docker.sock."""
    daemon = FakeDaemon(str(machine.run))
    daemon.script(answer(200, b"OK"))
    yield daemon
    daemon.stop()


def test_an_engine_answering_on_the_default_socket_means_nothing_is_installed_or_started(
    machine: Machine, engine: FakeDaemon
) -> None:
    result = machine.start()
    assert result.returncode == 0, result.stderr
    assert machine.calls() == []
    assert "answers at unix:///var/run/docker.sock" in result.stderr
    assert engine.requests and engine.requests[0].startswith(b"GET /_ping HTTP/1.1\r\n")


def test_an_engine_answering_on_docker_host_is_enough_even_with_docker_ce_here(
    machine: Machine, tmp_path: Path
) -> None:
    daemon = FakeDaemon(str(tmp_path))
    daemon.script(answer(200, b"OK"))
    try:
        machine.install("docker-ce", "docker-ce-cli")
        result = machine.start(env={"DOCKER_HOST": daemon.url})
    finally:
        daemon.stop()
    assert result.returncode == 0, result.stderr
    assert machine.calls() == []
    assert daemon.url in result.stderr


def test_a_silent_docker_host_installs_nothing(machine: Machine, tmp_path: Path) -> None:
    result = machine.start(env={"DOCKER_HOST": f"unix://{tmp_path}/nobody.sock"})
    assert result.returncode == 1
    assert machine.calls() == []
    assert "DOCKER_HOST" in result.stderr and "installing nothing" in result.stderr


def test_a_socket_that_refuses_us_is_one_line_and_a_failure(machine: Machine) -> None:
    daemon = FakeDaemon(str(machine.run))
    try:
        os.chown(daemon.path, NOBODY, NOBODY)  # as a docker group we are not in
        os.chmod(daemon.path, 0o660)
        result = machine.start(prefix=AS_ROOT_WITHOUT_DAC_OVERRIDE)
    finally:
        daemon.stop()
    assert result.returncode == 1
    assert machine.calls() == []
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "permission denied on /var/run/docker.sock" in lines[0]
    assert "'docker' group" in lines[0] and "sudo" in lines[0]


@pytest.mark.parametrize("package", ["docker-ce", "docker-ce-cli", "docker-desktop", "podman"])
def test_another_docker_installed_is_never_replaced(machine: Machine, package: str) -> None:
    machine.install(package)
    result = machine.start()
    assert result.returncode == 1
    assert machine.calls() == []  # no apt-get: Debian's docker.io would remove docker-ce
    assert f"package {package} is installed but no engine answers" in result.stderr


@pytest.mark.parametrize(
    "where",
    [
        "run/docker.sock",  # an engine of someone else's, stopped
        "run/podman/podman.sock",
        "xdg/docker.sock",  # rootless Docker
        "xdg/podman/podman.sock",
        "home/.docker/run/docker.sock",  # Docker Desktop
        "home/.docker/desktop/docker.sock",
        "home/.colima/default/docker.sock",
    ],
)
def test_another_dockers_socket_is_never_replaced(
    machine: Machine, tmp_path: Path, where: str
) -> None:
    machine.dead_socket(tmp_path / where)
    result = machine.start()
    assert result.returncode == 1
    assert machine.calls() == []
    assert "a Docker socket is at" in result.stderr and "installing nothing" in result.stderr


def test_a_dockerd_installed_from_the_static_binaries_is_never_replaced(
    machine: Machine,
) -> None:
    (machine.local_bin / "dockerd").touch(mode=0o755)
    result = machine.start()
    assert result.returncode == 1
    assert machine.calls() == []
    assert "installed at /usr/local/bin/dockerd" in result.stderr


def test_debians_engine_installed_but_stopped_is_started_not_reinstalled(
    machine: Machine,
) -> None:
    machine.install("docker.io", "busybox-static")
    machine.dead_socket(machine.run / "docker.sock")
    result = machine.start()
    assert result.returncode == 1  # the dockerd stub exits: "did not come up"
    assert machine.calls() == ["dockerd -H unix:///var/run/docker.sock"]


def test_under_systemd_debians_stopped_engine_is_started_as_its_service(
    machine: Machine,
) -> None:
    machine.install("docker.io", "busybox-static")
    (machine.run / "systemd" / "system").mkdir(parents=True)
    daemon = FakeDaemon(str(machine.run))
    # Down at first (a 500 to the first ping; the second connection is the permission probe),
    # then up, as if `systemctl start docker` had started it.
    daemon.script(answer(500, b"down"), answer(200, b"OK"), answer(200, b"OK"))
    try:
        result = machine.start()
    finally:
        daemon.stop()
    assert result.returncode == 0, result.stderr
    assert machine.calls() == ["systemctl start docker"]
    assert "ready: a Docker engine answers" in result.stderr


def test_a_machine_without_docker_gets_debians_engine_and_nothing_else(
    machine: Machine,
) -> None:
    result = machine.start()
    assert result.returncode == 1, result.stderr  # the dockerd stub exits: "did not come up"
    assert "dockerd did not come up" in result.stderr
    assert machine.calls() == [
        "apt-get update -q",
        "apt-get install -y -q --no-install-recommends --no-remove docker.io busybox-static",
        "dockerd -H unix:///var/run/docker.sock",
    ]
