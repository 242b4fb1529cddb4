"""No daemon can hold a client: issue 19's scenarios, each on the sync and the asyncio client.

- A daemon restart leaves the pool full of dead connections: the first call after it succeeds
  on a fresh one, and a daemon still down is DaemonUnreachable in docker's words.
- A silent daemon, one that stalls after the head, and one that sends a byte a second: every
  kind of call (plain, stream, follow stream, wait, progress, archive, build, attach, and the
  calls the daemon answers once its work is done) fails within its bound.
- Bad arguments are InvalidArgument, raised before anything is sent, for every public method.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aio_adapter import BlockingAioClient
from fake_daemon import FakeDaemon, Peer, Script, response

import rawdock
import rawdock.aio
from rawdock.api import DAEMON_WORK, Call, Endpoints, StreamCall
from rawdock.api import containers as api_containers
from rawdock.api import images as api_images
from rawdock.api import plugins as api_plugins
from rawdock.api import swarm as api_swarm
from rawdock.api import system as api_system
from rawdock.api import volumes as api_volumes

#: The read timeout (and connect timeout) of these tests' clients.
TIMEOUT = 0.5
#: The deadline of the tests that set one.
DEADLINE = 1.0
#: Generous slack on "raised within the bound": loaded CI machines are slow.
SLACK = 3.0
#: Idle connections the restart scenario leaves in the pool (the sync pool keeps four).
POOLED = 4

CHUNKED_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
)
TAR_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"
)
LOGS_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)


@pytest.fixture(params=["sync", "aio"])
def make_client(request: pytest.FixtureRequest, fake: FakeDaemon) -> Iterator[Callable[..., Any]]:
    """Makes a client of the kind under test aimed at the fake daemon (closed at the end)."""
    made: list[Any] = []

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("version", "1.41")
        kwargs.setdefault("timeout", TIMEOUT)
        if request.param == "sync":
            client: Any = rawdock.Client(host=fake.url, **kwargs)
        else:
            client = BlockingAioClient(host=fake.url, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def with_deadline(client: Any, seconds: float) -> Any:
    """`client.with_deadline(seconds)`, for the adapter too."""
    if isinstance(client, BlockingAioClient):
        twin = object.__new__(BlockingAioClient)
        twin.__dict__.update(client.__dict__)
        twin.aio = client.aio.with_deadline(seconds)
        return twin
    return client.with_deadline(seconds)


# --- A daemon restart -------------------------------------------------------------------------


def answer_then_close(pooled: threading.Barrier | None = None) -> Script:
    """Answer one request with `Content-Length: 2` (keep-alive, so the client pools the
    connection), then close it: what a daemon restart does to every idle connection."""

    def script(peer: Peer) -> None:
        if not peer.read_request():
            return
        if pooled is not None:
            pooled.wait(10)  # all the connections are open at once, as under load
        peer.send(response(200, b"[]"))
        peer.close()

    return script


def fill_pool_then_restart(fake: FakeDaemon, client: Any) -> None:
    """Four threads each leave a connection idle in the pool; then the daemon closes them all."""
    barrier = threading.Barrier(POOLED)
    fake.script(*[answer_then_close(barrier) for _ in range(POOLED)])
    threads = [threading.Thread(target=client.containers) for _ in range(POOLED)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert fake.connections == POOLED
    time.sleep(0.1)  # the closes reach the client


@pytest.mark.parametrize("call", ["containers", "start_container"])
def test_first_call_after_a_restart_succeeds(
    fake: FakeDaemon, make_client: Callable[..., Any], call: str
) -> None:
    """Before: the one resend took another dead pooled connection, and the call failed."""
    client = make_client()
    fill_pool_then_restart(fake, client)
    fake.script(answer_then_close())  # the daemon is back
    if call == "containers":
        assert client.containers() == []
    else:
        client.start_container("web")
    assert fake.connections == POOLED + 1  # one fresh connection, no second resend


def test_a_daemon_still_down_is_daemon_unreachable(
    fake: FakeDaemon, make_client: Callable[..., Any]
) -> None:
    """Before: "[Errno 32] Broken pipe" or an EOF, from a second dead pooled connection."""
    client = make_client()
    fill_pool_then_restart(fake, client)
    fake.stop()  # the daemon is gone: its socket too
    for call in (client.containers, lambda: client.start_container("web")):
        with pytest.raises(rawdock.DaemonUnreachable) as caught:
            call()
        assert str(caught.value) == (
            f"Cannot connect to the Docker daemon at {fake.url}. Is the docker daemon running?"
        )


# --- Silent, stalled and dripping daemons -----------------------------------------------------


def silent(peer: Peer) -> None:
    peer.read_request()
    peer.hang()


def head_then_stall(head: bytes) -> Script:
    def script(peer: Peer) -> None:
        peer.read_request()
        peer.send(head)
        peer.hang()

    return script


def drip(data: bytes) -> Script:
    """A byte every TIMEOUT / 5 seconds: each sooner than the read timeout, forever."""

    def script(peer: Peer) -> None:
        peer.read_request()
        peer.drip(data, TIMEOUT / 5)
        peer.hang()

    return script


def frame(data: bytes) -> bytes:
    return b"\x01\x00\x00\x00" + len(data).to_bytes(4, "big") + data


#: A body long enough that dripping it takes far longer than any bound here.
SLOW_JSON = b"[" + b" " * 1000 + b"]"
SLOW_CHUNKS = b"".join(b"1\r\n \r\n" for _ in range(400))

# (kind, how the call runs, head of its response, body to drip after the head)
KINDS: list[tuple[str, Callable[[Any], object], bytes, bytes]] = [
    (
        "plain",
        lambda client: client.containers(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 1002\r\n\r\n",
        SLOW_JSON,
    ),
    ("stream", lambda client: list(client.logs("web", stdout=True)), LOGS_HEAD, SLOW_CHUNKS),
    ("follow", lambda client: list(client.logs("web", follow=True)), LOGS_HEAD, SLOW_CHUNKS),
    ("events", lambda client: list(client.events()), CHUNKED_HEAD, SLOW_CHUNKS),
    ("wait", lambda client: client.wait_container("web"), CHUNKED_HEAD, SLOW_CHUNKS),
    ("progress", lambda client: list(client.pull("x", tag="1")), CHUNKED_HEAD, SLOW_CHUNKS),
    ("archive", lambda client: list(client.get_archive("web", "/")), TAR_HEAD, SLOW_CHUNKS),
    ("build", lambda client: list(client.build(b"tar")), CHUNKED_HEAD, SLOW_CHUNKS),
]
#: Kinds whose body waits for events by design (containers that run as long as they run):
#: only a deadline given for them cuts them off.
WAITING = {"follow", "events", "wait"}
#: Kinds whose head waits for the daemon's work too (a registry, a build's context), and whose
#: body does (a build step may be quiet for minutes): the read timeout plus the work bounds
#: them, and the client's deadline leaves the body's alone.
HEAD_WORK = {"progress", "build"}
BODY_WORK = {"build"}


def expect_timeout(run: Callable[[], object], bound: float) -> None:
    """`run()` raises rawdock.Timeout within `bound` seconds (and SLACK). It runs in a thread
    of its own, so that a call without a bound fails the test rather than hanging it."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            run()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 -- handed over to the test
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(bound + SLACK)
    assert outcome, f"still waiting {bound + SLACK:g} s later: the call has no bound"
    assert isinstance(outcome[0], rawdock.Timeout), repr(outcome[0])


