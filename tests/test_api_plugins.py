"""Plugins against the real engine. Nothing can be pulled from Docker Hub, so the test makes
its own plugin (a config.json and a busybox rootfs), pushes it to the local registry and
installs it back from there: create, ls, inspect, set, push, privileges, pull (install),
upgrade, rm. Enabling one needs a process serving the plugin protocol on a Unix socket, which a
busybox rootfs cannot offer: enable is run to its clear failure, and its request is checked."""

from __future__ import annotations

import io
import json
import os
import tarfile
from collections.abc import Iterator

import pytest
import support

import rawdock
from rawdock.api import API

REGISTRY = os.environ.get("RAWDOCK_TEST_REGISTRY", "127.0.0.1:5000")
CONFIG = {
    "Description": "rawdock test plugin",
    "Documentation": "https://example.com/rawdock",
    "Entrypoint": ["/bin/busybox", "sleep", "300"],
    "Interface": {"Types": ["docker.volumedriver/1.0"], "Socket": "rawdock.sock"},
    "Network": {"Type": "none"},
    "Env": [{"Name": "DEBUG", "Settable": ["value"], "Value": "0"}],
    "Linux": {"Capabilities": []},
}


def _plugin_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        config = json.dumps(CONFIG).encode()
        info = tarfile.TarInfo("config.json")
        info.size = len(config)
        tar.addfile(info, io.BytesIO(config))
        tar.add(support.BUSYBOX, arcname="rootfs/bin/busybox")
    return buffer.getvalue()


@pytest.fixture
def plugin_names(client: rawdock.Client) -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    for name in made:
        try:
            client.remove_plugin(name, force=True)
        except rawdock.NotFound:
            pass


def test_plugin_life(client: rawdock.Client, plugin_names: list[str]) -> None:
    name = f"{REGISTRY}/rawdock-plugin-{support.RUN_ID}-{id(client)}:1"
    plugin_names.append(name)
    client.create_plugin(name, _plugin_tar())
    assert name in [plugin["Name"] for plugin in client.plugins()]
    assert client.inspect_plugin(name)["Enabled"] is False
    client.configure_plugin(name, {"DEBUG": "1"})
    assert client.inspect_plugin(name)["Settings"]["Env"] == ["DEBUG=1"]
    with pytest.raises(rawdock.Conflict, match="already disabled"):
        client.disable_plugin(name)
    pushed = list(client.push_plugin(name))
    assert any("Digest" in item.get("aux", {}) for item in pushed)
    privileges = client.plugin_privileges(name)
    assert privileges == [
        {"Name": "network", "Description": "permissions to access a network", "Value": ["none"]}
    ]
    client.remove_plugin(name)
    with pytest.raises(rawdock.NotFound):
        client.inspect_plugin(name)

    local = f"rawdock-plugin-pulled-{support.RUN_ID}-{id(client)}:1"
    plugin_names.append(local)
    list(client.pull_plugin(name, privileges, name=local))
    assert client.inspect_plugin(local)["PluginReference"] == name
    list(client.upgrade_plugin(local, name, privileges))
    assert client.inspect_plugin(local)["Settings"]["Env"] == ["DEBUG=0"]


@pytest.mark.sync_only  # the daemon retries the socket for about 20 s: once is enough
def test_enable_without_a_plugin_server_fails_clearly(
    client: rawdock.Client, plugin_names: list[str]
) -> None:
    name = f"rawdock-plugin-enable-{support.RUN_ID}-{id(client)}:1"
    plugin_names.append(name)
    client.create_plugin(name, _plugin_tar())
    with pytest.raises(rawdock.DockerError, match="rawdock.sock"):
        client.enable_plugin(name, timeout=1)
    assert client.inspect_plugin(name)["Enabled"] is False
    assert API.enable_plugin.describe(name, timeout=5).target == f"/plugins/{name}/enable?timeout=5"
