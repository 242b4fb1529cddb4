"""The stream decoders, without an engine: the same bytes give the same items however they are
cut across `feed` calls (whole, byte by byte, at random places), as wire.py's parser promises."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rawdock import DockerError, ProtocolError
from rawdock.streams import (
    MAX_JSON_LINE_BYTES,
    BytesDecoder,
    Decoder,
    FrameDecoder,
    JSONStreamDecoder,
    RawStreamDecoder,
)


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxI", stream, len(payload)) + payload


def feed_all(decoder: Decoder[Any], pieces: Sequence[bytes]) -> list[Any]:
    items: list[Any] = []
    for piece in pieces:
        items += decoder.feed(piece)
    return items + decoder.close()


def cut(data: bytes, at: Sequence[int]) -> list[bytes]:
    points = sorted({0, len(data), *(p % (len(data) + 1) for p in at)})
    return [data[a:b] for a, b in zip(points[:-1], points[1:], strict=True)]


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def merged(items: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Adjacent pieces of one stream joined: what stays the same however the bytes were cut."""
    out: list[tuple[str, bytes]] = []
    for stream, data in items:
        if out and out[-1][0] == stream:
            out[-1] = (stream, out[-1][1] + data)
        elif data:
            out.append((stream, data))
    return out


# --- FrameDecoder ------------------------------------------------------------------------------

LOG = (
    frame(1, b"h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93\n")
    + frame(2, b"oops\n")
    + frame(1, b"")
    + frame(1, b"a" * 70000)
    + frame(1, b"last line, no newline")
    + frame(2, b"err tail")
)
LOG_ITEMS = [
    ("stdout", "héllo wörld ✓\n".encode()),
    ("stderr", b"oops\n"),
    ("stdout", b"a" * 70000 + b"last line, no newline"),
    ("stderr", b"err tail"),
]


def test_frames_whole_and_byte_by_byte() -> None:
    whole = feed_all(FrameDecoder(), [LOG])
    assert whole == LOG_ITEMS  # within one read, same-stream payload is already joined
    assert merged(feed_all(FrameDecoder(), bytewise(LOG))) == LOG_ITEMS


@given(st.lists(st.integers(min_value=0), max_size=20))
def test_frames_at_random_cuts(points: list[int]) -> None:
    assert merged(feed_all(FrameDecoder(), cut(LOG, points))) == LOG_ITEMS


@given(
    st.lists(st.tuples(st.sampled_from([1, 2]), st.binary(max_size=40)), max_size=12),
    st.lists(st.integers(min_value=0), max_size=10),
)
def test_any_frames_at_any_cuts(frames: list[tuple[int, bytes]], points: list[int]) -> None:
    data = b"".join(frame(kind, payload) for kind, payload in frames)
    expected = merged([({1: "stdout", 2: "stderr"}[k], p) for k, p in frames])
    assert merged(feed_all(FrameDecoder(), cut(data, points))) == expected


def test_a_frame_straddling_reads_is_handed_on_as_it_arrives() -> None:
    decoder = FrameDecoder()
    data = frame(1, b"0123456789")
    assert decoder.feed(data[:3]) == []  # part of a header
    assert decoder.feed(data[3:12]) == [("stdout", b"0123")]
    assert decoder.feed(data[12:]) == [("stdout", b"456789")]
    assert decoder.close() == []


def test_zero_length_frames_yield_nothing() -> None:
    assert feed_all(FrameDecoder(), [frame(1, b"") + frame(2, b"")]) == []


def test_system_frame_raises_after_the_output_before_it() -> None:
    decoder = FrameDecoder()
    data = frame(1, b"before\n") + frame(3, b"error from daemon: boom\n") + frame(1, b"never")
    assert decoder.feed(data) == [("stdout", b"before\n")]
    with pytest.raises(DockerError) as caught:
        decoder.close()
    assert caught.value.message == "error from daemon: boom"
    with pytest.raises(DockerError):  # and again on any further feed
        decoder.feed(b"")


@pytest.mark.parametrize("pieces", [lambda d: [d], bytewise])
def test_system_frame_raises_whole_or_byte_by_byte(pieces: Callable[[bytes], list[bytes]]) -> None:
    with pytest.raises(DockerError, match="^boom$"):
        feed_all(FrameDecoder(), pieces(frame(3, b"boom")))
    with pytest.raises(DockerError):  # even an empty one
        feed_all(FrameDecoder(), pieces(frame(3, b"")))


def test_invalid_frame_type_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="frame type 4"):
        FrameDecoder().feed(frame(4, b"x"))
    with pytest.raises(ProtocolError, match="frame type 104"):  # a TTY stream: "hello"
        FrameDecoder().feed(b"hello world\n")


@pytest.mark.parametrize("keep", [1, 7, 8, 9, 12])
def test_truncated_frame_at_close_is_a_protocol_error(keep: int) -> None:
    decoder = FrameDecoder()
    decoder.feed(frame(1, b"0123456789")[:keep])
    with pytest.raises(ProtocolError, match="middle of a multiplexed frame"):
        decoder.close()


# --- RawStreamDecoder and BytesDecoder --------------------------------------------------------


