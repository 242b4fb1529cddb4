"""The verbs beyond the article, side by side with the docker CLI (see tests/test_parity.py for
how two runs are compared): network, volume, top, port, diff, pause, unpause, rename, update,
the prunes, system df and events.

Commands that change an object are run by rawdock alone and checked against what docker prints
for the same change; everything else goes through `same`. Prunes are narrowed to a label only
this run uses, so no test removes anything it did not make.
"""

# The `objects` fixture comes from test_parity, and each test naming it redefines the import.
# ruff: noqa: F811

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import support
from test_api_auth import auth_registry  # noqa: F401
from test_parity import FILTER, PREFIX, _docker, _rawdock, objects, same  # noqa: F401

import rawdock

pytestmark = pytest.mark.engine

LABEL = f"{support.LABEL}={support.RUN_ID}"


def rawdock_says(*argv: str) -> tuple[str, str, int]:
    result = _rawdock(*argv)
    return result.stdout, result.stderr, result.returncode


@pytest.fixture(scope="module")
def network_and_volume(session_client: rawdock.Client) -> Iterator[dict[str, str]]:
    network, volume = f"{PREFIX}-net", f"{PREFIX}-vol"
    session_client.create_network(network, {"Labels": support.labels()})
    session_client.create_volume(volume, labels=support.labels())
    yield {"network": network, "volume": volume}
    for remove, name in (
        (session_client.remove_network, network),
        (session_client.remove_volume, volume),
    ):
        try:
            remove(name)
        except rawdock.NotFound:
            pass


# --- network ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["-q"],
        ["--no-trunc"],
        ["--format", "{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}} {{.IPv6}}"],
        ["--format", "table {{.Name}}\\t{{.Labels}}"],
        ["--format", "{{json .Name}}"],
        ["--format", "{{.Nope}}"],
    ],
)
def test_network_ls(network_and_volume: dict[str, str], flags: list[str]) -> None:
    same("network", "ls", "--filter", FILTER, *flags)


def test_network_inspect_and_rm_errors(network_and_volume: dict[str, str]) -> None:
    network = network_and_volume["network"]
    same("network", "inspect", "-f", "{{.Name}} {{.Driver}} {{len .Containers}}", network)
    same("network", "inspect", f"{PREFIX}-no-such-network")
    same("network", "rm", f"{PREFIX}-no-such-network")
    same("network", "create")
    same("network", "connect", network)


def test_network_lifecycle(objects: dict[str, Any], session_client: rawdock.Client) -> None:
    name = f"{PREFIX}-net2"
    try:
        network_lifecycle(name, objects["names"]["up"])
    finally:
        try:
            session_client.remove_network(name)
        except rawdock.NotFound:
            pass


def network_lifecycle(name: str, container: str) -> None:
    out, err, status = rawdock_says("network", "create", "--label", LABEL, "--internal", name)
    assert (status, err) == (0, "") and re.fullmatch(r"[0-9a-f]{64}\n", out)
    same("network", "inspect", "-f", "{{.Internal}} {{json .Labels}}", name)
    assert rawdock_says("network", "connect", "--alias", "web", name, container) == ("", "", 0)
    same("network", "inspect", "-f", "{{range .Containers}}{{.Name}}{{end}}", name)
    same("inspect", "-f", f'{{{{(index .NetworkSettings.Networks "{name}").Aliases}}}}', container)
    assert rawdock_says("network", "disconnect", name, container) == ("", "", 0)
    assert rawdock_says("network", "rm", name) == (f"{name}\n", "", 0)


def test_network_prune_removes_only_what_the_filter_names(session_client: rawdock.Client) -> None:
    only_here = f"{PREFIX}-prune-{time.monotonic_ns()}"
    name = f"{PREFIX}-net3"
    session_client.create_network(name, {"Labels": support.labels(**{only_here: "1"})})
    same("network", "prune", "-f", "--filter", f"label={only_here}=nothing")
    out, err, status = rawdock_says("network", "prune", "-f", "--filter", f"label={only_here}=1")
    assert (out, err, status) == (f"Deleted Networks:\n{name}\n", "", 0)


# --- volume -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["-q"],
        ["--format", "{{.Name}} {{.Driver}} {{.Scope}} {{.Mountpoint}}"],
        ["--format", "table {{.Name}}\\t{{.Labels}}"],
        ["--format", "{{.Nope}}"],
    ],
)
def test_volume_ls(network_and_volume: dict[str, str], flags: list[str]) -> None:
    same("volume", "ls", "--filter", FILTER, *flags)


