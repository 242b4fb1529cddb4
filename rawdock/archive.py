"""Files in and out of containers, as `docker cp` moves them: a tar stream each way.

`PUT /containers/{id}/archive?path=DIR` extracts a tar into a directory of the container;
`GET /containers/{id}/archive?path=P` answers a tar of P. This module makes the first from a
host path and unpacks the second onto the host, both as streams of pieces, so a 1 GB file
passes through in `CHUNK_SIZE` pieces and never whole in memory:

    # docker cp site web:/srv
    client.put_archive("web", "/srv", rawdock.archive.tar_stream("site"))
    # docker cp web:/srv/site out
    with client.get_archive("web", "/srv/site") as tar:
        rawdock.archive.extract(tar, "out")

The tar format is POSIX.1-2001 (pax), as `tarfile` writes it; each entry is a header, the
file's bytes, and padding to a 512-byte block; two zero blocks end the archive.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .errors import InvalidArgument

if TYPE_CHECKING:
    import tarfile

__all__ = ["CHUNK_SIZE", "path_stat", "tar_stream", "extract", "STAT_HEADER"]

#: Bytes read from a host file at a time (and so the size of each chunk sent).
CHUNK_SIZE = 1 << 20
#: The response header holding what is at the path: base64 of JSON.
STAT_HEADER = "X-Docker-Container-Path-Stat"
_BLOCK = 512  # a tar block


def path_stat(headers: Mapping[str, str] | Any) -> dict[str, Any] | None:
    """The decoded X-Docker-Container-Path-Stat of an archive response (`Stream.headers`, or
    any mapping of fields): `{"name", "size", "mode", "mtime", "linkTarget"}`, or None when
    absent. `mode` is Go's os.FileMode: the permission bits, with 1<<31 for a directory."""
    value = headers.get(STAT_HEADER) or headers.get(STAT_HEADER.lower())
    if not value:
        return None
    decoded: dict[str, Any] = json.loads(base64.b64decode(value))
    return decoded


def _entries(path: str, name: str) -> Iterator[tuple[str, str]]:
    """(host path, name in the archive) for `path` and, for a directory, all below it."""
    yield path, name
    if os.path.isdir(path) and not os.path.islink(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            relative = os.path.relpath(root, path)
            for entry in sorted(dirs) + sorted(files):
                inner = entry if relative == "." else os.path.join(relative, entry)
                full = os.path.join(root, entry)
                yield full, f"{name}/{inner}"  # a link to a directory stays a link: not walked


def _info(path: str, name: str) -> tarfile.TarInfo | None:
    import tarfile

    st = os.lstat(path)
    info = tarfile.TarInfo(name)
    info.mode, info.mtime = stat.S_IMODE(st.st_mode), int(st.st_mtime)
    info.uid, info.gid = st.st_uid, st.st_gid
    if stat.S_ISREG(st.st_mode):
        info.size = st.st_size
    elif stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(st.st_mode):
        info.type, info.linkname = tarfile.SYMTYPE, os.readlink(path)
    else:
        return None  # sockets, fifos and devices are left out
    return info


def tar_stream(path: str | os.PathLike[str], arcname: str | None = None) -> Iterator[bytes]:
    """A tar of the host file or directory `path`, made as it is read: headers, then each
    file's bytes in CHUNK_SIZE pieces. The top entry is named `arcname` (default: the base name
    of `path`), so `put_archive(id, "/srv", tar_stream("site"))` makes /srv/site as
    `docker cp site ID:/srv` does. Symbolic links are kept as links; sockets and devices left
    out. Raises FileNotFoundError for a missing `path`."""
    path = os.fspath(path)
    name = arcname or os.path.basename(os.path.normpath(path))
    if not name or name in (".", ".."):
        raise InvalidArgument(f"no name for the top entry of {path!r}: give arcname")
    os.lstat(path)  # a missing path fails here, at the call, before anything is sent
    return _tar_pieces(path, name)


def _tar_pieces(path: str, name: str) -> Iterator[bytes]:
    import tarfile

    for full, inner in _entries(path, name):
        info = _info(full, inner)
        if info is None:
            continue
        yield info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        if info.isfile():
            yield from _file_pieces(full, info.size)
    yield b"\0" * (2 * _BLOCK)  # two zero blocks end the archive


def _file_pieces(path: str, size: int) -> Iterator[bytes]:
    left = size
    with open(path, "rb") as file:
        while left > 0:
            piece = file.read(min(CHUNK_SIZE, left))
            if not piece:
                raise OSError(f"{path} shrank while being archived")
            left -= len(piece)
            yield piece
    if size % _BLOCK:
        yield b"\0" * (_BLOCK - size % _BLOCK)


class _PieceReader:
    """A file-like `read(n)` over an iterable of byte pieces (what `tarfile` reads from)."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        self._buffer = memoryview(b"")

    def read(self, size: int = -1) -> bytes:
        out = []
        wanted = size
        while wanted != 0:
            if not self._buffer:
                piece = next(self._pieces, None)
                if piece is None:
                    break
                self._buffer = memoryview(piece)
            take = len(self._buffer) if wanted < 0 else min(wanted, len(self._buffer))
            out.append(self._buffer[:take].tobytes())
            self._buffer = self._buffer[take:]
            if wanted > 0:
                wanted -= take
        return b"".join(out)


def extract(pieces: Iterable[bytes], dest: str | os.PathLike[str]) -> list[str]:
    """Unpack a tar stream (what `get_archive` yields) onto the host, as `docker cp ID:SRC
    DEST` does: into DEST when it is an existing directory, else as DEST itself (the top entry
    renamed). Reads as the pieces come (flat memory). Entries that would land outside the
    destination (absolute names, "..", links pointing out) are refused with InvalidArgument.
    Returns the host paths written."""
    import tarfile

    dest = os.fspath(dest)
    into_dir = os.path.isdir(dest)
    root = dest if into_dir else os.path.dirname(os.path.abspath(dest))
    written = []
    with tarfile.open(fileobj=_PieceReader(pieces), mode="r|") as tar:  # type: ignore[call-overload]
        top: str | None = None
        for member in tar:
            name = member.name.rstrip("/")
            first, _, rest = name.partition("/")
            top = top or first
            if not into_dir:  # the copy takes DEST's name
                name = os.path.basename(dest) + ("/" + rest if rest else "")
            if os.path.isabs(name) or ".." in name.split("/"):
                raise InvalidArgument(f"refusing archive entry {member.name!r}: outside {dest}")
            member.name = name
            if hasattr(tarfile, "data_filter"):
                tar.extract(member, root, set_attrs=True, filter="tar")
            else:  # Python before 3.10.12: the checks above, then extract as is
                tar.extract(member, root, set_attrs=True)
            written.append(os.path.join(root, name))
    return written