@given(st.binary(max_size=200), st.lists(st.integers(min_value=0), max_size=10))
def test_raw_stream_is_all_stdout(data: bytes, points: list[int]) -> None:
    expected = [("stdout", data)] if data else []
    assert merged(feed_all(RawStreamDecoder(), cut(data, points))) == expected
    assert b"".join(feed_all(BytesDecoder(), cut(data, points))) == data


def test_raw_stream_keeps_frame_like_bytes() -> None:
    data = frame(1, b"x")
    assert feed_all(RawStreamDecoder(), [data]) == [("stdout", data)]
    assert feed_all(RawStreamDecoder(), [b""]) == []


# --- JSONStreamDecoder -------------------------------------------------------------------------

OBJECTS: list[Any] = [
    {"status": "Pulling from rawdock", "id": "1"},
    {"status": "Downloading", "progressDetail": {"current": 5, "total": 10}, "id": "ab"},
    {"status": "héllo wörld ✓ 日本"},
    {"status": "Digest: sha256:0123"},
]


def encoded(objects: list[Any], sep: bytes = b"\n") -> bytes:
    return b"".join(json.dumps(o, ensure_ascii=False).encode() + sep for o in objects)


@pytest.mark.parametrize("sep", [b"\n", b"\r\n", b"", b" \n\n"])
def test_json_objects_whole_and_byte_by_byte(sep: bytes) -> None:
    data = encoded(OBJECTS, sep) + b"\n"
    assert feed_all(JSONStreamDecoder(), [data]) == OBJECTS
    assert feed_all(JSONStreamDecoder(), bytewise(data)) == OBJECTS


@given(st.lists(st.integers(min_value=0), max_size=20), st.sampled_from([b"\n", b"\r\n"]))
def test_json_objects_at_random_cuts(points: list[int], sep: bytes) -> None:
    data = encoded(OBJECTS, sep)
    assert feed_all(JSONStreamDecoder(), cut(data, points)) == OBJECTS


def test_several_objects_in_one_read_and_one_split_over_reads() -> None:
    decoder: JSONStreamDecoder[Any] = JSONStreamDecoder()
    data = encoded(OBJECTS)
    split = data.index(b"Downloading")
    assert decoder.feed(data[:split]) == OBJECTS[:1]
    assert decoder.feed(data[split:]) == OBJECTS[1:]
    assert decoder.close() == []


def test_multibyte_character_split_across_reads() -> None:
    decoder: JSONStreamDecoder[Any] = JSONStreamDecoder()
    data = encoded([{"status": "✓"}])
    middle = data.index("✓".encode()) + 1  # inside the 3-byte character
    assert decoder.feed(data[:middle]) == []
    assert decoder.feed(data[middle:]) == [{"status": "✓"}]


def test_last_object_without_newline_comes_at_close() -> None:
    decoder: JSONStreamDecoder[Any] = JSONStreamDecoder()
    assert decoder.feed(b'{"a": 1}\n{"b": 2}') == [{"a": 1}]
    assert decoder.close() == [{"b": 2}]


def test_error_detail_raises_after_the_objects_before_it() -> None:
    error = {"errorDetail": {"message": "manifest unknown"}, "error": "manifest unknown"}
    data = encoded([OBJECTS[0], error, OBJECTS[1]])
    decoder: JSONStreamDecoder[Any] = JSONStreamDecoder()
    assert decoder.feed(data) == [OBJECTS[0]]  # nothing after the error is handed out
    with pytest.raises(DockerError) as caught:
        decoder.close()
    assert caught.value.message == "manifest unknown" and caught.value.status == 0
    with pytest.raises(DockerError, match="^only detail$"):
        feed_all(
            JSONStreamDecoder(), bytewise(encoded([{"errorDetail": {"message": "only detail"}}]))
        )
    with pytest.raises(DockerError, match="^only error$"):
        feed_all(JSONStreamDecoder(), [b'{"error": "only error"}'])  # no newline: at close


def test_errors_pass_through_when_asked_and_null_error_is_no_error() -> None:
    items = [{"error": "x"}, {"status": "ok", "error": None}]
    assert feed_all(JSONStreamDecoder(raise_errors=False), [encoded(items)]) == items
    assert feed_all(JSONStreamDecoder(), [encoded(items[1:])]) == items[1:]


def test_invalid_and_truncated_json_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError, match="invalid JSON"):
        JSONStreamDecoder().feed(b"{nope}\n")
    with pytest.raises(ProtocolError, match="invalid JSON"):
        feed_all(JSONStreamDecoder(), [b'{"status": "half'])
    with pytest.raises(ProtocolError, match="not UTF-8"):
        JSONStreamDecoder().feed(b'{"a": "\xff"}\n')


def test_line_limit() -> None:
    decoder: JSONStreamDecoder[Any] = JSONStreamDecoder()
    piece = b"x" * (1024 * 1024)
    with pytest.raises(ProtocolError, match="longer than"):
        for _ in range(MAX_JSON_LINE_BYTES // len(piece) + 1):
            decoder.feed(piece)
    with pytest.raises(ProtocolError, match="longer than"):  # also after a newline in the read
        JSONStreamDecoder().feed(b"{}\n" + b" " * (MAX_JSON_LINE_BYTES + 1))
