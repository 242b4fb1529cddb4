"""Build contexts: `POST /build` takes the context as a tar archive in the request body."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping

__all__ = ["context_tar"]


def context_tar(files: Mapping[str, bytes | str | os.PathLike[str]]) -> bytes:
    """A tar archive of `files`: name in the archive -> its content (bytes, or the path of a file
    to copy, keeping its mode). Pass the result to `Client.build`.

        context_tar({"Dockerfile": b"FROM scratch\\nCOPY busybox /bin/busybox\\n",
                     "busybox": "/bin/busybox"})
    """
    import tarfile  # only when building: tarfile pulls in more than a client otherwise needs

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in files.items():
            if isinstance(content, bytes):
                info = tarfile.TarInfo(name)
                info.size = len(content)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(content))
            else:
                tar.add(os.fspath(content), arcname=name)
    return buffer.getvalue()
