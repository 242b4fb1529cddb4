"""Networks and volumes on the real engine: create, list, inspect, connect, in use, prune."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import support

import rawdock

MakeContainer = Callable[..., dict[str, Any]]


@pytest.fixture
def network(client: rawdock.Client) -> Iterator[str]:
    name = f"rawdock-net-{support.RUN_ID}-{id(client)}"
    created = client.create_network(name, {"Driver": "bridge", "Labels": support.labels()})
    yield created["Id"]
    try:
        client.remove_network(created["Id"])
    except rawdock.NotFound:
        pass


@pytest.fixture
def volume(client: rawdock.Client) -> Iterator[str]:
    name = f"rawdock-vol-{support.RUN_ID}-{id(client)}"
    client.create_volume(name, labels=support.labels())
    yield name
    try:
        client.remove_volume(name, force=True)
    except rawdock.NotFound:
        pass


def test_network_life(client: rawdock.Client, network: str, make_container: MakeContainer) -> None:
    listed = client.networks(filters={"id": [network]})
    assert [n["Id"] for n in listed] == [network]
    assert client.inspect_network(network)["Driver"] == "bridge"
    container_id = make_container(Cmd=["sleep", "300"])["Id"]
    client.start_container(container_id)
    client.connect_container_to_network(container_id, network, aliases=["api"])
    connected = client.inspect_network(network)["Containers"]
    assert container_id in connected
    aliases = client.inspect_container(container_id)["NetworkSettings"]["Networks"]
    assert "api" in next(v for v in aliases.values() if v["NetworkID"] == network)["Aliases"]
    with pytest.raises(rawdock.DockerError, match="has active endpoints"):
        client.remove_network(network)  # in use: refused, and still there
    assert client.inspect_network(network)["Id"] == network
    client.disconnect_container_from_network(container_id, network)
    assert not client.inspect_network(network)["Containers"]
    client.remove_network(network)
    with pytest.raises(rawdock.NotFound):
        client.inspect_network(network)


def test_prune_networks_by_label(client: rawdock.Client) -> None:
    marker = f"prune-{id(client)}"
    name = f"rawdock-prune-{support.RUN_ID}-{id(client)}"
    created = client.create_network(name, {"Labels": support.labels(prune=marker)})
    result = client.prune_networks(filters={"label": [f"prune={marker}"]})
    assert result["NetworksDeleted"] == [name]
    with pytest.raises(rawdock.NotFound):
        client.inspect_network(created["Id"])


def test_volume_life(client: rawdock.Client, volume: str, make_container: MakeContainer) -> None:
    assert client.inspect_volume(volume)["Labels"][support.LABEL] == support.RUN_ID
    listed = client.volumes(filters={"name": [volume]})["Volumes"]
    assert [v["Name"] for v in listed] == [volume]
    container_id = make_container(
        Cmd=["true"], HostConfig={"Binds": [f"{volume}:/data"]}
    )["Id"]
    with pytest.raises(rawdock.Conflict, match="volume is in use"):
        client.remove_volume(volume)
    assert client.inspect_volume(volume)["Name"] == volume  # nothing lost
    client.remove_container(container_id)
    client.remove_volume(volume)
    with pytest.raises(rawdock.NotFound):
        client.inspect_volume(volume)


def test_prune_volumes_by_label(client: rawdock.Client) -> None:
    marker = f"prune-{id(client)}"
    name = f"rawdock-vprune-{support.RUN_ID}-{id(client)}"
    client.create_volume(name, labels=support.labels(prune=marker))
    result = client.prune_volumes(filters={"label": [f"prune={marker}"]})
    assert result["VolumesDeleted"] == [name]


def test_update_volume_needs_api_1_42(client: rawdock.Client) -> None:
    if client.api_version != "1.41":
        pytest.skip(f"the engine speaks {client.api_version}")
    with pytest.raises(rawdock.InvalidArgument, match="PUT /volumes"):
        client.update_volume("any", 1, {"Availability": "active"})
