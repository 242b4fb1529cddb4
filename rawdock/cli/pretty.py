"""`node inspect --pretty` and `service inspect --pretty`: a node or a service as docker's
human-readable form prints it.

Docker renders them through templates of its own (nodeInspectPrettyTemplate and
serviceInspectPrettyTemplate, in docker/cli's cli/command/node/formatter.go and
cli/command/service/formatter.go); the lines here are those templates' output, built in
Python: maps in key order, tabs as docker writes them (no tabwriter: the pretty form is not a
table), states capitalised as docker's PrettyPrint does, memory in binary units, durations as
Go prints a time.Duration ("1m30s").

    rawdock node inspect --pretty self
    rawdock service inspect --pretty web
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .output import binary_size, human_duration, seconds_since

__all__ = ["node_pretty", "service_pretty", "go_time_text", "go_duration_text"]

JSON = Any


def _capitalized(text: str) -> str:
    # docker's formatter.PrettyPrint: the first letter upper-cased, the rest lower-cased (so
    # a time's zone "UTC" is "utc"), a single letter lower-cased.
    return text.lower() if len(text) == 1 else text[:1].upper() + text[1:].lower()


def go_time_text(timestamp: str) -> str:
    """An RFC 3339 time as Go's time.Time.String() prints it: "2024-05-01T10:00:00.120Z" is
    "2024-05-01 10:00:00.12 +0000 UTC" (the fraction without its trailing zeros)."""
    date, _, clock = timestamp.partition("T")
    if clock.endswith("Z"):
        clock, zone = clock[:-1], "+0000 UTC"
    else:  # an offset: Go names the zone by the offset itself
        sign = max(clock.rfind("+"), clock.rfind("-"))
        offset = clock[sign:].replace(":", "")
        clock, zone = clock[:sign], f"{offset} {offset}"
    whole, _, fraction = clock.partition(".")
    fraction = fraction.rstrip("0")
    return f"{date} {whole}{'.' + fraction if fraction else ''} {zone}"


def _labels(title: str, labels: dict[str, str]) -> list[str]:
    if not labels:
        return []
    lines = [title]
    for key in sorted(labels):
        lines.append(f" - {key}={labels[key]}" if labels[key] else f" - {key}")
    return lines


def node_pretty(node: JSON) -> str:
    """GET /nodes/{id}'s answer as `docker node inspect --pretty` prints it."""
    spec = node.get("Spec") or {}
    status = node.get("Status") or {}
    description = node.get("Description") or {}
    engine = description.get("Engine") or {}
    lines = [f"ID:\t\t\t{node.get('ID', '')}"]
    if spec.get("Name"):
        lines.append(f"Name:\t\t\t{spec['Name']}")
    lines += _labels("Labels:", spec.get("Labels") or {})
    lines += [
        f"Hostname:              \t{description.get('Hostname', '')}",
        f"Joined at:             \t{_capitalized(go_time_text(node.get('CreatedAt', '')))}",
        "Status:",
        f" State:\t\t\t{_capitalized(status.get('State', ''))}",
    ]
    if status.get("Message"):
        lines.append(f" Message:              \t{_capitalized(status['Message'])}")
    lines.append(f" Availability:         \t{_capitalized(spec.get('Availability', ''))}")
    if status.get("Addr"):
        lines.append(f" Address:\t\t{status['Addr']}")
    manager = node.get("ManagerStatus")
    if manager is not None:
        lines += [
            "Manager Status:",
            f" Address:\t\t{manager.get('Addr', '')}",
            f" Raft Status:\t\t{_capitalized(manager.get('Reachability', ''))}",
            f" Leader:\t\t{'Yes' if manager.get('Leader') else 'No'}",
        ]
    platform = description.get("Platform") or {}
    resources = description.get("Resources") or {}
    memory = resources.get("MemoryBytes") or 0
    lines += [
        "Platform:",
        f" Operating System:\t{platform.get('OS', '')}",
        f" Architecture:\t\t{platform.get('Architecture', '')}",
        "Resources:",
        f" CPUs:\t\t\t{(resources.get('NanoCPUs') or 0) // 1_000_000_000}",
        f" Memory:\t\t{binary_size(memory) if memory else ''}",
    ]
    plugins: dict[str, list[str]] = {}
    for plugin in engine.get("Plugins") or []:
        plugins.setdefault(plugin.get("Type", ""), []).append(plugin.get("Name", ""))
    if plugins:
        lines.append("Plugins:")
        for kind in sorted(plugins):
            names = ", ".join(plugins[kind])
            lines.append(f" {kind}:\t\t{names}" if names else f" {kind}:")
    lines.append(f"Engine Version:\t\t{engine.get('EngineVersion', '')}")
    lines += _labels("Engine Labels:", engine.get("Labels") or {})
    tls = description.get("TLSInfo") or {}
    if any(tls.values()):
        # CertIssuerSubject and CertIssuerPublicKey are bytes in Go: base64 in the JSON, and
        # docker prints them base64-encoded, so as they come.
        lines += [
            "TLS Info:",
            " TrustRoot:",
            tls.get("TrustRoot", ""),
            f" Issuer Subject:\t{tls.get('CertIssuerSubject', '')}",
            f" Issuer Public Key:\t{tls.get('CertIssuerPublicKey', '')}",
        ]
    return "\n".join(lines)


