"""System endpoints beyond ping/version/info/events: HEAD /_ping and disk usage."""

from __future__ import annotations

import rawdock
from rawdock.api import API


def test_ping_head(client: rawdock.Client) -> None:
    assert client.ping_head() is True
    assert API.ping_head.describe().method == "HEAD"


def test_df(client: rawdock.Client, busybox: str) -> None:
    usage = client.df()
    assert {"LayersSize", "Images", "Containers", "Volumes"} <= set(usage)
    assert any(busybox in (image.get("RepoTags") or []) for image in usage["Images"])


def test_df_types_are_repeated_fields() -> None:
    call = API.df.describe(type=["image", "volume"])
    assert call.target == "/system/df?type=image&type=volume"
    assert call.needs == (("type", "1.42"),)
