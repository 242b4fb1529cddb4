"""The container endpoints beyond the article's: top, diff, stats, update, rename, pause, prune,
and files in and out (archive), against the real engine."""

from __future__ import annotations

import io
import os
import tarfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import support

import rawdock
import rawdock.archive
from rawdock.api import API

MakeContainer = Callable[..., dict[str, Any]]
#: A container that stays up, with a /tmp to copy into (the busybox image has only /bin).
SLEEPER = ["sh", "-c", "mkdir -p /tmp && exec sleep 300"]


def _running(client: rawdock.Client, make_container: MakeContainer) -> str:
    container_id: str = make_container(Cmd=SLEEPER)["Id"]
    client.start_container(container_id)
    for _ in range(50):  # until the mkdir has run
        if client.archive_stat(container_id, "/") and _exists(client, container_id, "/tmp"):
            break
        time.sleep(0.1)
    return container_id


def _exists(client: rawdock.Client, container_id: str, path: str) -> bool:
    try:
        client.archive_stat(container_id, path)
    except rawdock.NotFound:
        return False
    return True


def test_top_diff_and_stats(client: rawdock.Client, make_container: MakeContainer) -> None:
    container_id = _running(client, make_container)
    top = client.top(container_id, ps_args="-o pid,comm")
    assert top["Titles"] == ["PID", "COMMAND"]
    assert any("sleep" in process[-1] for process in top["Processes"])
    changes = client.diff(container_id)
    assert {"Path": "/tmp", "Kind": 1} in changes
    sample = client.stats(container_id, one_shot=True)
    assert sample["id"] == container_id and "memory_stats" in sample
    with client.stream_stats(container_id) as samples:
        first = next(samples)
    assert first["id"] == container_id