def test_volume_inspect_create_rm_prune(network_and_volume: dict[str, str]) -> None:
    same("volume", "inspect", "-f", "{{.Name}} {{.Driver}}", network_and_volume["volume"])
    same("volume", "inspect", f"{PREFIX}-no-such-volume")
    same("volume", "rm", f"{PREFIX}-no-such-volume")
    name = f"{PREFIX}-vol2"
    assert rawdock_says("volume", "create", "--label", LABEL, name) == (f"{name}\n", "", 0)
    same("volume", "inspect", "-f", "{{json .Labels}}", name)
    assert rawdock_says("volume", "rm", name) == (f"{name}\n", "", 0)
    same("volume", "prune", "-f", "--filter", f"label={PREFIX}-none=1")


# --- containers -------------------------------------------------------------------------------


def test_top_port_diff(objects: dict[str, Any]) -> None:
    up = objects["names"]["up"]
    same("top", up)
    same("top", up, "-o", "pid,comm")
    same("port", up)
    same("port", up, "80")
    same("port", up, "80/tcp")
    same("port", up, "99")
    same("diff", up)
    for verb in ("top", "port", "diff", "pause", "unpause"):
        same(verb, f"{PREFIX}-no-such-container")
    same("top")
    same("rename", "x")


def test_pause_unpause_rename_update(objects: dict[str, Any]) -> None:
    up = objects["names"]["up"]
    assert rawdock_says("pause", up) == (f"{up}\n", "", 0)
    same("inspect", "-f", "{{.State.Status}}", up)
    same("pause", up)  # already paused: the daemon's error, status 1
    assert rawdock_says("unpause", up) == (f"{up}\n", "", 0)
    same("unpause", up)
    renamed = f"{up}-renamed"
    assert rawdock_says("rename", up, renamed) == ("", "", 0)
    assert rawdock_says("container", "rename", renamed, up) == ("", "", 0)
    flags = ["--memory", "64m", "--memory-swap", "-1", "--cpus", "0.5", "--restart", "on-failure:2"]
    assert rawdock_says("update", *flags, up) == (f"{up}\n", "", 0)
    same(
        "inspect", "-f",
        "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} "
        "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}",
        up,
    )  # fmt: skip
    same("update", up)


def test_container_prune(session_client: rawdock.Client, busybox: str) -> None:
    only_here = f"{PREFIX}-prune-{time.monotonic_ns()}"
    created = session_client.create_container(
        {"Image": busybox, "Cmd": ["true"], "Labels": support.labels(**{only_here: "1"})}
    )
    same("container", "prune", "-f", "--filter", f"label={only_here}=nothing")
    out, err, status = rawdock_says("container", "prune", "-f", "--filter", f"label={only_here}=1")
    assert (err, status) == ("", 0)
    assert re.fullmatch(
        rf"Deleted Containers:\n{created['Id']}\n\nTotal reclaimed space: \S+\n", out
    ), out


# --- images and system ------------------------------------------------------------------------


def test_image_and_system_prune_with_nothing_to_prune(engine: None) -> None:
    nothing = f"label={PREFIX}-none=1"
    same("image", "prune", "-f", "--filter", nothing)
    same("image", "prune", "-a", "-f", "--filter", nothing)
    same("system", "prune", "-f", "--filter", nothing)


def test_system_df(engine: None) -> None:
    # Counts and sizes move while other tests run; the layout and the rows do not.
    same("system", "df", "--format", "{{.Type}}")
    out, err, status = rawdock_says("system", "df")
    assert status == 0 and err == ""
    assert out.splitlines()[0].split() == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]


def test_events_between_two_times(objects: dict[str, Any]) -> None:
    # A window in the past: both tools see the same events, in the daemon's order.
    since = str(int(time.time()) - 600)
    until = str(int(time.time()))
    lines = []
    for flags in (
        [],
        ["--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}"],
        ["--format", "{{json .}}"],
    ):
        argv = ["events", "--since", since, "--until", until, "--filter", FILTER, *flags]
        lines.append(same(*argv)[0])
    assert f"container start {objects['names']['up']}" in lines[1]


# --- create/run flags -------------------------------------------------------------------------

