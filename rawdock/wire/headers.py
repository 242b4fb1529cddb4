"""Header fields, as a plain list: what `Head.headers` and `End.trailers` hold.

RFC 9110 §5 says what a field is: a case-insensitive name and a value, in the order received,
the same name possibly more than once. So `Headers` keeps a list of fields, each a triple
(name as received, name lowered, value): the lowered name is what lookups compare, the raw one
is what a trace shows. Values are text decoded as latin-1, so that every byte a peer sent
survives (RFC 9110 §5.5: obs-text). Chapter 4 of the tutorial builds the same list by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["Headers"]


class Headers:
    """Ordered header (or trailer) fields, duplicates kept; lookup by name ignores case.

        >>> headers = Headers([("Content-Type", "text/plain"), ("X-Tag", "a"), ("x-tag", "b")])
        >>> headers["content-type"], headers.get_all("X-TAG"), len(headers)
        ('text/plain', ['a', 'b'], 3)
        >>> headers.fields[0]
        ('Content-Type', 'content-type', 'text/plain')

    Nothing changes a Headers once made. It is not hashable: it compares by its list."""

    __slots__ = ("fields",)
    __hash__ = None  # type: ignore[assignment]  # compared by a list: no hash (as h11's)

    fields: list[tuple[str, str, str]]

    def __init__(self, fields: Iterable[tuple[str, str]] = ()) -> None:
        #: (name as received, name lowered, value) for each field, in order.
        self.fields = [(name, name.lower(), value) for name, value in fields]

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of the first field called `name`, or `default`."""
        lowered = name.lower()
        for _, field_name, value in self.fields:
            if field_name == lowered:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        """The values of every field called `name`, in the order received."""
        lowered = name.lower()
        return [value for _, field_name, value in self.fields if field_name == lowered]

    def get_list(self, name: str) -> list[str]:
        """The elements of a list-valued field such as Connection or Transfer-Encoding, over
        all its fields: split at commas, whitespace stripped, empty elements dropped (RFC 9110
        §5.6.1). Quoted strings are not looked into: none of the fields rawdock reads has any."""
        elements = [element for value in self.get_all(name) for element in value.split(",")]
        return [element.strip(" \t") for element in elements if element.strip(" \t")]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        """(name as received, value) for each field, in order."""
        return ((name, value) for name, _, value in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and self.fields == other.fields

    def __repr__(self) -> str:
        return f"Headers({list(self)!r})"
