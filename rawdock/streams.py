"""Decoders for Docker's streaming bodies, sans-IO: body bytes in, items out.

Chunks, frames and JSON objects do not line up: a chunk may hold half a frame, or three JSON
objects and the start of a fourth. So every decoder here keeps a small buffer, takes whatever
bytes arrived with `feed(data)`, returns the items those bytes complete, and checks with
`close()` that the stream did not stop in the middle of an item. Memory stays flat: a decoder
holds at most one incomplete item.
"""

from __future__ import annotations

import json
import struct
from typing import Any, Generic, Protocol, TypeVar

from .errors import DockerError, ProtocolError

__all__ = [
    "Decoder",
    "FrameDecoder",
    "RawStreamDecoder",
    "JSONStreamDecoder",
    "BytesDecoder",
    "STREAM_NAMES",
    "MAX_JSON_LINE_BYTES",
]

T = TypeVar("T")

#: The first byte of a multiplexed frame header names the stream (engine API, "attach").
STREAM_NAMES = {0: "stdin", 1: "stdout", 2: "stderr", 3: "system"}
_FRAME_HEADER = struct.Struct(">BxxxI")  # stream type, 3 zero bytes, big-endian payload size
#: One JSON object of a progress or event stream. Real ones are a few hundred bytes.
MAX_JSON_LINE_BYTES = 16 * 1024 * 1024


class Decoder(Protocol[T]):
    """What a stream decoder offers: `feed` bytes, get items; `close` at the end of the body."""

    def feed(self, data: bytes) -> list[T]: ...

    def close(self) -> list[T]: ...


class FrameDecoder:
    """The multiplexed stream of logs, attach and exec for a container without a TTY.

    Each frame is an 8-byte header `[stream, 0, 0, 0, size (uint32, big-endian)]` and then `size`
    bytes. Payload is handed on as it arrives, as `(stream name, bytes)`, so a huge frame never
    sits in memory whole. A frame of type 3 is an error from the daemon, raised as DockerError."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._stream = ""  # the stream of the frame being read, "" between frames
        self._remaining = 0
        self._error = bytearray()

    def feed(self, data: bytes) -> list[tuple[str, bytes]]:
        items: list[tuple[str, bytes]] = []
        view = memoryview(data)
        if self._buf:  # an incomplete header from the last feed
            self._buf += data
            view = memoryview(bytes(self._buf))
            self._buf.clear()
        pos, size = 0, len(view)
        while pos < size:
            if not self._remaining:
                if size - pos < 8:
                    self._buf += view[pos:]
                    break
                kind, self._remaining = _FRAME_HEADER.unpack_from(view, pos)
                pos += 8
                if kind not in STREAM_NAMES:
                    raise ProtocolError(f"invalid multiplexed-stream frame type {kind}")
                self._stream = STREAM_NAMES[kind]
                if not self._remaining:
                    continue
            take = min(self._remaining, size - pos)
            piece = bytes(view[pos : pos + take])
            pos += take
            self._remaining -= take
            if self._stream == "system":
                self._error += piece
                if not self._remaining:
                    raise DockerError(0, self._error.decode("utf-8", "replace").strip())
            else:
                items.append((self._stream, piece))
        return items

    def close(self) -> list[tuple[str, bytes]]:
        if self._buf or self._remaining:
            raise ProtocolError("stream ended in the middle of a multiplexed frame")
        return []


class RawStreamDecoder:
    """The stream of a container with a TTY: no frames, everything is "stdout"."""

    def feed(self, data: bytes) -> list[tuple[str, bytes]]:
        return [("stdout", data)] if data else []

    def close(self) -> list[tuple[str, bytes]]:
        return []


class BytesDecoder:
    """A plain byte stream (an exported filesystem, an image tarball): passed on as it comes."""

    def feed(self, data: bytes) -> list[bytes]:
        return [data] if data else []

    def close(self) -> list[bytes]:
        return []


class JSONStreamDecoder(Generic[T]):
    """A stream of JSON objects: pull and push progress, build output, events.

    The daemon ends each object with a newline, but a read may hold several objects or part of
    one, and a multi-byte character may straddle two reads: so lines are cut from a byte buffer,
    and only whole lines are decoded. With `raise_errors`, an object carrying `error` or
    `errorDetail` (how a failed pull reports, inside a 200 response) raises DockerError."""

    def __init__(self, raise_errors: bool = True) -> None:
        self._buf = bytearray()
        self._raise_errors = raise_errors
        self._decoder = json.JSONDecoder()

    def feed(self, data: bytes) -> list[T]:
        self._buf += data
        end = self._buf.rfind(b"\n")
        if end < 0:
            if len(self._buf) > MAX_JSON_LINE_BYTES:
                raise ProtocolError(f"JSON stream line longer than {MAX_JSON_LINE_BYTES} bytes")
            return []
        complete = bytes(self._buf[: end + 1])
        del self._buf[: end + 1]
        return self._decode(complete)

    def close(self) -> list[T]:
        rest = bytes(self._buf)
        self._buf.clear()
        return self._decode(rest)

    def _decode(self, data: bytes) -> list[T]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"JSON stream is not UTF-8: {exc}") from None
        items: list[T] = []
        pos, size = 0, len(text)
        while True:
            # Objects are usually one per line, but nothing promises it: decode them one after
            # another, skipping the whitespace between.
            while pos < size and text[pos] in " \t\r\n":
                pos += 1
            if pos >= size:
                return items
            try:
                item, pos = self._decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise ProtocolError(f"invalid JSON in stream: {exc}") from None
            if self._raise_errors:
                _raise_in_band_error(item)
            items.append(item)


def _raise_in_band_error(item: Any) -> None:
    if isinstance(item, dict) and ("error" in item or "errorDetail" in item):
        detail = item.get("errorDetail") or {}
        message = item.get("error") or detail.get("message") or json.dumps(item)
        raise DockerError(0, str(message))