@pytest.mark.usefixtures("short_work")
@pytest.mark.parametrize("kind", [k[0] for k in KINDS])
def test_a_silent_daemon_times_out_before_the_head(
    fake: FakeDaemon, make_client: Callable[..., Any], kind: str
) -> None:
    """Before: the streams and wait had no bound at all, and hung for ever."""
    _, run, _, _ = next(k for k in KINDS if k[0] == kind)
    fake.script(silent)
    client = make_client()
    expect_timeout(lambda: run(client), TIMEOUT + (WORK if kind in HEAD_WORK else 0))


@pytest.mark.parametrize(
    "run",
    [
        lambda client: client.attach_container("web", tty=False),
        lambda client: client.exec_start("e1", tty=False),
    ],
    ids=["attach", "exec"],
)
def test_a_silent_daemon_times_out_before_the_upgrade(
    fake: FakeDaemon, make_client: Callable[..., Any], run: Callable[[Any], object]
) -> None:
    """After the 101 a session is the caller's; until then, the read timeout holds."""
    fake.script(silent)
    client = make_client()
    expect_timeout(lambda: run(client), TIMEOUT)


@pytest.mark.usefixtures("short_work")
@pytest.mark.parametrize("kind", [k[0] for k in KINDS])
def test_a_daemon_stalled_after_the_head(
    fake: FakeDaemon, make_client: Callable[..., Any], kind: str
) -> None:
    """The body of a plain call or a finite stream has the read timeout, a build's the read
    timeout plus the work (before: none); one that waits for events by design waits, until a
    deadline given for it."""
    _, run, head, _ = next(k for k in KINDS if k[0] == kind)
    fake.script(head_then_stall(head))
    client = make_client()
    if kind in WAITING:
        client = with_deadline(client, DEADLINE)
        expect_timeout(lambda: run(client), DEADLINE)
    else:
        expect_timeout(lambda: run(client), TIMEOUT + (WORK if kind in BODY_WORK else 0))


