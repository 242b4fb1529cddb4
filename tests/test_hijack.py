"""Attach and exec over the hijacked connection: the library, sync and asyncio (`client` runs
each test on both), against the real engine; and what only a fake daemon does (bytes in the
same read as the 101 head, a 200 that hijacks, a cut inside a frame)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import pytest
from fake_daemon import FakeDaemon, Peer
from hypothesis import given
from hypothesis import strategies as st
from test_remote import certs, ssh_host, tls_host  # noqa: F401 -- fixtures

import rawdock
import rawdock.aio
from rawdock.api import API
from rawdock.hijack import DetachKeys, HijackSession, encode_frame, parse_detach_keys
from rawdock.streams import FrameDecoder, RawStreamDecoder
from rawdock.transport import TLSConfig

MakeContainer = Callable[..., dict[str, Any]]


@pytest.fixture
def running(client: Any, make_container: MakeContainer) -> str:
    """A running busybox container that sleeps: something to exec into."""
    container: str = make_container(Cmd=["sleep", "600"])["Id"]
    client.start_container(container)
    return container


# --- exec -------------------------------------------------------------------------------------


def test_exec_run_gives_status_stdout_and_stderr(client: Any, running: str) -> None:
    result = client.exec_run(running, ["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert result == (3, b"out\n", b"err\n")


def test_exec_run_stdin_is_byte_exact(client: Any, running: str) -> None:
    data = os.urandom(3_000_000)
    code, out, err = client.exec_run(running, ["cat"], stdin=data)
    assert (code, err) == (0, b"")
    assert out == data


def test_exec_run_env_workdir_user(client: Any, running: str) -> None:
    code, out, _ = client.exec_run(
        running, ["sh", "-c", "echo $A $B; pwd; id -u"], env={"A": "1", "B": "two"},
        workdir="/bin", user="1234",
    )  # fmt: skip
    assert (code, out) == (0, b"1 two\n/bin\n1234\n")


def test_exec_stream_half_close_then_output(client: Any, running: str) -> None:
    """The process sees EOF at close_write(), and what it writes after still arrives."""
    exec_id = client.exec_create(running, ["sh", "-c", "cat; echo done >&2"], stdin=True)
    with client.exec_start(exec_id, stdin=True) as session:
        session.write(b"one ")
        session.write(b"two")
        session.close_write()
        items = list(session)
    joined: dict[str, bytes] = {}
    for stream, data in items:
        joined[stream] = joined.get(stream, b"") + data
    assert joined == {"stdout": b"one two", "stderr": b"done\n"}
    assert client.exec_inspect(exec_id)["ExitCode"] == 0


def test_exec_with_a_tty_is_raw_and_resizable(client: Any, running: str) -> None:
    exec_id = client.exec_create(running, ["sh"], tty=True, stdin=True)
    with client.exec_start(exec_id, tty=True, stdin=True) as session:
        client.exec_resize(exec_id, 31, 97)
        session.write(b"stty size; exit 4\n")
        items = list(session)
    assert {stream for stream, _ in items} == {"stdout"}
    output = b"".join(data for _, data in items)
    assert b"31 97\r\n" in output  # a TTY turns \n into \r\n: no frames, one stream
    assert client.exec_inspect(exec_id)["ExitCode"] == 4


def test_exec_detached_answers_at_once(client: Any, running: str) -> None:
    exec_id = client.exec_create(running, ["sh", "-c", "echo hi > /detached"])
    with client.exec_start(exec_id, detach=True) as session:
        assert list(session) == []
    for _ in range(50):
        if not client.exec_inspect(exec_id)["Running"]:
            break
    assert client.exec_run(running, ["cat", "/detached"]) == (0, b"hi\n", b"")


def test_write_after_the_process_exited(client: Any, running: str) -> None:
    exec_id = client.exec_create(running, ["true"], stdin=True)
    with client.exec_start(exec_id, stdin=True) as session:
        assert list(session) == []
        with pytest.raises(rawdock.TransportError, match="the process exited"):
            session.write(b"too late")


def test_write_to_a_stream_without_stdin(client: Any, running: str) -> None:
    exec_id = client.exec_create(running, ["true"])
    with client.exec_start(exec_id) as session:
        with pytest.raises(rawdock.TransportError, match="without stdin"):
            session.write(b"x")


def test_exec_into_a_stopped_container_is_a_conflict(
    client: Any, make_container: MakeContainer
) -> None:
    stopped = make_container(Cmd=["true"])["Id"]
    with pytest.raises(rawdock.Conflict, match=f"Container {stopped} is not running") as caught:
        client.exec_create(stopped, ["true"])
    assert caught.value.status == 409


def test_missing_container_or_exec_is_not_found(client: Any, busybox: str) -> None:
    with pytest.raises(rawdock.NotFound, match="No such container"):
        client.exec_create("rawdock-no-such-container", ["true"])
    with pytest.raises(rawdock.NotFound, match="No such exec instance"):
        client.exec_start("0" * 64)
    with pytest.raises(rawdock.NotFound, match="No such exec instance"):
        client.exec_inspect("0" * 64)
    with pytest.raises(rawdock.NotFound, match="No such container"):
        client.attach_container("rawdock-no-such-container")


# --- attach -----------------------------------------------------------------------------------


def test_attach_before_start_misses_nothing(client: Any, make_container: MakeContainer) -> None:
    """`docker run -i`'s order: attach, then start; stdin then EOF, and the exit status."""
    config = {"OpenStdin": True, "StdinOnce": True, "AttachStdin": True}
    container = make_container(Cmd=["sh", "-c", "echo first; cat; exit 6"], **config)["Id"]
    with client.attach_container(container, stdin=True) as session:
        client.start_container(container)
        session.write(b"typed\n")
        session.close_write()
        output = b"".join(data for stream, data in session if stream == "stdout")
    assert output == b"first\ntyped\n"
    assert client.wait_container(container)["StatusCode"] == 6


