"""Parser fuzzing: arbitrary bytes, and valid responses mutated, fed in random pieces then EOF.

Whatever arrives, `ResponseParser` either parses a response or raises `ProtocolError`: never
another exception, never a hang, and its buffer never holds more than the named limits allow
(plus the piece just fed). Its answer must also not depend on how the bytes were split: the
same bytes fed whole give the same events, or the same refusal.

Profiles (registered here, not in conftest.py, and applied to this file's tests only):
  ci    (default)  a few thousand examples in all, well under a minute on 2 cores
  long             HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py -s   for manual runs
The number of examples actually run is printed by the last test (visible with -s or -rA).
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wire_messages import Response, cut, merge_data, responses

from rawdock.errors import ProtocolError
from rawdock.wire import (
    MAX_CHUNK_LINE_BYTES,
    MAX_HEADER_BYTES,
    Data,
    End,
    Event,
    Head,
    ResponseParser,
)

settings.register_profile(
    "ci",
    max_examples=2000,
    # A hang would show as a deadline failure; generous, so a loaded machine is not one.
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=100_000,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
#: Each flood example pushes MAX_HEADER_BYTES through the parser: a tenth as many suffice.
FLOOD_PROFILE = settings(PROFILE, max_examples=max(PROFILE.max_examples // 10, 20))

#: Examples actually run, per test: the lead reports "fuzz examples run per CI run".
EXAMPLES_RUN: Counter[str] = Counter()

F = TypeVar("F", bound=Callable[..., None])


def counted(test: F) -> F:
    """Count every call of the (hypothesis-wrapped) test body under its name."""

    @functools.wraps(test)
    def wrapper(*args: object, **kwargs: object) -> None:
        EXAMPLES_RUN[test.__name__] += 1
        test(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


Outcome = tuple[str, list[Event], bytes]
REFUSED: Outcome = ("refused", [], b"")


def run(pieces: list[bytes], method: str) -> Outcome:
    """Feed the pieces, then EOF. Checks the invariants on the way; the outcome is ("ok",
    merged events, trailing bytes) or REFUSED."""
    parser = ResponseParser(method)
    events: list[Event] = []
    try:
        for piece in pieces:
            events += parser.feed(piece)
            # Memory stays bounded by the named limits, whatever the peer sends.
            assert parser.buffered <= MAX_HEADER_BYTES + len(piece), parser.buffered
        events += parser.feed_eof()
    except ProtocolError as exc:
        assert not any(isinstance(event, End) for event in events), events
        assert type(exc) is ProtocolError  # not a subclass standing for something else
        return REFUSED
    # A complete parse: one Head first, then non-empty Data, one End last.
    assert parser.done and not parser.keep_alive  # EOF was fed: no reuse
    assert isinstance(events[0], Head) and isinstance(events[-1], End), events
    assert all(isinstance(event, Data) and event.data for event in events[1:-1]), events
    assert 100 <= events[0].status <= 599
    if events[0].status == 101:
        assert len(events) == 2
    return ("ok", merge_data(events), parser.trailing)


def check(raw: bytes, positions: list[int], method: str) -> Outcome:
    """The outcome of `raw` in random pieces, which must equal the outcome fed whole."""
    outcome = run(cut(raw, positions), method)
    assert run([raw], method) == outcome
    return outcome


# --- Arbitrary bytes --------------------------------------------------------------------------

# Bytes that start like a response, so the fuzzer gets past the status line often.
PREFIXES = [
    b"",
    b"HTTP/1.1 200 OK\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\n",
    b"HTTP/1.1 101 Switching\r\n\r\n",
]
# The bytes the grammar turns on.
SPECIAL = st.sampled_from(
    [b"\r", b"\n", b"\r\n", b"\r\n\r\n", b";", b":", b" ", b"\t", b"\x00", b"0", b"f", b'"', b","]
)
noise = st.lists(st.binary(max_size=8) | SPECIAL, max_size=40).map(b"".join)


@PROFILE
@given(
    prefix=st.sampled_from(PREFIXES),
    data=noise | st.binary(max_size=300),
    positions=st.lists(st.integers(0, 400), max_size=10),
    method=st.sampled_from(["GET", "HEAD"]),
)
@counted
def test_arbitrary_bytes(prefix: bytes, data: bytes, positions: list[int], method: str) -> None:
    check(prefix + data, positions, method)


# --- Valid responses, mutated -----------------------------------------------------------------

INSERTS = st.sampled_from(
    [
        b"\r",
        b"\n",
        b"\r\n",
        b"\r\n\r\n",
        b";",
        b":",
        b"\x00",
        b" ",
        b"\t",
        b"0",
        b"\r\n0\r\n\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"Content-Length: 3\r\n",
        b"Connection: close\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
    ]
) | st.builds(
    # Long runs: over the chunk-line limit, hex sizes of any length.
    lambda char, count: char * count,
    st.sampled_from([b"f", b"0", b"F", b"9", b"x", b";"]),
    st.integers(1, MAX_CHUNK_LINE_BYTES + 20),
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    message: Response = draw(responses())
    raw = bytearray(message.raw)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(raw)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "special"]))
        if kind == "flip" and where < len(raw):
            raw[where] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            raw[where:where] = draw(st.binary(min_size=1, max_size=4))
        elif kind == "delete":
            del raw[where : where + draw(st.integers(1, 8))]
        elif kind == "duplicate":
            raw[where:where] = raw[where : where + draw(st.integers(1, 16))]
        else:
            raw[where:where] = draw(INSERTS)
    return bytes(raw), message.method


@PROFILE
@given(case=mutated(), positions=st.lists(st.integers(0, 2000), max_size=10))
@counted
def test_mutated_responses(case: tuple[bytes, str], positions: list[int]) -> None:
    raw, method = case
    check(raw, positions, method)


# Where a peer may flood us: inside the head, a chunk-size line, the trailers.
FLOOD_PREFIXES = [
    b"HTTP/1.1 200 OK\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
]


@FLOOD_PROFILE
@given(
    prefix=st.sampled_from(FLOOD_PREFIXES),
    flood=st.sampled_from([b"a", b"0", b"f;", b"X: y\r\n", b" \t", b"\r"]),
    piece=st.integers(1, 5000),
)
@counted
def test_floods_are_refused_within_limits(prefix: bytes, flood: bytes, piece: int) -> None:
    # A peer that never ends a head, a chunk-size line or the trailers: refused once the limit
    # is crossed, with the buffer bounded all along (checked by `run`).
    stream = prefix + flood * (MAX_HEADER_BYTES // len(flood) + 2)
    assert run(cut(stream, range(0, len(stream), piece)), "GET") == REFUSED


def test_fuzz_examples_were_run() -> None:
    """Prints how many fuzz examples ran (shrinking included) and checks the profile ran."""
    total = sum(EXAMPLES_RUN.values())
    print(f"\nfuzz examples run: {total} {dict(EXAMPLES_RUN)}")
    if not EXAMPLES_RUN:
        pytest.skip("no fuzz test ran in this session (deselected)")
    assert all(count >= 20 for count in EXAMPLES_RUN.values()), EXAMPLES_RUN
