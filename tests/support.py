"""Helpers the tests share: a busybox image built through the API, free ports, labels."""

from __future__ import annotations

import os
import socket
import uuid

import rawdock
from rawdock.build import context_tar

#: Every object a test run creates carries this label, with the run's own id as value, so
#: concurrent runs on one engine never clean up each other's things.
LABEL = "rawdock.test"
RUN_ID = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
BUSYBOX = "/bin/busybox"

DOCKERFILE = b"""\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
"""


def busybox_context() -> bytes:
    """A build context (a tar archive) holding a Dockerfile and the static busybox binary."""
    return context_tar({"Dockerfile": DOCKERFILE, "busybox": BUSYBOX})


def build_busybox(client: rawdock.Client, tag: str) -> str:
    """Build `tag` from /bin/busybox with POST /build; returns the image id."""
    image_id = ""
    for item in client.build(busybox_context(), tag=tag, labels={LABEL: RUN_ID}):
        image_id = item.get("aux", {}).get("ID", image_id)
    assert image_id, "the build reported no image id"
    return image_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def labels(**extra: str) -> dict[str, str]:
    return {LABEL: RUN_ID, **extra}


def run_filter() -> dict[str, list[str]]:
    """The `filters` value that finds what this test run created."""
    return {"label": [f"{LABEL}={RUN_ID}"]}
