"""How rawdock behaves when the other side misbehaves, against a scripted fake daemon.

For every misbehaviour the promise is the same: a specific rawdock error (ProtocolError,
Timeout or TransportError; never a raw OSError or socket.timeout), raised within the configured
timeout, no partial body handed over as if complete, no socket left open, and the next request
on the same client works.

What the read timeout means: it bounds each wait for bytes from the daemon, like a socket
timeout, not the whole response. A daemon that drips a response one byte at a time, each byte
sooner than the timeout, is slow but alive, and the request succeeds however long it takes in
all, unless a deadline is set (tests/test_faults.py). The bodies that may be quiet (logs
follow, events, wait) have no read timeout, though their heads do;
`wait_container(timeout=...)` is a deadline for the whole call, set explicitly.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fake_daemon import FakeDaemon, Peer, Script, answer, chunked, response

import rawdock
from rawdock import transport
from rawdock.api import API
from rawdock.transport import Endpoint, _cannot_connect
from rawdock.wire import MAX_HEADER_BYTES

#: The client's read (and connect) timeout in these tests.
TIMEOUT = 0.5
#: Generous slack on "raised within the timeout": loaded CI machines are slow.
SLACK = 3.0
#: What the well-behaved connection after each misbehaving one answers.
NEXT = [{"Id": "next"}]

JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
CHUNKED_HEAD = JSON_HEAD + b"Transfer-Encoding: chunked\r\n\r\n"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[transport.Connection]:
    """Every Connection the transport opens during the test, to check none is left open."""
    made: list[transport.Connection] = []

    class Tracked(transport.Connection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(transport, "Connection", Tracked)
    return made


def assert_no_leak(client: rawdock.Client, opened: list[transport.Connection]) -> None:
    """Every socket the client opened is closed, or idle in its pool for reuse."""
    idle = {id(conn) for conn in client.transport._idle}
    left = [conn for conn in opened if conn.sock.fileno() >= 0 and id(conn) not in idle]
    assert not left, f"{len(left)} connection(s) left open outside the pool"


# --- Scripts ----------------------------------------------------------------------------------


def send_then_close(*data: bytes) -> Script:
    def script(peer: Peer) -> None:
        peer.read_request()
        for piece in data:
            peer.send(piece)
        peer.close()

    return script


def send_then_hang(*data: bytes) -> Script:
    """Send, then keep the connection open: the error must come from the bytes, not an EOF.
    The script ends when the client closes its end, so a leaked socket would hang it."""

    def script(peer: Peer) -> None:
        peer.read_request()
        for piece in data:
            peer.send(piece)
        peer.hang()

    return script


def never_answer(peer: Peer) -> None:
    peer.read_request()
    peer.hang()


def drip_slower_than_timeout(peer: Peer) -> None:
    peer.read_request()
    peer.drip(response(200, b"[]"), TIMEOUT * 3)


def reset_mid_response(peer: Peer) -> None:
    # A Unix socket resets (ECONNRESET at the client) only when closed with unread bytes.
    peer.read_request(peek=True)
    peer.send(JSON_HEAD + b'Content-Length: 100\r\n\r\n[{"Id":')
    peer.sleep(0.05)  # let the partial response reach the client before the reset
    peer.reset()


def reset_before_response(peer: Peer) -> None:
    peer.read_request(peek=True)
    peer.reset()


#: Bytes the endless-header script managed to send before the client gave up.
endless_sent: list[int] = []


def endless_header(peer: Peer) -> None:
    peer.read_request()
    peer.send(JSON_HEAD)
    line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    endless_sent.append(len(JSON_HEAD))
    try:
        while True:  # until the client closes: then sendall raises EPIPE / ECONNRESET
            peer.send(line)
            endless_sent[-1] += len(line)
    except OSError:
        pass


# (case id, script, error the request raises, whether it is a timeout)
CASES: list[tuple[str, Script, type[Exception] | tuple[type[Exception], ...]]] = [
    (
        "head-cut-off-then-close",
        send_then_close(b"HTTP/1.1 200 OK\r\nContent-Ty"),
        rawdock.ProtocolError,
    ),
    ("status-line-only-then-close", send_then_close(b"HTTP/1.1 200 OK\r\n"), rawdock.ProtocolError),
    (
        "body-shorter-than-content-length",
        send_then_close(JSON_HEAD + b'Content-Length: 100\r\n\r\n[{"Id":"x"}]'),
        rawdock.ProtocolError,
    ),
    ("eof-inside-a-chunk", send_then_close(CHUNKED_HEAD + b'40\r\n[{"Id":'), rawdock.ProtocolError),
    (
        "eof-before-last-chunk",
        send_then_close(CHUNKED_HEAD + b"2\r\n[]\r\n"),
        rawdock.ProtocolError,
    ),
    (
        "invalid-chunk-size",
        send_then_hang(CHUNKED_HEAD + b"zz\r\n[]\r\n0\r\n\r\n"),
        rawdock.ProtocolError,
    ),
    (
        "chunk-size-of-40-hex-digits",
        send_then_hang(CHUNKED_HEAD + b"f" * 40 + b"\r\n[]\r\n"),
        rawdock.ProtocolError,
    ),
    (
        "chunk-data-not-followed-by-crlf",
        send_then_hang(CHUNKED_HEAD + b"2\r\n[]XX0\r\n\r\n"),
        rawdock.ProtocolError,
    ),
    ("endless-header-section", endless_header, rawdock.ProtocolError),
    ("accepts-and-never-answers", never_answer, rawdock.Timeout),
    ("drips-slower-than-the-timeout", drip_slower_than_timeout, rawdock.Timeout),
    ("reset-mid-response", reset_mid_response, rawdock.TransportError),
    ("reset-before-any-response", reset_before_response, rawdock.TransportError),
    (
        "not-http-then-close",
        send_then_close(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
        rawdock.ProtocolError,
    ),
    (
        "not-http-with-blank-line",
        send_then_hang(b"<html><body>hello</body></html>\r\n\r\n"),
        rawdock.ProtocolError,
    ),
    (
        "tls-alert-to-a-plain-client",
        send_then_close(b"\x15\x03\x01\x00\x02\x02\x46"),
        rawdock.ProtocolError,
    ),
    # An SSH banner with no blank line after it: the parser refuses it on its first bytes,
    # without waiting for the end of a head that never comes.
    (
        "not-http-and-silent",
        send_then_hang(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
        rawdock.ProtocolError,
    ),
]


@pytest.mark.parametrize(("script", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_misbehaving_daemon(
    fake: FakeDaemon,
    opened: list[transport.Connection],
    script: Script,
    expected: type[Exception] | tuple[type[Exception], ...],
) -> None:
    fake.script(script, answer(200, NEXT))
    with fake.client(timeout=TIMEOUT) as client:
        started = time.monotonic()
        with pytest.raises(rawdock.RawdockError) as caught:
            client.containers()
        elapsed = time.monotonic() - started
        # Exactly the promised class: a Timeout where a reset was expected would mislead.
        expected_types = expected if isinstance(expected, tuple) else (expected,)
        assert type(caught.value) in expected_types, repr(caught.value)
        assert not isinstance(caught.value, (OSError, socket.timeout))
        assert elapsed < TIMEOUT + SLACK
        assert_no_leak(client, opened)
        # The same client goes on working, on a fresh connection.
        assert client.containers() == NEXT
        assert fake.connections == 2
    assert_no_leak(client, opened)


def test_endless_header_section_is_cut_off_at_the_limit(fake: FakeDaemon) -> None:
    """The 64 KiB limit trips while bytes arrive: the client stops reading and hangs up long
    before the daemon could fill memory (what it sent is bounded by the limit, one read and the
    socket buffers)."""
    endless_sent.clear()
    fake.script(endless_header)
    with fake.client(timeout=TIMEOUT) as client:
        with pytest.raises(rawdock.ProtocolError, match="header section larger"):
            client.containers()
    fake.stop()
    assert endless_sent and MAX_HEADER_BYTES < endless_sent[0] < 4 * 1024 * 1024


def test_dripping_daemon_within_the_timeout_works(fake: FakeDaemon) -> None:
    """The read timeout is per read: a response dripped one byte every TIMEOUT/10 takes far
    longer than TIMEOUT in all, and still succeeds."""
    raw = response(200, b'[{"Id":"drip"}]')
    assert len(raw) * TIMEOUT / 10 > 2 * TIMEOUT  # the whole takes longer than one timeout

    def drip(peer: Peer) -> None:
        peer.read_request()
        peer.drip(raw, TIMEOUT / 10)
        peer.wait_for_close()

    fake.script(drip)
    with fake.client(timeout=TIMEOUT) as client:
        assert client.containers() == [{"Id": "drip"}]


# --- Streams: no partial body handed over as complete -------------------------------------------

STREAM_CASES = [
    ("body-shorter-than-content-length", JSON_HEAD + b"Content-Length: 100\r\n\r\nabcdef"),
    ("eof-inside-a-chunk", CHUNKED_HEAD + b"6\r\nabcdef\r\n40\r\nghi"),
    ("eof-before-last-chunk", CHUNKED_HEAD + b"6\r\nabcdef\r\n"),
]


@pytest.mark.parametrize("sent", [c[1] for c in STREAM_CASES], ids=[c[0] for c in STREAM_CASES])
def test_truncated_stream_raises_instead_of_ending(
    fake: FakeDaemon, opened: list[transport.Connection], sent: bytes
) -> None:
    """A byte stream (docker save) cut short raises at the cut: iterating it never just stops
    as if the archive were complete."""
    fake.script(send_then_close(sent), answer(200, NEXT))
    with fake.client(timeout=TIMEOUT) as client:
        received = b""
        with pytest.raises(rawdock.ProtocolError):
            for piece in client.get_image("busybox"):
                received += piece
        assert b"abcdefghi".startswith(received)  # whatever came, then the error
        assert_no_leak(client, opened)
        assert client.containers() == NEXT


def test_reset_inside_a_stream_raises_transport_error(
    fake: FakeDaemon, opened: list[transport.Connection]
) -> None:
    def script(peer: Peer) -> None:
        peer.read_request(peek=True)
        peer.send(CHUNKED_HEAD + b"6\r\nabcdef\r\n")
        peer.sleep(0.05)
        peer.reset()

    fake.script(script, answer(200, NEXT))
    with fake.client(timeout=TIMEOUT) as client:
        stream = client.get_image("busybox")
        assert next(stream) == b"abcdef"
        with pytest.raises(rawdock.TransportError) as caught:
            next(stream)
        assert type(caught.value) is rawdock.TransportError
        assert_no_leak(client, opened)
        assert client.containers() == NEXT


# --- Keep-alive ---------------------------------------------------------------------------------


def test_idle_connection_closed_by_daemon_is_replaced(
    fake: FakeDaemon, opened: list[transport.Connection]
) -> None:
    closed = threading.Event()

    def answer_then_close_while_idle(peer: Peer) -> None:
        peer.read_request()
        peer.send(response(200, b"[1]"))  # keep-alive: the client pools the connection
        peer.close()
        closed.set()

    fake.script(answer_then_close_while_idle, answer(200, [2]))
    with fake.client() as client:
        assert client.containers() == [1]
        assert len(client.transport._idle) == 1
        assert closed.wait(5)
        assert client.containers() == [2]
        assert fake.connections == 2
        assert_no_leak(client, opened)


def test_only_a_post_checks_its_idle_connection_first(
    fake: FakeDaemon, opened: list[transport.Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GET goes out on an idle connection unchecked (a dead one shows itself by an EOF, and
    the GET is resent); a POST, which cannot be resent, checks first (a system call), finds this
    one closed by the daemon and takes a new connection."""
    checks: list[bool] = []
    is_stale = transport.Connection.is_stale

    def spy(conn: transport.Connection) -> bool:
        checks.append(is_stale(conn))
        return checks[-1]

    monkeypatch.setattr(transport.Connection, "is_stale", spy)
    closed = threading.Event()

    def answer_twice_then_close_while_idle(peer: Peer) -> None:
        for _ in range(2):
            peer.read_request()
            peer.send(response(200, b"[1]"))
        peer.close()
        closed.set()

    fake.script(answer_twice_then_close_while_idle, answer(204, b""))
    with fake.client() as client:
        assert client.containers() == [1]
        assert client.containers() == [1]  # reused, unchecked
        assert checks == []
        assert closed.wait(5)
        assert client.start_container("web") is None
        assert checks == [True]
        assert fake.connections == 2
        assert len([r for r in fake.requests if r.startswith(b"POST ")]) == 1
        assert_no_leak(client, opened)