@pytest.mark.parametrize("kind", [k[0] for k in KINDS])
def test_a_daemon_sending_a_byte_at_a_time_is_cut_off_by_the_deadline(
    fake: FakeDaemon, make_client: Callable[..., Any], kind: str
) -> None:
    """Before: each byte came within the read timeout, and the call went on for ever."""
    _, run, head, body = next(k for k in KINDS if k[0] == kind)
    fake.script(drip(head + body))
    client = make_client(deadline=DEADLINE)
    if kind in WAITING | BODY_WORK:  # the client's deadline leaves them alone: their own
        client = with_deadline(client, DEADLINE)
    expect_timeout(lambda: run(client), DEADLINE)


def test_the_client_deadline_leaves_follow_streams_alone(
    fake: FakeDaemon, make_client: Callable[..., Any]
) -> None:
    def quiet_then_item(peer: Peer) -> None:
        peer.read_request()
        peer.send(LOGS_HEAD)
        peer.sleep(DEADLINE * 2)
        item = frame(b"late")
        peer.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(item), item))
        peer.wait_for_close()

    fake.script(quiet_then_item)
    client = make_client(deadline=DEADLINE)
    assert list(client.logs("web", follow=True)) == [("stdout", b"late")]


def test_wait_with_its_timeout_is_bounded_by_it(
    fake: FakeDaemon, make_client: Callable[..., Any]
) -> None:
    fake.script(head_then_stall(CHUNKED_HEAD))
    client = make_client()
    expect_timeout(lambda: client.wait_container("web", timeout=DEADLINE), DEADLINE)


# --- Calls the daemon answers once its work is done -------------------------------------------

#: The daemon's work these tests allow such calls (DAEMON_WORK, five minutes, is patched).
WORK = 0.5
#: The grace period the stop and restart calls here ask for.
GRACE = 1

#: The calls whose head waits for the daemon's work, and how long that work may take.
WORK_CALLS: dict[str, tuple[Callable[[Any], object], float]] = {
    "stop -t": (lambda client: client.stop_container("web", timeout=GRACE), GRACE),
    "restart -t": (lambda client: client.restart_container("web", timeout=GRACE), GRACE),
    "stop": (lambda client: client.stop_container("web"), WORK),
    "restart": (lambda client: client.restart_container("web"), WORK),
    "put_archive": (lambda client: client.put_archive("web", "/", b"tar"), WORK),
    "put_archive chunked": (lambda client: client.put_archive("web", "/", [b"tar"]), WORK),
    "commit": (lambda client: client.commit("web"), WORK),
    "prune_containers": (lambda client: client.prune_containers(), WORK),
    "prune_images": (lambda client: client.prune_images(), WORK),
    "prune_volumes": (lambda client: client.prune_volumes(), WORK),
    "prune_builds": (lambda client: client.prune_builds(), WORK),
    "df": (lambda client: client.df(), WORK),
    "search": (lambda client: client.search("x"), WORK),
    "login": (lambda client: client.login("ann", "s3cret", "127.0.0.1:1"), WORK),
    "inspect_distribution": (lambda client: client.inspect_distribution("x"), WORK),
    "swarm_join": (lambda client: client.swarm_join(["127.0.0.1:1"], "token"), WORK),
    "swarm_leave": (lambda client: client.swarm_leave(), WORK),
    "plugin_privileges": (lambda client: client.plugin_privileges("x"), WORK),
    "enable_plugin": (lambda client: client.enable_plugin("p"), WORK),
    "create_plugin": (lambda client: client.create_plugin("p", b"tar"), WORK),
}
#: The streams whose head waits for the daemon's work (a quiet load answers once the image is
#: loaded, a save once the layers are written out, a pull once the registry has answered).
WORK_STREAMS: dict[str, Callable[[Any], object]] = {
    "load_image quiet": lambda client: list(client.load_image(b"tar", quiet=True)),
    "load_image chunked": lambda client: list(client.load_image([b"tar"])),
    "import_image": lambda client: list(client.import_image(b"tar", "x")),
    "import_image url": lambda client: list(client.import_image("http://127.0.0.1:1/x.tar")),
    "get_image": lambda client: list(client.get_image("x")),
    "get_images": lambda client: list(client.get_images(["x", "y"])),
    "export_container": lambda client: list(client.export_container("web")),
    "pull": lambda client: list(client.pull("x", tag="1")),
    "pull_plugin": lambda client: list(client.pull_plugin("x", [])),
    "build": lambda client: list(client.build(b"tar")),
}
WORK_CALLS.update({name: (run, WORK) for name, run in WORK_STREAMS.items()})


