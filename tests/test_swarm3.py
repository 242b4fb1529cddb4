"""A swarm of three engines on one host, driven through rawdock: nodes joining and leaving,
placement (one task per node, a label constraint), draining, a rolling update in the configured
order, a rollback, service logs gathered from every node, and the errors of bad requests.

The engines are started by `.ci/swarm3.sh start` (as `.ci/run` does), each in a network
namespace of its own at 10.99.0.N, reached through $RAWDOCK_SWARM3_DIR/nodeN/docker.sock. This
module forms the swarm itself through rawdock (node1 inits, node2 and node3 join) and leaves it
at the end. Every wait polls the API's own state (a task's Status.State, a node's
Status.State, a service's UpdateStatus.State), within a bound.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
import support

import rawdock
from rawdock import cli
from rawdock.cli import swarm as swarm_cli

SWARM3_DIR = os.environ.get("RAWDOCK_SWARM3_DIR", "/tmp/rawdock-swarm3")
REQUIRE_DAEMON = os.environ.get("RAWDOCK_REQUIRE_DAEMON") == "1"
NODES = ("node1", "node2", "node3")
ADDRESS = {"node1": "10.99.0.1", "node2": "10.99.0.2", "node3": "10.99.0.3"}
MANAGER_ADDR = "10.99.0.1:2377"
#: Generous for a loaded CI machine: a task goes new, pending, assigned, ..., running in ~1 s.
CONVERGE_SECONDS = 60
#: An image given by tag: the nodes try to pull it at each task start (no registry is
#: reachable from the namespaces, so that fails at once) and run the local copy.
IMAGE = f"rawdock-swarm3:{support.RUN_ID}"
IMAGE_V2 = f"rawdock-swarm3:{support.RUN_ID}-v2"
ONE_SECOND_NS = 1_000_000_000

T = TypeVar("T")


def eventually(check: Callable[[], T | None], what: str, timeout: float = CONVERGE_SECONDS) -> T:
    """Poll `check` (an API request) until it returns something truthy; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def socket_of(node: str) -> str:
    return f"unix://{SWARM3_DIR}/{node}/docker.sock"


def _nodes_problem() -> str | None:
    for node in NODES:
        try:
            with rawdock.Client(socket_of(node), timeout=10) as probe:
                probe.ping()
        except rawdock.RawdockError as exc:
            return (
                f"{node} of the three-node swarm does not answer ({exc}): run .ci/swarm3.sh start"
            )
    return None


# --- The swarm, formed once for the module -------------------------------------------------


def _ready_nodes(manager: rawdock.Client) -> dict[str, dict[str, Any]]:
    """Hostname -> node, for the nodes the manager sees as ready."""
    ready = {}
    for node in manager.nodes():
        if node["Status"]["State"] == "ready":
            ready[node["Description"]["Hostname"]] = node
    return ready


def _join(clients: dict[str, rawdock.Client], node: str) -> None:
    token = clients["node1"].swarm_inspect()["JoinTokens"]["Worker"]
    address = ADDRESS[node]
    clients[node].swarm_join(
        [MANAGER_ADDR], token, advertise_addr=address, listen_addr=f"{address}:2377"
    )


def _leave_all(clients: dict[str, rawdock.Client]) -> None:
    for node in reversed(NODES):  # workers first, the manager last (with force)
        if clients[node].info()["Swarm"]["LocalNodeState"] != "inactive":
            clients[node].swarm_leave(force=True)


def _copy_images(clients: dict[str, rawdock.Client]) -> None:
    """Build two images on node1 (they differ by a label) and copy them into node2 and node3
    (GET /images/{name}/get, then POST /images/load): no registry is reachable from there."""
    source = clients["node1"]
    support.build_busybox(source, IMAGE)
    v2 = source.build(support.busybox_context(), tag=IMAGE_V2, labels=support.labels(v="2"))
    for _ in v2:
        pass
    for image in (IMAGE, IMAGE_V2):
        archive = b"".join(source.get_image(image))
        for node in NODES[1:]:
            headers = {"Content-Type": "application/x-tar"}
            loaded = clients[node].request(
                "POST", "/images/load", params={"quiet": 1}, body=archive, headers=headers
            )
            assert b"Loaded image" in loaded.body