def _answer_once_then_die_on_next_request(peer: Peer) -> None:
    peer.read_request()
    peer.send(response(200, b"[1]"))
    peer.read_request()  # the second request arrives on the kept-alive connection...
    peer.close()  # ...and the daemon dies without a word


def test_get_on_a_reused_connection_that_dies_is_retried(fake: FakeDaemon) -> None:
    """Nothing of the response came back and GET is idempotent: sent again, transparently."""
    fake.script(_answer_once_then_die_on_next_request, answer(200, [2]))
    with fake.client() as client:
        assert client.containers() == [1]
        assert client.containers() == [2]
    assert [r.split(b" ")[1] for r in fake.requests] == [b"/v1.41/containers/json"] * 3


def test_post_is_never_sent_twice(fake: FakeDaemon, opened: list[transport.Connection]) -> None:
    """The daemon may have acted on a POST it received before dying: resending could start,
    kill or create twice. The error goes to the caller, and no second connection is made."""
    fake.script(_answer_once_then_die_on_next_request)
    with fake.client() as client:
        assert client.containers() == [1]
        with pytest.raises(rawdock.ProtocolError):
            client.kill_container("web")
        # Any retry would have arrived as an unscripted connection (the fixture counts them).
        assert fake.connections == 1
        kills = [r for r in fake.requests if r.startswith(b"POST ")]
        assert len(kills) == 1
        assert_no_leak(client, opened)
        fake.script(answer(204, b""))
        client.kill_container("web")