@pytest.fixture
def short_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """DAEMON_WORK as WORK, in every module that declares calls with it."""
    for module in (api_containers, api_images, api_plugins, api_swarm, api_system, api_volumes):
        monkeypatch.setattr(module, "DAEMON_WORK", WORK)


def test_every_call_waits_a_bounded_time_for_its_head() -> None:
    """No I/O: the bounds each endpoint's call gets from a client with a timeout and no
    deadline. Every head has a finite bound: the timeout, or the timeout plus the daemon's
    work; only the bodies that wait for events by design have none."""
    client = rawdock.Client(host="unix:///nonexistent", version="1.41", timeout=TIMEOUT)
    special: dict[str, tuple[Any, ...]] = {"build": (b"tar",)}
    works = {"stop_container", "restart_container", "put_archive", "commit", "df", "search"}
    works |= {"login", "inspect_distribution", "swarm_join", "swarm_leave", "enable_plugin"}
    works |= {"plugin_privileges", "create_plugin", "prune_containers", "prune_images"}
    works |= {"prune_volumes", "prune_builds", "load_image", "import_image", "get_image"}
    works |= {"get_images", "export_container", "pull", "pull_plugin", "upgrade_plugin", "build"}
    heads: dict[str, float | None] = {}
    for name in _public_methods():
        declared = getattr(Endpoints, name)
        if not hasattr(declared, "describe"):
            continue  # a sequence of calls (exec_run): each of them is walked here
        args = special.get(name) or [
            {} if "Mapping" in str(parameter.annotation) else "x"
            for parameter in inspect.signature(declared.describe).parameters.values()
            if parameter.default is inspect.Parameter.empty
        ]
        call = declared.describe(*args)
        if not isinstance(call, (Call, StreamCall)):
            continue
        bounds = client.transport._deadline(*client.bounds(call))
        heads[name] = bounds.head_timeout
        if name in {"events", "wait_container"}:
            assert bounds.body_timeout is None, name  # they wait for events
        elif name == "build":
            assert bounds.body_timeout == TIMEOUT + DAEMON_WORK  # before: None, for ever
        else:
            assert bounds.body_timeout == TIMEOUT, name
    assert {name for name, head in heads.items() if head != TIMEOUT} == works
    assert {heads[name] for name in works} == {TIMEOUT + DAEMON_WORK}


def test_stop_waits_for_its_grace_period_or_its_deadline() -> None:
    """The grace period asked for is the daemon's work; a negative one waits for the
    container as long as it takes (the daemon's meaning), unless a deadline is given; a
    deadline replaces the work's bound, longer or shorter."""
    client = rawdock.Client(host="unix:///nonexistent", version="1.41", timeout=TIMEOUT)

    def bounds(client: Any, **kwargs: Any) -> tuple[float | None, float | None]:
        call = Endpoints.stop_container.describe("web", **kwargs)
        deadline = client.transport._deadline(*client.bounds(call))
        return deadline.head_timeout, deadline.total

    assert bounds(client, timeout=30) == (TIMEOUT + 30, None)
    assert bounds(client, timeout=-1) == (None, None)
    assert bounds(client.with_deadline(3600), timeout=30) == (None, 3600)
    assert bounds(client.with_deadline(3600)) == (None, 3600)
    bounded = rawdock.Client(host="unix:///nonexistent", timeout=TIMEOUT, deadline=DEADLINE)
    assert bounds(bounded, timeout=-1) == (None, DEADLINE)


