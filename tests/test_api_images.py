"""The image endpoints beyond pull/push/build: history, commit, save/load, import, search,
prune, distribution, against the real engine and the local registry (127.0.0.1:5000)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import support

import rawdock
from rawdock.api import API

MakeContainer = Callable[..., dict[str, Any]]
REGISTRY = os.environ.get("RAWDOCK_TEST_REGISTRY", "127.0.0.1:5000")


@pytest.fixture
def tags(client: rawdock.Client) -> Iterator[list[str]]:
    """Image names a test makes; removed after it."""
    made: list[str] = []
    yield made
    for name in made:
        try:
            client.remove_image(name, force=True)
        except rawdock.NotFound:
            pass


def _name(client: rawdock.Client, what: str) -> str:
    return f"rawdock-{what}-{support.RUN_ID}-{id(client)}"


def test_history(client: rawdock.Client, busybox: str) -> None:
    layers = client.history(busybox)
    assert any("busybox --install" in (layer.get("CreatedBy") or "") for layer in layers)


def test_commit_with_changes(
    client: rawdock.Client, make_container: MakeContainer, tags: list[str]
) -> None:
    container_id = make_container(Cmd=["sh", "-c", "echo hi > /greeting"])["Id"]
    client.start_container(container_id)
    client.wait_container(container_id, timeout=60)
    repo = _name(client, "commit")
    tags.append(f"{repo}:1")
    committed = client.commit(
        container_id, repo, "1", message="snap", author="rawdock", changes=["ENV MODE=prod"]
    )
    image = client.inspect_image(f"{repo}:1")
    assert image["Id"] == committed["Id"]
    assert "MODE=prod" in image["Config"]["Env"] and image["Author"] == "rawdock"
    assert image["Comment"] == "snap"


def test_save_and_load_several(client: rawdock.Client, busybox: str, tags: list[str]) -> None:
    second = f"{_name(client, 'saved')}:1"
    client.tag_image(busybox, *second.split(":"))
    tags.append(second)
    tar = b"".join(client.get_images([busybox, second]))
    client.remove_image(second)
    loaded = list(client.load_image(iter([tar[i : i + 65536] for i in range(0, len(tar), 65536)])))
    assert any(second in item.get("stream", "") for item in loaded)
    assert client.inspect_image(second)["Id"] == client.inspect_image(busybox)["Id"]


def test_import_an_exported_container(
    client: rawdock.Client, make_container: MakeContainer, tags: list[str]
) -> None:
    container_id = make_container(Cmd=["true"])["Id"]
    repo = _name(client, "import")
    tags.append(f"{repo}:flat")
    # Bytes, not the export's stream: the aio client would read a sync iterator on its loop.
    rootfs = b"".join(client.export_container(container_id))
    progress = list(client.import_image(rootfs, repo, "flat", changes=['CMD ["sh"]']))
    image_id = progress[-1]["status"]
    assert image_id.startswith("sha256:")
    image = client.inspect_image(f"{repo}:flat")
    assert image["Id"] == image_id and image["Config"]["Cmd"] == ["sh"]


def test_search(client: rawdock.Client) -> None:
    # Docker Hub is searched: without internet (as here) the daemon's own message says so.
    assert API.search.describe("busybox", limit=1).target == "/images/search?term=busybox&limit=1"
    try:
        found = client.search("busybox", limit=1)
    except rawdock.DockerError as exc:
        assert "index.docker.io" in str(exc)
    else:
        assert found and "name" in found[0]


def test_prune_images_by_label_and_build_cache_by_id(
    client: rawdock.Client, busybox: str
) -> None:
    # Filters that match nothing of anyone else's: the shared engine loses nothing.
    result = client.prune_images(filters={"label": [f"{support.LABEL}=nothing-{support.RUN_ID}"]})
    assert result["ImagesDeleted"] is None and result["SpaceReclaimed"] == 0
    assert client.prune_builds(filters={"id": ["rawdock-none"]})["CachesDeleted"] is None


def test_push_then_inspect_distribution(
    client: rawdock.Client, busybox: str, tags: list[str]
) -> None:
    repo = f"{REGISTRY}/{_name(client, 'dist')}"
    client.tag_image(busybox, repo, "1")
    tags.append(f"{repo}:1")
    pushed = list(client.push(repo, "1"))
    digest = next(item["aux"]["Digest"] for item in pushed if "aux" in item)
    seen = client.inspect_distribution(f"{repo}:1")
    assert seen["Descriptor"]["digest"] == digest
    with pytest.raises(rawdock.DockerError):
        client.inspect_distribution(f"{REGISTRY}/rawdock-never-pushed:1")
