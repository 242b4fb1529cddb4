"""The public API's annotations resolve at run time: `typing.get_type_hints()` works on every
public class, method and function of rawdock, rawdock.wire, rawdock.api, rawdock.client and
rawdock.aio (no stand-in for typing, no name that only a type checker can see)."""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Iterator

import pytest

MODULES = ["rawdock", "rawdock.wire", "rawdock.api", "rawdock.client", "rawdock.aio"]


def methods(prefix: str, cls: type) -> Iterator[tuple[str, object]]:
    """The public methods (and __init__) of `cls`, its rawdock bases' included: an endpoint
    method such as Client.containers comes from an api mixin, bound by a descriptor."""
    seen = set()
    for owner in cls.__mro__:
        if not owner.__module__.startswith("rawdock"):
            continue
        for attribute, member in vars(owner).items():
            if attribute in seen or (attribute.startswith("_") and attribute != "__init__"):
                continue
            seen.add(attribute)
            function = member.fget if isinstance(member, property) else member
            function = getattr(function, "__func__", function)  # class and static methods
            function = getattr(function, "__wrapped__", function)  # @endpoint and @stream
            if inspect.isfunction(function):
                yield f"{prefix}.{attribute}", function


def public_callables() -> Iterator[tuple[str, object]]:
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) and value.__module__.startswith("rawdock"):
                yield f"{module_name}.{name}", value
                yield from methods(f"{module_name}.{name}", value)
            elif inspect.isfunction(value) and value.__module__.startswith("rawdock"):
                yield f"{module_name}.{name}", value


PUBLIC = dict(public_callables())


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_type_hints_resolve(name: str) -> None:
    typing.get_type_hints(PUBLIC[name])


def test_the_public_api_is_all_there() -> None:
    # Enough names that a module dropped from the walk would show.
    assert len(PUBLIC) > 150, len(PUBLIC)
    assert "rawdock.wire.ResponseParser.feed" in PUBLIC and "rawdock.api.Call" in PUBLIC