@pytest.mark.usefixtures("short_work")
@pytest.mark.parametrize("name", list(WORK_CALLS))
def test_a_silent_daemon_times_out_after_its_work(
    fake: FakeDaemon, make_client: Callable[..., Any], name: str
) -> None:
    """Before: these waited for their head without limit, and a silent daemon held them."""
    run, work = WORK_CALLS[name]
    fake.script(silent)
    client = make_client()
    expect_timeout(lambda: run(client), TIMEOUT + work)


@pytest.mark.usefixtures("short_work")
@pytest.mark.parametrize("name", ["stop -t", "put_archive chunked", "df"])
def test_a_daemon_stalled_or_dripping_after_its_work(
    fake: FakeDaemon, make_client: Callable[..., Any], name: str
) -> None:
    """Once the head is in, the body has the read timeout; a byte at a time, the deadline."""
    run, _ = WORK_CALLS[name]
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1002\r\n\r\n"
    fake.script(head_then_stall(head), drip(head + SLOW_JSON))
    client = make_client()
    expect_timeout(lambda: run(client), TIMEOUT)
    expect_timeout(lambda: run(with_deadline(client, DEADLINE)), DEADLINE)


def answer_late(*delays: float) -> Script:
    """Answer one request after each of `delays` seconds, on one kept-alive connection."""

    def script(peer: Peer) -> None:
        for delay in delays:
            peer.read_request()
            peer.sleep(delay)
            peer.send(response(200, b"{}"))
        peer.wait_for_close()

    return script


@pytest.mark.usefixtures("short_work")
def test_work_longer_than_the_read_timeout_is_awaited(
    fake: FakeDaemon, make_client: Callable[..., Any]
) -> None:
    """An answer later than the read timeout (and within the work) comes through, and so does
    one later than the work when a longer deadline is given for the call."""
    fake.script(answer_late(TIMEOUT * 1.5, TIMEOUT + WORK * 2))
    client = make_client()
    assert client.df() == {}
    assert with_deadline(client, (TIMEOUT + WORK) * 4).df() == {}


@pytest.mark.usefixtures("short_work")
@pytest.mark.parametrize("name", list(WORK_STREAMS))
def test_streams_await_their_head_for_the_daemons_work(
    fake: FakeDaemon, make_client: Callable[..., Any], name: str
) -> None:
    """Before: a quiet load, an import, a save or a pull whose daemon took longer than the
    read timeout to start answering was cut off by it."""
    fake.script(answer_late(TIMEOUT * 1.5))
    result = WORK_STREAMS[name](make_client())
    assert result in ([{}], [b"{}"]), result


@pytest.mark.usefixtures("short_work")
def test_a_build_step_quiet_past_the_read_timeout_is_awaited(
    fake: FakeDaemon, make_client: Callable[..., Any]
) -> None:
    """A RUN step may be silent for minutes: within the work, the build goes on."""

    def quiet_step(peer: Peer) -> None:
        peer.read_request()
        peer.send(CHUNKED_HEAD + b'10\r\n{"stream":"one"}\r\n')
        peer.sleep(TIMEOUT * 1.5)
        peer.send(b'10\r\n{"stream":"two"}\r\n0\r\n\r\n')
        peer.wait_for_close()

    fake.script(quiet_step)
    assert list(make_client().build(b"tar")) == [{"stream": "one"}, {"stream": "two"}]


def test_a_deadline_shorter_than_the_work_cuts_it_off(
    fake: FakeDaemon, make_client: Callable[..., Any]
) -> None:
    fake.script(silent)
    client = with_deadline(make_client(), DEADLINE)
    expect_timeout(lambda: client.stop_container("web", timeout=3600), DEADLINE)


# --- Arguments that cannot be sent ------------------------------------------------------------


def test_nan_in_a_body_is_invalid_argument_naming_its_key_path(
    fake: FakeDaemon, make_client: Callable[..., Any]
) -> None:
    """Before: NaN went out as invalid JSON and the daemon answered 500."""
    client = make_client()
    with pytest.raises(rawdock.InvalidArgument, match=r'body\["StopTimeout"\]'):
        client.create_container({"Image": "x", "StopTimeout": math.nan})
    with pytest.raises(rawdock.InvalidArgument, match=r'body\["Labels"\]\["x"\]'):
        client.create_container({"Image": "x", "Labels": {"x": object()}})
    assert fake.connections == 0


