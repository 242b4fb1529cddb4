"""What the CLI prints, shaped like the docker CLI's output. Pure functions from the daemon's
JSON to text: no requests here, so every format can be tested without an engine.

    print(table(["CONTAINER ID", "NAMES"], [["4f1c2a9b8e7d", "web"]]))
    CONTAINER ID   NAMES
    4f1c2a9b8e7d   web

`ps` and `images` rows are `template.Row`s with docker's field names (`.ID`, `.RunningFor`, ...)
and their default tables are docker's default templates, so `--format` and the plain table are
one code path.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .context import CommandError
from .template import Row, Struct, TemplateError, parse, render

if TYPE_CHECKING:
    from typing import TextIO

__all__ = [
    "tabwrite",
    "table",
    "human_duration",
    "human_size",
    "binary_size",
    "short_id",
    "ellipsis",
    "format_ports",
    "ContainerRow",
    "ImageRow",
    "listing",
    "containers_listing",
    "images_listing",
    "image_ids",
    "formatted",
    "version_struct",
    "info_struct",
    "client_version",
    "version_lines",
    "info_lines",
    "info_warnings",
    "client_info_lines",
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
#: `docker ps` cuts each mount name to this many characters.
MOUNT_WIDTH = 15


def tabwrite(text: str, min_width: int = MIN_COLUMN_WIDTH, padding: int = COLUMN_PADDING) -> str:
    """Go's text/tabwriter (no flags, padded with spaces): each tab-terminated cell is padded
    to its column's width, the widest cell of the column block plus `padding`, at least
    `min_width`. A column block is a run of consecutive lines that have a cell in that column;
    the text after a line's last tab is not aligned."""
    lines = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []

    def format_block(widths: list[int], first: int, end: int) -> None:
        column = len(widths)
        line = first
        while line < end:
            if column >= len(lines[line]) - 1:
                line += 1
                continue
            write(widths, first, line)
            start, width = line, min_width
            while line < end and column < len(lines[line]) - 1:
                width = max(width, len(lines[line][column]) + padding)
                line += 1
            format_block([*widths, width], start, line)
            first = line
        write(widths, first, end)

    def write(widths: list[int], first: int, end: int) -> None:
        for cells in lines[first:end]:
            out.append(
                "".join(
                    cell.ljust(widths[i]) if i < len(widths) and i < len(cells) - 1 else cell
                    for i, cell in enumerate(cells)
                )
            )

    format_block([], 0, len(lines))
    return "\n".join(out)


