"""The swarm verbs' lists and inspections side by side with the docker CLI (see
tests/test_parity.py for how two runs are compared): `service ls`, `service ps`, `node ls`,
`node ps` with -q, --no-trunc, --no-resolve, --filter and --format (tables, templates, json,
raw), and `node inspect`/`service inspect` with -f and --pretty, on a single-node swarm.

The swarm is the one tests/test_swarm.py sets up and leaves (its `swarm` fixture, taken under
its lock). The services are labelled with this run's label and removed with the swarm.
"""

# The fixtures come from test_swarm and test_parity; each test naming one redefines the import.
# ruff: noqa: F811

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import support
from test_parity import DOCKER, same  # noqa: F401
from test_swarm import _converged, _eventually, swarm  # noqa: F401

import rawdock
from rawdock.cli import pretty
from rawdock.cli import swarm as swarm_cli

pytestmark = pytest.mark.engine

PREFIX = f"rawdock-parity-{support.RUN_ID}"


def _service(name: str, image: str, mode: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "Labels": support.labels(**{"com.example.tier": "front"}),
        "TaskTemplate": {
            "ContainerSpec": {
                "Image": image,
                "Command": ["sleep", "600"],
                "Env": ["GREETING=hi"],
                "StopGracePeriod": 1_000_000_000,  # ns: sleep ignores SIGTERM as PID 1
            },
            "RestartPolicy": {"Condition": "none"},
            **extra,
        },
        "Mode": mode,
    }


@pytest.fixture(scope="module")
def services(session_client: rawdock.Client, swarm: str, busybox: str) -> Iterator[dict[str, str]]:
    """Four services: `web` (2 replicas, two published ports), `job10` (1 replica, at most 1 per
    node), `agent` (global, force-updated once: its first task is in the past, which a table
    shows as ` \\_ name`), and `full` (no replicas; most of what `inspect --pretty` shows)."""
    if not os.access(DOCKER, os.X_OK):
        pytest.skip(f"no docker CLI at {DOCKER} to compare with")
    client = session_client
    image = client.inspect_image(busybox)["Id"]  # never pulled (see test_swarm.image_id)
    ports = sorted(support.free_port() for _ in range(2))
    names = {
        "web": f"{PREFIX}-web",
        "job": f"{PREFIX}-job10",
        "agent": f"{PREFIX}-agent",
        "full": f"{PREFIX}-full",
    }
    web = _service(names["web"], image, {"Replicated": {"Replicas": 2}})
    web["EndpointSpec"] = {
        "Ports": [{"TargetPort": 80 + i, "PublishedPort": port} for i, port in enumerate(ports)]
    }
    created = {
        "web": client.create_service(web)["ID"],
        "job": client.create_service(
            _service(
                names["job"], image, {"Replicated": {"Replicas": 1}}, Placement={"MaxReplicas": 1}
            )  # fmt: skip
        )["ID"],
        "agent": client.create_service(_service(names["agent"], image, {"Global": {}}))["ID"],
    }
    # No task to wait for: a service with most of what `inspect --pretty` shows.
    network = client.create_network(
        f"{PREFIX}-overlay", {"Driver": "overlay", "Labels": support.labels()}
    )["Id"]
    full = _service(
        names["full"],
        image,
        {"Replicated": {"Replicas": 0}},
        Placement={
            "Constraints": ["node.role==manager", "node.platform.os==linux"],
            "Preferences": [{"Spread": {"SpreadDescriptor": "node.labels.zone"}}],
        },
        Resources={
            "Limits": {"NanoCPUs": 500_000_000, "MemoryBytes": 64 << 20, "Pids": 100},
            "Reservations": {"MemoryBytes": 16 << 20},
        },
        LogDriver={"Name": "json-file", "Options": {"max-size": "1m", "labels": ""}},
        Networks=[{"Target": network}],
    )
    full["TaskTemplate"]["ContainerSpec"].update(
        Args=["-c", "sleep 600"],
        Dir="/tmp",
        User="root",
        Init=True,
        CapabilityAdd=["CAP_NET_ADMIN"],
        Mounts=[{"Type": "tmpfs", "Target": "/scratch"}],
        Healthcheck={"Test": ["CMD", "true"], "Interval": 90_000_000_000, "Retries": 2},
    )
    full["UpdateConfig"] = {"Parallelism": 2, "Delay": 1_500_000_000, "MaxFailureRatio": 0.25}
    created["full"] = client.create_service(full)["ID"]
    _eventually(_converged(client, created["web"], 2), "2 running tasks of web")
    _eventually(_converged(client, created["job"], 1), "1 running task of job10")
    _eventually(_converged(client, created["agent"], 1), "1 running task of agent")
    # A second task in agent's slot: the first one shut down, shown indented under the new one.
    found = client.inspect_service(created["agent"])
    spec = found["Spec"]
    spec["TaskTemplate"]["ForceUpdate"] = 1
    client.update_service(created["agent"], found["Version"]["Index"], spec)

    def replaced() -> bool:
        tasks = client.tasks(filters={"service": [created["agent"]]})
        running = [t for t in tasks if t["Status"]["State"] == "running"]
        update = client.inspect_service(created["agent"]).get("UpdateStatus") or {}
        return len(tasks) == 2 and len(running) == 1 and update.get("State") == "completed"

    _eventually(replaced, "agent's task replaced")
    yield {**names, **{f"{key}_id": value for key, value in created.items()}, "node": swarm}
    for service_id in created.values():
        try:
            client.remove_service(service_id)
        except rawdock.NotFound:
            pass
    client.remove_network(network)  # no task ever used it: `full` has no replicas


