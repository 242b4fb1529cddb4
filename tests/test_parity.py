"""rawdock and the docker CLI side by side: the same command line on the same objects must give
the same stdout, the same stderr and the same exit status.

Each case runs `docker ARGS` (/usr/local/bin/docker) and `python -m rawdock ARGS` as whole
processes. Before comparing, docker's own name becomes rawdock's where it names the program
("docker: ...", "'docker ps'", "Usage:  docker ps"), and only clocks are normalised ("3 seconds
ago", "Up 2 minutes"): a case is retried when a clock ticks between the two runs, since a
longer clock text also widens its column. Objects a command creates have new ids, which are
normalised too. Everything the tests create carries this run's label and is removed.

What rawdock prints differently on purpose (its own client block in `version` and `info`, its
help texts) is compared from the first line both share on; docs/cli.md lists the differences.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import support

import rawdock

DOCKER = "/usr/local/bin/docker"
pytestmark = pytest.mark.skipif(
    not os.access(DOCKER, os.X_OK), reason=f"no docker CLI at {DOCKER} to compare with"
)

#: How many times a case is run again when the two outputs differ (a clock may tick between).
ATTEMPTS = 4
PREFIX = f"rawdock-parity-{support.RUN_ID}"
FILTER = f"label={support.LABEL}={support.RUN_ID}"

_CLOCK = re.compile(
    r"(Less than a second|About a minute|About an hour|\d+ (second|minute|hour|day|week|month|"
    r"year)s?)( ago)?"
)
# Where docker names itself: "docker: ...", "'docker ps'", "Usage:  docker ps", "command: docker x".
_PROGRAM = re.compile(
    r"^docker(?=: )|(?<=')docker(?= )|(?<=Usage:  )docker|(?<=command: )docker", re.M
)


def _docker(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DOCKER, *argv], capture_output=True, text=True, timeout=120)


def _rawdock(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rawdock", *argv], capture_output=True, text=True, timeout=120
    )


def _normalised(result: subprocess.CompletedProcess[str], docker: bool) -> tuple[str, str, int]:
    out, err = result.stdout, result.stderr
    if docker:
        out, err = _PROGRAM.sub("rawdock", out), _PROGRAM.sub("rawdock", err)
    return _CLOCK.sub("<clock>", out), _CLOCK.sub("<clock>", err), result.returncode


def same(*argv: str, after: str | None = None) -> tuple[str, str, int]:
    """Run ARGV through both; assert they agree (from the line `after` on, when given)."""
    ours: tuple[str, str, int] = ("", "", 0)
    theirs: tuple[str, str, int] = ("", "", 0)
    for _attempt in range(ATTEMPTS):
        theirs = _normalised(_docker(*argv), docker=True)
        ours = _normalised(_rawdock(*argv), docker=False)
        if after is not None:
            theirs = (theirs[0][theirs[0].find(after) :], theirs[1], theirs[2])
            ours = (ours[0][ours[0].find(after) :], ours[1], ours[2])
        if ours == theirs:
            break
        time.sleep(0.3)
    assert ours == theirs, f"rawdock {' '.join(argv)}"
    return ours


@pytest.fixture(scope="module")
def objects(session_client: rawdock.Client, busybox: str) -> Iterator[dict[str, Any]]:
    """Three labelled containers in three states, with a port, labels, logs and an exit code."""
    client = session_client
    port = support.free_port()
    names = {"up": f"{PREFIX}-up", "exited": f"{PREFIX}-exited", "created": f"{PREFIX}-created"}
    labels = support.labels(**{"com.example.my-label": "x"})
    try:
        client.create_container(
            {
                "Image": busybox,
                "Cmd": ["sleep", "600"],
                "Labels": labels,
                "Env": ["GREETING=hi"],
                "ExposedPorts": {"80/tcp": {}},
                "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1",
                                                            "HostPort": str(port)}]}},
            },
            name=names["up"],
        )  # fmt: skip
        client.start_container(names["up"])
        script = "echo one; echo two >&2; sleep 1; echo three; exit 3"
        client.create_container(
            {"Image": busybox, "Cmd": ["sh", "-c", script], "Labels": labels},
            name=names["exited"],
        )
        client.start_container(names["exited"])
        client.wait_container(names["exited"])
        client.create_container(
            {"Image": busybox, "Cmd": ["true"], "Labels": labels}, name=names["created"]
        )
        yield {"names": names, "image": busybox, "port": port, "client": client}
    finally:
        for name in names.values():
            try:
                client.remove_container(name, force=True)
            except rawdock.NotFound:
                pass


# --- Lists ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        ["-a"],
        [],
        ["-a", "-q"],
        ["-a", "--no-trunc"],
        ["-a", "-s"],
        ["-n", "2"],
        ["-l", "-q"],
        ["-a", "--format", "{{.Names}} {{.State}} {{.Ports}}"],
        ["-a", "--format", "table {{.Names}}\\t{{.Status}}\\t{{.Label \"com.example.my-label\"}}"],
        ["-a", "--format", "{{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.Labels}}\\t{{.Networks}}"],
        ["-a", "--format", "{{json .}}"],
        ["-a", "--format", "json"],
        ["-a", "--format", "{{.Names}}: {{upper .State}} {{title .Status}}"],
        ["-a", "--format", "{{.Nope}}"],
        ["-a", "--format", "{{nosuchfunction .ID}}"],
        ["-a", "-q", "--format", "{{.Names}}"],
        ["-a", "-s", "--format", "table"],
        ["-a", "--format", "{{.Size}} {{.Mounts}} {{.LocalVolumes}}"],
        ["-a", "--filter", "bogus"],
        ["--filter", "status=exited", "--format", "{{.Names}}"],
    ],
)  # fmt: skip
def test_ps(objects: dict[str, Any], flags: list[str]) -> None:
    same("ps", "--filter", FILTER, *flags)


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["-q"],
        ["--no-trunc"],
        ["--digests"],
        ["-a"],
        ["--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}"],
        ["--format", "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.CreatedSince}}"],
        ["--format", "json"],
        ["--format", "{{json .}}"],
        ["--format", "table"],
        ["--format", "{{.Nope}}"],
        ["--format", "{{.Tag | upper}} {{truncate .ID 4}}"],
    ],
)
def test_images(objects: dict[str, Any], flags: list[str]) -> None:
    same("images", "--filter", f"reference={objects['image']}", *flags)


# --- Objects ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.State.Running}}",
        "{{json .Config.Labels}}",
        "{{.Config.Cmd}} {{len .Config.Env}}",
        "{{range .Config.Env}}{{println .}}{{end}}",
        '{{index .Config.Labels "com.example.my-label"}}',
        "{{range $p, $b := .HostConfig.PortBindings}}{{$p}}={{(index $b 0).HostIp}}{{end}}",
        "{{if .State.Running}}running{{else}}stopped {{.State.ExitCode}}{{end}}",
        '{{join .Config.Cmd " "}} {{lower .Name}} {{split .Config.Image ":"}}',
        "{{.Nope}}",
    ],
)
def test_inspect_format(objects: dict[str, Any], template: str) -> None:
    names = objects["names"]
    same("inspect", "-f", template, names["up"], names["exited"])
    same("container", "inspect", "--format", template, names["created"])


def test_inspect(objects: dict[str, Any]) -> None:
    names = objects["names"]
    same("inspect", names["exited"])
    same("inspect", f"{PREFIX}-nothing")
    same("inspect", "-f", "{{.Id}}", f"{PREFIX}-nothing")
    same("inspect", "--type", "image", "-f", "{{.Id}} {{.RepoTags}}", objects["image"])
    same("image", "inspect", "--format", "{{json .Config.Cmd}}", objects["image"])


# --- Logs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["--tail", "1"],
        ["-n", "2"],
        ["-t"],
        ["--since", "42m"],
        ["--since", "1h30m", "--until", "1s"],
        ["--since", "2020-01-01T00:00:00Z"],
        ["--since", "2020-01-01"],
        ["--since", "1577836800"],
        ["--until", "2020-01-01T00:00:00.5+01:00"],
        ["--since", "nonsense"],
        ["--since", "2021-13-01"],
        ["--until", "2021-02-30T10:00"],
    ],
)
def test_logs(objects: dict[str, Any], flags: list[str]) -> None:
    same("logs", *flags, objects["names"]["exited"])


# --- System -----------------------------------------------------------------------------------


def test_version_and_info(objects: dict[str, Any]) -> None:
    same("version", after="Server:")
    same("version", "--format", "{{.Server.Version}} {{.Server.ApiVersion}} {{.Server.Os}}")
    same("info", after="Server:")
    same("info", "--format", "{{.ServerVersion}} {{.NCPU}} {{json .RegistryConfig.Mirrors}}")


# --- Changes ----------------------------------------------------------------------------------


def test_lifecycle_verbs(objects: dict[str, Any]) -> None:
    created = objects["names"]["created"]
    same("start", created)
    same("restart", "-t", "0", created)
    same("stop", "-t", "0", created)
    same("wait", created)
    same("start", created, f"{PREFIX}-nothing")
    same("kill", created, f"{PREFIX}-nothing")
    same("rm", objects["names"]["up"])  # running: refused, the daemon's words


def test_tag_and_rmi(objects: dict[str, Any]) -> None:
    target = f"{PREFIX}-tag:v1"
    results = []
    try:
        for remove in (_docker, _rawdock):
            assert _docker("tag", objects["image"], target).returncode == 0
            results.append(_normalised(remove("rmi", target), docker=remove is _docker))
    finally:
        try:
            objects["client"].remove_image(target)
        except rawdock.NotFound:
            pass
    assert results[0] == results[1] == (f"Untagged: {target}\n", "", 0)
    same("rmi", f"{PREFIX}-nothing")
    same("tag", objects["image"], "Not/Valid:tag")


def test_run(objects: dict[str, Any]) -> None:
    label = f"{support.LABEL}={support.RUN_ID}"
    image = objects["image"]
    same("run", "--rm", "-l", label, image, "sh", "-c", "echo out; echo err >&2; exit 3")
    same("run", "--rm", "-l", label, image, "no-such-command")
    same("run", "--rm", "-l", label, image, "/etc")
    same("run", "--pull", "never", "-l", label, f"{PREFIX}-no-image")


# --- Command-line errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["container", "frobnicate"],
        ["ps", "--bogus"],
        ["ps", "-x"],
        ["ps", "-n"],
        ["ps", "--last"],
        ["ps", "-n", "x"],
        ["ps", "extra"],
        ["version", "extra"],
        ["info", "extra"],
        ["stop"],
        ["rm"],
        ["logs"],
        ["logs", "a", "b"],
        ["tag", "a"],
        ["pull"],
        ["run"],
        ["inspect"],
        ["wait"],
        ["images", "--bogus"],
        ["logs", f"{PREFIX}-nothing"],
        ["rm", f"{PREFIX}-nothing"],
        ["stop", f"{PREFIX}-nothing"],
    ],
)
def test_errors(engine: None, argv: list[str]) -> None:
    same(*argv)


def test_pull(objects: dict[str, Any]) -> None:
    client = objects["client"]
    registry = os.environ.get("RAWDOCK_REGISTRY", "127.0.0.1:5000")
    repository = f"{registry}/{PREFIX}"
    client.tag_image(objects["image"], repository, "latest")
    try:
        try:
            for _ in client.push(repository, "latest"):
                pass
        except rawdock.DockerError as exc:
            pytest.skip(f"no registry at {registry}: {exc}")
        results = []
        for program in (_docker, _rawdock):
            client.remove_image(f"{repository}:latest")
            # Not a terminal: one line per message without byte counts, then the reference.
            results.append(_normalised(program("pull", repository), docker=program is _docker))
        assert results[0] == results[1]
        assert results[0][0].startswith("Using default tag: latest\n")
    finally:
        try:
            client.remove_image(f"{repository}:latest")
        except rawdock.NotFound:
            pass


def test_daemon_down(engine: None) -> None:
    host = "unix:///nonexistent/rawdock-parity.sock"
    for argv in (["ps"], ["images"], ["logs", "x"], ["run", "x"], ["stop", "x"]):
        same("-H", host, *argv)
    # version and info print their client block first (rawdock's own), then the same error.
    for verb in ("version", "info"):
        theirs, ours = _docker("-H", host, verb), _rawdock("-H", host, verb)
        assert (ours.stderr, ours.returncode) == (theirs.stderr, theirs.returncode)
        assert theirs.stdout.startswith("Client:\n") and ours.stdout.startswith("Client: rawdock\n")
        assert ours.stdout.endswith("Server:\n") == theirs.stdout.endswith("Server:\n")