# --- Streams closed early -----------------------------------------------------------------------


def _stream_then_wait(head: bytes, first: bytes, hung_up: threading.Event) -> Script:
    """Answer with a stream's head and first item, then wait for the client to hang up."""

    def script(peer: Peer) -> None:
        peer.read_request()
        peer.send(head + b"%x\r\n%s\r\n" % (len(first), first))
        peer.wait_for_close()
        hung_up.set()

    return script


def test_events_stream_closed_early_closes_its_connection(
    fake: FakeDaemon, opened: list[transport.Connection]
) -> None:
    hung_up = threading.Event()
    fake.script(_stream_then_wait(CHUNKED_HEAD, b'{"Type":"container"}\n', hung_up))
    with fake.client() as client:
        events = client.events()
        assert next(events) == {"Type": "container"}
        events.close()  # type: ignore[attr-defined]
        assert hung_up.wait(5), "the daemon never saw the client hang up"
        assert_no_leak(client, opened)
        assert not client.transport._idle  # a half-read stream is never pooled


def test_logs_stream_abandoned_with_break_closes_its_connection(
    fake: FakeDaemon, opened: list[transport.Connection]
) -> None:
    hung_up = threading.Event()
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    frame = b"\x01\x00\x00\x00\x00\x00\x00\x06hello\n"
    fake.script(_stream_then_wait(head, frame, hung_up))
    with fake.client() as client:
        for stream_name, data in client.logs("web", follow=True):
            assert (stream_name, data) == ("stdout", b"hello\n")
            break
        # `break` leaves the Stream to the garbage collector; CPython frees it at once.
        assert hung_up.wait(5), "the daemon never saw the client hang up"
        assert_no_leak(client, opened)


