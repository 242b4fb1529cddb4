"""Streaming endpoints against a real engine: logs, pull/push, events, export, save; and how
a stream ends (to the end, early, by garbage collection)."""

from __future__ import annotations

import calendar
import gc
import io
import os
import socket
import struct
import subprocess
import tarfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import support

import rawdock
import rawdock.transport

DOCKER_CLI = "/usr/local/bin/docker"
MakeContainer = Callable[..., dict[str, Any]]

OUT_TEXT = "héllo wörld ✓\nsecond line\nlast line without newline"
ERR_TEXT = "érreur ✗\nerr tail without newline"


def run_to_end(
    client: rawdock.Client, make_container: MakeContainer, script: str, **config: Any
) -> str:
    """Create, start and wait for a container running `sh -c script`; returns its id."""
    container: str = make_container(Cmd=["sh", "-c", script], **config)["Id"]
    client.start_container(container)
    assert client.wait_container(container)["StatusCode"] == 0
    return container


def unix_time(stamp: str) -> str:
    """An RFC 3339 time with nanoseconds, as the daemon prints it, in Unix "seconds.nanos"."""
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return f"{seconds}.{fraction.ljust(9, '0')}"


def joined(items: list[tuple[str, bytes]], stream: str) -> bytes:
    return b"".join(data for name, data in items if name == stream)


