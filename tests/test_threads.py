"""One Client shared between threads, against the real engine.

The promise (also in the Client docstring): a Client may be shared between threads. Each
request, and each open stream, takes a connection of its own from the transport's pool (the
pool is a list guarded by a lock; a connection is owned by one request from the moment it is
taken until it is given back or closed), so requests never interleave on a socket. The pool
keeps at most MAX_IDLE_CONNECTIONS idle connections; more concurrent requests open more and
close the extra ones when done. A Stream object itself is for one thread at a time, and
`close()` on the client should come after the other threads are done with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import support

import rawdock
from rawdock import transport
from rawdock.transport import MAX_IDLE_CONNECTIONS

THREADS = 8
REQUESTS_PER_THREAD = 25


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[transport.Connection]:
    made: list[transport.Connection] = []
    lock = threading.Lock()

    class Tracked(transport.Connection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            with lock:
                made.append(self)

    monkeypatch.setattr(transport, "Connection", Tracked)
    return made


def _watch_pool(client: rawdock.Client, high_water: list[int]) -> None:
    """Record the most idle connections the pool ever held, after every release."""
    release = client.transport.release

    def watched(conn: transport.Connection) -> None:
        release(conn)
        with client.transport._lock:
            idle = list(client.transport._idle)
        high_water.append(len(idle))
        assert len({id(c) for c in idle}) == len(idle), "one connection pooled twice"

    client.transport.release = watched  # type: ignore[method-assign]


def _run_threads(work: Callable[[int], None], count: int = THREADS) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait(10)
            work(index)
        except BaseException as exc:  # noqa: BLE001 -- reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return errors


def _mixed_requests(client: rawdock.Client, container_id: str) -> Callable[[int], None]:
    def work(index: int) -> None:
        for n in range(REQUESTS_PER_THREAD):
            kind = (index + n) % 4
            if kind == 0:
                assert client.ping() is True
            elif kind == 1:
                listed = client.containers(all=True, filters=support.run_filter())
                assert container_id in [c["Id"] for c in listed]
            elif kind == 2:
                assert client.inspect_container(container_id)["Id"] == container_id
            else:
                assert client.version()["ApiVersion"]

    return work


def test_one_client_many_threads(
    make_container: Callable[..., dict[str, Any]], opened: list[transport.Connection]
) -> None:
    container_id = make_container(Cmd=["true"])["Id"]
    del opened[:]  # those belong to the fixture's own client
    # A fresh client, version not pinned: the threads race to negotiate it too.
    with rawdock.Client(timeout=60) as client:
        high_water: list[int] = []
        _watch_pool(client, high_water)
        errors = _run_threads(_mixed_requests(client, container_id))
        assert not errors, errors[:3]
        assert high_water and max(high_water) <= MAX_IDLE_CONNECTIONS
        # Concurrency opened more than one connection, and reuse kept it to far fewer than one
        # per request.
        assert 1 < len(opened) < THREADS * REQUESTS_PER_THREAD
        idle = list(client.transport._idle)
        assert len(idle) <= MAX_IDLE_CONNECTIONS
        assert all(conn.sock.fileno() >= 0 for conn in idle)
        # Nothing outside the pool is left open.
        assert all(conn.sock.fileno() < 0 for conn in opened if conn not in idle)
    assert all(conn.sock.fileno() < 0 for conn in opened)


def test_stream_open_in_one_thread_while_others_request(
    make_container: Callable[..., dict[str, Any]], client: rawdock.Client
) -> None:
    counter = make_container(
        Cmd=["sh", "-c", "i=0; while true; do echo $i; i=$((i+1)); sleep 0.05; done"]
    )["Id"]
    client.start_container(counter)
    target_id = make_container(Cmd=["true"])["Id"]
    shared = rawdock.Client(timeout=60)
    lines: list[bytes] = []
    stop = threading.Event()
    stream_errors: list[BaseException] = []

    def follow() -> None:
        try:
            with shared.logs(counter, follow=True) as stream:  # type: ignore[attr-defined]
                for _, data in stream:
                    lines.append(data)
                    if stop.is_set():
                        break
        except BaseException as exc:  # noqa: BLE001
            stream_errors.append(exc)

    follower = threading.Thread(target=follow)
    follower.start()
    try:
        errors = _run_threads(_mixed_requests(shared, target_id), count=THREADS - 1)
        assert not errors, errors[:3]
        seen_during = len(lines)
    finally:
        stop.set()
        follower.join(30)
        shared.close()
    assert not follower.is_alive()
    assert not stream_errors, stream_errors
    assert seen_during > 0, "the stream delivered nothing while the other threads ran"
    # The log lines came through intact and in order, whatever the other threads did.
    numbers = [int(line) for line in b"".join(lines).split()]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    client.kill_container(counter)