# --- Timeouts that mean what they say -----------------------------------------------------------


def test_quiet_streams_have_no_read_timeout() -> None:
    """Logs (follow), events and wait may be silent for hours; that is not a dead daemon."""
    assert API.events.describe().timeout is None
    assert API.logs.describe("web", follow=True).timeout is None
    assert API.wait_container.describe("web").timeout is None
    assert API.wait_container.describe("web", timeout=3).deadline == 3


def _quiet_then(head: bytes, later: bytes, quiet: float) -> Script:
    def script(peer: Peer) -> None:
        peer.read_request()
        peer.send(head)
        peer.sleep(quiet)
        peer.send(later)
        peer.wait_for_close()

    return script


def test_quiet_events_stream_outlives_the_read_timeout(fake: FakeDaemon) -> None:
    item = b'{"status":"start"}\n'
    fake.script(_quiet_then(CHUNKED_HEAD, chunked(item), quiet=TIMEOUT * 3))
    with fake.client(timeout=TIMEOUT) as client:
        assert list(client.events()) == [{"status": "start"}]


def test_quiet_logs_follow_outlives_the_read_timeout(fake: FakeDaemon) -> None:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    frame = b"\x02\x00\x00\x00\x00\x00\x00\x04late"
    fake.script(_quiet_then(head, chunked(frame), quiet=TIMEOUT * 3))
    with fake.client(timeout=TIMEOUT) as client:
        assert list(client.logs("web", follow=True)) == [("stderr", b"late")]


