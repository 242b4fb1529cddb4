"""Build contexts: `POST /build` takes the context as a tar archive in the request body.
`context_tar` makes one in memory from a few files; `directory_context` streams one from a
directory, honouring its .dockerignore."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Mapping

from .errors import InvalidArgument

__all__ = ["context_tar", "directory_context", "DockerIgnore"]


def context_tar(files: Mapping[str, bytes | str | os.PathLike[str]]) -> bytes:
    """A tar archive of `files`: name in the archive -> its content (bytes, or the path of a file
    to copy, keeping its mode). Pass the result to `Client.build`.

        context_tar({"Dockerfile": b"FROM scratch\\nCOPY busybox /bin/busybox\\n",
                     "busybox": "/bin/busybox"})
    """
    import tarfile  # only when building: tarfile pulls in more than a client otherwise needs

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in files.items():
            if isinstance(content, bytes):
                info = tarfile.TarInfo(name)
                info.size = len(content)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(content))
            else:
                tar.add(os.fspath(content), arcname=name)
    return buffer.getvalue()


# --- A context from a directory, as `docker build DIR` sends it ---------------------------------

#: The file of exclusion patterns at the root of a build context.
DOCKERIGNORE = ".dockerignore"


class _Pattern:
    """One .dockerignore line, compiled as moby/patternmatcher compiles it: `*` any run of
    characters but "/", `?` one such character, `**` any number of directories (none too),
    `[...]` a class, `\\` escapes the next character; the pattern must match the whole path."""

    def __init__(self, text: str) -> None:
        import re

        self.exclusion = text.startswith("!")
        text = _clean(text[1:].strip() if self.exclusion else text)
        self.text = text
        regex, i = "^", 0
        while i < len(text):
            char = text[i]
            if char == "*" and text[i + 1 : i + 2] == "*":
                i += 1
                if text[i + 1 : i + 2] == "/":
                    i += 1
                if i + 1 >= len(text):  # "**" at the end matches anything, as in .gitignore
                    regex += ".*"
                else:
                    regex += "(.*/)?"
            elif char == "*":
                regex += "[^/]*"
            elif char == "?":
                regex += "[^/]"
            elif char == "\\" and i + 1 < len(text):
                i += 1
                regex += re.escape(text[i])
            elif char in "[]-^!":
                regex += char  # a character class, as Go's filepath.Match reads it
            else:
                regex += re.escape(char)
            i += 1
        self.regex = re.compile(regex + "$")

    def matches(self, path: str) -> bool:
        """Whether the pattern matches `path` or one of the directories above it."""
        if self.regex.match(path):
            return True
        parts = path.split("/")[:-1]
        return any(self.regex.match("/".join(parts[: n + 1])) for n in range(len(parts)))


def _clean(pattern: str) -> str:
    # filepath.Clean, then no leading "/": patterns are relative to the context's root.
    import posixpath

    cleaned = posixpath.normpath(pattern) if pattern else pattern
    return cleaned.lstrip("/") if len(cleaned) > 1 else cleaned


class DockerIgnore:
    """The patterns of a .dockerignore, read as the docker CLI reads them: one per line, lines
    trimmed, empty lines and lines starting with "#" skipped, "!" re-including what an earlier
    pattern excluded, the last matching pattern deciding:

        >>> ignore = DockerIgnore("*.md\\n!README.md")
        >>> ignore.excludes("CHANGES.md"), ignore.excludes("README.md")
        (True, False)"""

    def __init__(self, text: str) -> None:
        lines = (line.strip() for line in text.splitlines())
        self.patterns = [_Pattern(line) for line in lines if line and not line.startswith("#")]

    def excludes(self, path: str) -> bool:
        """Whether `path` (relative to the context, "/"-separated) is left out of the context."""
        excluded = False
        for pattern in self.patterns:
            if pattern.exclusion == excluded and pattern.matches(path):
                excluded = not pattern.exclusion
        return excluded


def directory_context(
    path: str | os.PathLike[str], dockerfile: str = "Dockerfile"
) -> Iterator[bytes]:
    """A build context from the directory `path`, as `docker build PATH` makes it: a tar of the
    directory made as it is sent (each file read in pieces: flat memory), less what its
    .dockerignore excludes. The Dockerfile and the .dockerignore are always sent, as the docker
    CLI sends them (the daemon needs them, and leaves them out of COPY when they are ignored).
    Raises InvalidArgument, before anything is read, when `dockerfile` is not in `path`.

        client.build(directory_context("app"), tag="app:1")"""
    import posixpath

    from .archive import _entries, _file_pieces, _info

    root = os.fspath(path)
    if not os.path.isdir(root):
        raise InvalidArgument(f"build context {root!r} is not a directory")
    dockerfile = posixpath.normpath(dockerfile.replace(os.sep, "/"))
    if dockerfile.startswith("../") or not os.path.isfile(os.path.join(root, dockerfile)):
        raise InvalidArgument(f"cannot locate Dockerfile {dockerfile!r} in {root!r}")
    ignore_path = os.path.join(root, DOCKERIGNORE)
    text = ""
    if os.path.isfile(ignore_path):
        with open(ignore_path, encoding="utf-8") as file:
            text = file.read()
    ignore = DockerIgnore(text)
    always = {dockerfile, DOCKERIGNORE}

    def pieces() -> Iterator[bytes]:
        import tarfile

        entries = iter(_entries(root, "."))
        next(entries)  # the root itself: entries are named relative to it
        for full, name in entries:
            name = name[2:]  # "./x" -> "x"
            if name not in always and ignore.excludes(name):
                continue
            info = _info(full, name)
            if info is None:
                continue
            yield info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
            if info.isfile():
                yield from _file_pieces(full, info.size)
        yield b"\0" * 1024  # two zero blocks end the archive

    return pieces()