def test_attach_to_a_tty_container(client: Any, make_container: MakeContainer) -> None:
    config = {"OpenStdin": True, "StdinOnce": True, "Tty": True}
    container = make_container(Cmd=["sh", "-c", "read line; stty size; echo got $line"], **config)
    with client.attach_container(container["Id"], stdin=True) as session:
        client.start_container(container["Id"])
        client.resize_container(container["Id"], 40, 120)
        session.write(b"word\r")
        items = list(session)
    assert {stream for stream, _ in items} == {"stdout"}
    output = b"".join(data for _, data in items)
    assert b"40 120\r\n" in output and b"got word\r\n" in output


def test_daemon_ends_the_stream_when_the_container_is_killed(
    client: Any, make_container: MakeContainer
) -> None:
    container = make_container(Cmd=["sh", "-c", "echo up; sleep 600"])["Id"]
    with client.attach_container(container) as session:
        client.start_container(container)
        assert next(session) == ("stdout", b"up\n")
        client.kill_container(container)
        assert list(session) == []  # the daemon closed: the iteration ends, no error


def test_a_hijacked_connection_never_returns_to_the_pool(
    client: Any, running: str, busybox: str
) -> None:
    if not isinstance(client, rawdock.Client):
        transport = client.aio.transport
        before = transport.open_connections
        assert client.exec_run(running, ["true"])[0] == 0
        assert transport.open_connections <= before + 2  # create and inspect, kept alive
        return
    client.ping()
    pool = client.transport._idle
    exec_id = client.exec_create(running, ["echo", "x"])
    assert len(pool) == 1
    with client.exec_start(exec_id) as session:
        assert len(pool) == 0  # the pooled connection carries the hijack now
        sock = session._sock
        assert list(session) == [("stdout", b"x\n")]
    assert len(pool) == 0 and sock is not None and sock.fileno() == -1


# --- Every kind of host -----------------------------------------------------------------------


def _cat_round_trip(remote: rawdock.Client, busybox: str) -> None:
    import support

    created = remote.create_container({"Image": busybox, "Cmd": ["sleep", "600"]}
                                      | {"Labels": support.labels()})  # fmt: skip
    try:
        remote.start_container(created["Id"])
        data = os.urandom(1_000_000)
        assert remote.exec_run(created["Id"], ["cat"], stdin=data) == (0, data, b"")
    finally:
        remote.remove_container(created["Id"], force=True)


def test_exec_over_tls(tls_host: str, certs: str, busybox: str) -> None:  # noqa: F811
    with rawdock.Client(tls_host, tls=TLSConfig.from_directory(certs), timeout=30) as remote:
        _cat_round_trip(remote, busybox)


def test_exec_over_tls_asyncio(tls_host: str, certs: str, busybox: str) -> None:  # noqa: F811
    import support

    async def round_trip() -> None:
        tls = TLSConfig.from_directory(certs)
        async with rawdock.aio.Client(tls_host, tls=tls, timeout=30) as remote:
            body = {"Image": busybox, "Cmd": ["sleep", "600"], "Labels": support.labels()}
            container = (await remote.create_container(body))["Id"]
            try:
                await remote.start_container(container)
                data = os.urandom(1_000_000)
                assert await remote.exec_run(container, ["cat"], stdin=data) == (0, data, b"")
            finally:
                await remote.remove_container(container, force=True)

    asyncio.run(round_trip())


def test_exec_over_ssh(ssh_host: tuple[str, list[str]], busybox: str) -> None:  # noqa: F811
    host, options = ssh_host
    with rawdock.Client(host, ssh_options=options, timeout=30) as remote:
        _cat_round_trip(remote, busybox)


# --- What only a fake daemon does -------------------------------------------------------------

UPGRADED = (
    b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
    b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
)