# --- service inspect --pretty -----------------------------------------------------------------

_NS_PER_SECOND = 1_000_000_000


def _fraction(value: int, unit: int) -> str:
    # Go's Duration.String: the fraction of a unit without trailing zeros ("1.5s", "250ms").
    whole, rest = divmod(value, unit)
    digits = str(rest).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


def go_duration_text(nanoseconds: int) -> str:
    """A duration in nanoseconds as Go's time.Duration.String() prints it: "0s", "500ms",
    "5s", "1m30s", "1h0m0s"."""
    sign, value = ("-", -nanoseconds) if nanoseconds < 0 else ("", nanoseconds)
    if value == 0:
        return "0s"
    if value < 1_000:
        return f"{sign}{value}ns"
    if value < 1_000_000:
        return f"{sign}{_fraction(value, 1_000)}µs"
    if value < _NS_PER_SECOND:
        return f"{sign}{_fraction(value, 1_000_000)}ms"
    hours, value = divmod(value, 3600 * _NS_PER_SECOND)
    minutes, value = divmod(value, 60 * _NS_PER_SECOND)
    seconds = _fraction(value, _NS_PER_SECOND) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    return f"{sign}{minutes}m{seconds}" if minutes else sign + seconds


def _go_value(value: Any) -> str:
    # fmt's %v of a bool, a number (a float without ".0") or a []string ("[a b]").
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(_go_value(item) for item in value) + "]"
    return str(value)


def _seconds_ago(timestamp: str, now: float) -> str:
    return human_duration(seconds_since(timestamp, now)) + " ago"


def _update_lines(title: str, config: JSON, order: str) -> list[str]:
    lines = [title, f" Parallelism:\t{config.get('Parallelism', 0)}"]
    if config.get("Delay", 0) > 0:
        lines.append(f" Delay:\t\t{go_duration_text(config['Delay'])}")
    lines.append(f" On failure:\t{config.get('FailureAction', '')}")
    if config.get("Monitor", 0) > 0:
        lines.append(f" Monitoring Period: {go_duration_text(config['Monitor'])}")
    lines.append(f" Max failure ratio: {_go_value(config.get('MaxFailureRatio', 0))}")
    lines.append(f" {order}{config.get('Order', '')}")
    return lines


def _resource_lines(resources: JSON) -> list[str]:
    lines = ["Resources:"]
    for title, kind in ((" Reservations:", "Reservations"), (" Limits:", "Limits")):
        values = resources.get(kind) or {}
        cpus, memory = values.get("NanoCPUs") or 0, values.get("MemoryBytes") or 0
        pids = (values.get("Pids") or 0) if kind == "Limits" else 0
        if cpus > 0 or memory > 0 or pids > 0:
            lines.append(title)
            if cpus > 0:
                lines.append(f"  CPU:\t\t{_go_value(cpus / _NS_PER_SECOND)}")
            if memory:
                lines.append(f"  Memory:\t{binary_size(memory)}")
    return lines


def _container_lines(container: JSON) -> list[str]:
    lines = ["ContainerSpec:", f" Image:\t\t{container.get('Image', '')}"]
    for title, key in ((" Args:\t\t", "Args"), (" Env:\t\t", "Env")):
        if container.get(key):
            lines.append(title + "".join(f"{item} " for item in container[key]))
    if container.get("Dir"):
        lines.append(f" Dir:\t\t{container['Dir']}")
    if container.get("Init") is not None:
        lines.append(f" Init:\t\t{_go_value(container['Init'])}")
    if container.get("User"):
        lines.append(f" User: {container['User']}")
    added, dropped = container.get("CapabilityAdd") or [], container.get("CapabilityDrop") or []
    if added or dropped:
        lines.append("Capabilities:")
        if added:
            lines.append(f" Add: {', '.join(added)}")
        if dropped:
            lines.append(f" Drop: {', '.join(dropped)}")
    sysctls = container.get("Sysctls") or {}
    if sysctls:
        lines.append("SysCtls:")
        lines += [f" {k}: {sysctls[k]}" if sysctls[k] else f" {k}" for k in sorted(sysctls)]
    ulimits = {
        u["Name"]: f"{u.get('Soft', 0)}:{u.get('Hard', 0)}" for u in container.get("Ulimits") or []
    }
    if ulimits:
        lines.append("Ulimits:")
        lines += [f" {name}: {ulimits[name]}" for name in sorted(ulimits)]
    mounts = container.get("Mounts") or []
    if mounts:
        lines.append("Mounts:")
    for mount in mounts:
        lines += [
            f" Target:\t{mount.get('Target', '')}",
            f"  Source:\t{mount.get('Source', '')}",
            f"  ReadOnly:\t{_go_value(bool(mount.get('ReadOnly')))}",
            f"  Type:\t\t{mount.get('Type', '')}",
        ]
    for title, kind in (("Configs:", "Config"), ("Secrets:", "Secret")):
        references = container.get(f"{kind}s") or []
        if references:
            lines.append(title)
        for reference in references:
            lines.append(f" Target:\t{(reference.get('File') or {}).get('Name', '')}")
            lines.append(f"  Source:\t{reference.get(f'{kind}Name', '')}")
    return lines


