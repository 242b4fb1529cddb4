"""Turning command-line values into API values, as the docker CLI does. Pure functions, no I/O.

parse_ports(["127.0.0.1:8080:80"])   # ExposedPorts and HostConfig.PortBindings
parse_reference("127.0.0.1:5000/probe:1")   # registry port, repository, tag
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The parsers of the flags that build a create body are public, in rawdock.config.
from ..config import PortBindings, parse_env, parse_labels, parse_ports

__all__ = [
    "UsageError",
    "PortBindings",
    "parse_ports",
    "parse_env",
    "parse_labels",
    "parse_filters",
    "Reference",
    "parse_reference",
]


class UsageError(ValueError):
    """A flag or argument the user gave is malformed. Reported as one line, like a flag error."""


# --- --filter ---------------------------------------------------------------------------------


def parse_filters(values: Iterable[str]) -> dict[str, list[str]]:
    """`--filter K=V` (repeatable) -> {"K": ["V", ...]}: `label=a=b` filters on label a=b."""
    filters: dict[str, list[str]] = {}
    for value in values:
        key, eq, filter_value = value.partition("=")
        if not key or not eq:
            raise UsageError(f"bad format of filter {value!r}: expected name=value")
        filters.setdefault(key.strip().lower(), []).append(filter_value)
    return filters


# --- Image references (distribution/reference grammar) ----------------------------------------

# name components are lowercase alphanumerics joined by separators: "." "_" "__" or dashes.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
# A registry host: a DNS name or an IP (IPv6 in brackets), with an optional port.
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}")
_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_DOMAIN_RE = re.compile(_DOMAIN)
#: A reference longer than this is refused by the daemon (distribution/reference NameTotalLength).
MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class Reference:
    """An image reference split as the registry sees it: `127.0.0.1:5000/probe:1` is registry
    "127.0.0.1:5000", path "probe", tag "1". `name` is what /images/create wants as fromImage."""

    registry: str
    path: str
    tag: str
    digest: str

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.path}" if self.registry else self.path

    @property
    def api_tag(self) -> str:
        """The `tag` query value of a pull: the digest when there is one (the docker CLI sends
        `tag=sha256:...`), else the tag, else "latest"."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        text = self.name
        if self.tag or not self.digest:
            text += f":{self.tag or 'latest'}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> Reference:
    """`[REGISTRY[:PORT]/]PATH[:TAG][@DIGEST]`. The first component is a registry only when it
    looks like a host (has "." or ":", or is "localhost"), as in distribution/reference; a ":"
    is a tag separator only after the last "/"."""
    rest, at, digest = text.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        raise UsageError(f"invalid reference format: {text!r} has a malformed digest")
    tag = ""
    colon = rest.rfind(":")
    if colon > rest.rfind("/"):
        rest, tag = rest[:colon], rest[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise UsageError(f"invalid reference format: {text!r} has a malformed tag")
    registry = ""
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        registry, rest = first, remainder
        if not _DOMAIN_RE.fullmatch(registry):
            raise UsageError(f"invalid reference format: {registry!r} is not a registry host")
    if not _PATH.fullmatch(rest):
        hint = " (repository names must be lowercase)" if rest != rest.lower() else ""
        raise UsageError(f"invalid reference format: {text!r}{hint}")
    if len(registry) + len(rest) + 1 > MAX_NAME_LENGTH:
        raise UsageError("invalid reference format: repository name must not be longer than 255")
    return Reference(registry, rest, tag, digest)