def test_logs_separate_stdout_and_stderr_exactly(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    script = f"printf '%s' '{OUT_TEXT}'; printf '%s' '{ERR_TEXT}' >&2"
    container = run_to_end(client, make_container, script)
    items = list(client.logs(container))
    assert {name for name, _ in items} == {"stdout", "stderr"}
    assert joined(items, "stdout") == OUT_TEXT.encode()
    assert joined(items, "stderr") == ERR_TEXT.encode()
    only_stdout = list(client.logs(container, stderr=False))
    assert {name for name, _ in only_stdout} == {"stdout"}
    assert joined(only_stdout, "stdout") == OUT_TEXT.encode()
    if not os.path.exists(DOCKER_CLI):
        pytest.skip(f"{DOCKER_CLI} not installed: the comparison with `docker logs` is skipped")
    cli = subprocess.run([DOCKER_CLI, "logs", container], capture_output=True, check=True)
    assert (cli.stdout, cli.stderr) == (joined(items, "stdout"), joined(items, "stderr"))


def frames_as_sent(container: str) -> list[tuple[str, bytes]]:
    """The log frames of `container` in the daemon's order, read without rawdock: an HTTP/1.0
    GET (so the body is not chunked and ends at EOF), then 8-byte frame headers (stream 1 or 2,
    three zero bytes, a big-endian size) each followed by its payload."""
    endpoint = rawdock.transport.parse_host()
    if endpoint.scheme != "unix":
        pytest.skip(f"reading the daemon's bytes by hand needs a unix socket, not {endpoint.url}")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(60)
        sock.connect(endpoint.path)
        sock.sendall(
            f"GET /containers/{container}/logs?stdout=1&stderr=1 HTTP/1.0\r\n\r\n".encode()
        )
        raw = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 "), head
    frames = []
    while body:
        kind, size = struct.unpack(">B3xI", body[:8])
        frames.append((("stdout", "stderr")[kind - 1], body[8 : 8 + size]))
        body = body[8 + size :]
    return frames


def by_stream_runs(items: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Consecutive pieces of one stream joined: where a stream switches is what order means."""
    runs: list[tuple[str, bytes]] = []
    for name, data in items:
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + data)
        else:
            runs.append((name, data))
    return runs


def test_logs_keep_the_daemons_order_of_stdout_and_stderr(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    # The daemon reads stdout and stderr apart, so the order it logs them in is its own (the
    # pauses make an interleaved order likely; nothing here relies on it): rawdock must keep
    # the order the daemon sends.
    script = "; ".join(
        f"echo {n} >&{1 + n % 2}; sleep 0.1" for n in range(6)
    )  # 0 -> stdout, 1 -> stderr, ...
    container = run_to_end(client, make_container, script)
    items = list(client.logs(container))
    assert by_stream_runs(items) == by_stream_runs(frames_as_sent(container))
    assert joined(items, "stdout") == b"0\n2\n4\n"
    assert joined(items, "stderr") == b"1\n3\n5\n"


def test_follow_ends_when_the_container_exits(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    container = make_container(Cmd=["sh", "-c", "echo first; sleep 2; echo second"])["Id"]
    client.start_container(container)
    # A read timeout far shorter than the quiet second must not end a followed stream.
    with rawdock.Client(timeout=0.5) as impatient:
        items = list(impatient.logs(container, follow=True))
    assert joined(items, "stdout") == b"first\nsecond\n"
    assert client.inspect_container(container)["State"]["Running"] is False


def test_tty_container_logs_are_raw_stdout(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    container = run_to_end(client, make_container, "echo out; echo err >&2", Tty=True)
    items = list(client.logs(container))
    assert {name for name, _ in items} == {"stdout"}
    # The terminal turns "\n" into "\r\n"; no frame header is mistaken for text.
    assert joined(items, "stdout") == b"out\r\nerr\r\n"


def test_tail_timestamps_and_since(client: rawdock.Client, make_container: MakeContainer) -> None:
    container = run_to_end(
        client, make_container, "for n in 1 2 3 4 5; do echo $n; sleep 0.05; done"
    )
    assert joined(list(client.logs(container, tail=2)), "stdout") == b"4\n5\n"
    assert joined(list(client.logs(container, tail="all")), "stdout") == b"1\n2\n3\n4\n5\n"

    stamped = joined(list(client.logs(container, timestamps=True)), "stdout").splitlines()
    stamps = [line.split(b" ", 1) for line in stamped]
    assert [text for _, text in stamps] == [b"1", b"2", b"3", b"4", b"5"]
    assert all(stamp.endswith(b"Z") and b"T" in stamp for stamp, _ in stamps)

    third = unix_time(stamps[2][0].decode())  # since is inclusive
    assert joined(list(client.logs(container, since=third)), "stdout") == b"3\n4\n5\n"
    assert list(client.logs(container, since=time.time() + 3600)) == []
    assert (
        joined(list(client.logs(container, since=time.time() - 3600)), "stdout").count(b"\n") == 5
    )


def test_logs_of_a_missing_container_raise_at_the_call(client: rawdock.Client) -> None:
    with pytest.raises(rawdock.NotFound):
        client.logs("rawdock-no-such-container")
    assert client.ping()


# --- Images over the local registry -----------------------------------------------------------

REGISTRY = os.environ.get("RAWDOCK_REGISTRY", "127.0.0.1:5000")


def registry_reachable() -> bool:
    import socket

    host, _, port = REGISTRY.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def pushed(client: rawdock.Client, busybox: str) -> Iterator[str]:
    """The busybox image pushed to the local registry as REGISTRY/rawdock-RUN_ID:1, with the
    local tag removed again: so a pull has something to fetch."""
    if not registry_reachable():
        if os.environ.get("RAWDOCK_REQUIRE_DAEMON") == "1":
            pytest.fail(f"no registry at {REGISTRY}")
        pytest.skip(f"no registry at {REGISTRY}")
    repo = f"{REGISTRY}/rawdock-{support.RUN_ID}"
    reference = f"{repo}:1"
    client.tag_image(busybox, repo, "1")
    try:
        progress = list(client.push(repo, tag="1"))  # an in-band error would raise here
        assert progress and all(isinstance(item, dict) for item in progress)
        assert any("Digest" in item.get("aux", {}) for item in progress)
    finally:
        client.remove_image(reference)
    yield reference
    try:
        client.remove_image(reference)
    except rawdock.NotFound:
        pass


def test_pull_yields_progress_and_leaves_the_image(client: rawdock.Client, pushed: str) -> None:
    with pytest.raises(rawdock.NotFound):
        client.inspect_image(pushed)
    repo, tag = pushed.rsplit(":", 1)
    progress = list(client.pull(repo, tag=tag))
    assert progress and all("status" in item for item in progress)
    assert any(pushed in item["status"] for item in progress)  # "Status: ... for REF"
    assert pushed in client.inspect_image(pushed)["RepoTags"]
    client.remove_image(pushed)
    list(client.pull(pushed))  # the tag inside the reference is the one pulled
    assert pushed in client.inspect_image(pushed)["RepoTags"]


def test_pull_of_a_missing_image_raises(client: rawdock.Client) -> None:
    if not registry_reachable():
        pytest.skip(f"no registry at {REGISTRY}")
    missing = f"{REGISTRY}/rawdock-missing-{support.RUN_ID}"
    # The engine reports it as 404 before streaming, or inside the stream: both must raise.
    with pytest.raises(rawdock.DockerError) as caught:
        for _ in client.pull(missing):
            pass
    assert "not found" in caught.value.message or "unknown" in caught.value.message
    assert client.ping()


# --- Events ------------------------------------------------------------------------------------


def test_events_between_since_and_until(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    marker = uuid.uuid4().hex[:12]  # other runs use the engine too: see only this container
    since = time.time() - 1
    container = make_container(Cmd=["true"], Labels=support.labels(**{"rawdock.events": marker}))
    client.start_container(container["Id"])
    client.wait_container(container["Id"])
    until = time.time() + 1  # the stream ends once the daemon's clock passes `until`
    label_filters = [f"{support.LABEL}={support.RUN_ID}", f"rawdock.events={marker}"]
    events = list(
        client.events(
            since=since, until=until, filters={"label": label_filters, "type": ["container"]}
        )
    )
    assert {event["id"] for event in events} == {container["Id"]}
    actions = [event["Action"] for event in events if event["Action"] in ("create", "start", "die")]
    assert actions == ["create", "start", "die"]


# --- Byte streams ------------------------------------------------------------------------------


def test_export_container_is_a_tar(client: rawdock.Client, make_container: MakeContainer) -> None:
    container = make_container(Cmd=["true"])["Id"]
    stream = client.export_container(container)
    data = b"".join(stream)
    assert all(isinstance(piece, bytes) for piece in [data])
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        busybox = tar.getmember("bin/busybox")
        assert busybox.isfile() and busybox.size > 100_000


def test_get_image_is_a_tar(client: rawdock.Client, busybox: str, tmp_path: Any) -> None:
    path = tmp_path / "image.tar"
    with open(path, "wb") as out:
        for piece in client.get_image(busybox):
            assert isinstance(piece, bytes)
            out.write(piece)
    with tarfile.open(path) as tar:
        manifest = tar.extractfile("manifest.json")
        assert manifest is not None and busybox.encode() in manifest.read()


# --- How a stream ends -------------------------------------------------------------------------


def ticking(client: rawdock.Client, make_container: MakeContainer) -> str:
    container: str = make_container(Cmd=["sh", "-c", "while true; do echo tick; sleep 0.05; done"])[
        "Id"
    ]
    client.start_container(container)
    return container


@pytest.mark.sync_only  # looks at the socket; test_aio.py has the asyncio cases
def test_closing_early_closes_the_connection(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    container = ticking(client, make_container)
    stream = client.logs(container, follow=True)
    sock = stream._exchange._conn.sock  # type: ignore[attr-defined]
    assert next(stream)[0] == "stdout"
    stream.close()  # the container goes on ticking: reading to the end would never return
    assert sock.fileno() == -1
    assert list(stream) == []
    assert client.ping()  # the client is still usable, on another connection

    with client.logs(container, follow=True) as stream:
        sock = stream._exchange._conn.sock  # type: ignore[attr-defined]
        for _ in stream:
            break
    assert sock.fileno() == -1


@pytest.mark.sync_only  # looks at the socket; test_aio.py has the asyncio cases
def test_garbage_collection_closes_streams(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    container = ticking(client, make_container)
    never_started = client.events()  # no until: it would never end by itself
    half_read = client.logs(container, follow=True)
    assert next(half_read)[0] == "stdout"
    streams = (never_started, half_read)
    sockets = [stream._exchange._conn.sock for stream in streams]  # type: ignore[attr-defined]
    next(client.logs(container, follow=True))  # a third, dropped at once after one item
    del never_started, half_read, streams
    gc.collect()  # with -W error::ResourceWarning, an unclosed socket would fail the test
    assert [sock.fileno() for sock in sockets] == [-1, -1]
    assert client.ping()


def test_a_stream_read_to_its_end_gives_its_connection_back(
    client: rawdock.Client, make_container: MakeContainer
) -> None:
    container = run_to_end(client, make_container, "echo hi")
    client.ping()
    idle = list(client.transport._idle)
    assert len(idle) == 1
    assert list(client.logs(container, stderr=False)) == [("stdout", b"hi\n")]
    assert idle[0] in client.transport._idle  # the same connection, back in the pool


def test_a_big_log_keeps_memory_flat(client: rawdock.Client, make_container: MakeContainer) -> None:
    # 40 MB in lines of 1 KiB. (Lines of 17 bytes, as `yes` writes, make the daemon itself take
    # ~50 s to serve the log; the decoder's per-frame work is tested in test_decoders.)
    size = 40_000_000
    container = run_to_end(client, make_container, f"yes $(printf %01023d 0) | head -c {size}")
    total = 0
    tracemalloc.start()
    try:
        for _, data in client.logs(container, stderr=False):
            total += len(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes while reading a {size}-byte log"


# --- What engine 20.10 cannot show: a canned daemon on a Unix socket ---------------------------


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def frame(stream: int, payload: bytes) -> bytes:
    return bytes([stream, 0, 0, 0]) + len(payload).to_bytes(4, "big") + payload


class CannedDaemon:
    """Answers each request whose path contains a key with that key's response, on kept-alive
    connections; records the request lines and how many connections were opened."""

    def __init__(self, path: str, responses: dict[str, bytes]) -> None:
        import socket
        import threading

        self.responses = responses
        self.requests: list[str] = []
        self.connections = 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        import threading

        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: Any) -> None:
        with conn:
            buffer = b""
            try:
                while True:
                    while b"\r\n\r\n" not in buffer:
                        data = conn.recv(65536)
                        if not data:
                            return
                        buffer += data
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    line = head.split(b"\r\n", 1)[0].decode()
                    self.requests.append(line)
                    key = next(k for k in self.responses if k in line)
                    conn.sendall(self.responses[key])
            except OSError:  # the client closed first: nothing more to answer
                return

    def close(self) -> None:
        self.server.close()


OK_CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"


@pytest.fixture
def canned(
    tmp_path: Any,
) -> Iterator[Callable[[dict[str, bytes]], tuple[CannedDaemon, rawdock.Client]]]:
    made: list[tuple[CannedDaemon, rawdock.Client]] = []

    def make(responses: dict[str, bytes]) -> tuple[CannedDaemon, rawdock.Client]:
        path = str(tmp_path / "docker.sock")
        daemon = CannedDaemon(path, responses)
        client = rawdock.Client(f"unix://{path}", version="1.44", timeout=5)
        made.append((daemon, client))
        return daemon, client

    yield make
    for daemon, client in made:
        client.close()
        daemon.close()


def test_in_band_pull_error_raises_after_the_progress_before_it(canned: Any) -> None:
    body = chunked(
        b'{"status":"Pulling from x"}\n{"status":"Downl',
        b'oading"}\n{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\n',
    )
    daemon, client = canned(
        {
            "/images/create": OK_CHUNKED + b"\r\n" + body,
            "/_ping": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK",
        }
    )
    stream = client.pull("x")
    assert next(stream) == {"status": "Pulling from x"}
    assert next(stream) == {"status": "Downloading"}
    with pytest.raises(rawdock.DockerError, match="^unexpected EOF$"):
        next(stream)
    assert list(stream) == []
    # The body was read to its end before raising, so its connection is reused.
    assert client.ping() and daemon.connections == 1


def test_multiplexed_content_type_needs_no_probe_and_system_frame_raises(canned: Any) -> None:
    head = OK_CHUNKED + b"Content-Type: application/vnd.docker.multiplexed-stream\r\n\r\n"
    body = chunked(frame(1, b"out\n") + frame(2, b"err\n"), frame(3, b"error from daemon\n"))
    daemon, client = canned({"/logs": head + body})
    stream = client.logs("web")
    assert next(stream) == ("stdout", b"out\n")
    assert next(stream) == ("stderr", b"err\n")
    with pytest.raises(rawdock.DockerError, match="^error from daemon$"):
        next(stream)
    assert daemon.requests == ["GET /v1.44/containers/web/logs?follow=0&stdout=1&stderr=1 HTTP/1.1"]


@pytest.mark.parametrize("tty", [True, False])
def test_raw_stream_content_type_is_checked_against_the_container(canned: Any, tty: bool) -> None:
    # An engine answers "raw-stream" to requests older than API 1.42 whatever the container.
    head = OK_CHUNKED + b"Content-Type: application/vnd.docker.raw-stream\r\n\r\n"
    payload = b"tty output\r\n" if tty else frame(1, b"framed\n")
    inspect = b'{"Config": {"Tty": %s}}' % (b"true" if tty else b"false")
    daemon, client = canned(
        {
            "/logs": head + chunked(payload),
            "/json": b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(inspect), inspect),
        }
    )
    expected = [("stdout", b"tty output\r\n")] if tty else [("stdout", b"framed\n")]
    assert list(client.logs("web")) == expected
    assert daemon.requests[1] == "GET /v1.44/containers/web/json HTTP/1.1"
