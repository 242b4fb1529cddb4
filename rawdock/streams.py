"""Decoders for Docker's streaming bodies, sans-IO: body bytes in, items out.

Chunks, frames and JSON objects do not line up: a chunk may hold half a frame, or three JSON
objects and the start of a fourth. So every decoder here keeps a small buffer, takes whatever
bytes arrived with `feed(data)`, returns the items those bytes complete, and checks with
`close()` that the stream did not stop in the middle of an item. Memory stays flat: a decoder
holds at most one incomplete item (and never a whole frame: frame payload is handed on as it
arrives).

    decoder = FrameDecoder()
    decoder.feed(b"\\1\\0\\0\\0\\0\\0\\0\\3hi")     # [("stdout", b"hi")]
    decoder.feed(b"\\n\\2\\0\\0\\0\\0\\0\\0\\1!")   # [("stdout", b"\\n"), ("stderr", b"!")]
    decoder.close()                            # [] (nothing left half-read)

In-band errors (a type-3 frame, a JSON object with `errorDetail`) are the daemon saying the
operation failed after it had already answered 200. A decoder first returns the items that came
before the error, then raises `DockerError` from its next `feed()` or `close()`. The daemon ends
the body right after such an error, so in practice the client reads the body to its end (and
keeps the connection) and then raises; nothing the daemon said before the error is lost.
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
    "FRAME_HEADER_SIZE",
    "MAX_JSON_LINE_BYTES",
    "MAX_SYSTEM_ERROR_BYTES",
]

T = TypeVar("T")

#: The first byte of a multiplexed frame header names the stream (engine API, "attach";
#: moby pkg/stdcopy). 3 is not output: it carries an error from the daemon.
STREAM_NAMES = {0: "stdin", 1: "stdout", 2: "stderr", 3: "system"}
_SYSTEM = 3
#: `[stream type, 0, 0, 0, payload size (uint32, big-endian)]`. The three padding bytes are not
#: checked, as moby's own stdcopy does not check them.
_FRAME_HEADER = struct.Struct(">BxxxI")
FRAME_HEADER_SIZE = _FRAME_HEADER.size
#: One JSON object of a progress or event stream. Real ones are a few hundred bytes; this only
#: stops a peer that never sends a newline from making us buffer without bound.
MAX_JSON_LINE_BYTES = 16 * 1024 * 1024
#: How much of a type-3 (system error) frame is kept for the message. The daemon's messages are
#: one line; the rest of an oversized frame is read and dropped.
MAX_SYSTEM_ERROR_BYTES = 64 * 1024


class Decoder(Protocol[T]):
    """What a stream decoder offers: `feed` body bytes as they arrive and get the items they
    complete; `close` at the end of the body, which raises if it ended inside an item.
    Either may raise `DockerError` (an in-band error) or `ProtocolError` (bytes that are not
    what the stream's format allows)."""

    def feed(self, data: bytes) -> list[T]: ...

    def close(self) -> list[T]: ...


class _PendingError:
    """An in-band error waits until the items before it have been handed out."""

    def __init__(self) -> None:
        self._error: DockerError | None = None

    def defer(self, error: DockerError) -> None:
        self._error = error

    def raise_if_any(self) -> None:
        if self._error is not None:
            raise self._error


class FrameDecoder:
    """The multiplexed stream of logs, attach and exec for a container without a TTY.

    Each frame is an 8-byte header `[stream, 0, 0, 0, size (uint32, big-endian)]` and then `size`
    bytes. Payload is handed on as it arrives, as `(stream name, bytes)`, so a huge frame never
    sits in memory whole. Adjacent payload of the same stream within one `feed` is joined into
    one item: a log of many short lines costs one item per read, not one per line. Item
    boundaries therefore follow the reads, not the frames (frames promise no line boundaries
    either: the daemon splits long lines). A frame of type 3 is an error from the daemon,
    raised as DockerError; any other unknown type means the bytes are not a multiplexed stream
    at all (a TTY stream read as one, say) and raises ProtocolError."""

    def __init__(self) -> None:
        self._header = bytearray()  # an incomplete header carried over from the last feed
        self._stream = 0  # the type of the frame whose payload is being read
        self._remaining = 0  # payload bytes of that frame still to come
        self._system_error = bytearray()
        self._pending = _PendingError()

    def feed(self, data: bytes) -> list[tuple[str, bytes]]:
        self._pending.raise_if_any()
        items: list[tuple[str, bytes]] = []
        pieces: list[memoryview] = []  # payload of the current run of one stream
        run_stream = -1
        view = memoryview(data)
        pos, size = 0, len(data)
        while pos < size:
            if not self._remaining:
                # Between frames: complete the 8-byte header, taking only what it needs.
                need = FRAME_HEADER_SIZE - len(self._header)
                if self._header or size - pos < FRAME_HEADER_SIZE:
                    self._header += view[pos : pos + need]
                    pos += min(need, size - pos)
                    if len(self._header) < FRAME_HEADER_SIZE:
                        break
                    kind, length = _FRAME_HEADER.unpack(self._header)
                    self._header.clear()
                else:
                    kind, length = _FRAME_HEADER.unpack_from(view, pos)
                    pos += FRAME_HEADER_SIZE
                    if (kind == 1 or kind == 2) and 0 < length <= size - pos:
                        # The usual frame: stdout or stderr, all of it in this read. Taken in
                        # one turn of the loop (a log line costs one frame).
                        if kind != run_stream and pieces:
                            items.append((STREAM_NAMES[run_stream], b"".join(pieces)))
                            pieces = []
                        run_stream = kind
                        pieces.append(view[pos : pos + length])
                        pos += length
                        continue
                if kind not in STREAM_NAMES:
                    raise ProtocolError(
                        f"invalid multiplexed-stream frame type {kind} (is this a TTY stream?)"
                    )
                self._stream, self._remaining = kind, length
                if kind == _SYSTEM and not length:
                    self._system_frame_complete()
                    break
                continue
            take = min(self._remaining, size - pos)
            piece = view[pos : pos + take]
            pos += take
            self._remaining -= take
            if self._stream == _SYSTEM:
                room = MAX_SYSTEM_ERROR_BYTES - len(self._system_error)
                self._system_error += piece[: max(room, 0)]
                if not self._remaining:
                    self._system_frame_complete()
                    break
                continue
            if self._stream != run_stream and pieces:
                items.append((STREAM_NAMES[run_stream], b"".join(pieces)))
                pieces = []
            run_stream = self._stream
            pieces.append(piece)  # memoryview slices: join copies each byte once
        if pieces:
            items.append((STREAM_NAMES[run_stream], b"".join(pieces)))
        return items

    def _system_frame_complete(self) -> None:
        message = self._system_error.decode("utf-8", "replace").strip()
        self._system_error.clear()
        self._pending.defer(DockerError(0, message or "error from the daemon in the stream"))

    def close(self) -> list[tuple[str, bytes]]:
        self._pending.raise_if_any()
        if self._header or self._remaining:
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
    and only whole lines are decoded (a newline byte is never part of a multi-byte UTF-8
    character, so a cut there never splits one). Objects need not be one per line: they are
    decoded one after another, whatever whitespace (`\\n`, `\\r\\n`, none) lies between.
    With `raise_errors`, an object carrying `errorDetail` or `error` (how a failed pull, push
    or build reports, inside a 200 response) raises DockerError after the objects before it."""

    def __init__(self, raise_errors: bool = True) -> None:
        self._buf = bytearray()
        self._raise_errors = raise_errors
        self._decoder = json.JSONDecoder()
        self._pending = _PendingError()

    def feed(self, data: bytes) -> list[T]:
        self._pending.raise_if_any()
        # Only the new bytes are searched: a long object arriving in many small reads is then
        # scanned once, not once per read.
        end = data.rfind(b"\n")
        if end < 0:
            self._buf += data
            self._check_line_limit()
            return []
        complete = bytes(self._buf) + data[: end + 1] if self._buf else data[: end + 1]
        self._buf[:] = data[end + 1 :]
        self._check_line_limit()
        return self._decode(complete)

    def close(self) -> list[T]:
        self._pending.raise_if_any()
        rest = bytes(self._buf)
        self._buf.clear()
        items = self._decode(rest)  # the last object may lack its newline
        self._pending.raise_if_any()
        return items

    def _check_line_limit(self) -> None:
        if len(self._buf) > MAX_JSON_LINE_BYTES:
            raise ProtocolError(f"JSON stream line longer than {MAX_JSON_LINE_BYTES} bytes")

    def _decode(self, data: bytes) -> list[T]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"JSON stream is not UTF-8: {exc}") from None
        items: list[T] = []
        pos, size = 0, len(text)
        while True:
            while pos < size and text[pos] in " \t\r\n":
                pos += 1
            if pos >= size:
                return items
            try:
                item, pos = self._decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise ProtocolError(f"invalid JSON in stream: {exc}") from None
            error = _in_band_error(item) if self._raise_errors else None
            if error is not None:
                self._pending.defer(error)
                return items  # nothing after the error is handed out
            items.append(item)


def _in_band_error(item: Any) -> DockerError | None:
    """The error a JSON stream object reports, as moby's jsonmessage does: `errorDetail`
    (`{"code": n, "message": "..."}`) and its older twin `error`, a string."""
    if not isinstance(item, dict) or not (item.get("errorDetail") or item.get("error")):
        return None
    detail = item.get("errorDetail")
    detail_message = detail.get("message") if isinstance(detail, dict) else None
    message = item.get("error") or detail_message or json.dumps(item)
    return DockerError(0, str(message))
