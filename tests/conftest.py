"""Fixtures for tests against a real Docker engine.

Tests that need the engine take the `client` fixture (or one built on it). Without an engine
they skip with the reason; with RAWDOCK_REQUIRE_DAEMON=1 (as in CI) they fail instead.
Everything a test creates is labelled with this run's id and removed at the end, even when the
test fails; the run ends by checking that nothing labelled is left.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import support
from fake_daemon import fake  # noqa: F401 -- the `fake` fixture, for every test module

import rawdock

REQUIRE_DAEMON = os.environ.get("RAWDOCK_REQUIRE_DAEMON") == "1"


def _engine_problem() -> str | None:
    try:
        with rawdock.Client(timeout=10) as probe:
            probe.ping()
    except rawdock.RawdockError as exc:
        return f"no Docker engine reachable: {exc}"
    return None


@pytest.fixture(scope="session")
def engine() -> None:
    """Skip (or fail, under RAWDOCK_REQUIRE_DAEMON=1) when no engine answers."""
    problem = _engine_problem()
    if problem:
        if REQUIRE_DAEMON:
            pytest.fail(f"RAWDOCK_REQUIRE_DAEMON=1 but {problem}")
        pytest.skip(problem)


SWARM_STATE_AT_START = ""


@pytest.fixture(scope="session")
def session_client(engine: None) -> Iterator[rawdock.Client]:
    global SWARM_STATE_AT_START
    client = rawdock.Client(timeout=60)
    SWARM_STATE_AT_START = client.info()["Swarm"]["LocalNodeState"]
    yield client
    _remove_everything_labelled(client)
    _assert_nothing_left(client)
    client.close()


#: The `client` fixture is each of these in turn: the tests are written once for both clients.
CLIENT_KINDS = ("sync", "aio")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sync_only: the test needs rawdock.Client internals; `client` is only sync"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "client" in metafunc.fixturenames:
        sync_only = metafunc.definition.get_closest_marker("sync_only") is not None
        kinds = ["sync"] if sync_only else list(CLIENT_KINDS)
        metafunc.parametrize("client", kinds, indirect=True)


@pytest.fixture
def client(request: pytest.FixtureRequest, session_client: rawdock.Client) -> Iterator[Any]:
    """A fresh client per test (its own connections), on the shared engine check: the sync
    `rawdock.Client`, then `rawdock.aio.Client` seen through the same blocking interface
    (tests/aio_adapter.py). Mark a test `@pytest.mark.sync_only` if it needs the sync one."""
    if getattr(request, "param", "sync") == "aio":
        from aio_adapter import BlockingAioClient

        with BlockingAioClient(timeout=60) as adapted:
            yield adapted
    else:
        with rawdock.Client(timeout=60) as fresh:
            yield fresh


@pytest.fixture(scope="session")
def busybox(session_client: rawdock.Client) -> Iterator[str]:
    """The name of a busybox image built from /bin/busybox through POST /build."""
    tag = f"rawdock-test-busybox:{support.RUN_ID}"
    support.build_busybox(session_client, tag)
    yield tag
    _remove_everything_labelled(session_client)
    try:
        session_client.remove_image(tag, force=True)
    except rawdock.NotFound:
        pass


@pytest.fixture
def make_container(client: rawdock.Client, busybox: str) -> Iterator[Callable[..., dict[str, Any]]]:
    """Create a labelled busybox container: make_container(Cmd=[...], name=None, **config).
    Returns the create response; every container it made is removed after the test."""
    made: list[str] = []

    def make(name: str | None = None, **config: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"Image": busybox, "Labels": support.labels(), **config}
        created: dict[str, Any] = client.create_container(body, name=name)
        made.append(created["Id"])
        return created

    yield make
    for container_id in made:
        try:
            client.remove_container(container_id, force=True)
        except rawdock.NotFound:
            pass


def _remove_everything_labelled(client: rawdock.Client) -> None:
    for container in client.containers(all=True, filters=support.run_filter()):
        try:
            client.remove_container(container["Id"], force=True, volumes=True)
        except rawdock.NotFound:
            pass


def _assert_nothing_left(client: rawdock.Client) -> None:
    """The suite's last check: nothing this run labelled is left on the engine."""
    labelled = {"filters": support.run_filter()}
    left = [c["Names"] for c in client.containers(all=True, filters=support.run_filter())]
    # The busybox image is removed by its own fixture; anything else labelled is a leak.
    images = [i["RepoTags"] for i in client.images(filters=support.run_filter()) if i["RepoTags"]]
    networks = [n["Name"] for n in client.request("GET", "/networks", params=labelled).json()]
    volumes = client.request("GET", "/volumes", params=labelled).json()["Volumes"] or []
    swarm = client.info()["Swarm"]["LocalNodeState"]
    assert not left, f"containers left on the engine: {left}"
    assert not images, f"images left on the engine: {images}"
    assert not networks, f"networks left on the engine: {networks}"
    assert not volumes, f"volumes left on the engine: {[v['Name'] for v in volumes]}"
    assert swarm == SWARM_STATE_AT_START, f"the engine was left in swarm state {swarm!r}"
