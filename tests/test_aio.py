"""rawdock.aio.Client against a real engine: what asyncio adds to the shared tests (which run it
through tests/aio_adapter.py): native streams, cancellation, concurrency and a bounded pool."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import io
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import support

import rawdock
import rawdock.aio
from rawdock.aio_transport import MAX_CONNECTIONS, AsyncConnection

T = TypeVar("T")


def run(main: Callable[[rawdock.aio.Client], Coroutine[Any, Any, T]], **kwargs: Any) -> T:
    """asyncio.run(main(client)) with a fresh client, checked closed and leak-free at the end."""

    async def wrapper() -> T:
        async with rawdock.aio.Client(**kwargs) as client:
            result = await main(client)
        assert client.transport.open_connections == 0, "a connection outlived its request"
        return result

    return asyncio.run(wrapper())


@pytest.fixture
def container(session_client: rawdock.Client, busybox: str) -> Iterator[Callable[..., str]]:
    """container(cmd, **config) -> id of a labelled busybox container, already started."""
    made: list[str] = []

    def make(cmd: list[str], **config: Any) -> str:
        body = {"Image": busybox, "Cmd": cmd, "Labels": support.labels(), **config}
        container_id: str = session_client.create_container(body)["Id"]
        made.append(container_id)
        session_client.start_container(container_id)
        return container_id

    yield make
    for container_id in made:
        try:
            session_client.remove_container(container_id, force=True)
        except rawdock.NotFound:
            pass


def _in_flight(client: rawdock.aio.Client) -> set[AsyncConnection]:
    return client.transport._live - set(client.transport._idle)


async def _until(condition: Callable[[], bool], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


# --- One interface, two clients ---------------------------------------------------------------


def _public(cls: type) -> dict[str, Any]:
    return {name: getattr(cls, name) for name in dir(cls) if not name.startswith("_")}


def test_both_clients_expose_the_same_methods_and_signatures() -> None:
    sync_client, aio_client = rawdock.Client(), rawdock.aio.Client()
    sync_names, aio_names = _public(rawdock.Client), _public(rawdock.aio.Client)
    assert sorted(sync_names) == sorted(aio_names)
    for name in sync_names:
        if isinstance(sync_names[name], property):
            assert isinstance(aio_names[name], property), name
            continue
        sync_method, aio_method = getattr(sync_client, name), getattr(aio_client, name)
        if not callable(sync_method):
            continue
        # Same parameters, names, kinds and defaults; only what is returned differs (a
        # coroutine or an async iterator instead of the result).
        sync_params = inspect.signature(sync_method).parameters
        assert inspect.signature(aio_method).parameters == sync_params, name
    sync_client.close()


def test_importing_rawdock_does_not_import_asyncio() -> None:
    code = "import sys, rawdock; print('asyncio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_endpoints_are_coroutines_and_async_iterators() -> None:
    client = rawdock.aio.Client(version="1.41")
    call = client.ping()
    assert inspect.isawaitable(call)
    call.close()  # a coroutine never awaited: no request went out
    assert isinstance(client.logs("x"), rawdock.aio.AsyncStream)
    assert client.transport.open_connections == 0


# --- Requests and errors ----------------------------------------------------------------------


def test_article_operations(container: Callable[..., str], busybox: str) -> None:
    container_id = container(["sleep", "30"])

    async def main(client: rawdock.aio.Client) -> None:
        images, running = await asyncio.gather(client.images(), client.containers())
        assert any(busybox in (image.get("RepoTags") or []) for image in images)
        assert container_id in [c["Id"] for c in running]
        assert client.api_version  # negotiated once, by the first of the two
        await client.stop_container(container_id, timeout=0)
        state = (await client.inspect_container(container_id))["State"]
        assert state["Running"] is False

    run(main)


def test_errors_are_the_sync_clients() -> None:
    async def main(client: rawdock.aio.Client) -> None:
        with pytest.raises(rawdock.NotFound) as caught:
            await client.inspect_container("rawdock-no-such-container")
        assert caught.value.message == "No such container: rawdock-no-such-container"
        with pytest.raises(rawdock.NotFound):  # a stream's request error, at `await`
            await client.logs("rawdock-no-such-container")
        with pytest.raises(rawdock.NotFound):  # or at the first item
            async for _ in client.logs("rawdock-no-such-container"):
                pass
        assert await client.ping()

    run(main)

    async def unreachable(client: rawdock.aio.Client) -> None:
        with pytest.raises(rawdock.DaemonUnreachable) as caught:
            await client.ping()
        assert str(caught.value) == (
            "Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock. "
            "Is the docker daemon running?"
        )

    run(unreachable, host="unix:///nonexistent/docker.sock")


def test_docker_host_and_tcp_endpoints(monkeypatch: pytest.MonkeyPatch, engine: None) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///var/run/docker.sock")
    assert run(lambda client: client.ping())
    port = support.free_port()  # nobody listens there
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")

    async def refused(client: rawdock.aio.Client) -> None:
        assert client.endpoint.port == port
        with pytest.raises(rawdock.DaemonUnreachable, match=f"tcp://127.0.0.1:{port}"):
            await client.version()

    run(refused)


def test_read_timeout_is_rawdock_timeout(container: Callable[..., str]) -> None:
    container_id = container(["sleep", "30"])

    async def main(client: rawdock.aio.Client) -> None:
        with pytest.raises(rawdock.Timeout):
            await client.wait_container(container_id, timeout=0.3)
        assert client.transport.open_connections <= 1  # the timed-out one is closed
        assert await client.ping()

    run(main)


# --- Streams ----------------------------------------------------------------------------------


def test_logs_stream_both_outputs_and_follow(container: Callable[..., str]) -> None:
    container_id = container(["sh", "-c", "echo out; echo err >&2; sleep 0.3; echo done"])

    async def main(client: rawdock.aio.Client) -> None:
        seen = [item async for item in client.logs(container_id, follow=True)]
        text: dict[str, bytes] = {"stdout": b"", "stderr": b""}
        for stream, data in seen:
            text[stream] += data
        assert text == {"stdout": b"out\ndone\n", "stderr": b"err\n"}
        assert client.transport.idle_connections >= 1  # read to its end: kept alive

    run(main)


def test_tty_logs_are_raw(container: Callable[..., str]) -> None:
    container_id = container(["sh", "-c", "echo tty"], Tty=True)

    async def main(client: rawdock.aio.Client) -> None:
        await client.wait_container(container_id)
        logs = await client.logs(container_id)  # the framing comes from Config.Tty on 1.41
        assert [item async for item in logs] == [("stdout", b"tty\r\n")]

    run(main)


def test_events_build_and_byte_streams(busybox: str) -> None:
    async def main(client: rawdock.aio.Client) -> None:
        since = int(time.time()) - 1
        context = support.busybox_context()
        built = [item async for item in client.build(context, labels=support.labels())]
        image_id = next(item["aux"]["ID"] for item in built if "aux" in item)
        assert image_id.startswith("sha256:")  # the busybox fixture's image, from the cache
        tar = b"".join([chunk async for chunk in client.get_image(busybox)])
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
            assert "manifest.json" in archive.getnames()
        async with client.events(since=since, until=int(time.time()) + 1) as events:
            async for event in events:
                assert event["Type"] in ("container", "image", "network", "volume", "builder")
                break  # leaving early closes the connection
        assert not _in_flight(client)

    run(main)


def test_push_and_pull_progress(busybox: str, session_client: rawdock.Client) -> None:
    repo = f"127.0.0.1:5000/rawdock-aio-{support.RUN_ID}"
    session_client.tag_image(busybox, repo, "v1")
    try:

        async def main(client: rawdock.aio.Client) -> None:
            pushed = [item async for item in client.push(repo, tag="v1")]
            assert any("Digest" in item.get("aux", {}) for item in pushed)
            await client.remove_image(f"{repo}:v1")
            pulled = [item async for item in client.pull(repo, tag="v1")]
            assert any("Status" in item.get("status", "") for item in pulled)
            assert (await client.inspect_image(f"{repo}:v1"))["Id"]

        run(main)
    finally:
        try:
            session_client.remove_image(f"{repo}:v1", force=True)
        except rawdock.NotFound:
            pass


# --- Cancellation, concurrency, the pool ------------------------------------------------------


def test_cancel_mid_request_closes_that_connection(container: Callable[..., str]) -> None:
    container_id = container(["sleep", "30"])
    received: list[bytes] = []

    async def main(client: rawdock.aio.Client) -> None:
        await client.ping()
        received.clear()
        waiting = asyncio.ensure_future(client.wait_container(container_id))
        await _until(lambda: bool(received))  # the head came; the body waits for the exit
        (conn,) = _in_flight(client)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert conn.writer.is_closing()
        assert conn not in client.transport._live and conn not in client.transport._idle
        assert await client.ping()
        assert (await client.inspect_container(container_id))["State"]["Running"]

    run(main, trace=lambda direction, data: received.append(data) if direction == "recv" else None)


def test_cancel_mid_stream_closes_that_connection(container: Callable[..., str]) -> None:
    container_id = container(["sh", "-c", "echo ready; sleep 30"])

    async def main(client: rawdock.aio.Client) -> None:
        first: asyncio.Future[tuple[str, bytes]] = asyncio.get_running_loop().create_future()

        async def follow() -> None:
            async for item in client.logs(container_id, follow=True):
                if not first.done():
                    first.set_result(item)

        reader = asyncio.ensure_future(follow())
        assert await first == ("stdout", b"ready\n")
        (conn,) = _in_flight(client)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        assert conn.writer.is_closing() and conn not in client.transport._live
        assert not _in_flight(client)  # the logs' TTY probe left one idle connection: fine
        assert [data async for _, data in client.logs(container_id)] == [b"ready\n"]

    run(main)


def test_abandoned_stream_is_never_pooled(container: Callable[..., str]) -> None:
    container_id = container(["sh", "-c", "for i in 1 2 3; do echo $i; done; sleep 30"])

    async def main(client: rawdock.aio.Client) -> None:
        stream = await client.logs(container_id, follow=True)
        stream_name, data = await stream.__anext__()  # one read may bring several lines
        assert stream_name == "stdout" and data.startswith(b"1\n")
        (conn,) = _in_flight(client)
        await stream.aclose()
        assert conn.writer.is_closing() and conn not in client.transport._live
        assert conn not in client.transport._idle
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()

    run(main)


def test_many_concurrent_requests_share_a_bounded_pool(container: Callable[..., str]) -> None:
    container_id = container(["sleep", "30"])
    peak = 0

    async def main() -> None:
        nonlocal peak

        def trace(direction: str, data: bytes) -> None:
            nonlocal peak
            peak = max(peak, client.transport.open_connections)

        async with rawdock.aio.Client(trace=trace) as client:
            client.transport.max_connections = 3  # before first use: the pool is sized then
            calls = [client.inspect_container(container_id) for _ in range(100)]
            results = await asyncio.gather(*calls)
            assert {result["Id"] for result in results} == {container_id}
            assert client.transport.idle_connections <= 3

    asyncio.run(main())
    assert 1 <= peak <= 3


def test_default_pool_bound_and_one_negotiation() -> None:
    sent: list[bytes] = []

    async def main(client: rawdock.aio.Client) -> None:
        await asyncio.gather(*(client.version() for _ in range(50)))
        assert client.transport.open_connections <= MAX_CONNECTIONS

    run(main, trace=lambda d, data: sent.append(data) if d == "send" else None)
    assert [request for request in sent if request.startswith(b"GET /_ping ")] == [sent[0]]
    assert len(sent) == 51


def test_streams_do_not_hold_pool_slots() -> None:
    async def main(client: rawdock.aio.Client) -> None:
        client.transport.max_connections = 1
        events = await client.events()  # open until closed
        try:
            assert await asyncio.wait_for(client.ping(), 10)  # not stuck behind the stream
            assert await asyncio.wait_for(client.version(), 10)
        finally:
            await events.aclose()

    run(main)


def test_client_belongs_to_one_loop_until_closed() -> None:
    client = rawdock.aio.Client()

    async def first_loop() -> None:
        assert await client.ping()
        assert client.transport.idle_connections == 1  # bound to this loop now
        with concurrent.futures.ThreadPoolExecutor(1) as other_thread:
            other_loop = other_thread.submit(asyncio.run, client.ping())
            with pytest.raises(rawdock.RawdockError, match="another event loop"):
                other_loop.result()
        await client.close()

    async def next_loop() -> bool:
        async with client:
            return await client.ping()

    asyncio.run(first_loop())
    # Closed, it may serve the next loop (as with one `async with` per asyncio.run).
    assert asyncio.run(next_loop())
    assert client.transport.open_connections == 0