def service_pretty(service: JSON, network_names: Mapping[str, str], now: float) -> str:
    """GET /services/{id}?insertDefaults=1's answer as `docker service inspect --pretty` prints
    it; `network_names` maps the ids of its networks to their names."""
    spec = service.get("Spec") or {}
    task = spec.get("TaskTemplate") or {}
    container = task.get("ContainerSpec") or {}
    lines = ["", f"ID:\t\t{service.get('ID', '')}", f"Name:\t\t{spec.get('Name', '')}"]
    labels = spec.get("Labels") or {}
    if labels:
        lines.append("Labels:")
        lines += [f" {k}={labels[k]}" if labels[k] else f" {k}" for k in sorted(labels)]
    mode = spec.get("Mode") or {}
    if "Global" in mode:
        lines.append("Service Mode:\tGlobal")
    elif "Replicated" in mode:
        lines.append("Service Mode:\tReplicated")
        if mode["Replicated"].get("Replicas") is not None:
            lines.append(f" Replicas:\t{mode['Replicated']['Replicas']}")
    else:
        lines.append("Service Mode:")
    update = service.get("UpdateStatus") or {}
    if update.get("State"):
        lines += ["UpdateStatus:", f" State:\t\t{update['State']}"]
        if update.get("StartedAt"):
            lines.append(f" Started:\t{_seconds_ago(update['StartedAt'], now)}")
        if update["State"] == "completed" and update.get("CompletedAt"):
            lines.append(f" Completed:\t{_seconds_ago(update['CompletedAt'], now)}")
        lines.append(f" Message:\t{update.get('Message', '')}")
    placement = task.get("Placement") or {}
    lines.append("Placement:")
    if placement.get("Constraints"):
        lines.append(f" Constraints:\t{_go_value(placement['Constraints'])}")
    spreads = [
        "spread=" + preference["Spread"].get("SpreadDescriptor", "")
        for preference in placement.get("Preferences") or []
        if preference.get("Spread") is not None
    ]
    if spreads:
        lines.append(f" Preferences:   {_go_value(spreads)}")
    if placement.get("MaxReplicas"):
        lines.append(f" Max Replicas Per Node:   {placement['MaxReplicas']}")
    if spec.get("UpdateConfig") is not None:
        lines += _update_lines("UpdateConfig:", spec["UpdateConfig"], "Update order:      ")
    if spec.get("RollbackConfig") is not None:
        lines += _update_lines("RollbackConfig:", spec["RollbackConfig"], "Rollback order:    ")
    lines += _container_lines(container)
    log_driver = task.get("LogDriver")
    if log_driver is not None:
        lines.append("Log Driver:")
        if log_driver.get("Name"):
            lines.append(f" Name:\t\t{log_driver['Name']}")
        options = log_driver.get("Options") or {}
        if options:
            lines.append(" LogOpts:")
            lines += [
                f"  {k}:       {options[k]}" if options[k] else f"  {k}" for k in sorted(options)
            ]
        lines[-1] += "\n"  # a newline docker's template leaves after this block
    resources = task.get("Resources")
    if resources is not None:
        lines += _resource_lines(resources)
    pids = ((resources or {}).get("Limits") or {}).get("Pids") or 0
    if pids > 0:
        lines.append(f"  PIDs:\t\t{pids}")
    networks = [
        network_names.get(n.get("Target", ""), n.get("Target", ""))
        for n in task.get("Networks") or []
    ]
    if networks:
        lines.append("Networks:" + "".join(f" {name}" for name in networks) + " ")
    lines.append(f"Endpoint Mode:\t{(spec.get('EndpointSpec') or {}).get('Mode', '')}")
    ports = (service.get("Endpoint") or {}).get("Ports") or []
    if ports:
        lines.append("Ports:")
        for port in ports:
            lines += [
                f" PublishedPort = {port.get('PublishedPort', 0)}",
                f"  Protocol = {port.get('Protocol', '')}",
                f"  TargetPort = {port.get('TargetPort', 0)}",
                f"  PublishMode = {port.get('PublishMode', '')}",
            ]
        lines[-1] += " "
    health = container.get("Healthcheck")
    if health is not None:
        lines += [
            " Healthcheck:",
            f"  Interval = {go_duration_text(health.get('Interval', 0))}",
            f"  Retries = {health.get('Retries', 0)}",
            f"  StartPeriod =\t{go_duration_text(health.get('StartPeriod', 0))}",
            f"  Timeout =\t{go_duration_text(health.get('Timeout', 0))}",
        ]
        if health.get("Test"):
            lines.append("  Tests:")
            lines += [f"\t Test = {test}" for test in health["Test"]]
            lines[-1] += " "
    return "\n".join(lines) + "\n"
