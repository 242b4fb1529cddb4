"""Volume endpoints: `docker volume ls/create/inspect/rm/prune`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..wire import target
from .calls import DAEMON_WORK, JSON, Call, Filters, _filters, _json_call, _nothing, endpoint

__all__ = ["Volumes"]


class Volumes:
    """`docker volume`: named storage that outlives containers."""

    @endpoint
    def volumes(filters: Filters | None = None) -> Call[JSON]:
        """`docker volume ls`: `GET /volumes`, returning `{"Volumes": [...], "Warnings": ...}`."""
        return Call("GET", target("/volumes", query={"filters": _filters(filters)}))

    @endpoint
    def create_volume(
        name: str | None = None,
        driver: str | None = None,
        driver_opts: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> Call[JSON]:
        """`docker volume create [NAME]`: `POST /volumes/create` with `{"Name", "Driver",
        "DriverOpts", "Labels"}`; returns the volume. Creating an existing name returns it:

            client.create_volume("data", labels={"app": "web"})"""
        body: dict[str, Any] = {"Name": name, "Driver": driver}
        body["DriverOpts"], body["Labels"] = dict(driver_opts or {}), dict(labels or {})
        return _json_call("POST", "/volumes/create", {k: v for k, v in body.items() if v})

    @endpoint
    def inspect_volume(name: str) -> Call[JSON]:
        """`docker volume inspect NAME`: `GET /volumes/{name}`."""
        return Call("GET", target("/volumes/{}", name))

    @endpoint
    def remove_volume(name: str, force: bool = False) -> Call[None]:
        """`docker volume rm [-f] NAME`: `DELETE /volumes/{name}`. A volume a container uses is
        refused (Conflict, "volume is in use - [container ids]")."""
        query = {"force": force or None}
        return Call("DELETE", target("/volumes/{}", name, query=query), result=_nothing)

    @endpoint
    def update_volume(name: str, version: int, spec: Mapping[str, Any]) -> Call[None]:
        """`docker volume update` (cluster volumes, a swarm manager only):
        `PUT /volumes/{name}?version=N` with `{"Spec": spec}`; API 1.42+."""
        path = target("/volumes/{}", name, query={"version": version})
        return _json_call(
            "PUT", path, {"Spec": dict(spec)}, result=_nothing, needs=(("PUT /volumes", "1.42"),)
        )

    @endpoint
    def prune_volumes(filters: Filters | None = None) -> Call[JSON]:
        """`docker volume prune`: `POST /volumes/prune`, removing unused volumes (anonymous
        ones only from API 1.42 on, unless filters={"all": ["true"]}); returns
        `{"VolumesDeleted": [...], "SpaceReclaimed": n}`."""
        query = {"filters": _filters(filters)}
        return Call("POST", target("/volumes/prune", query=query), work=DAEMON_WORK)
