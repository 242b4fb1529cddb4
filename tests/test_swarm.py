"""Swarm mode on the CI engine: a single-node swarm, a replicated busybox service, its tasks,
scaling, logs, removal, and the CLI commands, all through rawdock.

The engine is shared with other tests running at the same time. Plain containers do not
notice a swarm coming and going; concurrent swarm tests would, so they take a file lock. The
swarm is left (with force) even when a test fails, and the `docker_gwbridge` network that
leaving leaves behind is removed only if it was not there before.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
import support

import rawdock
from rawdock import cli
from rawdock.cli import swarm as swarm_cli

REQUIRE_DAEMON = os.environ.get("RAWDOCK_REQUIRE_DAEMON") == "1"
GWBRIDGE = "docker_gwbridge"
#: Generous: a task goes through new, pending, assigned, preparing, starting, running.
CONVERGE_SECONDS = 90
LOCK_PATH = os.path.join(tempfile.gettempdir(), "rawdock-swarm.lock")

T = TypeVar("T")


def _eventually(check: Callable[[], T | None], what: str, timeout: float = CONVERGE_SECONDS) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.25)


def _networks_named(client: rawdock.Client, name: str) -> list[dict[str, Any]]:
    found = client.request("GET", "/networks", params={"filters": {"name": [name]}}).json()
    return [network for network in found if network["Name"] == name]


def _swarm_state(client: rawdock.Client) -> str:
    state: str = client.info()["Swarm"]["LocalNodeState"]
    return state


@pytest.fixture(scope="module")
def swarm(session_client: rawdock.Client) -> Iterator[str]:
    """A fresh single-node swarm on 127.0.0.1:2377; yields the node id."""
    client = session_client
    with open(LOCK_PATH, "w") as lock:
        # lockf, not flock: the suite runs under `flock /tmp/rawdock-swarm.lock`, whose lock
        # this process inherits but cannot take a second time (it would wait for itself). On
        # Linux the two kinds of lock ignore each other; lockf still keeps two fixtures apart.
        fcntl.lockf(lock, fcntl.LOCK_EX)
        state = _swarm_state(client)
        if state != "inactive":
            problem = f"the engine is already in a swarm (LocalNodeState={state!r})"
            if REQUIRE_DAEMON:
                pytest.fail(f"RAWDOCK_REQUIRE_DAEMON=1 but {problem}; CI's engine must be fresh")
            pytest.skip(problem)
        gwbridge_existed = bool(_networks_named(client, GWBRIDGE))
        try:
            node_id = client.swarm_init("127.0.0.1", listen_addr="127.0.0.1:2377")
            yield node_id
        finally:
            try:
                for service in client.services(filters=support.run_filter()):
                    client.remove_service(service["ID"])
            finally:
                if _swarm_state(client) != "inactive":
                    client.swarm_leave(force=True)
                if not gwbridge_existed:
                    _remove_gwbridge(client)
        assert _swarm_state(client) == "inactive"


def _remove_gwbridge(client: rawdock.Client) -> None:
    # Task containers may still be detaching from it for a moment after leaving.
    deadline = time.monotonic() + 30
    while _networks_named(client, GWBRIDGE):
        try:
            client.request("DELETE", f"/networks/{GWBRIDGE}")
        except rawdock.NotFound:
            return
        except rawdock.DockerError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture
def image_id(client: rawdock.Client, busybox: str) -> str:
    """The busybox image by id. The daemon tries to pull a tagged image each time a task starts
    (and runs the local one when that fails: slow or hanging without a registry); an image given
    by id is never pulled. There is no API switch for this: the CLI's --resolve-image and
    QueryRegistry only decide what the CLI itself asks the registry before creating."""
    image: str = client.inspect_image(busybox)["Id"]
    return image


def _spec(name: str, image: str, replicas: int) -> dict[str, Any]:
    return {
        "Name": name,
        "Labels": support.labels(),
        "TaskTemplate": {
            "ContainerSpec": {
                "Image": image,
                "Command": ["sh", "-c", "echo hello from $HOSTNAME; echo to stderr >&2; sleep 600"],
                "StopGracePeriod": 1_000_000_000,  # ns: sleep ignores SIGTERM as PID 1
            },
            "RestartPolicy": {"Condition": "none"},
        },
        "Mode": {"Replicated": {"Replicas": replicas}},
    }


def _running_tasks(client: rawdock.Client, service_id: str) -> list[dict[str, Any]]:
    tasks = client.tasks(filters={"service": [service_id], "desired-state": ["running"]})
    return [task for task in tasks if task["Status"]["State"] == "running"]


def _converged(client: rawdock.Client, service_id: str, replicas: int) -> Callable[[], bool]:
    def check() -> bool:
        desired = client.tasks(filters={"service": [service_id], "desired-state": ["running"]})
        return len(desired) == replicas == len(_running_tasks(client, service_id))

    return check


def _scale(client: rawdock.Client, service_id: str, replicas: int) -> int:
    """Scale with the service's current version; returns the version used."""
    service = client.inspect_service(service_id)
    spec = service["Spec"]
    spec["Mode"]["Replicated"]["Replicas"] = replicas
    version: int = service["Version"]["Index"]
    client.update_service(service_id, version, spec)
    return version