def test_wait_without_timeout_waits_as_long_as_the_container_runs(fake: FakeDaemon) -> None:
    # Like the daemon: the head goes out at once, the body when the container exits.
    fake.script(_quiet_then(CHUNKED_HEAD, chunked(b'{"StatusCode":3}\n'), quiet=TIMEOUT * 3))
    with fake.client(timeout=TIMEOUT) as client:
        assert client.wait_container("web") == {"StatusCode": 3}


def test_wait_with_timeout_is_a_deadline(
    fake: FakeDaemon, opened: list[transport.Connection]
) -> None:
    fake.script(_quiet_then(CHUNKED_HEAD, b"", quiet=60), answer(200, NEXT))
    with fake.client(timeout=60) as client:
        started = time.monotonic()
        with pytest.raises(rawdock.Timeout):
            client.wait_container("web", timeout=TIMEOUT)
        assert time.monotonic() - started < TIMEOUT + SLACK
        assert_no_leak(client, opened)
        assert client.containers() == NEXT


def test_wait_deadline_holds_against_a_dripping_daemon(fake: FakeDaemon) -> None:
    """Each byte comes sooner than any read timeout, but the whole answer later than the
    deadline: the deadline still ends the call."""

    def drip_body(peer: Peer) -> None:
        peer.read_request()
        peer.send(CHUNKED_HEAD)
        peer.drip(chunked(b'{"StatusCode":0}' + b" " * 40), TIMEOUT / 4)
        peer.wait_for_close()

    fake.script(drip_body, answer(200, NEXT))
    with fake.client(timeout=60) as client:
        started = time.monotonic()
        with pytest.raises(rawdock.Timeout):
            client.wait_container("web", timeout=TIMEOUT)
        assert time.monotonic() - started < TIMEOUT + SLACK
        assert client.containers() == NEXT


def test_ordinary_request_read_timeout(fake: FakeDaemon) -> None:
    fake.script(never_answer)
    with fake.client(timeout=TIMEOUT) as client:
        started = time.monotonic()
        with pytest.raises(rawdock.Timeout, match="timed out waiting"):
            client.version()
        assert time.monotonic() - started < TIMEOUT + SLACK


# --- Connecting -------------------------------------------------------------------------------


