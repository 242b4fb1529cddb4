"""How much of the Engine API rawdock declares: every endpoint maps to one operation of moby's
spec (tests/fixtures/engine-api-operations.txt, copied from api/swagger.yaml), found by the
method and path its call sends; none sends a path the spec does not have.

    python tests/test_api_count.py     # prints the count, by resource, and what is left
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rawdock.api import API, Endpoints
from rawdock.api.calls import Call, HijackCall, StreamCall, _Declared

OPERATIONS = Path(__file__).parent / "fixtures" / "engine-api-operations.txt"
#: Arguments for endpoints whose required ones a dummy cannot fill.
SPECIAL: dict[str, dict[str, Any]] = {"build": {"context": b""}}
#: The issue's goal: at least this many of the spec's operations declared.
GOAL = 100


def spec_operations() -> list[tuple[str, str, str]]:
    lines = OPERATIONS.read_text().splitlines()
    return [tuple(line.split()) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def _dummy(parameter: inspect.Parameter) -> Any:
    annotation = str(parameter.annotation)
    if "Body" in annotation or "bytes" in annotation:
        return b"x"
    if "Mapping" in annotation or "dict" in annotation:
        return {}
    if "Sequence" in annotation or "list" in annotation:
        return []
    if annotation.startswith("int") or annotation == "float":
        return 1
    if annotation.startswith("bool"):
        return False
    return "x"


def declared() -> dict[str, Callable[..., Any]]:
    return {
        name: attr.describe
        for name in dir(Endpoints)
        if isinstance(attr := inspect.getattr_static(Endpoints, name, None), _Declared)
    }


def _call_of(name: str, describe: Callable[..., Any]) -> Call[Any] | StreamCall[Any] | None:
    """The request an endpoint sends; None for a `@sequence` (several requests, each an
    endpoint of its own)."""
    kwargs = dict(SPECIAL.get(name, {}))
    for parameter in inspect.signature(describe).parameters.values():
        if parameter.default is inspect.Parameter.empty and parameter.name not in kwargs:
            kwargs[parameter.name] = _dummy(parameter)
    call = describe(**kwargs)
    if inspect.isgenerator(call):
        call.close()
        return None
    if isinstance(call, HijackCall):
        return call.request
    assert isinstance(call, (Call, StreamCall)), f"{name} describes {call!r}"
    return call


def mapping() -> dict[str, str]:
    """Endpoint name -> the spec's operationId it sends."""
    patterns = [
        (operation, method, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"))
        for operation, method, path in spec_operations()
    ]
    found = {}
    for name, describe in sorted(declared().items()):
        call = _call_of(name, describe)
        if call is None:
            continue
        path = call.target.split("?")[0]
        matches = [op for op, verb, regex in patterns if verb == call.method and regex.match(path)]
        assert matches, f"{name} sends {call.method} {path}, which the spec does not have"
        found[name] = matches[0]
    return found


def test_every_endpoint_is_a_spec_operation() -> None:
    found = mapping()
    assert found["get_archive"] == "ContainerArchive"
    assert found["archive_stat"] == "ContainerArchiveInfo"
    assert found["ping_head"] == "SystemPingHead"
    assert API.put_archive.describe("c", "/tmp", b"").method == "PUT"


def test_count_of_declared_operations() -> None:
    covered = set(mapping().values())
    total = len(spec_operations())
    assert total == 108
    assert len(covered) >= GOAL, f"{len(covered)} of {total}"


def report() -> str:
    found = mapping()
    covered = set(found.values())
    operations = spec_operations()
    lines = [f"{len(covered)} of the spec's {len(operations)} operations declared"]
    left = [f"{op} {method} {path}" for op, method, path in operations if op not in covered]
    lines += ["left:", *("  " + item for item in left)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