#: Fields of Config/HostConfig compared loosely, and why:
#: - AttachStdout/AttachStderr: the docker CLI sets both in every create it will attach to;
#:   rawdock sends only what a flag sets, so that the article's body is the body on the wire. The
#:   daemon does not act on them: an attach request names its own streams.
#: - empty lists the docker CLI always sends (Dns*, Blkio*, Devices) are stored as [] and
#:   rawdock's absent ones as null: the same "none".
#: - ContainerIDFile: each tool writes its own --cidfile; only that one is set is compared.
#: - Binds: the docker CLI collects -v in a Go map, so their order changes from run to run;
#:   they are compared as a set.
LOOSE = ("AttachStdout", "AttachStderr", "ContainerIDFile")


def _comparable(section: dict[str, Any]) -> dict[str, Any]:
    comparable = {
        key: (value or None) if isinstance(value, list) else value
        for key, value in section.items()
        if key not in LOOSE
    }
    if comparable.get("Binds"):
        comparable["Binds"] = sorted(comparable["Binds"])
    return comparable


def test_create_flags_make_the_body_docker_makes(
    session_client: rawdock.Client, busybox: str, tmp_path: Any
) -> None:
    env_file, label_file = tmp_path / "env", tmp_path / "labels"
    env_file.write_text("A=1\n# a comment\n\nB=two\n")
    label_file.write_text("x=1\ny\n")
    volume = f"{PREFIX}-flagsvol"
    flags = [
        "--label", LABEL, "-v", f"{tmp_path}:/host:ro", "-v", f"{volume}:/data",
        "--mount", "type=tmpfs,destination=/scratch", "--restart", "on-failure:3", "-P",
        "--expose", "90", "--expose", "9000-9001/udp", "--env-file", str(env_file), "-e", "C=3",
        "--label-file", str(label_file), "-m", "64m", "--cpus", "0.5", "--shm-size", "32m",
        "--init", "--cap-add", "net_admin", "--cap-drop", "CAP_CHOWN", "--privileged",
        "--read-only", "--log-driver", "json-file", "--log-opt", "max-size=1m",
        "--add-host", "db:10.0.0.2", "--dns", "9.9.9.9", "--tmpfs", "/run:rw,size=1m",
        "--ulimit", "nofile=512:1024", "--health-cmd", "true", "--health-interval", "30s",
        "--health-timeout", "1m30s", "--health-retries", "2", "--health-start-period", "500ms",
        "--stop-signal", "SIGUSR1", "--stop-timeout", "7", "-w", "/tmp", "-u", "1:1",
        "--hostname", "h1", "-p", "127.0.0.1::80", "--entrypoint", "sh",
    ]  # fmt: skip
    made: list[str] = []
    try:
        for tool in ("docker", "rawdock"):
            cidfile = tmp_path / f"{tool}.cid"
            argv = ["create", "--cidfile", str(cidfile), *flags, busybox, "-c", "sleep 1"]
            result = _docker(*argv) if tool == "docker" else _rawdock(*argv)
            assert result.returncode == 0, result.stderr
            made.append(cidfile.read_text())
            assert result.stdout == made[-1] + "\n"
        theirs, ours = (session_client.inspect_container(cid) for cid in made)
        assert (
            bool(ours["HostConfig"]["ContainerIDFile"]) and theirs["HostConfig"]["ContainerIDFile"]
        )
        for section in ("Config", "HostConfig"):
            assert _comparable(ours[section]) == _comparable(theirs[section]), section
    finally:
        for cid in made:
            session_client.remove_container(cid, force=True)
        session_client.remove_volume(volume, force=True)


def test_create_flag_errors(engine: None, tmp_path: Any) -> None:
    cidfile = tmp_path / "exists.cid"
    cidfile.write_text("x")
    same("create", "--cidfile", str(cidfile), "busybox")


# --- cp ---------------------------------------------------------------------------------------


