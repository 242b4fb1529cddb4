"""The names rawdock takes from `typing`, for the type checker only.

`import typing` costs about 3 ms: as much as all of rawdock's own modules together, half as
much as `import socket, json`, and a command line pays it on every run. So rawdock keeps its
full static types (`mypy --strict`, `py.typed`) but does not import typing at run time: a type
checker reads the real names below, the interpreter gets stand-ins that do nothing but let the
code run. `Call[int]` at run time is simply `Call`.

The rest of the package keeps to three rules that go with this module:

- every module with annotations starts with `from __future__ import annotations`, so they
  stay text that nothing evaluates;
- names needed only in annotations are imported under `if TYPE_CHECKING:`;
- no string forward reference is ever evaluated at run time (typing turns one into a
  ForwardRef by calling compile(), and the first compile() in a process costs about 2 ms).
"""

from __future__ import annotations

# Type checkers take any name TYPE_CHECKING as true; typing.TYPE_CHECKING is only this constant.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any, Generic, ParamSpec, Protocol, TypeVar, cast, overload
else:
    # Only ever in annotations and in aliases such as api.JSON: at run time any object will do.
    Any = object

    class Generic:
        """typing.Generic and typing.Protocol at run time: `Cls[T]` is `Cls` itself."""

        __slots__ = ()

        def __class_getitem__(cls, parameters):
            return cls

    Protocol = Generic

    class TypeVar:
        """typing.TypeVar and typing.ParamSpec at run time: a name, shown as typing shows it."""

        __slots__ = ("__name__",)

        def __init__(self, name, *constraints, **options):
            self.__name__ = name

        def __repr__(self):
            return f"~{self.__name__}"

    ParamSpec = TypeVar

    def overload(function):
        # The implementation is defined last under the same name and replaces the overloads.
        return function

    def cast(to_type, value):
        return value


__all__ = [
    "TYPE_CHECKING",
    "Any",
    "Generic",
    "ParamSpec",
    "Protocol",
    "TypeVar",
    "cast",
    "overload",
]