@pytest.mark.parametrize(
    "run",
    [
        lambda client: client.inspect_container(".."),
        lambda client: client.inspect_container(""),
        lambda client: client.create_container({"Image": "x"}, name=""),
        lambda client: client.logs("a/../b"),
        lambda client: client.request("GET", "/x", headers={"Host": "evil"}),
        lambda client: client.request("GET", "/x y"),
        lambda client: client.build(None),
        lambda client: client.build(),
    ],
    ids=[
        "dotdot",
        "empty-id",
        "empty-name",
        "dot-segment",
        "reserved-header",
        "bad-path",
        "build-none",
        "build-nothing",
    ],
)
def test_bad_arguments_are_invalid_argument_before_sending(
    fake: FakeDaemon, make_client: Callable[..., Any], run: Callable[[Any], object]
) -> None:
    """Before: ValueError, which is not a RawdockError."""
    client = make_client()
    with pytest.raises(rawdock.InvalidArgument):
        run(client)
    assert fake.connections == 0


def test_build_without_a_context_is_invalid_argument_at_once() -> None:
    """Before: TypeError from the description (a RawdockError only once a client wrapped it,
    its message said twice)."""
    with pytest.raises(rawdock.InvalidArgument, match=r"^build\(\) needs a context"):
        Endpoints.build.describe(None)


HOSTILE: list[Any] = [
    None,
    "",
    "..",
    "a/../b",
    math.nan,
    math.inf,
    object(),
    10**400,
    "a\r\nX-Injected: 1",
    "\x00\x01\x7f",
    {"x": math.nan},
    b"\x00",
]


def _public_methods() -> list[str]:
    # Every endpoint declared in rawdock.api.Endpoints, so that new ones are walked too.
    return sorted(name for name in dir(Endpoints) if not name.startswith("_"))