def test_swarm_and_node(client: rawdock.Client, swarm: str) -> None:
    assert client.swarm_inspect()["ID"]
    assert _swarm_state(client) == "active"
    (node,) = client.nodes()
    assert node["ID"] == swarm
    assert node["ManagerStatus"]["Leader"] is True
    assert client.nodes(filters={"role": ["worker"]}) == []


def test_service_lifecycle(client: rawdock.Client, swarm: str, image_id: str) -> None:
    name = f"rawdock-test-{support.RUN_ID}"
    created = client.create_service(_spec(name, image_id, replicas=1))
    service_id = created["ID"]
    try:
        listed = client.services(filters=support.run_filter())
        assert [(s["ID"], s["Spec"]["Name"]) for s in listed] == [(service_id, name)]
        assert client.inspect_service(name)["ID"] == service_id

        _eventually(_converged(client, service_id, 1), "1 running task")
        (task,) = _running_tasks(client, service_id)
        assert task["NodeID"] == swarm

        old_version = _scale(client, service_id, 3)
        _eventually(_converged(client, service_id, 3), "3 running tasks")
        with pytest.raises(rawdock.DockerError, match="out of sequence"):
            stale_spec = client.inspect_service(service_id)["Spec"]
            client.update_service(service_id, old_version, stale_spec)

        _scale(client, service_id, 1)
        _eventually(_converged(client, service_id, 1), "scaling down to 1 running task")

        def logs_of_all_tasks() -> list[tuple[str, bytes]] | None:
            items = list(client.service_logs(service_id))
            # One item is what one read brought: it may hold the lines of several tasks.
            out = b"".join(data for stream, data in items if stream == "stdout").splitlines()
            hellos = [line for line in out if line.startswith(b"hello from")]
            err = b"".join(data for stream, data in items if stream == "stderr")
            return items if len(hellos) >= 3 and err.count(b"to stderr\n") >= 3 else None

        items = _eventually(logs_of_all_tasks, "the service logs of all three tasks")
        err = b"".join(data for stream, data in items if stream == "stderr")
        assert err.replace(b"to stderr\n", b"") == b""  # stderr kept apart from stdout
    finally:
        client.remove_service(service_id)
    with pytest.raises(rawdock.NotFound):
        client.inspect_service(service_id)
    service_filter = {"label": [f"com.docker.swarm.service.id={service_id}"]}
    _eventually(
        lambda: not client.containers(all=True, filters=service_filter),
        "the service's containers to be removed",
    )


def test_service_logs_decoder_follows_the_tty(
    client: rawdock.Client, swarm: str, image_id: str
) -> None:
    """With ContainerSpec.TTY the logs are raw (one "stdout" stream), without it multiplexed."""
    spec = _spec(f"rawdock-test-tty-{support.RUN_ID}", image_id, replicas=1)
    spec["TaskTemplate"]["ContainerSpec"]["TTY"] = True
    service_id = client.create_service(spec)["ID"]
    try:
        _eventually(_converged(client, service_id, 1), "the TTY service's task")

        def logs() -> list[tuple[str, bytes]] | None:
            items = list(client.service_logs(service_id))
            return items if b"to stderr" in b"".join(data for _, data in items) else None

        items = _eventually(logs, "the TTY service's logs")
        assert {stream for stream, _ in items} == {"stdout"}
        assert b"hello from" in b"".join(data for _, data in items)
    finally:
        client.remove_service(service_id)


