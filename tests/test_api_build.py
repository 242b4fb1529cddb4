"""Building from a directory: .dockerignore with docker's rules (checked against the examples in
docker's documentation), a context streamed as it is made, and a real build."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
import support

import rawdock
import rawdock.archive
from rawdock.build import DockerIgnore, directory_context


def _excluded(patterns: str, *paths: str) -> list[bool]:
    ignore = DockerIgnore(patterns)
    return [ignore.excludes(path) for path in paths]


# The examples of docs.docker.com/build/concepts/context/#dockerignore-files, one by one.


def test_comment_and_one_level_wildcards() -> None:
    patterns = "# comment\n*/temp*\n*/*/temp*\ntemp?\n"
    assert _excluded(patterns, "somedir/temporary.txt", "somedir/temp") == [True, True]
    assert _excluded(patterns, "somedir/subdir/temporary.txt") == [True]
    assert _excluded(patterns, "tempa", "tempb", "temp", "tempab") == [True, True, False, False]
    assert _excluded(patterns, "temporary.txt", "a/b/c/temp.txt") == [False, False]
    assert _excluded(patterns, "# comment") == [False]


def test_double_star_matches_any_number_of_directories() -> None:
    patterns = "**/*.go"
    assert _excluded(patterns, "main.go", "a/b/c/x.go", "a/go.mod") == [True, True, False]


def test_exceptions_in_order() -> None:
    assert _excluded("*.md\n!README.md", "CHANGES.md", "README.md") == [True, False]
    patterns = "*.md\n!README*.md\nREADME-secret.md"
    assert _excluded(patterns, "a.md", "README-x.md", "README-secret.md") == [True, False, True]
    patterns = "*.md\nREADME-secret.md\n!README*.md"
    assert _excluded(patterns, "a.md", "README-secret.md") == [True, False]


def test_leading_slash_and_directories() -> None:
    assert _excluded("/foo/bar", "foo/bar", "foo/bar/x", "x/foo/bar") == [True, True, False]
    assert _excluded("foo/bar", "foo/bar") == [True]
    # A directory excluded excludes what is in it, unless an exception brings a file back.
    patterns = "secret\n!secret/keep.txt"
    assert _excluded(patterns, "secret/a", "secret/keep.txt") == [True, False]
    assert _excluded("**", "anything/at/all") == [True]
    assert _excluded("dir/**", "dir/a/b", "other") == [True, False]


def test_context_is_streamed_in_pieces(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "big").write_bytes(b"x" * (3 * rawdock.archive.CHUNK_SIZE + 5))
    pieces = list(directory_context(tmp_path))
    assert max(len(piece) for piece in pieces) <= rawdock.archive.CHUNK_SIZE
    with tarfile.open(fileobj=io.BytesIO(b"".join(pieces))) as tar:
        assert sorted(tar.getnames()) == ["Dockerfile", "big"]


def test_missing_dockerfile_is_refused_before_sending(tmp_path: Path) -> None:
    with pytest.raises(rawdock.InvalidArgument, match="cannot locate Dockerfile 'Dockerfile'"):
        directory_context(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(rawdock.InvalidArgument, match="'../Dockerfile'"):
        directory_context(tmp_path, "../Dockerfile")
    with pytest.raises(rawdock.InvalidArgument, match="not a directory"):
        directory_context(tmp_path / "Dockerfile")


def test_build_from_a_directory(client: rawdock.Client, busybox: str, tmp_path: Path) -> None:
    (tmp_path / "app.txt").write_text("app")
    (tmp_path / "debug.log").write_text("log")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key").write_text("key")
    (tmp_path / "secret" / "keep.txt").write_text("keep")
    (tmp_path / "build.Dockerfile").write_text(
        f"FROM {busybox} AS base\nARG GREETING\nRUN mkdir /ctx && echo $GREETING > /ctx/greeting\n"
        "COPY . /ctx/\n"
        "FROM base AS unused\nRUN false\n"
    )
    # The Dockerfile excluded too: it is still sent (the daemon needs it) and not copied.
    (tmp_path / ".dockerignore").write_text("*.log\nsecret\n!secret/keep.txt\nbuild.Dockerfile\n")
    tag = f"rawdock-build-dir:{support.RUN_ID}-{id(client)}"
    output = list(
        client.build(
            path=tmp_path,
            dockerfile="build.Dockerfile",
            buildargs={"GREETING": "hello"},
            target="base",
            nocache=True,
            tag=tag,
            labels=support.labels(),
        )
    )
    try:
        assert any("Successfully tagged" in item.get("stream", "") for item in output)
        config = {"Image": tag, "Cmd": ["true"], "Labels": support.labels()}
        container_id = client.create_container(config)["Id"]
        try:
            with client.get_archive(container_id, "/ctx") as tar:
                names = set(rawdock.archive.extract(tar, tmp_path / "out"))
        finally:
            client.remove_container(container_id)
        found = sorted(Path(name).relative_to(tmp_path / "out").as_posix() for name in names)
        assert found == [".", ".dockerignore", "app.txt", "greeting", "secret", "secret/keep.txt"]
        assert (tmp_path / "out" / "greeting").read_text() == "hello\n"
    finally:
        client.remove_image(tag, force=True)