def _arguments(method: Callable[..., Any], value: Any) -> tuple[list[Any], dict[str, Any]]:
    """`value` for every parameter: the required ones, and the optional ones by name."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in inspect.signature(method).parameters.values():
        if parameter.default is inspect.Parameter.empty:
            args.append(value)
        else:
            kwargs[parameter.name] = value
    return args, kwargs


def answer_everything(peer: Peer) -> None:
    """Whatever went out was accepted as sendable: answer 404, as the daemon does."""
    while peer.read_request():
        peer.send(response(404, b'{"message":"no such thing"}'))
    peer.wait_for_close()


@pytest.mark.parametrize("name", _public_methods())
def test_every_public_method_raises_only_rawdock_errors(name: str) -> None:
    for kind in ("sync", "aio"):
        with FakeDaemon() as fake:
            for value in HOSTILE:
                fake.script(answer_everything)
                if kind == "sync":
                    client: Any = rawdock.Client(host=fake.url, version="1.41", timeout=TIMEOUT)
                else:
                    client = BlockingAioClient(host=fake.url, version="1.41", timeout=TIMEOUT)
                with client:
                    before = len(fake.requests)
                    method = getattr(client, name)
                    args, kwargs = _arguments(getattr(Endpoints, name).describe, value)
                    try:
                        result = method(*args, **kwargs)
                        if isinstance(result, Iterator):
                            with result:  # type: ignore[attr-defined]
                                next(result, None)
                    except rawdock.InvalidArgument:
                        assert len(fake.requests) == before, f"{name}({value!r}) sent"
                    except rawdock.RawdockError:
                        pass
                    except BaseException as exc:  # noqa: BLE001 -- the point of the test
                        pytest.fail(f"{kind} {name}({value!r}) raised {exc!r}")


def test_asyncio_timeout_cancels_nothing_else() -> None:
    """The asyncio deadline is the transport's own (no wait_for around the call): a timed-out
    call leaves the loop and other tasks alone."""

    async def main() -> None:
        with FakeDaemon() as fake:
            fake.script(silent, answer_then_close())
            async with rawdock.aio.Client(host=fake.url, version="1.41", timeout=TIMEOUT) as aio:
                results = await asyncio.gather(
                    aio.containers(), aio.containers(), return_exceptions=True
                )
        assert sorted(type(r).__name__ for r in results) == ["Timeout", "list"]

    asyncio.run(main())


# --- Taking a connection out of HTTP (after 101) ----------------------------------------------

UPGRADE = (
    b"POST /v1.41/containers/web/attach?stream=1 HTTP/1.1\r\nHost: docker\r\n"
    b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
)


def switch_then_echo(peer: Peer) -> None:
    peer.read_request()
    peer.send(b"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nearly")
    peer.send(peer.sock.recv(100))  # what the client writes on the raw stream comes back
    peer.wait_for_close()


def test_detach_after_101_hands_over_the_socket(fake: FakeDaemon) -> None:
    fake.script(switch_then_echo)
    with fake.client() as client:
        exchange = client.transport.open(UPGRADE, "POST")
        assert exchange.head.status == 101
        sock = exchange.detach()
        with sock:
            sock.settimeout(5)
            sock.sendall(b"ping")
            received = exchange.hijacked_bytes
            while len(received) < len(b"earlyping"):
                received += sock.recv(100)
        assert received == b"earlyping"
        assert not client.transport._idle  # never back into the pool


def test_detach_after_101_hands_over_reader_and_writer(fake: FakeDaemon) -> None:
    fake.script(switch_then_echo)

    async def main() -> bytes:
        async with rawdock.aio.Client(host=fake.url, version="1.41") as aio:
            exchange = await aio.transport.open(UPGRADE, "POST")
            assert exchange.head.status == 101
            reader, writer = exchange.detach()
            writer.write(b"ping")
            received = exchange.hijacked_bytes
            while len(received) < len(b"earlyping"):
                received += await asyncio.wait_for(reader.read(100), 5)
            writer.close()
            await writer.wait_closed()
            assert aio.transport.open_connections == 0  # the caller's now
            return received

    assert asyncio.run(main()) == b"earlyping"


# --- The command line -------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_cli_timeout_cuts_off_a_dripping_daemon(
    fake: FakeDaemon,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    """Before: no --timeout, and a daemon sending a byte a second held `rawdock ps` for ever."""
    from rawdock.cli import main

    fake.script(drip(b"HTTP/1.1 200 OK\r\nContent-Length: 1002\r\n\r\n" + SLOW_JSON))
    argv = ["-H", fake.url, "--api-version", "1.41", "ps"]
    if how == "flag":
        argv[:0] = ["--timeout", str(DEADLINE)]
    else:
        monkeypatch.setenv("RAWDOCK_TIMEOUT", str(DEADLINE))
    started = time.monotonic()
    assert main(argv) == 1
    assert time.monotonic() - started < DEADLINE + SLACK
    err = capsys.readouterr().err  # (login warns of -p first, as docker's does)
    assert err.splitlines()[-1].startswith("no complete answer from the Docker daemon"), err
    assert f"from the Docker daemon at {fake.url}" in err


def test_cli_logs_follow_waits_for_its_body_not_for_its_head(
    fake: FakeDaemon, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    from rawdock.cli import main

    def quiet_then_item(peer: Peer) -> None:
        peer.read_request()  # the CLI asks whether the container has a TTY first, as docker's
        peer.send(response(200, b'{"Config": {"Tty": false}}'))
        peer.read_request()
        peer.send(LOGS_HEAD)
        peer.sleep(DEADLINE * 2)
        item = frame(b"late\n")
        peer.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(item), item))
        peer.wait_for_close()

    fake.script(quiet_then_item, silent)
    argv = ["-H", fake.url, "--api-version", "1.41", "--timeout", str(DEADLINE), "logs", "-f"]
    assert main([*argv, "web"]) == 0
    assert capfdbinary.readouterr().out == b"late\n"
    started = time.monotonic()
    assert main([*argv, "web"]) == 1  # a silent daemon: no head within the timeout
    assert time.monotonic() - started < DEADLINE + SLACK


@pytest.mark.usefixtures("short_work")
@pytest.mark.parametrize(
    "verb",
    [
        ["stop", "-t", str(GRACE), "web"],
        ["restart", "web"],
        ["cp", "-", "web:/"],
        ["container", "prune", "-f"],
        ["system", "df"],
        ["login", "-u", "ann", "-p", "s3cret", "127.0.0.1:1"],
        ["swarm", "leave"],
        ["image", "prune", "-f"],
    ],
    ids=lambda verb: " ".join(verb[:2]),
)
def test_cli_verbs_that_wait_for_the_daemons_work_are_bounded(
    fake: FakeDaemon,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    verb: list[str],
) -> None:
    """--timeout bounds each of their waits, stretched by the daemon's work (the grace period
    `stop -t` asks for, DAEMON_WORK, patched here): a silent daemon fails them."""
    import io

    from rawdock.cli import main

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))  # cp's empty tar
    fake.script(silent, silent)  # cp asks for the path's stat first
    argv = ["-H", fake.url, "--api-version", "1.41", "--timeout", str(TIMEOUT), *verb]
    started = time.monotonic()
    assert main(argv) == 1
    assert time.monotonic() - started < TIMEOUT + GRACE + SLACK
    err = capsys.readouterr().err  # (login warns of -p first, as docker's does)
    assert err.splitlines()[-1] in (
        f"timed out waiting for the Docker daemon at {fake.url}",  # a long-running verb's wait
        f"no complete answer from the Docker daemon at {fake.url} within the deadline of "
        f"{TIMEOUT:g} s",  # login: a quick verb, bounded as a whole
    ), err


def test_cli_stop_minus_one_waits_for_the_container_past_the_timeout(
    fake: FakeDaemon, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-t -1`: the daemon waits for the container to exit on its own, and so does the CLI,
    as docker's does; any other grace period stretches --timeout by itself."""
    from rawdock.cli import main

    def late_no_content(peer: Peer) -> None:
        peer.read_request()
        peer.sleep(TIMEOUT * 3)
        peer.send(b"HTTP/1.1 204 No Content\r\n\r\n")
        peer.wait_for_close()

    fake.script(late_no_content)
    argv = ["-H", fake.url, "--api-version", "1.41", "--timeout", str(TIMEOUT)]
    assert main([*argv, "stop", "-t", "-1", "web"]) == 0
    assert capsys.readouterr().out == "web\n"