def test_cli_commands(
    client: rawdock.Client, swarm: str, image_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"rawdock-cli-{support.RUN_ID}"
    label = f"{support.LABEL}={support.RUN_ID}"
    create = ["service", "create", "-d", "--name", name, "--replicas", "2", "--label", label,
              "-e", "GREETING=hi", image_id, "sleep", "600"]  # fmt: skip
    assert cli.main(create) == 0
    service_id = capsys.readouterr().out.strip()
    try:
        service = client.inspect_service(service_id)
        assert service["Spec"]["Name"] == name
        assert service["Spec"]["Labels"] == support.labels()
        assert service["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"] == ["GREETING=hi"]
        assert service["Spec"]["TaskTemplate"]["ContainerSpec"]["Command"] == ["sleep", "600"]
        _eventually(_converged(client, service_id, 2), "2 running tasks")

        assert cli.main(["service", "ls"]) == 0
        table = capsys.readouterr().out.splitlines()
        assert table[0].split() == ["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"]
        (row,) = [line.split() for line in table[1:] if name in line.split()]
        assert row == [service_id[:12], name, "replicated", "2/2", image_id]
        assert cli.main(["service", "ls", "-q"]) == 0
        assert service_id[:12] in capsys.readouterr().out.split()

        assert cli.main(["service", "scale", f"{name}=1"]) == 0  # waits for convergence
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == f"{name} scaled to 1"
        assert lines[-1] == f"verify: Service {name} converged"
        assert cli.main(["service", "scale", "-d", f"{name}=2"]) == 0
        assert capsys.readouterr().out == f"{name} scaled to 2\n"
        assert client.inspect_service(service_id)["Spec"]["Mode"]["Replicated"]["Replicas"] == 2
        assert cli.main(["service", "scale", f"{name}=many"]) == 1
        assert "invalid replica count" in capsys.readouterr().err

        assert cli.main(["node", "ls"]) == 0
        nodes = capsys.readouterr().out.splitlines()
        assert nodes[0].split()[:2] == ["ID", "HOSTNAME"]
        assert nodes[1].split()[:2] == [swarm, "*"]  # node ids in full, as docker shows them
        assert "Leader" in nodes[1].split()
    finally:
        assert cli.main(["service", "rm", service_id]) == 0
    assert capsys.readouterr().out == f"{service_id}\n"
    with pytest.raises(rawdock.NotFound):
        client.inspect_service(service_id)


def test_cli_info_shows_the_swarm_as_docker_does(
    swarm: str, capsys: pytest.CaptureFixture[str]
) -> None:
    docker = "/usr/local/bin/docker"
    if not os.access(docker, os.X_OK):
        pytest.skip(f"no docker CLI at {docker} to compare with")
    ours = theirs = ""
    for _attempt in range(4):  # counts of containers may change between the two
        theirs = subprocess.run([docker, "info"], capture_output=True, text=True).stdout
        assert cli.main(["info"]) == 0
        ours = capsys.readouterr().out
        theirs, ours = theirs[theirs.index("Server:") :], ours[ours.index("Server:") :]
        if ours == theirs:
            break
    assert f"  NodeID: {swarm}\n" in ours
    assert ours == theirs


def test_cli_parser_registers_the_commands() -> None:
    verb, args = cli.parse_command(["service", "create", "--name", "web", "--replicas", "2",
                                    "--label", "a=b", "img", "sh", "-c", "echo hi"])  # fmt: skip
    assert verb is swarm_cli.service_create
    assert (args.name, args.replicas, args.label, args.image) == ("web", 2, ["a=b"], "img")
    assert args.command == ["sh", "-c", "echo hi"]
    assert cli.parse_command(["service", "scale", "web=3"])[0] is swarm_cli.service_scale
    assert cli.parse_command(["service", "rm", "web"])[1].services == ["web"]
    assert cli.parse_command(["service", "ls", "-q"])[1].quiet is True
    assert cli.parse_command(["node", "ls"])[0] is swarm_cli.node_ls
