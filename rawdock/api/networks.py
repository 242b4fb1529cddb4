"""Network endpoints: `docker network ls/create/inspect/rm/connect/disconnect/prune`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..wire import target
from .calls import JSON, Call, Filters, _filters, _json_call, _nothing, endpoint

__all__ = ["Networks"]


class Networks:
    """`docker network`: the networks containers join, and which ones they are in."""

    @endpoint
    def networks(filters: Filters | None = None) -> Call[JSON]:
        """`docker network ls`: `GET /networks`, e.g. filters={"driver": ["bridge"]}."""
        return Call("GET", target("/networks", query={"filters": _filters(filters)}))

    @endpoint
    def create_network(name: str, config: Mapping[str, Any] | None = None) -> Call[JSON]:
        """`docker network create NAME`: `POST /networks/create` with `{"Name": name, **config}`
        as the JSON body (`Driver`, `Internal`, `IPAM`, `Labels`, `Options`, ...). Returns
        `{"Id": ..., "Warning": ...}`:

            client.create_network("backend", {"Driver": "bridge", "Labels": {"app": "web"}})"""
        return _json_call("POST", "/networks/create", {"Name": name, **(config or {})})

    @endpoint
    def inspect_network(id: str, verbose: bool = False, scope: str | None = None) -> Call[JSON]:
        """`docker network inspect ID`: `GET /networks/{id}`; its `Containers` are the ones
        connected. `scope`: "swarm", "global" or "local"."""
        query = {"verbose": verbose or None, "scope": scope}
        return Call("GET", target("/networks/{}", id, query=query))

    @endpoint
    def remove_network(id: str) -> Call[None]:
        """`docker network rm ID`: `DELETE /networks/{id}`. A network a container is connected to
        is refused: DockerError "... has active endpoints" (HTTP 403 on engine 20.10)."""
        return Call("DELETE", target("/networks/{}", id), result=_nothing)

    @endpoint
    def connect_container_to_network(
        container: str,
        net_id: str,
        aliases: list[str] | None = None,
        endpoint_config: Mapping[str, Any] | None = None,
    ) -> Call[None]:
        """`docker network connect NET CONTAINER`: `POST /networks/{id}/connect` with
        `{"Container": ..., "EndpointConfig": {...}}` (`Aliases`, `IPAMConfig`, ...):

            client.connect_container_to_network("web", "backend", aliases=["api"])"""
        config = dict(endpoint_config or {})
        if aliases is not None:
            config["Aliases"] = aliases
        body = {"Container": container, "EndpointConfig": config}
        return _json_call("POST", target("/networks/{}/connect", net_id), body, result=_nothing)

    @endpoint
    def disconnect_container_from_network(
        container: str, net_id: str, force: bool = False
    ) -> Call[None]:
        """`docker network disconnect [-f] NET CONTAINER`: `POST /networks/{id}/disconnect`."""
        body = {"Container": container, "Force": force}
        path = target("/networks/{}/disconnect", net_id)
        return _json_call("POST", path, body, result=_nothing)

    @endpoint
    def prune_networks(filters: Filters | None = None) -> Call[JSON]:
        """`docker network prune`: `POST /networks/prune`, removing every network no container
        uses; returns `{"NetworksDeleted": [...]}`. filters={"label": ["k=v"]} narrows it."""
        return Call("POST", target("/networks/prune", query={"filters": _filters(filters)}))