def progress_lines(count: int, interval: float) -> Script:
    """Answer a pull with `count` progress lines, one every `interval` seconds."""

    def script(peer: Peer) -> None:
        peer.read_request()
        peer.send(CHUNKED_HEAD)
        for index in range(count):
            peer.sleep(interval)
            line = b'{"status":"Downloading","id":"layer%d"}\r\n' % index
            peer.send(b"%x\r\n%s\r\n" % (len(line), line))
        peer.send(b"0\r\n\r\n")
        peer.wait_for_close()

    return script


def test_cli_pull_slower_than_the_timeout_in_all_succeeds(
    fake: FakeDaemon, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: --timeout was the deadline of every verb, and a pull (a push, a build, a cp)
    longer than it was cut off, where docker's CLI never is. Now it bounds each wait."""
    from rawdock.cli import main

    fake.script(progress_lines(8, TIMEOUT / 2))  # 2 s in all, a line every 0.25 s
    argv = ["-H", fake.url, "--api-version", "1.41", "--timeout", str(TIMEOUT), "pull", "x:1"]
    started = time.monotonic()
    assert main(argv) == 0, capsys.readouterr().err
    assert time.monotonic() - started > TIMEOUT * 3
    assert capsys.readouterr().out.splitlines()[-1] == "x:1"


@pytest.mark.usefixtures("short_work")
@pytest.mark.parametrize("when", ["before the head", "after a line"])
def test_cli_pull_from_a_silent_daemon_fails_within_the_timeout(
    fake: FakeDaemon, capsys: pytest.CaptureFixture[str], when: str
) -> None:
    from rawdock.cli import main

    line = b'{"status":"Downloading","id":"layer"}'
    stalled = head_then_stall(CHUNKED_HEAD + b"%x\r\n%s\r\n" % (len(line), line))
    fake.script(silent if when == "before the head" else stalled)
    argv = ["-H", fake.url, "--api-version", "1.41", "--timeout", str(TIMEOUT), "pull", "x:1"]
    started = time.monotonic()
    assert main(argv) == 1
    assert time.monotonic() - started < TIMEOUT + WORK + SLACK
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"timed out waiting for the Docker daemon at {fake.url}", err


def test_cli_quick_verbs_keep_the_timeout_as_their_deadline() -> None:
    """No I/O: which verbs run as long as their work takes, and which are bounded as a
    whole; every form of a verb (`image pull`, `pull`) alike."""
    from rawdock.cli import parse_command

    assert parse_command(["pull", "x"])[1].long_running
    assert parse_command(["image", "pull", "x"])[1].long_running
    assert parse_command(["container", "cp", "-", "web:/"])[1].long_running
    assert parse_command(["build", "."])[1].long_running
    assert not parse_command(["ps"])[1].long_running
    assert not parse_command(["image", "inspect", "x"])[1].long_running