def test_cp_both_ways_and_through_a_pipe(objects: dict[str, Any], tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    up = objects["names"]["up"]
    source = tmp_path / "tree"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "f").write_text("hi\n")
    blob = os.urandom(3_000_000)
    (source / "blob").write_bytes(blob)
    assert rawdock_says("cp", str(source), f"{up}:/") == ("", "", 0)  # into / as /tree
    assert rawdock_says("cp", str(source / "blob"), f"{up}:/tree/renamed") == ("", "", 0)
    out = tmp_path / "out"
    out.mkdir()
    assert rawdock_says("cp", f"{up}:/tree", str(out)) == ("", "", 0)
    assert rawdock_says("cp", f"{up}:/tree/renamed", str(out / "copy")) == ("", "", 0)
    assert (out / "tree" / "sub" / "f").read_text() == "hi\n"
    assert (out / "tree" / "blob").read_bytes() == blob
    assert (out / "copy").read_bytes() == blob
    tar = subprocess.run(
        [sys.executable, "-m", "rawdock", "cp", f"{up}:/tree/sub", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    piped = subprocess.run(
        [sys.executable, "-m", "rawdock", "cp", "-", f"{up}:/tree/renamed"],
        input=tar.stdout, capture_output=True,
    )  # fmt: skip
    assert piped.returncode == 1
    assert piped.stderr == f'destination "{up}:/tree/renamed" must be a directory\n'.encode()
    for argv in (
        ["cp", f"{up}:/{PREFIX}-nope", str(tmp_path)],
        ["cp", "a", "b"],
        ["cp", "a:b", "c:d"],
    ):
        same(*argv)


# --- login, logout, push, build ---------------------------------------------------------------

AUTH_REGISTRY = "127.0.0.1:5001"  # .ci/registry-auth.sh: basic auth, these test credentials
USER, PASSWORD = "rawdock", "rawdock-test-password"


def test_login_push_logout_as_docker_does(
    session_client: rawdock.Client,
    busybox: str,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    auth_registry: str,
) -> None:
    import json

    for tool in ("docker", "rawdock"):
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / tool))
        run = _docker if tool == "docker" else _rawdock
        wrong = run("login", "-u", USER, "-p", "wrong", AUTH_REGISTRY)
        assert wrong.returncode == 1 and "401 Unauthorized" in wrong.stderr
        done = run("login", "-u", USER, "-p", PASSWORD, AUTH_REGISTRY)
        assert (done.returncode, done.stdout) == (0, "Login Succeeded\n"), done.stderr
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "rawdock"))
    saved = [
        json.loads((tmp_path / tool / "config.json").read_text()) for tool in ("docker", "rawdock")
    ]
    assert saved[0] == saved[1]
    repository = f"{AUTH_REGISTRY}/{PREFIX}-push"
    session_client.tag_image(busybox, repository, "1")
    try:
        out, err, status = rawdock_says("push", f"{repository}:1")
        assert (err, status) == ("", 0)
        assert out.startswith(f"The push refers to repository [{repository}]\n")
        assert re.search(r"^1: digest: sha256:[0-9a-f]{64} size: \d+$", out, re.M), out
    finally:
        session_client.remove_image(f"{repository}:1")
    assert rawdock_says("logout", AUTH_REGISTRY) == (
        f"Removing login credentials for {AUTH_REGISTRY}\n",
        "",
        0,
    )
    assert json.loads((tmp_path / "rawdock" / "config.json").read_text()) == {"auths": {}}
    same("push", f"{AUTH_REGISTRY}/{PREFIX}-not-here:1")


def test_build_a_directory_as_the_classic_builder(busybox: str, tmp_path: Any) -> None:
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(
        f"FROM {busybox}\nARG V=0\nRUN echo v=$V\nLABEL {support.LABEL}={support.RUN_ID}\n"
    )
    (context / "ignored").write_text("x")
    (context / ".dockerignore").write_text("ignored\n")
    tag = f"{PREFIX}-built:1"
    made = [tag]
    try:
        out, err, status = rawdock_says("build", "--build-arg", "V=7", "-t", tag, str(context))
        assert (err, status) == ("", 0)
        lines = out.splitlines()
        assert re.fullmatch(r"Sending build context to Docker daemon  \S+", lines[0])
        assert lines[1] == f"Step 1/4 : FROM {busybox}"
        assert "v=7" in lines and lines[-1] == f"Successfully tagged {tag}"
        quiet = rawdock_says("build", "--no-cache", "-q", str(context))
        assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", quiet[0]) and quiet[2] == 0
        made.append(quiet[0].strip())
        missing = rawdock_says("build", "-f", "Nope", str(context))
        assert missing[2] == 1 and missing[1].startswith("unable to prepare context: ")
    finally:
        for image in made:
            _docker("rmi", "-f", image)


# --- stats ------------------------------------------------------------------------------------