def table(titles: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns aligned as docker's tabwriter aligns them: each column but the last is as wide as
    its widest cell plus 3 spaces, and at least 10."""
    return tabwrite("\n".join("\t".join(row) for row in [titles, *rows]))


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


def seconds_since(timestamp: str, now: float) -> float:
    """Seconds from an RFC 3339 time in UTC, as swarm writes them ("2024-05-01T10:00:00.12Z"),
    to `now`; whole seconds of the time only, which is all "3 seconds ago" needs."""
    moment = time.strptime(timestamp[:19], "%Y-%m-%dT%H:%M:%S")
    return now - (time.mktime(moment) - time.timezone)


def _scaled(size: float, base: float, units: Sequence[str], precision: int) -> str:
    index = 0
    while size >= base and index < len(units) - 1:
        size /= base
        index += 1
    return f"{size:.{precision}g}{units[index]}"  # Go: "%.*g%s"


def human_size(size: float, precision: int = 3) -> str:
    """docker's units.HumanSizeWithPrecision(size, 3): decimal units, "4.26MB", "1.2GB"."""
    return _scaled(size, 1000.0, ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"), precision)


def binary_size(size: float) -> str:
    """docker's units.BytesSize: binary units, "7.66GiB" (used by `info` for memory)."""
    return _scaled(size, 1024.0, ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"), 4)


def short_id(object_id: str) -> str:
    """The 12-digit id docker shows: "sha256:" dropped, then truncated (stringid.TruncateID)."""
    return object_id.partition(":")[2][:SHORT_ID_LENGTH] if ":" in object_id else object_id[:12]


def ellipsis(text: str, width: int) -> str:
    """Cut to `width` characters, the last one an ellipsis (docker's formatter.Ellipsis)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _go_quote(text: str) -> str:
    # strconv.Quote: double quotes, backslash escapes; JSON's escaping is the same for text.
    return json.dumps(text, ensure_ascii=False)


def _go_time(seconds: float) -> str:
    """Go's time.Time.String() of a Unix time, in the local zone: "2024-01-02 15:04:05 +0000
    UTC"."""
    return time.strftime("%Y-%m-%d %H:%M:%S %z %Z", time.localtime(seconds))


def format_ports(ports: Iterable[JSON]) -> str:
    """The PORTS column (docker's DisplayablePorts): consecutive ports grouped into ranges
    ("8000-8001/tcp"), published ports as "127.0.0.1:8080->80/tcp", IPv6 hosts in brackets."""
    ordered = sorted(
        ports,
        key=lambda p: (p.get("PrivatePort", 0), p.get("IP", ""), p.get("PublicPort", 0),
                       p.get("Type", "")),
    )  # fmt: skip
    groups: dict[str, list[int]] = {}  # key -> [first, last], in the order keys appear
    result: list[str] = []
    mappings: list[str] = []
    for port in ordered:
        current, key = port.get("PrivatePort", 0), port.get("Type", "tcp")
        ip = port.get("IP") or ""
        if ip:
            if port.get("PublicPort") != current:
                host = f"[{ip}]" if ":" in ip else ip
                mappings.append(f"{host}:{port.get('PublicPort')}->{current}/{port.get('Type')}")
                continue
            key = f"{ip}/{key}"
        group = groups.get(key)
        if group is None:
            groups[key] = [current, current]
        elif current == group[1] + 1:
            group[1] = current
        else:
            result.append(_port_group(key, *group))
            del groups[key]  # re-inserted last, as Go's map keeps the key's first position
            groups[key] = [current, current]
    result += [_port_group(key, first, last) for key, (first, last) in groups.items()]
    return ", ".join(result + mappings)


def _port_group(key: str, first: int, last: int) -> str:
    ip, _, kind = key.rpartition("/")
    group = str(first) if first == last else f"{first}-{last}"
    if ip:
        group = f"{ip}:{group}->{group}"
    return f"{group}/{kind}"


# --- ps and images rows -----------------------------------------------------------------------


class ContainerRow(Row):
    """One container of GET /containers/json, with the fields of docker's ContainerContext."""

    HEADERS = {
        "ID": "CONTAINER ID",
        "Image": "IMAGE",
        "Command": "COMMAND",
        "CreatedAt": "CREATED AT",
        "RunningFor": "CREATED",
        "Ports": "PORTS",
        "State": "STATE",
        "Status": "STATUS",
        "Size": "SIZE",
        "Names": "NAMES",
        "Labels": "LABELS",
        "Label": "LABEL",
        "LocalVolumes": "LOCAL VOLUMES",
        "Mounts": "MOUNTS",
        "Networks": "NETWORKS",
        "Platform": "PLATFORM",
    }
    GO_TYPE = "*formatter.ContainerContext"
    DEFAULT = (
        "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}"
        "\\t{{.Names}}"
    )

    def __init__(self, container: JSON, trunc: bool = True, now: float | None = None) -> None:
        self.c = container
        self.trunc = trunc
        self.now = time.time() if now is None else now

    def ID(self) -> str:  # noqa: N802 -- docker's field names
        return short_id(self.c["Id"]) if self.trunc else self.c["Id"]

    def Image(self) -> str:  # noqa: N802
        image = self.c.get("Image") or ""
        if not image:
            return "<no image>"
        if self.trunc:
            if short_id(self.c.get("ImageID") or "") == short_id(image):
                return short_id(image)
            name, at, _ = image.partition("@")  # a digest is not shown
            if at:
                return name
        return str(image)

    def Command(self) -> str:  # noqa: N802
        command = self.c.get("Command") or ""
        return _go_quote(ellipsis(command, COMMAND_WIDTH) if self.trunc else command)

    def CreatedAt(self) -> str:  # noqa: N802
        return _go_time(self.c.get("Created", 0))

    def RunningFor(self) -> str:  # noqa: N802
        return human_duration(self.now - self.c.get("Created", self.now)) + " ago"

    def Ports(self) -> str:  # noqa: N802
        return format_ports(self.c.get("Ports") or [])

    def State(self) -> str:  # noqa: N802
        return str(self.c.get("State") or "")

    def Status(self) -> str:  # noqa: N802
        return str(self.c.get("Status") or "")

    def Size(self) -> str:  # noqa: N802
        writable = human_size(self.c.get("SizeRw") or 0)
        root = self.c.get("SizeRootFs") or 0
        return f"{writable} (virtual {human_size(root)})" if root > 0 else writable

    def Names(self) -> str:  # noqa: N802
        # Names come as "/web"; one with another "/" is a legacy link: truncated, the first
        # name without one is shown.
        names = [name[1:] if name.startswith("/") else name for name in self.c.get("Names") or []]
        if self.trunc:
            plain = [name for name in names if "/" not in name]
            names = plain[:1] or names
        return ",".join(names)

    def Labels(self) -> str:  # noqa: N802
        labels = self.c.get("Labels") or {}
        return ",".join(f"{key}={value}" for key, value in sorted(labels.items()))

    def Label(self, name: str) -> str:  # noqa: N802
        return str((self.c.get("Labels") or {}).get(name, ""))

    def LocalVolumes(self) -> str:  # noqa: N802
        mounts = self.c.get("Mounts") or []
        return str(sum(1 for mount in mounts if mount.get("Driver") == "local"))

    def Mounts(self) -> str:  # noqa: N802
        names = []
        for mount in self.c.get("Mounts") or []:
            name = mount.get("Name") or mount.get("Source") or ""
            names.append(ellipsis(name, MOUNT_WIDTH) if self.trunc else name)
        return ",".join(names)

    def Networks(self) -> str:  # noqa: N802
        networks = (self.c.get("NetworkSettings") or {}).get("Networks") or {}
        return ",".join(sorted(networks))

    def Platform(self) -> Any:  # noqa: N802
        return None  # docker 28 reads it from the image index: not in API 1.41's answer


class ImageRow(Row):
    """One repository:tag of an image of GET /images/json (docker's imageContext)."""

    HEADERS = {
        "ID": "IMAGE ID",
        "Repository": "REPOSITORY",
        "Tag": "TAG",
        "Digest": "DIGEST",
        "CreatedSince": "CREATED",
        "CreatedAt": "CREATED AT",
        "Size": "SIZE",
        "Containers": "CONTAINERS",
        "VirtualSize": "VIRTUAL SIZE",
        "SharedSize": "SHARED SIZE",
        "UniqueSize": "UNIQUE SIZE",
    }
    GO_TYPE = "*formatter.imageContext"
    DEFAULT = "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"
    DIGESTS = (
        "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"
    )

    def __init__(
        self, image: JSON, repository: str, tag: str, digest: str, trunc: bool = True,
        now: float | None = None,
    ) -> None:  # fmt: skip
        self.i = image
        self.repository, self.tag, self.digest = repository, tag, digest
        self.trunc = trunc
        self.now = time.time() if now is None else now

    def ID(self) -> str:  # noqa: N802
        return short_id(self.i["Id"]) if self.trunc else self.i["Id"]

    def Repository(self) -> str:  # noqa: N802
        return self.repository

    def Tag(self) -> str:  # noqa: N802
        return self.tag

    def Digest(self) -> str:  # noqa: N802
        return self.digest

    def CreatedSince(self) -> str:  # noqa: N802
        return human_duration(self.now - self.i.get("Created", self.now)) + " ago"

    def CreatedAt(self) -> str:  # noqa: N802
        return _go_time(self.i.get("Created", 0))

    def Size(self) -> str:  # noqa: N802
        return human_size(self.i.get("Size") or 0)

    def Containers(self) -> str:  # noqa: N802
        count = self.i.get("Containers", -1)
        return "N/A" if count == -1 else human_size(count, 4)

    def VirtualSize(self) -> str:  # noqa: N802
        return human_size(self.i.get("VirtualSize", self.i.get("Size") or 0), 4)

    def SharedSize(self) -> str:  # noqa: N802
        shared = self.i.get("SharedSize", -1)
        return "N/A" if shared == -1 else human_size(shared, 4)

    def UniqueSize(self) -> str:  # noqa: N802
        shared = self.i.get("SharedSize", -1)
        return "N/A" if shared == -1 else human_size((self.i.get("Size") or 0) - shared, 4)


def image_rows(images: Iterable[JSON], trunc: bool = True, digests: bool = False) -> list[ImageRow]:
    """One row per repository:tag of each image (docker's imageFormat): an image with no tag
    and no digest is one "<none>" row; digests are a column only with --digests."""
    now = time.time()
    rows = []
    for image in images:
        tags = image.get("RepoTags") or []
        refs = image.get("RepoDigests") or []
        if (not tags and not refs) or (tags == ["<none>:<none>"] and refs == ["<none>@<none>"]):
            rows.append(ImageRow(image, "<none>", "<none>", "<none>", trunc, now))
            continue
        repo_tags: dict[str, list[str]] = {}
        for ref in tags:
            repository, colon, tag = ref.rpartition(":")
            if colon and "/" not in tag and repository != "<none>":
                repo_tags.setdefault(repository, []).append(tag)
        repo_digests: dict[str, list[str]] = {}
        for ref in refs:
            repository, at, digest = ref.partition("@")
            if at and repository != "<none>":
                repo_digests.setdefault(repository, []).append(digest)
        for repository, repo_tag_list in repo_tags.items():
            shown = repo_digests.pop(repository, []) if digests else []
            repo_digests.pop(repository, None)
            for tag in repo_tag_list:
                for digest in shown or ["<none>"]:
                    rows.append(ImageRow(image, repository, tag, digest, trunc, now))
        for repository, digest_list in repo_digests.items():
            for digest in digest_list if digests else [""]:
                rows.append(ImageRow(image, repository, "<none>", digest, trunc, now))
    return rows


# --- --format ---------------------------------------------------------------------------------


def listing(
    rows: Sequence[Row],
    format_spec: str,
    default: str,
    headers: Mapping[str, str],
    errors: tuple[str, str] = ("template parsing error: ", "template parsing error: "),
) -> list[str]:
    """Rows as docker's formatter prints them: `format_spec` is "" or "table" (the default
    table), "json" (one JSON object per line), "table TEMPLATE" (a table with titles) or a
    TEMPLATE (one rendering per row). `\\t` and `\\n` in it are a tab and a newline. A template
    that fails is a CommandError prefixed as the verb's docker words it (`errors`: when parsing,
    when running)."""
    spec = format_spec or default
    if spec == "table":
        spec = default
    elif spec == "json":
        spec = "{{json .}}"
    is_table = spec.startswith("table")
    source = spec[len("table") :] if is_table else spec
    source = source.strip(" ").replace("\\t", "\t").replace("\\n", "\n")
    try:
        template = parse(source)
    except TemplateError as exc:
        raise CommandError(f"{errors[0]}{exc}") from None
    try:
        rendered = [render(template, row) for row in rows]
        if not is_table:
            return rendered
        title = render(template, None, headers)
    except TemplateError as exc:
        raise CommandError(f"{errors[1]}{exc}") from None
    return tabwrite("\n".join([title, *rendered])).split("\n")


def uses_size(format_spec: str) -> bool:
    """Whether a ps template shows sizes, which the daemon computes only when asked (docker asks
    for them when the template uses .Size, as `{{json .}}` does)."""
    # docker finds out by running the template on an empty row: "json" alone is not run so.
    return ".Size" in format_spec or re.search(r"json\s+\.\s*(\||\}\})", format_spec) is not None


def containers_listing(
    containers: Iterable[JSON], format_spec: str | None, no_trunc: bool, size: bool = False
) -> list[str]:
    """`docker ps` (GET /containers/json) as a table, or through --format."""
    now = time.time()
    rows = [ContainerRow(container, not no_trunc, now) for container in containers]
    default = ContainerRow.DEFAULT + ("\\t{{.Size}}" if size else "")
    errors = ("failed to parse template: ", "failed to execute template: ")
    return listing(rows, format_spec or "", default, ContainerRow.HEADERS, errors)


def images_listing(
    images: Iterable[JSON], format_spec: str | None, no_trunc: bool, digests: bool = False
) -> list[str]:
    """`docker images` (GET /images/json) as a table, or through --format."""
    rows = image_rows(images, not no_trunc, digests)
    default = ImageRow.DIGESTS if digests else ImageRow.DEFAULT
    return listing(rows, format_spec or "", default, ImageRow.HEADERS)


def image_ids(images: Iterable[JSON], no_trunc: bool) -> list[str]:
    """`docker images -q`: each row's id, an image with several tags once."""
    seen: list[str] = []
    for row in image_rows(images, not no_trunc):
        if row.ID() not in seen:
            seen.append(row.ID())
    return seen


def formatted(values: Iterable[Any], format_spec: str, name: str = "") -> list[str]:
    """`inspect -f`, `info --format`, `version --format`: each value through the template.
    Raises TemplateError."""
    if format_spec == "json":
        format_spec = "{{json .}}"
    template = parse(format_spec.replace("\\t", "\t").replace("\\n", "\n"), name)
    return [render(template, value) for value in values]


# --- version and info -------------------------------------------------------------------------

#: Go's names for machine architectures (runtime.GOARCH), as docker shows them.
GO_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}


def client_version(rawdock_version: str, api_version: str, newest: str, context: str) -> JSON:
    """The client half of `version`, with docker's field names (for --format)."""
    machine = os.uname().machine
    return {
        "Platform": {"Name": "rawdock"},
        "Version": rawdock_version,
        "ApiVersion": api_version,
        "DefaultAPIVersion": newest,
        "PythonVersion": ".".join(str(part) for part in sys.version_info[:3]),
        "Os": sys.platform,
        "Arch": GO_ARCH.get(machine, machine),
        "Context": context,
    }


_WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def version_struct(client: JSON, server: JSON | None) -> Struct:
    """What `version --format` evaluates: docker's versionInfo, with Go's field names."""
    api = {"APIVersion": "ApiVersion"}
    fields = {
        "Client": Struct(client, "system.clientVersion", api),
        "Server": Struct(server, "*types.Version", api) if server is not None else None,
    }
    return Struct({}, "system.versionInfo", fields=fields)


#: Fields of docker's system.Info whose Go name is not their JSON name.
INFO_GO_NAMES = {
    "CPUCfsPeriod": "CpuCfsPeriod",
    "CPUCfsQuota": "CpuCfsQuota",
    "BridgeNfIP6tables": "BridgeNfIp6tables",
    "HTTPProxy": "HttpProxy",
    "HTTPSProxy": "HttpsProxy",
}


def info_struct(info: JSON) -> Struct:
    """What `info --format` evaluates: docker's dockerInfo, with Go's field names."""
    return Struct(info, "system.dockerInfo", INFO_GO_NAMES)


def _ansic(build_time: str) -> str:
    """docker version's Built: the daemon's RFC 3339 time as Go's time.ANSIC
    ("Thu May  7 21:09:36 2026"), or as given when it is not one. (By hand: time.strptime
    would import datetime, calendar and _strptime on every `version`.)"""
    date, t, clock = build_time.partition("T")
    parts = date.split("-")
    if not t or len(parts) != 3 or not all(part.isdigit() for part in parts) or len(clock) < 8:
        return build_time
    year, month, day = (int(part) for part in parts)
    if not 1 <= month <= 12:
        return build_time
    # Sakamoto's method: the day of the week of a Gregorian date, 0 for Sunday.
    shifted = year - (month < 3)
    offsets = (0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4)
    weekday = (
        shifted + shifted // 4 - shifted // 100 + shifted // 400 + offsets[month - 1] + day
    ) % 7
    return f"{_WEEKDAYS[weekday]} {_MONTHS[month - 1]} {day:>2} {clock[:8]} {year}"


def version_lines(client: JSON, server: JSON | None, format_spec: str | None) -> list[str]:
    """`docker version`: the client (rawdock), then the engine from GET /version, aligned as
    docker's tabwriter aligns them (minwidth 20, padding 1)."""
    if format_spec:
        return formatted([version_struct(client, server)], format_spec, "version")
    api = client["ApiVersion"]
    if api != client["DefaultAPIVersion"]:
        api += f" (downgraded from {client['DefaultAPIVersion']})"
    lines = [
        f"Client: {client['Platform']['Name']}",
        f" Version:\t{client['Version']}",
        f" API version:\t{api}",
        f" Python version:\t{client['PythonVersion']}",
        f" OS/Arch:\t{client['Os']}/{client['Arch']}",
        f" Context:\t{client['Context']}",
    ]
    if server is not None:
        name = (server.get("Platform") or {}).get("Name") or ""
        lines += ["", f"Server: {name}".rstrip()]
        for component in server.get("Components") or [{"Name": "Engine", "Details": {}}]:
            details = component.get("Details") or {}
            lines.append(f" {component.get('Name')}:")
            if component.get("Name") == "Engine":
                minimum = server.get("MinAPIVersion", details.get("MinAPIVersion", ""))
                lines += [
                    f"  Version:\t{server.get('Version', '')}",
                    f"  API version:\t{server.get('ApiVersion', '')} (minimum version {minimum})",
                    f"  Go version:\t{server.get('GoVersion', '')}",
                    f"  Git commit:\t{server.get('GitCommit', '')}",
                    f"  Built:\t{_ansic(server.get('BuildTime', ''))}",
                    f"  OS/Arch:\t{server.get('Os', '')}/{server.get('Arch', '')}",
                    f"  Experimental:\t{str(server.get('Experimental', False)).lower()}",
                ]
            else:
                lines.append(f"  Version:\t{component.get('Version', '')}")
                lines += [f"  {key}:\t{details[key]}" for key in sorted(details)]
    return tabwrite("\n".join(lines), 20, 1).split("\n")


def _go(value: Any) -> str:
    # fmt.Println's operands: booleans as true/false, nil as <nil>.
    if isinstance(value, bool):
        return "true" if value else "false"
    return "<nil>" if value is None else str(value)


def _go_duration(nanoseconds: int) -> str:
    """units.HumanDuration of a Go time.Duration (nanoseconds)."""
    return human_duration(nanoseconds / 1e9)


def info_lines(info: JSON) -> list[str]:
    """`docker info`'s "Server:" section from GET /info, line for line as docker's
    prettyPrintServerInfo writes it (fmt.Println: one space between a name and its value)."""
    lines: list[str] = []

    def line(*parts: Any) -> None:
        lines.append(" ".join(_go(part) for part in parts))

    def non_empty(name: str, value: Any) -> None:
        if value not in (None, ""):
            line(name, value)

    line(" Containers:", info.get("Containers", 0))
    line("  Running:", info.get("ContainersRunning", 0))
    line("  Paused:", info.get("ContainersPaused", 0))
    line("  Stopped:", info.get("ContainersStopped", 0))
    line(" Images:", info.get("Images", 0))
    non_empty(" Server Version:", info.get("ServerVersion"))
    non_empty(" Storage Driver:", info.get("Driver"))
    lines += [f"  {name}: {value}" for name, value in info.get("DriverStatus") or []]
    lines += [f" {name}: {value}" for name, value in info.get("SystemStatus") or []]
    non_empty(" Logging Driver:", info.get("LoggingDriver"))
    non_empty(" Cgroup Driver:", info.get("CgroupDriver"))
    non_empty(" Cgroup Version:", info.get("CgroupVersion"))
    plugins = info.get("Plugins") or {}
    line(" Plugins:")
    line("  Volume:", " ".join(plugins.get("Volume") or []))
    line("  Network:", " ".join(plugins.get("Network") or []))
    if plugins.get("Authorization"):
        line("  Authorization:", " ".join(plugins["Authorization"]))
    line("  Log:", " ".join(plugins.get("Log") or []))
    if info.get("CDISpecDirs"):
        line(" CDI spec directories:")
        lines += [f"  {directory}" for directory in info["CDISpecDirs"]]
    swarm = info.get("Swarm") or {}
    line(" Swarm:", swarm.get("LocalNodeState", ""))
    lines += _swarm_lines(swarm)
    if info.get("Runtimes"):
        line(" Runtimes:", " ".join(sorted(info["Runtimes"])))
        line(" Default Runtime:", info.get("DefaultRuntime", ""))
    if info.get("OSType") == "linux":
        line(" Init Binary:", info.get("InitBinary", ""))
        for name, key in (("containerd", "ContainerdCommit"), ("runc", "RuncCommit"),
                          ("init", "InitCommit")):  # fmt: skip
            lines.append(f" {name} version: {(info.get(key) or {}).get('ID', '')}")
        if info.get("SecurityOptions"):
            line(" Security Options:")
            for option in info["SecurityOptions"]:
                fields = dict(part.partition("=")[::2] for part in option.split(","))
                lines.append(f"  {fields.get('name', option)}")
                if "profile" in fields:
                    line("   Profile:", fields["profile"])
    if info.get("OSType") == "windows":
        line(" Default Isolation:", info.get("Isolation", ""))
    non_empty(" Kernel Version:", info.get("KernelVersion"))
    non_empty(" Operating System:", info.get("OperatingSystem"))
    non_empty(" OSType:", info.get("OSType"))
    non_empty(" Architecture:", info.get("Architecture"))
    line(" CPUs:", info.get("NCPU", 0))
    line(" Total Memory:", binary_size(info.get("MemTotal", 0)))
    non_empty(" Name:", info.get("Name"))
    non_empty(" ID:", info.get("ID"))
    line(" Docker Root Dir:", info.get("DockerRootDir", ""))
    line(" Debug Mode:", bool(info.get("Debug")))
    if info.get("Debug"):
        line("  File Descriptors:", info.get("NFd", 0))
        line("  Goroutines:", info.get("NGoroutines", 0))
        line("  System Time:", info.get("SystemTime", ""))
        line("  EventsListeners:", info.get("NEventsListener", 0))
    non_empty(" HTTP Proxy:", info.get("HttpProxy"))
    non_empty(" HTTPS Proxy:", info.get("HttpsProxy"))
    non_empty(" No Proxy:", info.get("NoProxy"))
    if info.get("Labels"):
        line(" Labels:")
        lines += [f"  {label}" for label in info["Labels"]]
    line(" Experimental:", bool(info.get("ExperimentalBuild")))
    registries = info.get("RegistryConfig") or {}
    indexes = registries.get("IndexConfigs") or {}
    if registries.get("InsecureRegistryCIDRs") or indexes:
        line(" Insecure Registries:")
        lines += [f"  {index['Name']}" for index in indexes.values() if not index.get("Secure")]
        lines += [f"  {cidr}" for cidr in registries.get("InsecureRegistryCIDRs") or []]
    if registries.get("Mirrors"):
        line(" Registry Mirrors:")
        lines += [f"  {mirror}" for mirror in registries["Mirrors"]]
    line(" Live Restore Enabled:", bool(info.get("LiveRestoreEnabled")))
    if info.get("ProductLicense"):
        line(" Product License:", info["ProductLicense"])
    if info.get("DefaultAddressPools"):
        line(" Default Address Pools:")
        lines += [f"   Base: {pool['Base']}, Size: {pool['Size']}"
                  for pool in info["DefaultAddressPools"]]  # fmt: skip
    lines.append("")
    return lines


def _swarm_lines(swarm: JSON) -> list[str]:
    """docker info's printSwarmInfo: the node, and the cluster when this node manages it."""
    state = swarm.get("LocalNodeState", "")
    if state in ("", "inactive", "locked"):
        return []
    lines = [f"  NodeID: {swarm.get('NodeID', '')}"]
    if swarm.get("Error"):
        lines.append(f"  Error: {swarm['Error']}")
    lines.append(f"  Is Manager: {_go(bool(swarm.get('ControlAvailable')))}")
    cluster = swarm.get("Cluster")
    if cluster and swarm.get("ControlAvailable") and not swarm.get("Error") and state != "error":
        spec = cluster.get("Spec") or {}
        raft = spec.get("Raft") or {}
        ca = spec.get("CAConfig") or {}
        lines += [
            f"  ClusterID: {cluster.get('ID', '')}",
            f"  Managers: {swarm.get('Managers', 0)}",
            f"  Nodes: {swarm.get('Nodes', 0)}",
        ]
        if cluster.get("DefaultAddrPool") is not None:
            pools = "".join(pool + "  " for pool in cluster["DefaultAddrPool"])
            lines += [
                f"  Default Address Pool: {pools}",
                f"  SubnetSize: {cluster.get('SubnetSize', 0)}",
            ]
        if cluster.get("DataPathPort", 0) > 0:
            lines.append(f"  Data Path Port: {cluster['DataPathPort']}")
        retention = (spec.get("Orchestration") or {}).get("TaskHistoryRetentionLimit") or 0
        lines += [
            "  Orchestration:",
            f"   Task History Retention Limit: {retention}",
            "  Raft:",
            f"   Snapshot Interval: {raft.get('SnapshotInterval', 0)}",
        ]
        if raft.get("KeepOldSnapshots") is not None:
            lines.append(f"   Number of Old Snapshots to Retain: {raft['KeepOldSnapshots']}")
        heartbeat = (spec.get("Dispatcher") or {}).get("HeartbeatPeriod", 0)
        lines += [
            f"   Heartbeat Tick: {raft.get('HeartbeatTick', 0)}",
            f"   Election Tick: {raft.get('ElectionTick', 0)}",
            "  Dispatcher:",
            f"   Heartbeat Period: {_go_duration(heartbeat)}",
            "  CA Configuration:",
            f"   Expiry Duration: {_go_duration(ca.get('NodeCertExpiry', 0))}",
            f"   Force Rotate: {ca.get('ForceRotate', 0)}",
        ]
        if (ca.get("SigningCACert") or "").strip():
            lines += ["   Signing CA Certificate: ", ca["SigningCACert"].strip(), ""]
        if ca.get("ExternalCAs"):
            lines.append("   External CAs:")
            lines += [
                f"     {entry.get('Protocol')}: {entry.get('URL')}" for entry in ca["ExternalCAs"]
            ]
        autolock = bool((spec.get("EncryptionConfig") or {}).get("AutoLockManagers"))
        lines += [
            f"  Autolock Managers: {_go(autolock)}",
            f"  Root Rotation In Progress: {_go(bool(cluster.get('RootRotationInProgress')))}",
        ]
    lines.append(f"  Node Address: {swarm.get('NodeAddr', '')}")
    managers = sorted(entry.get("Addr", "") for entry in swarm.get("RemoteManagers") or [])
    if managers:
        lines.append("  Manager Addresses:")
        lines += [f"   {address}" for address in managers]
    return lines


def info_warnings(info: JSON) -> list[str]:
    """What docker info prints on stderr after the section: the daemon's warnings, or, from a
    daemon that sends none, docker's own checks of the facts (printServerWarningsLegacy)."""
    if info.get("Warnings"):
        return list(info["Warnings"])
    if info.get("OSType") == "windows":
        return []
    checks = [
        ("MemoryLimit", "WARNING: No memory limit support"),
        ("SwapLimit", "WARNING: No swap limit support"),
        ("OomKillDisable", "WARNING: No oom kill disable support"),
        ("CpuCfsQuota", "WARNING: No cpu cfs quota support"),
        ("CpuCfsPeriod", "WARNING: No cpu cfs period support"),
        ("CPUShares", "WARNING: No cpu shares support"),
        ("CPUSet", "WARNING: No cpuset support"),
        ("IPv4Forwarding", "WARNING: IPv4 forwarding is disabled"),
        ("BridgeNfIptables", "WARNING: bridge-nf-call-iptables is disabled"),
        ("BridgeNfIp6tables", "WARNING: bridge-nf-call-ip6tables is disabled"),
    ]
    return [
        warning
        for key, warning in checks
        if not info.get(key, True)
        and not (key == "OomKillDisable" and info.get("CgroupVersion") == "2")
    ]


def client_info_lines(rawdock_version: str, context: str, debug: bool) -> list[str]:
    """docker info's "Client:" section, for rawdock."""
    return [
        "Client: rawdock",
        f" Version:    {rawdock_version}",
        f" Context:    {context}",
        f" Debug Mode: {_go(debug)}",
        "",
        "Server:",
    ]


def json_text(value: JSON) -> str:
    """The daemon's JSON for `--json` and `inspect`, indented as docker indents it."""
    return json.dumps(value, indent=4, ensure_ascii=False)


# --- pull progress ----------------------------------------------------------------------------

# ANSI escapes (ECMA-48): cursor up/down n lines, erase the whole line.
_UP = "\x1b[{}A"
_DOWN = "\x1b[{}B"
_ERASE_LINE = "\x1b[2K"
#: Below this many columns docker leaves the bar out of a progress line and keeps the numbers.
PROGRESS_BAR_MIN_WIDTH = 111
#: The bar's length in "=" at 100% (jsonmessage.JSONProgress).
PROGRESS_BAR_LENGTH = 50


def progress_text(detail: JSON, width: int, now: float | None = None) -> str:
    """docker's JSONProgress.String(): "[==>   ] 1.2MB/4.5MB 3s" from a progressDetail
    ({"current", "total", "start", "units", "hidecounts"}), the bar only on a terminal wider
    than 110 columns, the time left only while it runs."""
    current, total = detail.get("current") or 0, detail.get("total") or 0
    units = detail.get("units") or ""
    if current <= 0 and total <= 0:
        return ""
    if total <= 0:
        return f"{human_size(current, 4):>8}" if not units else f"{current} {units}"
    percentage = min(int(current / total * 100) // 2, PROGRESS_BAR_LENGTH)
    bar = ""
    if width >= PROGRESS_BAR_MIN_WIDTH:
        bar = f"[{'=' * percentage}>{' ' * max(PROGRESS_BAR_LENGTH - percentage, 0)}] "
    numbers = ""
    if detail.get("hidecounts"):
        pass
    elif not units:
        numbers = f"{human_size(current, 4):>8}"
        if current <= total:
            numbers += f"/{human_size(total, 4)}"
    else:
        numbers = f"{current}/{total} {units}" if current <= total else f"{current} {units}"
    left = ""
    start = detail.get("start") or 0
    if current > 0 and start > 0 and percentage < PROGRESS_BAR_LENGTH:
        elapsed = (time.time() if now is None else now) - start
        left = " " + _go_seconds(round((total - current) * elapsed / current))
    return bar + numbers + left


def _go_seconds(seconds: int) -> str:
    """A whole number of seconds as Go's time.Duration prints it: "0s", "45s", "1m5s", "2h0m0s"."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


class PullProgress:
    """Shows the progress messages of a pull (or push) as docker's jsonmessage does.

    On a terminal each layer with progress keeps one line, rewritten in place (cursor up, erase,
    rewrite, cursor down) as its status and numbers change; the bar shows only when the terminal
    is wider than 110 columns. Elsewhere (a pipe, a file) every message is a plain line, except
    those carrying byte counts, which are left out."""

    def __init__(self, out: TextIO, terminal: bool, width: int = 80) -> None:
        self.out = out
        self.terminal = terminal
        self.width = width
        self._lines: dict[str, int] = {}  # layer id -> its line in the block being drawn

    def show(self, message: JSON) -> None:
        layer = message.get("id") or ""
        status = message.get("status") or ""
        has_progress = "progressDetail" in message
        progress = progress_text(message.get("progressDetail") or {}, self.width)
        distance = 0
        if layer and has_progress:
            if layer not in self._lines:
                self._lines[layer] = len(self._lines)
                if self.terminal:
                    self.out.write("\n")
            distance = len(self._lines) - self._lines[layer]
            if self.terminal:
                self.out.write(_UP.format(distance))
        else:
            # Anything else ends the block: its lines are not rewritten after it.
            self._lines.clear()
        prefix = f"{layer}: " if layer else ""
        if self.terminal and has_progress:
            self.out.write(f"{_ERASE_LINE}\r{prefix}{status} {progress}\r")
        elif not progress:
            self.out.write(f"{prefix}{status}\n")
        if layer and self.terminal and distance:
            self.out.write(_DOWN.format(distance))
        self.out.flush()
