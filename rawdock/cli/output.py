"""What the CLI prints, shaped like the docker CLI's output. Pure functions from the daemon's
JSON to text: no requests here, so every format can be tested without an engine.

    print(table(["CONTAINER ID", "NAMES"], [["4f1c2a9b8e7d", "web"]]))
    CONTAINER ID   NAMES
    4f1c2a9b8e7d   web
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import TextIO

__all__ = [
    "table",
    "human_duration",
    "human_size",
    "binary_size",
    "short_id",
    "ellipsis",
    "format_ports",
    "ps_table",
    "images_table",
    "version_text",
    "info_text",
    "json_text",
    "PullProgress",
]

JSON = Any

#: Column layout of docker's tables (text/tabwriter with minwidth 10, padding 3).
MIN_COLUMN_WIDTH = 10
COLUMN_PADDING = 3
#: Ids are shown by their first 12 hex digits (docker's stringid.TruncateID).
SHORT_ID_LENGTH = 12
#: `docker ps` cuts the command to this many characters before quoting it.
COMMAND_WIDTH = 20


def table(titles: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns aligned as docker's tabwriter aligns them: each column but the last is as wide as
    its widest cell plus 3 spaces, and at least 10; no trailing spaces."""
    all_rows = [list(titles), *[list(row) for row in rows]]
    widths = [
        max(MIN_COLUMN_WIDTH, max(len(row[i]) for row in all_rows) + COLUMN_PADDING)
        for i in range(len(titles) - 1)
    ]
    lines = []
    for row in all_rows:
        cells = [
            cell.ljust(width) for cell, width in zip(row[: len(widths)], widths, strict=True)
        ] + row[len(widths) :]
        lines.append("".join(cells).rstrip())
    return "\n".join(lines)


def human_duration(seconds: float) -> str:
    """docker's units.HumanDuration: "Less than a second", "3 seconds", "About a minute",
    "5 minutes", "About an hour", "3 hours", "2 days", "3 weeks", "4 months", "2 years"."""
    whole = int(seconds)
    if whole < 1:
        return "Less than a second"
    if whole == 1:
        return "1 second"
    if whole < 60:
        return f"{whole} seconds"
    minutes = whole // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(seconds / 3600)  # Go: d.Round(time.Hour).Hours()
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def _scaled(size: float, base: float, units: Sequence[str], precision: int) -> str:
    index = 0
    while size >= base and index < len(units) - 1:
        size /= base
        index += 1
    return f"{size:.{precision}g}{units[index]}"  # Go: "%.*g%s"


