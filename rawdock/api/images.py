"""Image endpoints: list, inspect, tag, remove, pull, push, build, save."""

from __future__ import annotations

from collections.abc import Mapping

from ..wire import target
from .calls import (
    JSON,
    Call,
    Filters,
    StreamCall,
    _byte_stream,
    _filters,
    _json_stream,
    _nothing,
    _split_reference,
    endpoint,
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
    def pull(image: str, tag: str | None = None, platform: str | None = None) -> StreamCall[JSON]:
        """`docker pull IMAGE[:TAG]`: `POST /images/create?fromImage=..&tag=..`, yielding the
        progress objects (`{"status": "Pulling fs layer", "id": ...}`, ...). The tag is `tag`,
        else the one in `image`, else "latest" (an empty tag would pull every tag).

        Errors: one found before the daemon answered is an error status (NotFound for a
        missing image) raised here, at the call; one found later comes inside the 200 stream as
        `{"errorDetail": ...}` and raises DockerError from the iteration, after the objects
        before it, once the daemon has ended the body (it does so right after the error: the
        connection stays reusable). So consume the stream: `for p in client.pull(...)`."""
        repo, own_tag = _split_reference(image)
        if "@" not in image:  # a digest names the image exactly: no tag goes with it
            tag = tag or own_tag or "latest"
        query = {"fromImage": repo, "tag": tag, "platform": platform}
        return StreamCall(
            "POST",
            target("/images/create", query=query),
            _json_stream,
            headers=(("X-Registry-Auth", "e30="),),  # "{}": no credentials
        )

    @stream
    def push(image: str, tag: str | None = None) -> StreamCall[JSON]:
        """`docker push IMAGE[:TAG]`: `POST /images/{name}/push`, yielding progress objects. The
        daemon insists on an X-Registry-Auth header, even an empty one. Errors come as for
        `pull` (most inside the stream: consume it)."""
        return StreamCall(
            "POST",
            target("/images/{}/push", image, query={"tag": tag}),
            _json_stream,
            headers=(("X-Registry-Auth", "e30="),),
        )

    @stream
    def build(
        context: bytes,
        tag: str | None = None,
        labels: Mapping[str, str] | None = None,
        rm: bool = True,
    ) -> StreamCall[JSON]:
        """`docker build`: `POST /build` with a tar of the build context, yielding the build's
        output objects (`{"stream": ...}`, then `{"aux": {"ID": ...}}`)."""
        query = {"t": tag, "labels": dict(labels) if labels else None, "rm": rm, "forcerm": rm}
        return StreamCall(
            "POST",
            target("/build", query=query),
            _json_stream,
            body=context,
            content_type="application/x-tar",
            timeout=None,  # a build step may run quiet for longer than any read timeout
        )

    @stream
    def get_image(name: str) -> StreamCall[bytes]:
        """`docker save NAME`: `GET /images/{name}/get`, a tar archive as a stream of bytes
        (`manifest.json`, the config and one tar per layer), read as it comes:

            with open("image.tar", "wb") as out:
                for data in client.get_image("busybox"):
                    out.write(data)"""
        return StreamCall("GET", target("/images/{}/get", name), _byte_stream)