def test_stats(objects: dict[str, Any]) -> None:
    import subprocess
    import sys

    up = objects["names"]["up"]
    # CPU and memory move between two samples; the rest does not.
    same("stats", "--no-stream", "--format", "{{.Container}} {{.Name}} {{.ID}} {{.PIDs}}", up)
    same("stats", "--no-stream", f"{PREFIX}-no-such-container")
    out, err, status = rawdock_says("stats", "--no-stream", up)
    assert (err, status) == ("", 0)
    titles = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O"]
    assert all(title in out.splitlines()[0] for title in titles)
    assert re.search(rf"^[0-9a-f]{{12}} +{up} +\d+\.\d\d% ", out, re.M), out
    # Live: a table a second until stopped.
    live = subprocess.Popen(
        [sys.executable, "-m", "rawdock", "stats", "--format", "{{.Name}}", up],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first, second = live.stdout.readline(), live.stdout.readline()  # type: ignore[union-attr]
    finally:
        live.kill()
        live.communicate()
    assert first == second == f"{up}\n"


# --- pull -a, inspect of networks and volumes -------------------------------------------------


def test_pull_all_tags(session_client: rawdock.Client, busybox: str) -> None:
    import os

    repository = f"{os.environ.get('RAWDOCK_REGISTRY', '127.0.0.1:5000')}/{PREFIX}-all"
    for tag in ("a", "b"):
        session_client.tag_image(busybox, repository, tag)
        for _ in session_client.push(repository, tag):
            pass
        session_client.remove_image(f"{repository}:{tag}")
    try:
        out, err, status = rawdock_says("pull", "-a", repository)
        assert (err, status) == ("", 0)
        assert "a: Pulling from" in out and "b: Pulling from" in out
        assert out.endswith(f"Status: Downloaded newer image for {repository}\n{repository}\n")
        same("pull", "-a", f"{repository}:a")
        same("pull", "-q", "-a", repository)
    finally:
        for tag in ("a", "b"):
            session_client.remove_image(f"{repository}:{tag}", force=True)


def test_inspect_finds_networks_and_volumes(network_and_volume: dict[str, str]) -> None:
    network, volume = network_and_volume["network"], network_and_volume["volume"]
    same("inspect", "-f", "{{.Name}}", network, volume)
    same("inspect", "--type", "volume", "-f", "{{.Driver}}", volume)
    same("inspect", f"{PREFIX}-nothing")


def test_stop_grace_longer_than_the_timeout_is_not_cut_off(
    session_client: rawdock.Client, busybox: str
) -> None:
    # sh as PID 1 ignores SIGTERM: the daemon waits out the whole grace period (3 s), longer
    # than this --timeout (1 s), which stop -t stretches rather than failing at 1 s.
    created = session_client.create_container(
        {"Image": busybox, "Cmd": ["sh", "-c", "sleep 60"], "Labels": support.labels()}
    )
    try:
        session_client.start_container(created["Id"])
        began = time.monotonic()
        result = _rawdock("--timeout", "1", "stop", "-t", "3", created["Id"])
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
        assert time.monotonic() - began >= 3
    finally:
        session_client.remove_container(created["Id"], force=True)


def test_it_without_a_terminal_is_refused_as_docker_refuses_it(objects: dict[str, Any]) -> None:
    import subprocess
    import sys

    up = objects["names"]["up"]
    for argv in (["run", "-it", "--rm", objects["image"], "true"], ["exec", "-it", up, "true"]):
        results = [
            subprocess.run([*tool, *argv], stdin=subprocess.DEVNULL, capture_output=True, text=True)
            for tool in (["/usr/local/bin/docker"], [sys.executable, "-m", "rawdock"])
        ]
        assert [(r.returncode, r.stdout, r.stderr) for r in results] == [
            (1, "", "the input device is not a TTY\n")
        ] * 2


def test_prunes_ask_first_as_docker_does(engine: None) -> None:
    import subprocess
    import sys

    nothing = f"label={PREFIX}-none=1"
    for argv in (
        ["network", "prune", "--filter", nothing],
        ["volume", "prune", "--filter", nothing],
        ["container", "prune", "--filter", nothing],
        ["image", "prune", "--filter", nothing],
        ["system", "prune", "--filter", nothing],
    ):
        for answer in ("n\n", "y\n"):
            results = [
                subprocess.run([*tool, *argv], input=answer, capture_output=True, text=True)
                for tool in (["/usr/local/bin/docker"], [sys.executable, "-m", "rawdock"])
            ]
            theirs, ours = ((r.returncode, r.stdout, r.stderr) for r in results)
            assert ours == theirs, argv