def human_size(size: float) -> str:
    """docker's units.HumanSizeWithPrecision(size, 3): decimal units, "4.26MB", "1.2GB"."""
    return _scaled(size, 1000.0, ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"), 3)


def binary_size(size: float) -> str:
    """docker's units.BytesSize: binary units, "7.66GiB" (used by `info` for memory)."""
    return _scaled(size, 1024.0, ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"), 4)


def short_id(object_id: str) -> str:
    """The 12-digit id docker shows: "sha256:" dropped, then truncated."""
    return object_id.partition(":")[2][:SHORT_ID_LENGTH] if ":" in object_id else object_id[:12]


def ellipsis(text: str, width: int) -> str:
    """Cut to `width` characters, the last one an ellipsis (docker's formatter.Ellipsis)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _go_quote(text: str) -> str:
    # strconv.Quote: double quotes, backslash escapes; JSON's escaping is the same for text.
    return json.dumps(text, ensure_ascii=False)


def format_ports(ports: Iterable[JSON]) -> str:
    """The PORTS column: "127.0.0.1:8080->80/tcp, 443/tcp". IPv6 addresses in brackets."""
    seen: list[str] = []
    for port in sorted(
        ports,
        key=lambda p: (p.get("PrivatePort", 0), p.get("Type", ""), p.get("IP", "")),
    ):
        private = f"{port.get('PrivatePort')}/{port.get('Type', 'tcp')}"
        if port.get("PublicPort"):
            ip = port.get("IP") or "0.0.0.0"
            host = f"[{ip}]" if ":" in ip else ip
            text = f"{host}:{port['PublicPort']}->{private}"
        else:
            text = private
        if text not in seen:
            seen.append(text)
    return ", ".join(seen)


def _names(names: Iterable[str]) -> str:
    # Names come as "/web"; names with another "/" are legacy links, which docker hides.
    plain = [name[1:] if name.startswith("/") else name for name in names]
    return ",".join(name for name in plain if "/" not in name)


PS_TITLES = ("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES")


def ps_table(containers: Iterable[JSON], now: float, no_trunc: bool = False) -> str:
    """`docker ps`: one row per container from GET /containers/json. STATUS is the daemon's own
    text ("Up 3 seconds", "Exited (0) 5 seconds ago")."""
    rows = []
    for container in containers:
        command = container.get("Command") or ""
        image = container.get("Image") or ""
        if image.startswith("sha256:") and not no_trunc:
            image = short_id(image)
        rows.append(
            [
                container["Id"] if no_trunc else short_id(container["Id"]),
                image,
                _go_quote(command if no_trunc else ellipsis(command, COMMAND_WIDTH)),
                human_duration(now - container.get("Created", now)) + " ago",
                container.get("Status") or "",
                format_ports(container.get("Ports") or []),
                _names(container.get("Names") or []),
            ]
        )
    return table(PS_TITLES, rows)


IMAGES_TITLES = ("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")


def image_rows(images: Iterable[JSON]) -> list[tuple[str, str, JSON]]:
    """(repository, tag, image) per tag of each image; an untagged image is one "<none>" row."""
    rows = []
    for image in images:
        tags = [tag for tag in image.get("RepoTags") or [] if tag != "<none>:<none>"]
        if not tags:
            digests = [d for d in image.get("RepoDigests") or [] if d != "<none>@<none>"]
            repository = digests[0].partition("@")[0] if digests else "<none>"
            rows.append((repository, "<none>", image))
        for repo_tag in tags:
            repository, _, tag = repo_tag.rpartition(":")
            rows.append((repository, tag, image))
    return rows


def images_table(images: Iterable[JSON], now: float, no_trunc: bool = False) -> str:
    """`docker images`: one row per repository:tag from GET /images/json."""
    rows = [
        [
            repository,
            tag,
            image["Id"] if no_trunc else short_id(image["Id"]),
            human_duration(now - image.get("Created", now)) + " ago",
            human_size(image.get("Size", 0)),
        ]
        for repository, tag, image in image_rows(images)
    ]
    return table(IMAGES_TITLES, rows)


#: `docker version` and `docker info` start every value in this column.
FIELD_VALUE_COLUMN = 20
#: Go's names for machine architectures (runtime.GOARCH), as docker shows them.
GO_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}


def _fields(pairs: Iterable[tuple[str, Any]], indent: str) -> list[str]:
    return [
        f"{indent}{(name + ':').ljust(FIELD_VALUE_COLUMN - len(indent) - 1)} {value}"
        for name, value in pairs
        if value not in (None, "")
    ]


def version_text(rawdock_version: str, api_version: str, server: JSON) -> str:
    """`docker version`: the client (rawdock), then the engine from GET /version."""
    lines = ["Client: rawdock"]
    lines += _fields(
        [
            ("Version", rawdock_version),
            ("API version", api_version),
            ("Python version", platform.python_version()),
            ("OS/Arch", f"{sys.platform}/{GO_ARCH.get(platform.machine(), platform.machine())}"),
        ],
        " ",
    )
    lines += ["", f"Server: {server.get('Platform', {}).get('Name') or 'Docker Engine'}"]
    lines.append(" Engine:")
    minimum = f" (minimum version {server['MinAPIVersion']})" if "MinAPIVersion" in server else ""
    lines += _fields(
        [
            ("Version", server.get("Version")),
            ("API version", f"{server.get('ApiVersion')}{minimum}"),
            ("Go version", server.get("GoVersion")),
            ("Git commit", server.get("GitCommit")),
            ("Built", server.get("BuildTime")),
            ("OS/Arch", f"{server.get('Os')}/{server.get('Arch')}"),
            ("Experimental", str(server.get("Experimental", False)).lower()),
        ],
        "  ",
    )
    for component in server.get("Components") or []:
        if component.get("Name") == "Engine":
            continue
        lines.append(f" {component.get('Name')}:")
        lines += _fields([("Version", component.get("Version"))], "  ")
    return "\n".join(lines)


def info_text(info: JSON) -> str:
    """`docker info`: the main facts from GET /info."""
    lines = ["Server:"]
    lines += _fields(
        [
            ("Containers", info.get("Containers")),
            (" Running", info.get("ContainersRunning")),
            (" Paused", info.get("ContainersPaused")),
            (" Stopped", info.get("ContainersStopped")),
            ("Images", info.get("Images")),
            ("Server Version", info.get("ServerVersion")),
            ("Storage Driver", info.get("Driver")),
            ("Logging Driver", info.get("LoggingDriver")),
            ("Cgroup Driver", info.get("CgroupDriver")),
            ("Cgroup Version", info.get("CgroupVersion")),
            ("Swarm", (info.get("Swarm") or {}).get("LocalNodeState")),
            ("Kernel Version", info.get("KernelVersion")),
            ("Operating System", info.get("OperatingSystem")),
            ("OSType", info.get("OSType")),
            ("Architecture", info.get("Architecture")),
            ("CPUs", info.get("NCPU")),
            ("Total Memory", binary_size(info["MemTotal"]) if "MemTotal" in info else None),
            ("Name", info.get("Name")),
            ("ID", info.get("ID")),
            ("Docker Root Dir", info.get("DockerRootDir")),
            ("Debug Mode", str(info.get("Debug", False)).lower()),
            ("Experimental", str(info.get("ExperimentalBuild", False)).lower()),
            ("Live Restore Enabled", str(info.get("LiveRestoreEnabled", False)).lower()),
        ],
        " ",
    )
    for warning in info.get("Warnings") or []:
        lines.append(warning)
    return "\n".join(lines)


def json_text(value: JSON) -> str:
    """The daemon's JSON for `--json` and `inspect`, indented as docker indents it."""
    return json.dumps(value, indent=4, ensure_ascii=False)


# --- pull progress ----------------------------------------------------------------------------

# ANSI escapes (ECMA-48): cursor up/down n lines, erase the whole line.
_UP = "\x1b[{}A"
_DOWN = "\x1b[{}B"
_ERASE_LINE = "\x1b[2K"


class PullProgress:
    """Shows the progress objects of a pull (or push) as docker does.

    On a terminal every layer keeps one line, rewritten in place with cursor moves as its
    status and progress bar change. Elsewhere (a pipe, a file) each layer's status is printed as
    a plain line when it changes, without bars."""

    def __init__(self, out: TextIO, terminal: bool, width: int = 80) -> None:
        self.out = out
        self.terminal = terminal
        self.width = width
        self._lines: dict[str, int] = {}  # layer id -> its line in the block being drawn
        self._last_status: dict[str, str] = {}

    def show(self, message: JSON) -> None:
        layer = message.get("id") or ""
        status = message.get("status") or ""
        if not layer:
            # A line about the whole pull ("Digest: ...", "Status: ..."): it ends the block of
            # layer lines, which are not updated after it.
            self._lines.clear()
            self._last_status.clear()
            self.out.write(f"{status}\n")
        elif self.terminal:
            self._draw(layer, f"{layer}: {status} {message.get('progress') or ''}".rstrip())
        elif self._last_status.get(layer) != status:
            self._last_status[layer] = status
            self.out.write(f"{layer}: {status}\n")
        self.out.flush()

    def _draw(self, layer: str, text: str) -> None:
        text = text[: max(self.width - 1, 1)]  # a wrapped line would break the line count
        if layer not in self._lines:
            self._lines[layer] = len(self._lines)
            self.out.write(f"{text}\n")
            return
        # The cursor sits below the block; go up to the layer's line, rewrite it, come back.
        distance = len(self._lines) - self._lines[layer]
        self.out.write(f"{_UP.format(distance)}\r{_ERASE_LINE}{text}{_DOWN.format(distance)}\r")
