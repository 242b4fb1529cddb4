"""Image endpoints: list, inspect, tag, remove, pull, push, build, save, load, import, commit,
history, search, prune, and the registry's view of an image (distribution)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..auth import AuthConfig, registry_auth_header, registry_config_header
from ..errors import InvalidArgument
from ..wire import target
from ..wire import target as _target  # `build` has a parameter named target
from .calls import (
    DAEMON_WORK,
    JSON,
    Body,
    Call,
    Filters,
    StreamCall,
    _byte_stream,
    _filters,
    _json_stream,
    _nothing,
    _repeated,
    _split_reference,
    endpoint,
    json_body,
    stream,
)

__all__ = ["Images"]


class Images:
    """`docker images`, `docker pull`, `docker push`, `docker build`, ..."""

    @endpoint
    def images(all: bool = False, filters: Filters | None = None) -> Call[JSON]:
        """`docker images`: `GET /images/json`."""
        query = {"all": all or None, "filters": _filters(filters)}
        return Call("GET", target("/images/json", query=query))

    @endpoint
    def inspect_image(name: str) -> Call[JSON]:
        """`docker image inspect NAME`: `GET /images/{name}/json`."""
        return Call("GET", target("/images/{}/json", name))

    @endpoint
    def remove_image(name: str, force: bool = False, noprune: bool = False) -> Call[JSON]:
        """`docker rmi NAME`: `DELETE /images/{name}`; returns what was untagged and deleted."""
        query = {"force": force or None, "noprune": noprune or None}
        return Call("DELETE", target("/images/{}", name, query=query))

    @endpoint
    def tag_image(name: str, repo: str, tag: str | None = None) -> Call[None]:
        """`docker tag NAME REPO[:TAG]`: `POST /images/{name}/tag?repo=..&tag=..`."""
        query = {"repo": repo, "tag": tag}
        return Call("POST", target("/images/{}/tag", name, query=query), result=_nothing)

    @stream
    def pull(
        image: str,
        tag: str | None = None,
        platform: str | None = None,
        auth: AuthConfig | None = None,
        all_tags: bool = False,
    ) -> StreamCall[JSON]:
        """`docker pull IMAGE[:TAG]`: `POST /images/create?fromImage=..&tag=..`, yielding the
        progress objects (`{"status": "Pulling fs layer", "id": ...}`, ...). The tag is `tag`,
        else the one in `image`, else "latest"; with `all_tags` (`docker pull -a`) no tag is
        sent, and the daemon pulls every tag of the repository.

        Errors: one found before the daemon answered is an error status (NotFound for a
        missing image) raised here, at the call; one found later comes inside the 200 stream as
        `{"errorDetail": ...}` and raises DockerError from the iteration, after the objects
        before it, once the daemon has ended the body (it does so right after the error: the
        connection stays reusable). So consume the stream: `for p in client.pull(...)`. The
        daemon answers once the registry has: the head is awaited for `DAEMON_WORK` more.

        Credentials go in X-Registry-Auth: `auth` ({"username": ..., "password": ...}), else
        what the docker CLI's config.json gives for the image's registry (rawdock.auth)."""
        repo, own_tag = _split_reference(image)
        if all_tags:
            tag = None
        elif "@" not in image:  # a digest names the image exactly: no tag goes with it
            tag = tag or own_tag or "latest"
        query = {"fromImage": repo, "tag": tag, "platform": platform}
        return StreamCall(
            "POST",
            target("/images/create", query=query),
            _json_stream,
            headers=registry_auth_header(image, auth),
            work=DAEMON_WORK,  # the first line comes once the registry has sent the manifest
        )

    @stream
    def push(
        image: str, tag: str | None = None, auth: AuthConfig | None = None
    ) -> StreamCall[JSON]:
        """`docker push IMAGE[:TAG]`: `POST /images/{name}/push`, yielding progress objects. The
        daemon insists on an X-Registry-Auth header, even an empty one ("{}"); it holds `auth`,
        else config.json's credentials for the registry, as for `pull`. Errors come as for
        `pull` (most inside the stream: consume it)."""
        return StreamCall(
            "POST",
            target("/images/{}/push", image, query={"tag": tag}),
            _json_stream,
            headers=registry_auth_header(image, auth),
        )

    @stream
    def build(
        context: Body | None = None,
        tag: str | None = None,
        labels: Mapping[str, str] | None = None,
        rm: bool = True,
        *,
        path: str | os.PathLike[str] | None = None,
        dockerfile: str | None = None,
        buildargs: Mapping[str, str] | None = None,
        nocache: bool = False,
        pull: bool = False,
        target: str | None = None,
        platform: str | None = None,
        cache_from: Sequence[str] | None = None,
        network_mode: str | None = None,
        quiet: bool = False,
        auth: Mapping[str, AuthConfig] | None = None,
    ) -> StreamCall[JSON]:
        """`docker build [OPTIONS] PATH`: `POST /build` with the build context as a tar body,
        yielding the build's output objects (`{"stream": ...}`, then `{"aux": {"ID": ...}}`).

        The context is `context` (a tar as bytes, or pieces sent chunked), or the directory
        `path`, made into a tar as it is sent, less what its .dockerignore excludes
        (rawdock.build.directory_context). `dockerfile` is its path inside the context;
        `buildargs` are `--build-arg`s, `target` a stage, `pull` always pulls the base images,
        `nocache` uses no cache. X-Registry-Config carries `auth` (registry -> credentials),
        else every registry's credentials in config.json. Each wait for the daemon, head and
        body, lasts the client's timeout plus `DAEMON_WORK` (a step may be quiet for minutes),
        unless a deadline is given (`client.with_deadline(3600).build(...)`); no context is
        InvalidArgument, before anything is sent:

            for item in client.build(path="app", tag="app:1", buildargs={"V": "1"}):
                print(item.get("stream", ""), end="")"""
        if path is not None:
            from ..build import directory_context

            context = directory_context(path, dockerfile or "Dockerfile")
        if context is None:
            raise InvalidArgument("build() needs a context (a tar) or a path (a directory)")
        query = {
            "t": tag,
            "dockerfile": dockerfile,
            "buildargs": dict(buildargs) if buildargs else None,
            "labels": dict(labels) if labels else None,
            "nocache": nocache or None,
            "pull": pull or None,
            "target": target,
            "platform": platform,
            "cachefrom": list(cache_from) if cache_from else None,
            "networkmode": network_mode,
            "q": quiet or None,
            "rm": rm,
            "forcerm": rm,
        }
        return StreamCall(
            "POST",
            _target("/build", query=query),
            _json_stream,
            body=context,
            content_type="application/x-tar",
            headers=registry_config_header(auth),
            work=DAEMON_WORK,  # the daemon reads the whole context before it answers
            item_work=DAEMON_WORK,  # a step may run quiet for minutes (a RUN), not for ever
        )

    @stream
    def get_image(name: str) -> StreamCall[bytes]:
        """`docker save NAME`: `GET /images/{name}/get`, a tar archive as a stream of bytes
        (`manifest.json`, the config and one tar per layer), read as it comes:

            with open("image.tar", "wb") as out:
                for data in client.get_image("busybox"):
                    out.write(data)

        The daemon writes the layers out before it answers (moby image/tarexport/save.go):
        the head is awaited for `DAEMON_WORK` more."""
        return StreamCall("GET", target("/images/{}/get", name), _byte_stream, work=DAEMON_WORK)

    @stream
    def get_images(names: Sequence[str]) -> StreamCall[bytes]:
        """`docker save NAME...`: `GET /images/get?names=A&names=B`, one tar holding several
        images (layers they share stored once), as a stream of bytes; awaited as `get_image`."""
        path = _repeated("/images/get", "names", names)
        return StreamCall("GET", path, _byte_stream, work=DAEMON_WORK)

    @stream
    def load_image(data: Body, quiet: bool = False) -> StreamCall[JSON]:
        """`docker load`: `POST /images/load` with a tar such as `get_image` makes (bytes, or
        pieces sent chunked: a file need not fit in memory), yielding progress objects and
        `{"stream": "Loaded image: NAME\\n"}`:

            with open("image.tar", "rb") as file:
                for item in client.load_image(iter(lambda: file.read(1 << 20), b"")): ...

        A quiet load says nothing until the image is loaded: the head is awaited for
        `DAEMON_WORK` more."""
        path = target("/images/load", query={"quiet": quiet or None})
        return StreamCall("POST", path, _json_stream, data, "application/x-tar", work=DAEMON_WORK)

    @stream
    def import_image(
        src: Body | str,
        repository: str | None = None,
        tag: str | None = None,
        message: str | None = None,
        changes: Sequence[str] = (),
        platform: str | None = None,
    ) -> StreamCall[JSON]:
        """`docker import SRC [REPO[:TAG]]`: `POST /images/create?fromSrc=-` with a tar of a
        root filesystem (what `export_container` gives) as the body, or `fromSrc=URL` for a str
        `src`; `changes` are Dockerfile instructions ("CMD [\\"sh\\"]"). Yields progress
        objects, then `{"status": "sha256:..."}`:

            client.import_image(client.export_container("web"), "web-flat", "1")

        The daemon answers once the layer is written (or the URL fetched): the head is
        awaited for `DAEMON_WORK` more."""
        query = {
            "fromSrc": src if isinstance(src, str) else "-",
            "repo": repository,
            "tag": tag,
            "message": message,
            "platform": platform,
        }
        path = _repeated(target("/images/create", query=query), "changes", changes)
        if isinstance(src, str):
            return StreamCall("POST", path, _json_stream, work=DAEMON_WORK)
        return StreamCall("POST", path, _json_stream, src, "application/x-tar", work=DAEMON_WORK)

    @endpoint
    def history(name: str) -> Call[JSON]:
        """`docker history NAME`: `GET /images/{name}/history`, the layers from the newest:
        `[{"Id", "Created", "CreatedBy", "Size", "Tags", "Comment"}, ...]`."""
        return Call("GET", target("/images/{}/history", name))

    @endpoint
    def commit(
        container: str,
        repository: str | None = None,
        tag: str | None = None,
        message: str | None = None,
        author: str | None = None,
        pause: bool = True,
        changes: Sequence[str] = (),
        config: Mapping[str, Any] | None = None,
    ) -> Call[JSON]:
        """`docker commit CONTAINER [REPO[:TAG]]`: `POST /commit?container=..&repo=..&tag=..`
        with `config` (a container config whose fields override the image's) as the body;
        returns `{"Id": "sha256:..."}`:

            client.commit("web", "web-snapshot", "1", changes=["ENV MODE=prod"])"""
        query = {
            "container": container,
            "repo": repository,
            "tag": tag,
            "comment": message,
            "author": author,
            "pause": pause,
        }
        path = _repeated(target("/commit", query=query), "changes", changes)
        # The daemon answers once it has written the container's changes as a layer.
        body = json_body(dict(config or {}))
        return Call("POST", path, body, "application/json", work=DAEMON_WORK)

    @endpoint
    def search(term: str, limit: int | None = None, filters: Filters | None = None) -> Call[JSON]:
        """`docker search TERM`: `GET /images/search?term=..`; the daemon asks the registry
        (Docker Hub unless the term names one). Returns `[{"name", "description",
        "star_count", "is_official", ...}]`."""
        query = {"term": term, "limit": limit, "filters": _filters(filters)}
        return Call("GET", target("/images/search", query=query), work=DAEMON_WORK)

    @endpoint
    def prune_images(filters: Filters | None = None) -> Call[JSON]:
        """`docker image prune`: `POST /images/prune`, removing dangling images (all unused
        ones with filters={"dangling": ["false"]}); returns `{"ImagesDeleted": [...],
        "SpaceReclaimed": n}`."""
        query = {"filters": _filters(filters)}
        return Call("POST", target("/images/prune", query=query), work=DAEMON_WORK)

    @endpoint
    def prune_builds(
        filters: Filters | None = None, keep_storage: int | None = None, all: bool = False
    ) -> Call[JSON]:
        """`docker builder prune`: `POST /build/prune`, removing the build cache; returns
        `{"CachesDeleted": [...], "SpaceReclaimed": n}`."""
        query = {"filters": _filters(filters), "keep-storage": keep_storage, "all": all or None}
        return Call("POST", target("/build/prune", query=query), work=DAEMON_WORK)

    @endpoint
    def inspect_distribution(name: str, auth: AuthConfig | None = None) -> Call[JSON]:
        """`docker manifest inspect`-like: `GET /distribution/{name}/json`, what the registry
        says of an image without pulling it: `{"Descriptor": {"digest", "size", "mediaType"},
        "Platforms": [...]}`. Credentials as for `pull`:

            client.inspect_distribution("127.0.0.1:5000/app:1")["Descriptor"]["digest"]"""
        path = target("/distribution/{}/json", name)
        return Call("GET", path, headers=registry_auth_header(name, auth), work=DAEMON_WORK)
