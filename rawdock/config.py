"""The body of `POST /containers/create`, built from docker CLI flags.

The daemon's JSON is the interface: `create_container` sends the dict it is given, as is. These
functions only build that dict from the values one would type after `docker run`, exactly as
the docker CLI maps them (cli/command/container/opts.go), and never hide it:

    >>> from rawdock.config import container
    >>> container("nginx", ports=["127.0.0.1:8080:80"], env=["MODE=prod"], memory="512m")
    {'Image': 'nginx', 'Env': ['MODE=prod'], 'ExposedPorts': {'80/tcp': {}}, 'HostConfig': \
{'PortBindings': {'80/tcp': [{'HostIp': '127.0.0.1', 'HostPort': '8080'}]}, 'Memory': 536870912}}

Each flag also has its parser, for building a dict by hand: `parse_ports` (-p), `parse_env`
(-e), `parse_labels` (-l), `parse_volume` (-v), `parse_mount` (--mount), `parse_restart`
(--restart), `parse_bytes` (-m, --shm-size), `parse_cpus` (--cpus). A value that does not
parse raises `ConfigError` (an InvalidArgument, so a ValueError too) naming the flag's value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .errors import InvalidArgument

__all__ = [
    "ConfigError",
    "container",
    "PortBindings",
    "parse_ports",
    "parse_env",
    "parse_labels",
    "parse_volume",
    "parse_mount",
    "parse_restart",
    "parse_bytes",
    "parse_cpus",
]

#: Protocols a published port may carry (docker's nat.ValidateProtocol).
PORT_PROTOCOLS = ("tcp", "udp", "sctp")
MAX_PORT = 65535
#: Restart policies (`--restart`); only on-failure takes a count.
RESTART_POLICIES = ("no", "always", "unless-stopped", "on-failure")
#: The options a `-v` may end with (cli/compose/loader volume.go and the daemon's mount parser).
VOLUME_MODES = frozenset(
    {"ro", "rw", "z", "Z", "nocopy", "consistent", "cached", "delegated"}
    | {"shared", "rshared", "slave", "rslave", "private", "rprivate"}
)
#: --mount types.
MOUNT_TYPES = ("bind", "volume", "tmpfs", "npipe", "cluster")
NANO = 10**9


class ConfigError(InvalidArgument):
    """A flag value that does not parse, as the docker CLI would refuse it."""


# --- -p / --publish ---------------------------------------------------------------------------


class PortBindings:
    """What `-p` flags become in the create body: `ExposedPorts` and `HostConfig.PortBindings`.
    HostPort is a string ("" for a random port), exactly as the docker CLI sends it. (A plain
    class: dataclasses would cost the command line a few milliseconds of import.)"""

    def __init__(
        self, exposed: dict[str, dict[str, Any]], bindings: dict[str, list[dict[str, str]]]
    ) -> None:
        self.exposed = exposed
        self.bindings = bindings


def _port_range(text: str, spec: str) -> tuple[int, int]:
    """ "80" -> (80, 80); "8000-8010" -> (8000, 8010)."""
    low, dash, high = text.partition("-")
    if not low.isdigit() or (dash and not high.isdigit()):
        raise ConfigError(f"invalid port spec {spec!r}: {text!r} is not a port or a port range")
    first, last = int(low), int(high) if dash else int(low)
    if not (0 < first <= last <= MAX_PORT):
        raise ConfigError(f"invalid port spec {spec!r}: ports go from 1 to {MAX_PORT}")
    return first, last


def _split_port_spec(spec: str) -> tuple[str, str, str]:
    """[IP:][HOST:]CONTAINER -> (ip, host, container). An IPv6 address goes in brackets:
    "[::1]:8080:80" (docker's nat.ParsePortSpec)."""
    ip = ""
    rest = spec
    if spec.startswith("["):
        end = spec.find("]:")
        if end < 0:
            raise ConfigError(f"invalid port spec {spec!r}: unclosed '[' around an IPv6 address")
        ip, rest = spec[1:end], spec[end + 2 :]
        host, sep, container = rest.rpartition(":")
        if not sep:
            raise ConfigError(f"invalid port spec {spec!r}: no container port after the address")
        return ip, host, container
    parts = spec.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    raise ConfigError(
        f"invalid port spec {spec!r}: expected [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]"
    )


def parse_ports(specs: Iterable[str]) -> PortBindings:
    """`-p` values -> ExposedPorts and PortBindings, as the docker CLI builds them:

    "80"                -> {"80/tcp": [{"HostIp": "", "HostPort": ""}]}  (a random host port)
    "8080:80"           -> {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}
    "127.0.0.1::80/udp" -> {"80/udp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}
    "8000-8001:80-81"   -> one binding per port of the range
    """
    exposed: dict[str, dict[str, Any]] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    for spec in specs:
        address, slash, proto = spec.rpartition("/")
        if not slash:
            address, proto = spec, "tcp"
        proto = proto.lower()
        if proto not in PORT_PROTOCOLS:
            raise ConfigError(f"invalid port spec {spec!r}: unknown protocol {proto!r}")
        ip, host, container = _split_port_spec(address)
        if not container:
            raise ConfigError(f"invalid port spec {spec!r}: no container port")
        first, last = _port_range(container, spec)
        count = last - first + 1
        host_ports: list[str]
        if not host:
            host_ports = [""] * count
        else:
            host_first, host_last = _port_range(host, spec)
            host_count = host_last - host_first + 1
            if host_count == count:
                host_ports = [str(port) for port in range(host_first, host_last + 1)]
            elif count == 1:
                # One container port and a host range: the daemon picks a free port in it.
                host_ports = [host]
            else:
                raise ConfigError(
                    f"invalid port spec {spec!r}: the host range and the container range "
                    f"must be the same size"
                )
        for port, host_port in zip(range(first, last + 1), host_ports, strict=True):
            key = f"{port}/{proto}"
            exposed[key] = {}
            bindings.setdefault(key, []).append({"HostIp": ip, "HostPort": host_port})
    return PortBindings(exposed, bindings)


# --- -e / -l ----------------------------------------------------------------------------------


def parse_env(values: Iterable[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """`-e K=V` -> "K=V"; `-e K` alone takes K from our environment, and is dropped when it is
    not set there (as the docker CLI does)."""
    environ = os.environ if environ is None else environ
    result = []
    for value in values:
        name, eq, _ = value.partition("=")
        if not name:
            raise ConfigError(f"invalid environment variable {value!r}: no name before '='")
        if eq:
            result.append(value)
        elif name in environ:
            result.append(f"{name}={environ[name]}")
    return result


def parse_labels(values: Iterable[str]) -> dict[str, str]:
    """`-l K=V` -> {"K": "V"}; `-l K` alone is a label with an empty value."""
    labels = {}
    for value in values:
        key, _, label_value = value.partition("=")
        if not key:
            raise ConfigError(f"invalid label {value!r}: no key before '='")
        labels[key] = label_value
    return labels


# --- -v / --mount -----------------------------------------------------------------------------


def parse_volume(spec: str) -> tuple[str | None, str]:
    """One `-v` value -> where it goes in the create body, as the docker CLI sorts them:
    ("Binds", spec) for `SOURCE:TARGET[:MODE]` (SOURCE a host path or a volume name), sent as
    written; ("Volumes", TARGET) for a bare `TARGET` (an anonymous volume). TARGET must be
    absolute; MODE is a comma-separated list of ro, rw, z, Z, nocopy, a propagation
    (rshared, ...) or a consistency (cached, ...).

        >>> parse_volume("data:/var/lib/data:ro"), parse_volume("/scratch")
        (('Binds', 'data:/var/lib/data:ro'), ('Volumes', '/scratch'))"""
    parts = spec.split(":")
    if len(parts) == 1:
        source, target, mode = "", parts[0], ""
    elif len(parts) == 2:
        source, target, mode = parts[0], parts[1], ""
    elif len(parts) == 3:
        source, target, mode = parts
    else:
        raise ConfigError(f"invalid volume specification {spec!r}: too many ':'")
    if not target.startswith("/"):
        raise ConfigError(f"invalid volume specification {spec!r}: {target!r} is not absolute")
    for option in filter(None, mode.split(",")):
        if option not in VOLUME_MODES:
            raise ConfigError(f"invalid volume specification {spec!r}: unknown mode {option!r}")
    if len(parts) == 2 and source == "":
        raise ConfigError(f"invalid volume specification {spec!r}: empty source")
    return ("Binds", spec) if source else ("Volumes", target)


def _flag_bool(value: str, spec: str) -> bool:
    if value.lower() in ("", "1", "true"):
        return True
    if value.lower() in ("0", "false"):
        return False
    raise ConfigError(f"invalid mount {spec!r}: {value!r} is not a boolean")


def parse_mount(spec: str) -> dict[str, Any]:
    """One `--mount` value -> one entry of HostConfig.Mounts (opts/mount.go):

        >>> parse_mount("type=bind,source=/srv,target=/data,readonly")
        {'Type': 'bind', 'Source': '/srv', 'Target': '/data', 'ReadOnly': True}

    Keys: type (default volume), source|src, target|destination|dst, readonly|ro, consistency,
    bind-propagation, bind-nonrecursive, volume-nocopy, volume-driver, volume-label (repeatable),
    volume-opt (repeatable), tmpfs-size (bytes or 64m), tmpfs-mode (octal)."""
    mount: dict[str, Any] = {"Type": "volume"}
    bind: dict[str, Any] = {}
    volume: dict[str, Any] = {}
    tmpfs: dict[str, Any] = {}
    for field in spec.split(","):
        key, eq, value = field.partition("=")
        key = key.strip().lower()
        if key in ("readonly", "ro"):
            mount["ReadOnly"] = _flag_bool(value if eq else "", spec)
        elif key == "volume-nocopy":
            volume["NoCopy"] = _flag_bool(value if eq else "", spec)
        elif key == "bind-nonrecursive":
            bind["NonRecursive"] = _flag_bool(value if eq else "", spec)
        elif not eq:
            raise ConfigError(f"invalid mount {spec!r}: {field!r} is not key=value")
        elif key == "type":
            if value not in MOUNT_TYPES:
                raise ConfigError(f"invalid mount {spec!r}: unknown type {value!r}")
            mount["Type"] = value
        elif key in ("source", "src"):
            mount["Source"] = value
        elif key in ("target", "destination", "dst"):
            mount["Target"] = value
        elif key == "consistency":
            mount["Consistency"] = value
        elif key == "bind-propagation":
            bind["Propagation"] = value
        elif key == "volume-driver":
            volume.setdefault("DriverConfig", {})["Name"] = value
        elif key == "volume-opt":
            name, _, option = value.partition("=")
            volume.setdefault("DriverConfig", {}).setdefault("Options", {})[name] = option
        elif key == "volume-label":
            name, _, label = value.partition("=")
            volume.setdefault("Labels", {})[name] = label
        elif key == "tmpfs-size":
            tmpfs["SizeBytes"] = parse_bytes(value)
        elif key == "tmpfs-mode":
            try:
                tmpfs["Mode"] = int(value, 8)
            except ValueError:
                why = f"invalid mount {spec!r}: tmpfs-mode {value!r} is not octal"
                raise ConfigError(why) from None
        else:
            raise ConfigError(f"invalid mount {spec!r}: unknown key {key!r}")
    if "Target" not in mount:
        raise ConfigError(f"invalid mount {spec!r}: target is required")
    groups = ((bind, "BindOptions", "bind"), (volume, "VolumeOptions", "volume"))
    for options, name, kind in (*groups, (tmpfs, "TmpfsOptions", "tmpfs")):
        if options:
            if mount["Type"] != kind:
                why = f"invalid mount {spec!r}: {kind} options on a {mount['Type']} mount"
                raise ConfigError(why)
            mount[name] = options
    return mount


# --- --restart, -m, --cpus --------------------------------------------------------------------


def parse_restart(value: str) -> dict[str, Any]:
    """`--restart` -> HostConfig.RestartPolicy: "on-failure:3" ->
    {"Name": "on-failure", "MaximumRetryCount": 3}; "always" -> {"Name": "always"}."""
    name, colon, count = value.partition(":")
    if name not in RESTART_POLICIES:
        raise ConfigError(f"invalid restart policy {value!r}: expected one of {RESTART_POLICIES}")
    if not colon:
        return {"Name": name}
    if name != "on-failure":
        raise ConfigError(f"invalid restart policy {value!r}: only on-failure takes a count")
    if not count.isdigit():
        raise ConfigError(f"invalid restart policy {value!r}: {count!r} is not a count")
    return {"Name": name, "MaximumRetryCount": int(count)}


_BYTES = re.compile(r"(\d+(?:\.\d+)*) ?([kmgtp])?i?b?", re.IGNORECASE)


def parse_bytes(value: str | int) -> int:
    """`-m 512m` -> 536870912: a number with an optional binary unit b, k, m, g, t, p (any
    case, "kb"/"KiB" alike: 1024-based), as go-units RAMInBytes reads it."""
    if isinstance(value, int):
        return value
    match = _BYTES.fullmatch(value.strip())
    if not match:
        raise ConfigError(f"invalid size {value!r}: expected a number and a unit (b, k, m, g)")
    number, unit = match.groups()
    power = " kmgtp".index(unit.lower()) if unit else 0
    try:
        return int(float(number) * 1024**power)
    except ValueError:
        raise ConfigError(f"invalid size {value!r}") from None


def parse_cpus(value: str | float) -> int:
    """`--cpus 1.5` -> HostConfig.NanoCpus 1500000000 (opts.NanoCPUs: at most 9 decimals)."""
    from decimal import Decimal, InvalidOperation

    try:
        nano = Decimal(str(value)) * NANO
    except InvalidOperation:
        raise ConfigError(f"invalid --cpus {value!r}: not a number") from None
    if nano != nano.to_integral_value() or nano < 0:
        raise ConfigError(f"invalid --cpus {value!r}: at most 9 decimals, not negative")
    return int(nano)


# --- The whole body ---------------------------------------------------------------------------


def container(
    image: str,
    cmd: Sequence[str] | str | None = None,
    *,
    entrypoint: Sequence[str] | str | None = None,
    env: Iterable[str] = (),
    labels: Iterable[str] | Mapping[str, str] = (),
    ports: Iterable[str] = (),
    volumes: Iterable[str] = (),
    mounts: Iterable[str] = (),
    restart: str | None = None,
    memory: str | int | None = None,
    cpus: str | float | None = None,
    network: str | None = None,
    workdir: str | None = None,
    user: str | None = None,
    hostname: str | None = None,
    tty: bool = False,
    auto_remove: bool = False,
) -> dict[str, Any]:
    """The body of `POST /containers/create` for `docker run [flags] IMAGE [CMD]`, with only
    the fields the flags set (the daemon fills in the rest, as for the docker CLI):

        body = container("busybox", ["sleep", "60"], ports=["8080:80"], volumes=["data:/data"],
                         restart="on-failure:3", memory="256m", cpus=0.5)
        client.create_container(body, name="web")

    A str `cmd` or `entrypoint` is one word, as after `--entrypoint` (no shell splitting).
    Add what these flags do not cover to the dict: it is the daemon's JSON."""
    config: dict[str, Any] = {"Image": image}
    host: dict[str, Any] = {}
    if cmd is not None:
        config["Cmd"] = [cmd] if isinstance(cmd, str) else list(cmd)
    if entrypoint is not None:
        config["Entrypoint"] = [entrypoint] if isinstance(entrypoint, str) else list(entrypoint)
    if env := parse_env(env):
        config["Env"] = env
    if found := dict(labels) if isinstance(labels, Mapping) else parse_labels(labels):
        config["Labels"] = found
    for flag, field in ((workdir, "WorkingDir"), (user, "User"), (hostname, "Hostname")):
        if flag:
            config[field] = flag
    if tty:
        config["Tty"] = True
    published = parse_ports(ports)
    if published.exposed:
        config["ExposedPorts"] = published.exposed
        host["PortBindings"] = published.bindings
    for spec in volumes:
        where, value = parse_volume(spec)
        if where == "Binds":
            host.setdefault("Binds", []).append(value)
        else:
            config.setdefault("Volumes", {})[value] = {}
    if parsed_mounts := [parse_mount(spec) for spec in mounts]:
        host["Mounts"] = parsed_mounts
    if restart is not None:
        host["RestartPolicy"] = parse_restart(restart)
    if memory is not None:
        host["Memory"] = parse_bytes(memory)
    if cpus is not None:
        host["NanoCpus"] = parse_cpus(cpus)
    if network:
        host["NetworkMode"] = network
    if auto_remove:
        host["AutoRemove"] = True
    if host:
        config["HostConfig"] = host
    return config