def _run_hijack(fake: FakeDaemon, kind: str) -> list[tuple[str, bytes]]:
    """exec_start on the fake daemon with the sync or the asyncio client: every item."""
    if kind == "sync":
        with fake.client() as client, client.exec_start("e") as session:
            return list(session)

    async def items() -> list[tuple[str, bytes]]:
        async with rawdock.aio.Client(fake.url, version="1.41", timeout=5) as client:
            async with await client.exec_start("e") as session:
                return [item async for item in session]

    return asyncio.run(items())


@pytest.mark.parametrize("kind", ["sync", "aio"])
def test_bytes_in_the_same_read_as_the_head_come_first(fake: FakeDaemon, kind: str) -> None:
    """docker-py #3332: output sent in the same write as the 101 head must not be lost."""

    def upgrade(peer: Peer) -> None:
        request = peer.read_request()
        assert b"\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" in request
        peer.send(UPGRADED + encode_frame("stdout", b"first") + encode_frame("stderr", b"!"))
        peer.send(encode_frame("stdout", b"second"))
        peer.close()

    fake.script(upgrade)
    expected = [("stdout", b"first"), ("stderr", b"!"), ("stdout", b"second")]
    assert _run_hijack(fake, kind) == expected


@pytest.mark.parametrize("kind", ["sync", "aio"])
def test_a_200_raw_stream_hijacks_too(fake: FakeDaemon, kind: str) -> None:
    """What older daemons (and any daemon asked without Upgrade) answer."""

    def old_daemon(peer: Peer) -> None:
        peer.read_request()
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n"
        peer.send(head + encode_frame("stdout", b"hi"))
        peer.close()

    fake.script(old_daemon)
    assert _run_hijack(fake, kind) == [("stdout", b"hi")]


@pytest.mark.parametrize("kind", ["sync", "aio"])
def test_the_daemon_closing_inside_a_frame_is_an_error(fake: FakeDaemon, kind: str) -> None:
    def cut(peer: Peer) -> None:
        peer.read_request()
        peer.send(UPGRADED + encode_frame("stdout", b"whole") + encode_frame("stdout", b"cut")[:9])
        peer.close()

    fake.script(cut)
    with pytest.raises(rawdock.ProtocolError, match="middle of a multiplexed frame"):
        _run_hijack(fake, kind)


# --- The sans-IO core -------------------------------------------------------------------------


@given(st.lists(st.tuples(st.sampled_from(["stdout", "stderr"]), st.binary(min_size=1))),
       st.integers(min_value=1, max_value=64))  # fmt: skip
def test_session_gives_back_every_byte_however_cut(
    frames: list[tuple[str, bytes]], cut: int
) -> None:
    wire = b"".join(encode_frame(stream, data) for stream, data in frames)
    session = HijackSession(FrameDecoder(), already_read=wire[:cut])
    for start in range(cut, len(wire), cut):
        session.receive_data(wire[start : start + cut])
    session.receive_data(b"")
    got: dict[str, bytes] = {"stdout": b"", "stderr": b""}
    while (item := session.next_item()) is not None:
        got[item[0]] += item[1]
    for stream in got:
        assert got[stream] == b"".join(data for name, data in frames if name == stream)
    assert session.ended


def test_session_without_tty_and_answered() -> None:
    session = HijackSession(RawStreamDecoder(), already_read=b"raw \x01 bytes")
    assert session.next_item() == ("stdout", b"raw \x01 bytes")
    assert session.close_write() is True and session.close_write() is False
    with pytest.raises(rawdock.TransportError, match="close_write"):
        session.check_writable()
    answered = HijackSession.answered()
    assert answered.ended and answered.next_item() is None


def test_detach_keys() -> None:
    assert parse_detach_keys("ctrl-p,ctrl-q") == b"\x10\x11"
    assert parse_detach_keys("ctrl-@,ctrl-[,a,ctrl-_") == b"\x00\x1ba\x1f"
    with pytest.raises(ValueError, match="invalid detach key"):
        parse_detach_keys("ctrl-pq")
    keys = DetachKeys()
    assert keys.feed(b"abc") == (b"abc", False)
    assert keys.feed(b"x\x10") == (b"x", False)  # held: it may start the sequence
    assert keys.feed(b"y") == (b"\x10y", False)  # it did not: sent after all
    assert keys.feed(b"\x10\x10") == (b"\x10", False)
    assert keys.feed(b"\x11rest") == (b"", True)


def test_endpoints_are_declared_once() -> None:
    call = API.exec_start.describe("abc", stdin=True)
    assert call.request.target == "/exec/abc/start"
    assert ("Upgrade", "tcp") in call.request.headers and call.stdin
    attach = API.attach_container.describe("web", stdin=True).request
    assert attach.target == "/containers/web/attach?stream=1&stdin=1&stdout=1&stderr=1"
