"""The chunked fast path (`whole_chunks`) against the plain reader it shortcuts.

`ChunkedReader.read` reads a chunked body one step of the grammar at a time; before each size
line it lets `whole_chunks` take the chunks that are plainly whole. With `use_fast_path` off,
`read` alone is the reference. For any bytes, cut anywhere, with or without EOF, both must
give the same events from every `feed` (not merged: the same Data pieces), the same error at
the same `feed` with the same message, and the same `keep_alive`, `trailing` and `buffered`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wire_messages import Response, bytewise, cut, responses

from rawdock.errors import ProtocolError
from rawdock.wire import MAX_CHUNK_SIZE_DIGITS, ResponseParser
from rawdock.wire.response import ChunkedReader

CHUNKED_HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

Outcome = tuple[list[object], str | None, bool, bytes, int]


@contextmanager
def fast_path(on: bool) -> Iterator[None]:
    saved = ChunkedReader.use_fast_path
    ChunkedReader.use_fast_path = on
    try:
        yield
    finally:
        ChunkedReader.use_fast_path = saved


def outcome(pieces: list[bytes], method: str, eof: bool, fast: bool) -> Outcome:
    """What each feed returned (or the error and at which feed), and the parser's state."""
    parser = ResponseParser(method)
    returned: list[object] = []
    error = None
    with fast_path(fast):
        try:
            for piece in pieces:
                returned.append(parser.feed(piece))
            if eof:
                returned.append(parser.feed_eof())
        except ProtocolError as exc:
            error = f"feed {len(returned)}: {exc}"
    return returned, error, parser.keep_alive, parser.trailing, parser.buffered


def same_both_ways(raw: bytes, positions: list[int], method: str = "GET") -> None:
    for pieces in ([raw], bytewise(raw), cut(raw, positions)):
        for eof in (False, True):
            plain = outcome(pieces, method, eof, fast=False)
            assert outcome(pieces, method, eof, fast=True) == plain


# Chunked bodies that stay near the fast path's edge: plain size lines of any case and length,
# leading zeros, extensions, whitespace, bad CRLFs, the last chunk, trailers and what follows.
size_lines = st.one_of(
    st.integers(0, 300).map(lambda n: b"%x" % n),
    st.integers(0, 300).map(lambda n: b"%X" % n),
    st.integers(0, 40).map(lambda n: b"0" * n + b"1"),  # past MAX_CHUNK_SIZE_DIGITS with zeros
    st.just(b"F" * (MAX_CHUNK_SIZE_DIGITS + 1)),
    st.sampled_from([b"", b"3;a=b", b"3 ", b"3;", b"g", b"0x3", b" 3", b"3\r", b"-1"]),
)


@st.composite
def chunk_streams(draw: st.DrawFn) -> bytes:
    parts = [CHUNKED_HEAD]
    for _ in range(draw(st.integers(0, 8))):
        line = draw(size_lines)
        data = draw(st.binary(max_size=40))
        end = draw(st.sampled_from([b"\r\n", b"\r\n", b"\r\n", b"", b"\n", b"XX", b"\r"]))
        parts.append(line + b"\r\n" + data + end)
    parts.append(draw(st.sampled_from([b"0\r\n\r\n", b"0\r\nX: y\r\n\r\n", b"0;e\r\n\r\n", b""])))
    parts.append(draw(st.sampled_from([b"", b"HTTP/1.1 200 OK\r\n", b"junk"])))
    return b"".join(parts)


SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(raw=chunk_streams(), positions=st.lists(st.integers(0, 600), max_size=8))
def test_chunk_streams_read_the_same_with_and_without_the_fast_path(
    raw: bytes, positions: list[int]
) -> None:
    same_both_ways(raw, positions)


@SETTINGS
@given(message=responses(), positions=st.lists(st.integers(0, 2000), max_size=8))
def test_valid_responses_read_the_same_with_and_without_the_fast_path(
    message: Response, positions: list[int]
) -> None:
    same_both_ways(message.raw, positions, message.method)


@SETTINGS
@given(
    data=st.binary(max_size=200)
    | st.lists(st.sampled_from([b"\r\n", b"0", b"a", b";"])).map(b"".join),
    positions=st.lists(st.integers(0, 300), max_size=8),
)
def test_arbitrary_bytes_read_the_same_with_and_without_the_fast_path(
    data: bytes, positions: list[int]
) -> None:
    same_both_ways(CHUNKED_HEAD + data, positions)


@pytest.mark.parametrize("on", [True, False])
def test_the_switch_is_what_the_differential_tests_turn(on: bool) -> None:
    # The fast path really runs (and is really off) when the tests above say so: its Data for
    # three whole chunks in one read comes from memoryview slices joined once, either way.
    raw = CHUNKED_HEAD + b"2\r\nab\r\n2\r\ncd\r\n1\r\ne\r\n0\r\n\r\n"
    calls = []
    original = ChunkedReader.read

    def spy(self: ChunkedReader, data: bytes, events: list[object]) -> bytes | None:
        calls.append(self.use_fast_path)
        return original(self, data, events)  # type: ignore[arg-type]

    with fast_path(on):
        ChunkedReader.read = spy  # type: ignore[method-assign]
        try:
            events = ResponseParser().feed(raw)
        finally:
            ChunkedReader.read = original  # type: ignore[method-assign]
    assert calls == [on] and len(events) == 3