def test_update_rename_pause_unpause(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    container_id = _running(client, make_container)
    warnings = client.update_container(container_id, {"CpuShares": 512})
    assert "Warnings" in warnings
    assert client.inspect_container(container_id)["HostConfig"]["CpuShares"] == 512
    name = f"rawdock-renamed-{support.RUN_ID}-{id(client)}"
    client.rename_container(container_id, name)
    assert client.inspect_container(name)["Id"] == container_id
    client.pause_container(container_id)
    assert client.inspect_container(container_id)["State"]["Status"] == "paused"
    client.unpause_container(container_id)
    assert _settled_status(client, container_id, "running") == "running"


def _settled_status(client: rawdock.Client, container_id: str, wanted: str) -> str:
    """The container's status once it reads `wanted`, or after 10 s. The daemon sets the state
    as it answers a pause or unpause, and again when containerd's event for it arrives, later:
    a late "paused" event can mark the container paused again, until its "resumed" event
    follows (moby's daemon/monitor.go). Seen under load: `paused` read right after unpause."""
    deadline = time.monotonic() + 10
    while (status := client.inspect_container(container_id)["State"]["Status"]) != wanted:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return status


def test_prune_containers_removes_only_what_the_filter_names(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    marker = f"prune-{id(client)}"
    stopped = make_container(Cmd=["true"], Labels=support.labels(prune=marker))["Id"]
    running = _running(client, make_container)
    result = client.prune_containers(filters={"label": [f"prune={marker}"]})
    assert result["ContainersDeleted"] == [stopped]
    assert client.inspect_container(running)["State"]["Running"]


def test_stop_signal_is_refused_on_api_1_41(client: rawdock.Client) -> None:
    # The engine here speaks 1.41: a signal would be sent and silently ignored.
    if client.api_version != "1.41":
        pytest.skip(f"the engine speaks {client.api_version}, which has stop signals")
    with pytest.raises(rawdock.InvalidArgument, match=r"signal .*needs API version 1\.42"):
        client.stop_container("no-such-container", signal="SIGKILL")
    with pytest.raises(rawdock.InvalidArgument, match="1.42"):
        client.df(type=["image"])


def test_version_gating_is_data_on_the_call() -> None:
    assert API.stop_container.describe("x", signal="SIGTERM").needs == (("signal", "1.42"),)
    assert API.stop_container.describe("x", timeout=3).needs == ()
    assert API.update_volume.describe("v", 1, {}).needs == (("PUT /volumes", "1.42"),)


# --- archive ----------------------------------------------------------------------------------


def test_archive_round_trip_of_a_directory(
    client: rawdock.Client, make_container: MakeContainer, tmp_path: Path
) -> None:
    container_id = _running(client, make_container)
    tree = tmp_path / "site"
    (tree / "css").mkdir(parents=True)
    (tree / "index.html").write_bytes(b"<h1>hi</h1>")
    (tree / "css" / "a.css").write_bytes(b"a{}")
    (tree / "link").symlink_to("index.html")
    os.chmod(tree / "index.html", 0o640)
    client.put_archive(container_id, "/tmp", rawdock.archive.tar_stream(tree))
    stat = client.archive_stat(container_id, "/tmp/site/index.html")
    assert stat["name"] == "index.html" and stat["size"] == 11 and stat["mode"] == 0o640
    out = tmp_path / "out"
    with client.get_archive(container_id, "/tmp/site") as tar:
        assert rawdock.archive.path_stat(tar.headers)["name"] == "site"
        rawdock.archive.extract(tar, out)  # out does not exist: the copy is named out
    assert (out / "index.html").read_bytes() == b"<h1>hi</h1>"
    assert (out / "css" / "a.css").read_bytes() == b"a{}"
    assert os.readlink(out / "link") == "index.html"


def test_put_archive_takes_bytes(client: rawdock.Client, make_container: MakeContainer) -> None:
    container_id = _running(client, make_container)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    client.put_archive(container_id, "/tmp", buffer.getvalue())
    data = b"".join(client.get_archive(container_id, "/tmp/hello.txt"))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = tar.extractfile("hello.txt")
        assert member is not None and member.read() == b"hello"


def test_archive_errors_are_clear_and_leave_nothing(
    client: rawdock.Client, make_container: MakeContainer, tmp_path: Path
) -> None:
    container_id = _running(client, make_container)
    (tmp_path / "f").write_bytes(b"x" * 70_000)
    with pytest.raises(rawdock.NotFound, match="Could not find the file /nope"):
        client.get_archive(container_id, "/nope")
    with pytest.raises(rawdock.NotFound, match="/nope"):
        client.archive_stat(container_id, "/nope")
    with pytest.raises(rawdock.NotFound, match="Could not find the file /no/dir"):
        client.put_archive(container_id, "/no/dir", rawdock.archive.tar_stream(tmp_path / "f"))
    with pytest.raises(rawdock.NotFound, match="No such container"):
        client.put_archive("rawdock-no-such", "/tmp", rawdock.archive.tar_stream(tmp_path / "f"))
    assert not _exists(client, container_id, "/no")
    with pytest.raises(FileNotFoundError):
        rawdock.archive.tar_stream(tmp_path / "missing")
    client.ping()  # the client is still usable


@pytest.mark.sync_only
def test_100_mb_round_trip_is_byte_exact_in_flat_memory(
    client: rawdock.Client, make_container: MakeContainer, tmp_path: Path
) -> None:
    size = 100 * 2**20
    source = tmp_path / "big.bin"
    with open(source, "wb") as file:
        block = os.urandom(2**20)
        for index in range(100):
            file.write(block[index:] + block[:index])  # 100 different MiB
    container_id = _running(client, make_container)
    out = tmp_path / "back"
    out.mkdir()
    tracemalloc.start()
    try:
        client.put_archive(container_id, "/tmp", rawdock.archive.tar_stream(source))
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with client.get_archive(container_id, "/tmp/big.bin") as tar:
            rawdock.archive.extract(tar, out)
        _, get_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert client.archive_stat(container_id, "/tmp/big.bin")["size"] == size
    assert put_peak < 8 * 2**20, f"put_archive peaked at {put_peak} bytes"
    assert get_peak < 8 * 2**20, f"get_archive peaked at {get_peak} bytes"
    with open(source, "rb") as a, open(out / "big.bin", "rb") as b:
        while True:
            left, right = a.read(2**20), b.read(2**20)
            assert left == right
            if not left:
                break