# --- service ls -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["-q"],
        ["--format", "{{.Name}} {{.Mode}} {{.Replicas}} {{.Ports}}"],
        ["--format", "table {{.ID}}\\t{{.Name}}\\t{{.Image}}"],
        ["--format", "table"],
        ["--format", "json"],
        ["--format", "{{json .}}"],
        ["--format", "raw"],
        ["-q", "--format", "raw"],
        ["-q", "--format", "table"],
        ["-q", "--format", "{{.Name}} {{.Replicas}}"],
        ["--format", "{{.Nope}}"],
        ["--format", "{{.Name"],
        ["--filter", "mode=global", "--format", "{{.Name}}"],
        ["--filter", "label=com.example.tier=front", "-q"],
    ],
)
def test_service_ls(services: dict[str, str], flags: list[str]) -> None:
    same("service", "ls", *flags)


# --- service ps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["-q"],
        ["--no-trunc"],
        ["-q", "--no-trunc"],
        ["--no-resolve"],
        ["--format", "{{.Name}}\\t{{.Node}}\\t{{.DesiredState}}\\t{{.Image}}"],
        ["--format", "table {{.Name}}\\t{{.CurrentState}}\\t{{.Error}}"],
        ["--format", "json"],
        ["--format", "raw"],
        ["-q", "--format", "{{.Name}}"],
        ["--filter", "desired-state=running"],
        ["--format", "{{.Bogus}}"],
    ],
)
def test_service_ps(services: dict[str, str], flags: list[str]) -> None:
    same("service", "ps", *flags, services["web"], services["agent"])


def test_service_ps_of_one(services: dict[str, str]) -> None:
    same("service", "ps", services["job"])
    same("service", "ps", "--format", "{{.Name}} {{.Ports}}", services["web"])


# --- node ls and node ps ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["-q"],
        ["--format", "{{.Hostname}} {{.Self}} {{.Status}} {{.Availability}} {{.TLSStatus}}"],
        ["--format", "table {{.ID}}\\t{{.ManagerStatus}}\\t{{.EngineVersion}}"],
        ["--format", "json"],
        ["--format", "raw"],
        ["-q", "--format", "{{.Self}}"],
        ["--filter", "role=manager", "--format", "{{.Hostname}}"],
        ["--format", "{{.Nope}}"],
    ],
)
def test_node_ls(services: dict[str, str], flags: list[str]) -> None:
    same("node", "ls", *flags)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["self"],
        ["-q"],
        ["--no-trunc"],
        ["--no-resolve"],
        ["--format", "{{.Name}} {{.Node}} {{.CurrentState}}"],
        ["--format", "table {{.ID}}\\t{{.Name}}"],
        ["--filter", "desired-state=shutdown", "--format", "{{.Name}} {{.DesiredState}}"],
    ],
)
def test_node_ps(services: dict[str, str], argv: list[str]) -> None:
    same("node", "ps", *argv)