@pytest.fixture
def full_unix_listener() -> Iterator[str]:
    """A Unix socket that listens but never accepts, its accept queue already full."""
    directory = tempfile.mkdtemp(prefix="rawdock-full-")
    path = os.path.join(directory, "docker.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    fillers: list[socket.socket] = []
    try:
        listener.bind(path)
        listener.listen(0)
        while True:  # Linux queues backlog + 1; fill until the next connect would wait
            filler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            filler.setblocking(False)
            fillers.append(filler)
            try:
                filler.connect(path)
            except BlockingIOError:
                break
            assert len(fillers) < 100, "the accept queue never filled"
        yield path
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
        shutil.rmtree(directory)


def test_connect_timeout_on_unix_socket_with_full_backlog(full_unix_listener: str) -> None:
    """A daemon too busy to accept is waited for up to the connect timeout, then Timeout.
    (Before the fix, a Unix connect failed at once with EAGAIN, as DaemonUnreachable.)"""
    client = rawdock.Client(host=f"unix://{full_unix_listener}", version="1.41", timeout=TIMEOUT)
    with client:
        started = time.monotonic()
        with pytest.raises(rawdock.Timeout, match="timed out connecting"):
            client.containers()
        elapsed = time.monotonic() - started
    assert TIMEOUT * 0.9 <= elapsed < TIMEOUT + SLACK  # it did wait: EAGAIN was retried


def test_connect_timeout_is_separate_from_read_timeout(full_unix_listener: str) -> None:
    client = rawdock.Client(
        host=f"unix://{full_unix_listener}", version="1.41", timeout=60, connect_timeout=TIMEOUT
    )
    with client:
        started = time.monotonic()
        with pytest.raises(rawdock.Timeout):
            client.containers()
        assert time.monotonic() - started < TIMEOUT + SLACK


def test_connect_timeout_on_tcp_with_full_backlog() -> None:
    """On TCP a full accept queue drops the SYN, so connect waits: Timeout, not unreachable."""
    listener = socket.socket()
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(2):  # backlog 0 queues one; a second fills nothing but makes sure
            filler = socket.socket()
            filler.settimeout(0.2)
            fillers.append(filler)
            try:
                filler.connect(("127.0.0.1", port))
            except OSError:
                break
        with rawdock.Client(host=f"tcp://127.0.0.1:{port}", version="1.41", timeout=TIMEOUT) as c:
            started = time.monotonic()
            with pytest.raises(rawdock.Timeout):
                c.containers()
            assert time.monotonic() - started < TIMEOUT + SLACK
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_missing_socket_is_daemon_unreachable(tmp_path: Any) -> None:
    url = f"unix://{tmp_path}/docker.sock"
    with rawdock.Client(host=url, version="1.41", timeout=TIMEOUT) as client:
        with pytest.raises(rawdock.DaemonUnreachable) as caught:
            client.containers()
    assert str(caught.value) == (
        f"Cannot connect to the Docker daemon at {url}. Is the docker daemon running?"
    )


def test_refused_socket_is_daemon_unreachable(tmp_path: Any) -> None:
    """A socket file nobody listens on any more (a daemon that died) refuses connections."""
    path = str(tmp_path / "docker.sock")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.close()
    with rawdock.Client(host=f"unix://{path}", version="1.41", timeout=TIMEOUT) as client:
        with pytest.raises(rawdock.DaemonUnreachable, match="Is the docker daemon running"):
            client.ping()


def test_permission_denied_maps_to_the_docker_group_fix() -> None:
    error = _cannot_connect(
        Endpoint("unix:///var/run/docker.sock", "unix", path="/var/run/docker.sock"),
        PermissionError(errno.EACCES, "Permission denied"),
    )
    assert type(error) is rawdock.DaemonUnreachable
    assert str(error).startswith(
        "permission denied while trying to connect to the Docker daemon socket at "
        "unix:///var/run/docker.sock"
    )
    assert "'docker' group" in str(error)


NOBODY = 65534
PERMISSION_PROBE = """
import sys
import rawdock
try:
    rawdock.Client(host=sys.argv[1], version="1.41", timeout=2).ping()
except rawdock.DaemonUnreachable as exc:
    print(type(exc).__name__, exc, sep=": ")
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root+setpriv")
def test_permission_denied_socket_for_a_real_unprivileged_user(fake: FakeDaemon) -> None:
    """Root ignores file modes, so the connect runs in a subprocess of root without the
    capabilities that let it (not as `nobody`, who cannot run an interpreter kept under /root,
    as pyenv's are): a socket of another user's without write permission for others refuses
    with EACCES, which must read like the docker CLI's message and name the fix."""
    os.chown(fake.path, NOBODY, NOBODY)  # as a docker group the caller is not in
    os.chmod(fake.path, 0o660)
    root = os.path.dirname(os.path.dirname(rawdock.__file__))
    without_dac_override = "-dac_override,-dac_read_search"
    result = subprocess.run(
        [
            "setpriv",
            f"--inh-caps={without_dac_override}",
            f"--bounding-set={without_dac_override}",
            sys.executable,
            "-c",
            PERMISSION_PROBE,
            fake.url,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": root},
        cwd="/",
    )
    assert result.stdout.startswith(
        f"DaemonUnreachable: permission denied while trying to connect to the Docker daemon "
        f"socket at {fake.url}: add your user to the 'docker' group"
    ), result.stdout + result.stderr
    assert fake.connections == 0


# --- Against the real engine --------------------------------------------------------------------


def test_quiet_logs_follow_on_the_engine_outlives_the_read_timeout(
    make_container: Callable[..., dict[str, Any]], client: rawdock.Client
) -> None:
    """A container silent for 2 s, followed by a client whose read timeout is 0.5 s."""
    container = make_container(Cmd=["sh", "-c", "sleep 2; echo late"])["Id"]
    client.start_container(container)
    with rawdock.Client(timeout=TIMEOUT) as impatient:
        assert list(impatient.logs(container, follow=True)) == [("stdout", b"late\n")]


def test_wait_with_timeout_on_the_engine(
    make_container: Callable[..., dict[str, Any]], client: rawdock.Client
) -> None:
    container = make_container(Cmd=["sleep", "30"])["Id"]
    client.start_container(container)
    started = time.monotonic()
    with pytest.raises(rawdock.Timeout):
        client.wait_container(container, timeout=TIMEOUT)
    assert time.monotonic() - started < TIMEOUT + SLACK
    client.kill_container(container)
    assert client.wait_container(container, timeout=30)["StatusCode"] == 137