@pytest.fixture(scope="module")
def swarm3() -> Iterator[dict[str, rawdock.Client]]:
    """The three engines in one swarm (node1 the manager): hostname -> sync client."""
    problem = _nodes_problem()
    if problem:
        if REQUIRE_DAEMON:
            pytest.fail(f"RAWDOCK_REQUIRE_DAEMON=1 but {problem}")
        pytest.skip(problem)
    os.makedirs(SWARM3_DIR, exist_ok=True)
    with open(os.path.join(SWARM3_DIR, "test.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one user of the three nodes at a time
        clients = {node: rawdock.Client(socket_of(node), timeout=60) for node in NODES}
        try:
            _leave_all(clients)  # what an interrupted run left
            manager = clients["node1"]
            manager.swarm_init(ADDRESS["node1"], listen_addr=MANAGER_ADDR)
            for node in NODES[1:]:
                _join(clients, node)
            eventually(lambda: len(_ready_nodes(manager)) == 3, "three ready nodes")
            _copy_images(clients)
            yield clients
        finally:
            try:
                _leave_all(clients)
            finally:
                for client in clients.values():
                    client.close()


@pytest.fixture(params=["sync", "aio"])
def manager(request: pytest.FixtureRequest, swarm3: dict[str, rawdock.Client]) -> Iterator[Any]:
    """A client of node1, the manager: `rawdock.Client`, then `rawdock.aio.Client` (seen through
    tests/aio_adapter.py), so that every test runs on both."""
    if request.param == "aio":
        from aio_adapter import BlockingAioClient

        with BlockingAioClient(socket_of("node1"), timeout=60) as adapted:
            yield adapted
    else:
        with rawdock.Client(socket_of("node1"), timeout=60) as fresh:
            yield fresh


@pytest.fixture
def make_service(manager: rawdock.Client) -> Iterator[Callable[..., str]]:
    """Create a labelled service from a spec (see `service_spec`); removed after the test."""
    created: list[str] = []

    def make(spec: dict[str, Any]) -> str:
        service_id: str = manager.create_service(spec)["ID"]
        created.append(service_id)
        return service_id

    yield make
    for service_id in created:
        manager.remove_service(service_id)


def service_spec(
    name: str,
    replicas: int,
    command: str = "sleep 600",
    image: str = IMAGE,
    placement: dict[str, Any] | None = None,
    update: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A replicated service of busybox tasks, each container named after its node."""
    spec: dict[str, Any] = {
        "Name": f"{name}-{support.RUN_ID}",
        "Labels": support.labels(),
        "TaskTemplate": {
            "ContainerSpec": {
                "Image": image,
                "Command": ["sh", "-c", command],
                "Hostname": "{{.Node.Hostname}}",
                "StopGracePeriod": ONE_SECOND_NS,  # sleep ignores SIGTERM as PID 1
            },
            "Placement": placement or {},
        },
        "Mode": {"Replicated": {"Replicas": replicas}},
    }
    if update is not None:
        spec["UpdateConfig"] = update
    return spec


SPREAD = {"Preferences": [{"Spread": {"SpreadDescriptor": "node.id"}}]}


def running_tasks(client: rawdock.Client, service_id: str) -> list[dict[str, Any]]:
    """The service's tasks that should run and do (Status.State "running")."""
    tasks = client.tasks(filters={"service": [service_id], "desired-state": ["running"]})
    return [task for task in tasks if task["Status"]["State"] == "running"]


def converged(client: rawdock.Client, service_id: str, replicas: int) -> Callable[[], Any]:
    """A check: exactly `replicas` tasks should run, and all of them do; returns those."""

    def check() -> list[dict[str, Any]] | None:
        desired = client.tasks(filters={"service": [service_id], "desired-state": ["running"]})
        running = [task for task in desired if task["Status"]["State"] == "running"]
        return running if len(desired) == replicas == len(running) else None

    return check


def hostnames(client: rawdock.Client, tasks: list[dict[str, Any]]) -> list[str]:
    names = {node["ID"]: node["Description"]["Hostname"] for node in client.nodes()}
    return sorted(names[task["NodeID"]] for task in tasks)


def set_node(client: rawdock.Client, node: str, **changes: Any) -> None:
    """Read the node's spec, change it, write it back with the version read."""
    current = client.inspect_node(node)
    client.update_node(current["ID"], current["Version"]["Index"], {**current["Spec"], **changes})


# --- Nodes ----------------------------------------------------------------------------------


def test_three_ready_nodes_seen_from_the_manager(manager: rawdock.Client) -> None:
    nodes = manager.nodes()
    assert sorted(node["Description"]["Hostname"] for node in nodes) == list(NODES)
    assert {node["Status"]["State"] for node in nodes} == {"ready"}
    assert {node["Status"]["Addr"] for node in nodes} == set(ADDRESS.values())
    (leader,) = [node for node in nodes if (node.get("ManagerStatus") or {}).get("Leader")]
    assert leader["Description"]["Hostname"] == "node1"
    workers = manager.nodes(filters={"role": ["worker"]})
    assert sorted(node["Description"]["Hostname"] for node in workers) == ["node2", "node3"]
    assert manager.inspect_node("node2")["Spec"]["Role"] == "worker"
    # Each engine has its own identity (the script gives each its own key file).
    assert len({node["Description"]["Engine"]["EngineVersion"] for node in nodes}) == 1
    assert len({node["ID"] for node in nodes}) == 3


def test_a_node_leaves_is_removed_by_force_and_rejoins_with_the_token(
    manager: rawdock.Client, swarm3: dict[str, rawdock.Client]
) -> None:
    node3 = swarm3["node3"]
    old_id = manager.inspect_node("node3")["ID"]
    node3.swarm_leave()
    assert node3.info()["Swarm"]["LocalNodeState"] == "inactive"
    # The manager shows the node Ready for ~13 s more: it is removed at once only by force.
    manager.remove_node(old_id, force=True)
    assert old_id not in {node["ID"] for node in manager.nodes()}

    token = manager.swarm_inspect()["JoinTokens"]["Worker"]
    node3.swarm_join(
        [MANAGER_ADDR], token, advertise_addr=ADDRESS["node3"], listen_addr="10.99.0.3:2377"
    )
    ready = eventually(lambda: "node3" in _ready_nodes(manager) and _ready_nodes(manager), "node3")
    assert ready["node3"]["ID"] != old_id  # a new node, with a new identity
    assert sorted(ready) == list(NODES)


# --- Placement ------------------------------------------------------------------------------


def test_three_replicas_one_task_per_node(
    manager: rawdock.Client, make_service: Callable[..., str]
) -> None:
    placement = {"MaxReplicas": 1}  # at most one task of this service per node (API 1.40+)
    service_id = make_service(service_spec("per-node", 3, placement=placement))
    tasks = eventually(converged(manager, service_id, 3), "three running tasks")
    assert hostnames(manager, tasks) == list(NODES)
    for task in tasks:
        assert manager.inspect_task(task["ID"])["NodeID"] == task["NodeID"]


def test_drain_moves_the_task_and_reactivating_takes_tasks_again(
    manager: rawdock.Client, make_service: Callable[..., str]
) -> None:
    service_id = make_service(service_spec("drain", 3, placement=SPREAD))
    tasks = eventually(converged(manager, service_id, 3), "three running tasks")
    assert hostnames(manager, tasks) == list(NODES)
    try:
        set_node(manager, "node3", Availability="drain")

        def moved() -> list[dict[str, Any]] | None:
            running = converged(manager, service_id, 3)()
            return running if running and "node3" not in hostnames(manager, running) else None

        tasks = eventually(moved, "node3's task to move to another node")
        assert sorted(set(hostnames(manager, tasks))) == ["node1", "node2"]
        drained = manager.tasks(filters={"service": [service_id], "node": ["node3"]})
        assert {task["DesiredState"] for task in drained} == {"shutdown"}
    finally:
        set_node(manager, "node3", Availability="active")
    assert manager.inspect_node("node3")["Spec"]["Availability"] == "active"
    # Active again, the node takes the next task: the spread preference puts it there.
    service = manager.inspect_service(service_id)
    spec = service["Spec"]
    spec["Mode"]["Replicated"]["Replicas"] = 4
    manager.update_service(service_id, service["Version"]["Index"], spec)
    tasks = eventually(converged(manager, service_id, 4), "four running tasks")
    assert hostnames(manager, tasks).count("node3") == 1


def test_a_label_constraint_places_tasks_only_there(
    manager: rawdock.Client, make_service: Callable[..., str]
) -> None:
    set_node(manager, "node2", Labels={"rawdock.zone": "b"})
    try:
        placement = {"Constraints": ["node.labels.rawdock.zone==b"]}
        service_id = make_service(service_spec("zone", 3, placement=placement))
        tasks = eventually(converged(manager, service_id, 3), "three running tasks")
        assert hostnames(manager, tasks) == ["node2", "node2", "node2"]
    finally:
        set_node(manager, "node2", Labels={})


# --- Updates --------------------------------------------------------------------------------


def _nanoseconds(timestamp: str) -> int:
    """An RFC 3339 time with nanoseconds, as swarm writes them, in ns since the epoch (Python
    3.10's datetime reads neither the nanoseconds nor the Z)."""
    seconds, _, fraction = timestamp.rstrip("Z").partition(".")
    whole = time.mktime(time.strptime(seconds, "%Y-%m-%dT%H:%M:%S")) - time.timezone
    return int(whole) * ONE_SECOND_NS + int(fraction.ljust(9, "0")[:9] or 0)


def _update_state(client: rawdock.Client, service_id: str) -> str | None:
    state: str | None = (client.inspect_service(service_id).get("UpdateStatus") or {}).get("State")
    return state


def test_rolling_update_one_task_at_a_time_in_order_then_rollback(
    manager: rawdock.Client, make_service: Callable[..., str]
) -> None:
    update = {
        "Parallelism": 1,
        "Delay": 0,
        "Order": "start-first",  # the new task runs before the old one stops
        "FailureAction": "pause",
        "Monitor": ONE_SECOND_NS,
    }
    spec = service_spec("rolling", 3, placement={"MaxReplicas": 2}, update=update)
    service_id = make_service(spec)
    old_tasks = eventually(converged(manager, service_id, 3), "three running tasks")

    service = manager.inspect_service(service_id)
    new_spec = service["Spec"]
    new_spec["TaskTemplate"]["ContainerSpec"]["Image"] = IMAGE_V2
    manager.update_service(service_id, service["Version"]["Index"], new_spec)
    eventually(lambda: _update_state(manager, service_id) == "completed", "the update")

    new_tasks = eventually(converged(manager, service_id, 3), "three updated tasks")
    images = {task["Spec"]["ContainerSpec"]["Image"] for task in new_tasks}
    assert images == {IMAGE_V2}
    assert not {task["ID"] for task in new_tasks} & {task["ID"] for task in old_tasks}
    # One at a time: each new task was created only once the one before it ran (its
    # Status.Timestamp is when it reached "running"); and in the order configured
    # (start-first): each old task stopped only after its slot's new task ran.
    new_tasks.sort(key=lambda task: _nanoseconds(task["CreatedAt"]))
    for before, after in zip(new_tasks, new_tasks[1:], strict=False):
        assert _nanoseconds(after["CreatedAt"]) >= _nanoseconds(before["Status"]["Timestamp"])
    old_by_slot = {
        task["Slot"]: task for task in manager.tasks(filters={"service": [service_id]})
        if task["ID"] in {old["ID"] for old in old_tasks}
    }  # fmt: skip
    for task in new_tasks:
        old = old_by_slot[task["Slot"]]
        assert old["DesiredState"] == "shutdown"
        assert _nanoseconds(old["Status"]["Timestamp"]) >= _nanoseconds(task["Status"]["Timestamp"])

    # The rollback: the API's rollback="previous", sent with the current spec and version.
    service = manager.inspect_service(service_id)
    assert service["PreviousSpec"]["TaskTemplate"]["ContainerSpec"]["Image"] == IMAGE
    manager.update_service(
        service_id, service["Version"]["Index"], service["Spec"], rollback="previous"
    )
    eventually(lambda: _update_state(manager, service_id) == "rollback_completed", "the rollback")
    service = manager.inspect_service(service_id)
    assert service["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] == IMAGE
    rolled_back = eventually(converged(manager, service_id, 3), "three rolled-back tasks")
    assert {task["Spec"]["ContainerSpec"]["Image"] for task in rolled_back} == {IMAGE}


# --- Logs -----------------------------------------------------------------------------------


def test_service_logs_from_all_three_nodes_arrive_through_the_manager(
    manager: rawdock.Client, make_service: Callable[..., str]
) -> None:
    command = "echo hello from $HOSTNAME; echo oops on $HOSTNAME >&2; sleep 600"
    service_id = make_service(service_spec("logs", 3, command, placement={"MaxReplicas": 1}))
    eventually(converged(manager, service_id, 3), "three running tasks")

    def logs_of_all_nodes() -> dict[str, bytes] | None:
        by_stream: dict[str, bytes] = {"stdout": b"", "stderr": b""}
        for stream, data in manager.service_logs(service_id):
            by_stream[stream] += data
        got = {line for line in by_stream["stdout"].splitlines() if line.startswith(b"hello")}
        return by_stream if len(got) == 3 else None

    by_stream = eventually(logs_of_all_nodes, "a line from each node")
    assert sorted(by_stream["stdout"].splitlines()) == [b"hello from " + n.encode() for n in NODES]
    assert sorted(by_stream["stderr"].splitlines()) == [b"oops on " + n.encode() for n in NODES]
    # One task's logs, by its id, come from its own node the same way.
    (task,) = [t for t in running_tasks(manager, service_id) if t["Slot"] == 1]
    one = b"".join(data for stream, data in manager.task_logs(task["ID"]) if stream == "stdout")
    assert one.startswith(b"hello from node")


# --- Secrets and configs ----------------------------------------------------------------------


def test_secrets_and_configs_round_trip(manager: rawdock.Client) -> None:
    name = f"rawdock-{support.RUN_ID}-{id(manager)}"
    secret_id = manager.create_secret(name, b"s3cret\x00\xff", labels=support.labels())["ID"]
    config_id = manager.create_config(name, "key = value\n", labels=support.labels())["ID"]
    try:
        assert [s["ID"] for s in manager.secrets(filters={"name": [name]})] == [secret_id]
        secret = manager.inspect_secret(secret_id)
        assert "Data" not in secret["Spec"]  # a secret's data never comes back
        manager.update_secret(
            secret_id, secret["Version"]["Index"], {**secret["Spec"], "Labels": {"a": "b"}}
        )
        assert manager.inspect_secret(name)["Spec"]["Labels"] == {"a": "b"}

        assert [c["ID"] for c in manager.configs(filters={"name": [name]})] == [config_id]
        config = manager.inspect_config(config_id)
        assert config["Spec"]["Data"] == "a2V5ID0gdmFsdWUK"  # base64 of "key = value\n"
        with pytest.raises(rawdock.StaleVersion, match="inspect it again"):
            stale = config["Version"]["Index"] - 1
            manager.update_config(config_id, stale, {**config["Spec"], "Labels": {}})
        manager.update_config(config_id, config["Version"]["Index"], {**config["Spec"]})
    finally:
        manager.remove_secret(secret_id)
        manager.remove_config(config_id)
    with pytest.raises(rawdock.NotFound):
        manager.inspect_secret(secret_id)
    with pytest.raises(rawdock.NotFound):
        manager.inspect_config(config_id)


# --- Bad input and faults ---------------------------------------------------------------------


def test_removing_a_node_that_is_up_needs_force(manager: rawdock.Client) -> None:
    with pytest.raises(rawdock.DockerError, match="is not down and can't be removed") as caught:
        manager.remove_node("node2")
    assert caught.value.status == 400
    assert manager.inspect_node("node2")["Status"]["State"] == "ready"


def test_a_stale_version_is_a_conflict_that_says_to_read_again(
    manager: rawdock.Client, make_service: Callable[..., str]
) -> None:
    node = manager.inspect_node("node2")
    set_node(manager, "node2", Labels={"rawdock.touched": "1"})
    try:
        with pytest.raises(rawdock.StaleVersion) as caught:
            manager.update_node(node["ID"], node["Version"]["Index"], node["Spec"])
        assert isinstance(caught.value, rawdock.Conflict)
        assert caught.value.message == "rpc error: code = Unknown desc = update out of sequence"
        assert "inspect it again" in str(caught.value)
    finally:
        set_node(manager, "node2", Labels={})

    service_id = make_service(service_spec("stale", 1))
    first = manager.inspect_service(service_id)
    manager.update_service(service_id, first["Version"]["Index"], first["Spec"])
    with pytest.raises(rawdock.StaleVersion):
        manager.update_service(service_id, first["Version"]["Index"], first["Spec"])

    swarm = manager.swarm_inspect()
    with pytest.raises(rawdock.StaleVersion):
        manager.swarm_update(swarm["Version"]["Index"] - 1, swarm["Spec"])


def test_a_manager_request_sent_to_a_worker(swarm3: dict[str, rawdock.Client]) -> None:
    worker = swarm3["node2"]
    with pytest.raises(rawdock.NotSwarmManager, match="not a swarm manager") as caught:
        worker.services()
    assert caught.value.status == 503
    # What the error's docstring points to: the worker knows where the managers are.
    managers = worker.info()["Swarm"]["RemoteManagers"]
    assert [manager["Addr"] for manager in managers] == [MANAGER_ADDR]


def test_joining_with_a_wrong_token(swarm3: dict[str, rawdock.Client]) -> None:
    node3, manager = swarm3["node3"], swarm3["node1"]
    token = manager.swarm_inspect()["JoinTokens"]["Worker"]
    wrong = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    node3.swarm_leave()
    try:
        # The daemon tries for 10 s before it gives up on a token the managers refuse.
        with pytest.raises(rawdock.DockerError, match="valid join token is necessary"):
            node3.swarm_join([MANAGER_ADDR], wrong, advertise_addr=ADDRESS["node3"])
        with pytest.raises(rawdock.DockerError, match="invalid join token"):
            node3.swarm_join([MANAGER_ADDR], "SWMTKN-1-garbage", advertise_addr=ADDRESS["node3"])
        assert node3.info()["Swarm"]["LocalNodeState"] == "inactive"
    finally:
        manager.remove_node(manager.inspect_node("node3")["ID"], force=True)
        _join(swarm3, "node3")
        eventually(lambda: "node3" in _ready_nodes(manager), "node3 to be back")


# --- The command line, against the same three nodes ---------------------------------------------


def rawdock_cli(node: str, *words: str) -> int:
    return cli.main(["-H", socket_of(node), *words])


def test_cli_swarm_and_node_verbs(
    swarm3: dict[str, rawdock.Client], capsys: pytest.CaptureFixture[str]
) -> None:
    manager = swarm3["node1"]
    assert rawdock_cli("node1", "node", "ls") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER", "STATUS",
                                "ENGINE", "VERSION"]  # fmt: skip
    engine = manager.version()["Version"]
    rows = [line.split() for line in lines[1:]]
    node_id = manager.info()["Swarm"]["NodeID"]
    assert rows[0] == [node_id, "*", "node1", "Ready", "Active", "Leader", engine]
    assert [row[1:] for row in rows[1:]] == [
        ["node2", "Ready", "Active", engine],
        ["node3", "Ready", "Active", engine],
    ]
    assert rawdock_cli("node1", "node", "ls", "-q") == 0
    assert capsys.readouterr().out.split() == [row[0] for row in rows]

    token = manager.swarm_inspect()["JoinTokens"]["Worker"]
    assert rawdock_cli("node1", "swarm", "join-token", "-q", "worker") == 0
    assert capsys.readouterr().out == f"{token}\n"
    assert rawdock_cli("node1", "swarm", "join-token", "worker") == 0
    assert f"    rawdock swarm join --token {token} {MANAGER_ADDR}\n" in capsys.readouterr().out

    update = ["node", "update", "--availability", "drain", "--label-add", "rawdock.cli=1", "node3"]
    assert rawdock_cli("node1", *update) == 0
    assert capsys.readouterr().out == "node3\n"
    spec = manager.inspect_node("node3")["Spec"]
    assert (spec["Availability"], spec["Labels"]) == ("drain", {"rawdock.cli": "1"})
    update = ["node", "update", "--availability", "active", "--label-rm", "rawdock.cli", "node3"]
    assert rawdock_cli("node1", *update) == 0
    assert capsys.readouterr().out == "node3\n"
    spec = manager.inspect_node("node3")["Spec"]
    assert (spec["Availability"], spec["Labels"]) == ("active", {})

    assert rawdock_cli("node1", "node", "promote", "node2") == 0
    assert capsys.readouterr().out == "Node node2 promoted to a manager in the swarm.\n"

    def reachable() -> bool:
        status = manager.inspect_node("node2").get("ManagerStatus") or {}
        return status.get("Reachability") == "reachable"

    eventually(reachable, "node2 to join the managers")  # demoting before that fails
    assert rawdock_cli("node1", "node", "demote", "node2") == 0
    assert capsys.readouterr().out == "Manager node2 demoted in the swarm.\n"
    eventually(lambda: manager.inspect_node("node2")["Spec"]["Role"] == "worker", "demotion")
    eventually(lambda: not manager.inspect_node("node2").get("ManagerStatus"), "demoted node2")

    assert rawdock_cli("node1", "node", "inspect", "self") == 0
    (inspected,) = json.loads(capsys.readouterr().out)
    assert inspected["ID"] == node_id

    # Bad requests: one clear line, status 1.
    assert rawdock_cli("node1", "node", "rm", "node3") == 1
    assert "is not down and can't be removed" in capsys.readouterr().err
    eventually(lambda: swarm3["node2"].info()["Swarm"]["ControlAvailable"] is False, "a worker")
    assert rawdock_cli("node2", "node", "ls") == 1
    err = capsys.readouterr().err
    assert "This node is not a swarm manager" in err
    assert f"this engine is a worker; the managers are at {MANAGER_ADDR}" in err


def test_cli_service_verbs_wait_as_docker_does(
    swarm3: dict[str, rawdock.Client], capsys: pytest.CaptureFixture[str]
) -> None:
    manager = swarm3["node1"]
    name = f"rawdock-cli-{support.RUN_ID}"
    create = ["service", "create", "--name", name, "--replicas", "3", "--max-replicas", "1",
              "--label", f"{support.LABEL}={support.RUN_ID}", "--env", "A=1",
              "--stop-grace-period", "1s", "--hostname", "{{.Node.Hostname}}",
              "--update-parallelism", "1", "--update-delay", "0s", "--update-order", "stop-first",
              "--restart-condition", "none", "--limit-memory", "64m", "--reserve-cpu", "0.1",
              "--constraint", "node.role!=bogus", "-p", "published=8080,target=80,mode=host",
              IMAGE, "sh", "-c", "echo hi from $HOSTNAME; sleep 600"]  # fmt: skip
    assert rawdock_cli("node1", *create) == 0
    lines = capsys.readouterr().out.splitlines()
    service_id = lines[0]
    try:
        assert lines[1:5] == ["overall progress: 0 out of 3 tasks", "1/3:  ", "2/3:  ", "3/3:  "]
        assert lines[-2:] == [
            "overall progress: 3 out of 3 tasks",
            f"verify: Service {name} converged",
        ]
        spec = manager.inspect_service(service_id)["Spec"]
        task = spec["TaskTemplate"]
        assert task["ContainerSpec"]["Env"] == ["A=1"]
        assert task["Resources"] == {"Limits": {"MemoryBytes": 64 << 20},
                                     "Reservations": {"NanoCPUs": 100_000_000}}  # fmt: skip
        assert task["Placement"] == {"Constraints": ["node.role!=bogus"], "MaxReplicas": 1}
        assert task["RestartPolicy"]["Condition"] == "none"
        config = spec["UpdateConfig"]  # the daemon drops a zero Delay and adds its defaults
        assert (config["Parallelism"], config.get("Delay", 0), config["Order"]) == (
            1,
            0,
            "stop-first",
        )
        assert spec["EndpointSpec"]["Ports"] == [
            {"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "host"}
        ]

        assert rawdock_cli("node1", "service", "ls") == 0
        (row,) = [line.split() for line in capsys.readouterr().out.splitlines() if name in line]
        assert row == [
            service_id[:12],
            name,
            "replicated",
            "3/3",
            "(max",
            "1",
            "per",
            "node)",
            IMAGE,
        ]
        assert rawdock_cli("node1", "service", "ps", name) == 0
        rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
        assert [row[1:5] for row in rows] == [
            [f"{name}.{n}", IMAGE, row[3], "Running"] for n, row in enumerate(rows, 1)
        ]
        assert sorted(row[3] for row in rows) == list(NODES)
        assert {row[-1] for row in rows} == {"*:8080->80/tcp,*:8080->80/tcp"}

        assert rawdock_cli("node1", "service", "logs", name) == 0
        logged = sorted(capsys.readouterr().out.splitlines(), key=lambda line: line[-5:])
        tasks = {t["Slot"]: t for t in running_tasks(manager, service_id)}
        hostnames_by_id = {n["ID"]: n["Description"]["Hostname"] for n in manager.nodes()}
        expected = []
        for slot, task in tasks.items():
            host = hostnames_by_id[task["NodeID"]]
            expected.append(f"{name}.{slot}.{task['ID'][:12]}@{host}    | hi from {host}")
        assert logged == sorted(expected, key=lambda line: line[-5:])

        assert rawdock_cli("node1", "service", "update", "--image", IMAGE_V2, name) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == name
        assert lines[-1] == f"verify: Service {name} converged"
        images = {t["Spec"]["ContainerSpec"]["Image"] for t in running_tasks(manager, service_id)}
        assert images == {IMAGE_V2}

        assert rawdock_cli("node1", "service", "rollback", name) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[:2] == [name, "rollback: manually requested rollback"]
        assert lines[-2:] == [
            "overall progress: rolling back update: 3 out of 3 tasks",
            f"verify: Service {name} converged",
        ]
        images = {t["Spec"]["ContainerSpec"]["Image"] for t in running_tasks(manager, service_id)}
        assert images == {IMAGE}

        update = [
            "service",
            "update",
            "--replicas",
            "2",
            "--constraint-add",
            "node.hostname!=node3",
        ]
        assert rawdock_cli("node1", *update, name) == 0
        assert capsys.readouterr().out.splitlines()[-1] == f"verify: Service {name} converged"
        # The update completes without touching node3's task (a changed placement alone does
        # not make a task out of date); swarm's constraint enforcer then moves it, after.
        moved = eventually(converged(manager, service_id, 2), "two tasks")
        eventually(
            lambda: hostnames(manager, converged(manager, service_id, 2)() or moved)
            == ["node1", "node2"],
            "the constraint to move node3's task",
        )

        assert rawdock_cli("node1", "service", "scale", f"{name}=1") == 0
        lines = capsys.readouterr().out.splitlines()
        assert (lines[0], lines[-1]) == (f"{name} scaled to 1", f"verify: Service {name} converged")
        assert len(running_tasks(manager, service_id)) == 1
        assert rawdock_cli("node1", "service", "scale", "-d", f"{name}=2") == 0
        assert capsys.readouterr().out == f"{name} scaled to 2\n"
    finally:
        assert rawdock_cli("node1", "service", "rm", name) == 0
    assert capsys.readouterr().out == f"{name}\n"


def test_cli_values_as_docker_reads_them() -> None:
    assert swarm_cli.parse_duration("1m30s") == 90 * ONE_SECOND_NS
    assert swarm_cli.parse_duration("500ms") == ONE_SECOND_NS // 2
    assert swarm_cli.parse_duration("0") == 0
    with pytest.raises(ValueError, match="invalid duration"):
        swarm_cli.parse_duration("10 s")
    assert swarm_cli.parse_memory("64m") == swarm_cli.parse_memory("64MiB") == 64 << 20
    assert swarm_cli.parse_memory("1g") == 1 << 30
    assert swarm_cli.parse_cpus("1.5") == 1_500_000_000
    assert swarm_cli.parse_publish("8080:80/udp") == {
        "Protocol": "udp", "TargetPort": 80, "PublishMode": "ingress", "PublishedPort": 8080,
    }  # fmt: skip
    assert swarm_cli.parse_mount("type=bind,source=/a,target=/b,readonly") == {
        "Type": "bind", "Source": "/a", "Target": "/b", "ReadOnly": True,
    }  # fmt: skip
    with pytest.raises(ValueError, match="target is required"):
        swarm_cli.parse_mount("type=volume,source=data")


def test_service_credentials_go_in_x_registry_auth_only_when_given() -> None:
    from rawdock.api import API

    spec = {"TaskTemplate": {"ContainerSpec": {"Image": "127.0.0.1:5001/private:1"}}}
    auth = {"username": "ann", "password": "s3cret", "serveraddress": "127.0.0.1:5001"}
    call = API.create_service.describe(spec, auth=auth)
    ((name, value),) = call.headers
    assert name == "X-Registry-Auth"
    assert json.loads(base64.urlsafe_b64decode(value)) == auth
    assert API.create_service.describe(spec).headers == ()
    update = API.update_service.describe("web", 7, spec, auth=auth)
    assert update.target == "/services/web/update?version=7"
    assert update.headers == call.headers


DOCKER = "/usr/local/bin/docker"
_AGO = re.compile(r"(Less than a second|less than a second|About a minute|an? \w+|\d+ \w+) ago")


@pytest.mark.skipif(not os.path.exists(DOCKER), reason=f"no docker CLI at {DOCKER} to compare")
def test_cli_tables_match_the_docker_cli(
    swarm3: dict[str, rawdock.Client],
    make_service: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`node ls`, `service ls`, `service ps`, `node ps` print what docker prints, character for
    character, on the same nodes (times as "N ago" normalised, nothing else)."""
    manager = swarm3["node1"]
    spec = service_spec("parity", 3, placement={"MaxReplicas": 1})
    spec["EndpointSpec"] = {"Ports": [{"TargetPort": 80, "PublishedPort": 8080,
                                       "PublishMode": "host"}]}  # fmt: skip
    service_id = make_service(spec)
    eventually(converged(manager, service_id, 3), "three running tasks")
    name = spec["Name"]
    exact = (["node", "ls"], ["service", "ls"], ["service", "ls", "-q"], ["node", "ls", "-q"])
    timed = (["service", "ps", name], ["node", "ps", "node2"])
    for words in (*exact, *timed):
        docker = subprocess.run(
            [DOCKER, "-H", socket_of("node1"), *words], capture_output=True, text=True
        )
        assert rawdock_cli("node1", *words) == docker.returncode == 0
        ours, theirs = capsys.readouterr().out, docker.stdout
        if words in timed:  # "3 seconds ago" may have become "4 seconds ago", wider by one
            ours, theirs = (re.sub(" +", " ", _AGO.sub("X ago", text)) for text in (ours, theirs))
        assert ours == theirs, words


def test_cli_read_then_write_verbs_print_their_curl_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Under --curl nothing is read, so an update is shown with what the command line says."""
    assert cli.main(["--curl", "service", "scale", "web=3"]) == 0
    read, write = capsys.readouterr().out.splitlines()
    assert read.endswith("/services/web")
    assert """-d '{"Mode":{"Replicated":{"Replicas":3}}}' -X POST""" in write
    assert write.endswith("/services/web/update?version=0")
    for words in (["service", "update", "--image", "x:2", "web"], ["service", "rollback", "web"],
                  ["node", "update", "--availability", "drain", "node3"], ["node", "ps"],
                  ["service", "ps", "web"], ["service", "logs", "web"],
                  ["swarm", "join-token", "worker"]):  # fmt: skip
        assert cli.main(["--curl", *words]) == 0, words
        assert capsys.readouterr().out.startswith("curl "), words
