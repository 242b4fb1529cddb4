"""The one pattern every frozen value class in rawdock follows (events, `Response`, `Call`,
`TLSConfig`, `Endpoint`...): what `@dataclass(frozen=True)` makes, written out.

rawdock does not import `dataclasses`: it pulls in `inspect` (and with it `ast`, `dis` and
`tokenize`), and a command line would pay for that on every run (docs/benchmarks.md). What a
frozen dataclass gives, `Value` gives the same way:

- the fields are the names the class annotates, in order (names starting with "_" are not
  fields: class settings such as `_hidden`);
- `__init__` is written by hand and sets each field once with `object.__setattr__`, as the
  `__init__` a frozen dataclass generates does (and as h11 writes its events' `__init__`);
- ``==`` compares the type and the fields; `repr()` shows the fields (except those named in
  `_hidden`: long bytes, functions); assigning or deleting a field raises `AttributeError`;
- `hash()` hashes the fields. A class with a field that cannot be hashed (Headers, a list)
  says so with `__hash__ = None`, as h11 does, so that hash() fails on the class at once
  rather than on some values only.

Chapter 10 of the tutorial meets these classes as the events of the response parser.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

__all__ = ["Value"]


class Value:
    """An immutable value: compared, hashed and shown by its fields. For example:

    >>> class Point(Value):
    ...     x: int
    ...     y: int
    ...
    ...     def __init__(self, x: int, y: int) -> None:
    ...         object.__setattr__(self, "x", x)
    ...         object.__setattr__(self, "y", y)
    >>> Point(1, 2)
    Point(x=1, y=2)
    >>> Point(1, 2) == Point(1, 2), Point(1, 2)._replace(y=3)
    (True, Point(x=1, y=3))
    >>> Point(1, 2).x = 5
    Traceback (most recent call last):
    ...
    AttributeError: cannot assign to field 'x': Point is frozen
    """

    #: The names of the fields, in order: set for each subclass from its annotations.
    _fields: ClassVar[tuple[str, ...]] = ()
    #: Fields left out of repr().
    _hidden: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        # The class's own annotations (its __dict__, not inherited ones), after its bases'.
        annotated = cls.__dict__.get("__annotations__", {})
        cls._fields = cls._fields + tuple(name for name in annotated if not name.startswith("_"))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is frozen")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = [name for name in self._fields if name not in self._hidden]
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__name__}({fields})"

    def _replace(self: V, **changes: Any) -> V:
        """A copy with some fields changed (as dataclasses.replace; the constructor must take
        every field by its name)."""
        values = {name: getattr(self, name) for name in self._fields}
        return type(self)(**{**values, **changes})


# After the class, so that the bound is the class itself: a bound given as text would make
# typing compile it, and the first compile() in a process costs about 1 ms of start-up.
V = TypeVar("V", bound=Value)