# --- node inspect and service inspect ---------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["self"],
        ["--pretty", "self"],
        ["--format", "pretty", "self"],
        ["--format", "pretty {{.ID}}", "self"],
        ["--pretty", "--format", "{{.ID}}", "self"],
        ["-f", "{{.Status.State}} {{.Spec.Role}} {{.ManagerStatus.Leader}}", "self"],
        ["-f", "{{json .Description.Platform}}", "self"],
        ["-f", "{{.ID}}", "self", "no-such-node"],
        ["--pretty", "self", "no-such-node"],
    ],
)
def test_node_inspect(services: dict[str, str], argv: list[str]) -> None:
    same("node", "inspect", *argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["-f", "{{.Spec.Name}} {{.Spec.Mode.Replicated.Replicas}}", "WEB"],
        ["-f", "{{json .Spec.Labels}}", "WEB", "AGENT"],
        ["--format", "{{range .Endpoint.Ports}}{{.PublishedPort}}->{{.TargetPort}} {{end}}",
         "WEB"],
        ["--pretty", "--format", "{{.ID}}", "WEB"],
        ["--format", "pretty {{.ID}}", "WEB"],
        ["-f", "{{.ID}}", "WEB", "no-such-service"],
        ["-f", "{{.Spec.TaskTemplate.ContainerSpec.Env}}", "JOB"],
        ["WEB"],
        ["--pretty", "WEB"],
        ["--pretty", "AGENT", "JOB"],
        ["--pretty", "FULL"],
        ["--format", "pretty", "FULL"],
        ["--pretty", "WEB", "no-such-service"],
    ],
)  # fmt: skip
def test_service_inspect(services: dict[str, str], argv: list[str]) -> None:
    named = {word: services[word.lower()] for word in ("WEB", "AGENT", "JOB", "FULL")}
    same("service", "inspect", *[named.get(word, word) for word in argv])


# --- The values docker's formatters compute, without an engine --------------------------------


def test_ports_are_grouped_into_ranges_as_docker_groups_them() -> None:
    def port(published: int, target: int, protocol: str = "tcp", mode: str = "ingress") -> Any:
        return {"PublishedPort": published, "TargetPort": target, "Protocol": protocol,
                "PublishMode": mode}  # fmt: skip

    ports = [
        port(81, 81),
        port(80, 80),
        port(82, 80),
        port(53, 53, "udp"),
        port(9, 9, "tcp", "host"),
    ]
    assert swarm_cli._port_ranges(ports) == ["*:80-81->80-81/tcp", "*:82->80/tcp", "*:53->53/udp"]
    assert swarm_cli._port_ranges([port(80, 80), port(81, 80)]) == ["*:80-81->80/tcp"]
    assert swarm_cli._port_ranges([]) == []


def test_images_lose_their_pinned_digest_only_when_tagged() -> None:
    digest = "@sha256:" + "a" * 64
    assert swarm_cli._image("busybox:1" + digest) == "busybox:1"
    assert swarm_cli._image("docker.io/library/busybox:1" + digest) == "busybox:1"
    assert swarm_cli._image("docker.io/me/web:2" + digest) == "me/web:2"
    assert swarm_cli._image("127.0.0.1:5000/web" + digest) == "127.0.0.1:5000/web" + digest
    assert swarm_cli._image("sha256:" + "b" * 64) == "sha256:" + "b" * 64


@pytest.mark.parametrize(
    ("nanoseconds", "text"),
    [(0, "0s"), (5_000_000_000, "5s"), (1_500_000_000, "1.5s"), (90_000_000_000, "1m30s"),
     (3_600_000_000_000, "1h0m0s"), (250_000_000, "250ms"), (1_500, "1.5µs"), (7, "7ns"),
     (-2_000_000_000, "-2s")],
)  # fmt: skip
def test_durations_print_as_go_prints_them(nanoseconds: int, text: str) -> None:
    assert pretty.go_duration_text(nanoseconds) == text


def test_times_print_as_go_prints_them() -> None:
    assert pretty.go_time_text("2026-11-30T05:47:28.735123770Z") == (
        "2026-11-30 05:47:28.73512377 +0000 UTC"
    )
    assert pretty.go_time_text("2026-11-30T05:47:28Z") == "2026-11-30 05:47:28 +0000 UTC"
