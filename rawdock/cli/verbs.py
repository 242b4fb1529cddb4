"""Every command word rawdock knows, and where the code that runs it lives.

`VERBS` maps what the user types after `rawdock` (one word, or a group and a word: "container
ls") to `(module, function, summary)`: `rawdock ps` runs `rawdock.cli.containers.ps`, whose flags
`rawdock.cli.containers.ps_flags` declares. Only that module is imported and only that parser is
built, so a verb pays for nothing but itself; `rawdock --help` reads this table and imports no
verb module at all.

To add a verb (say `docker pause`): write `pause_flags(parser)` and `pause(ctx, args)` in the
module of its group (containers.py), then add its line here, and the management form beside it:

    "pause": ("containers", "pause", "Pause all processes within one or more containers"),
    "container pause": ("containers", "pause", "Pause all processes within one or more containers"),
"""

from __future__ import annotations

__all__ = ["VERBS", "GROUPS", "COMMON", "LONG_RUNNING"]

#: command words -> (module in rawdock.cli, function name, one-line summary: docker's wording)
VERBS: dict[str, tuple[str, str, str]] = {
    # Containers (docker/cli cli/command/container)
    "create": ("containers", "create", "Create a new container"),
    "run": ("containers", "run", "Create and run a new container from an image"),
    "ps": ("containers", "ps", "List containers"),
    "start": ("containers", "start", "Start one or more stopped containers"),
    "stop": ("containers", "stop", "Stop one or more running containers"),
    "restart": ("containers", "restart", "Restart one or more containers"),
    "kill": ("containers", "kill", "Kill one or more running containers"),
    "rm": ("containers", "rm", "Remove one or more containers"),
    "wait": ("containers", "wait", "Block until one or more containers stop, then print their exit codes"),  # noqa: E501
    "logs": ("containers", "logs", "Fetch the logs of a container"),
    "exec": ("interactive", "exec_command", "Execute a command in a running container"),
    "attach": ("interactive", "attach", "Attach local standard input, output, and error streams to a running container"),  # noqa: E501
    "container create": ("containers", "create", "Create a new container"),
    "container run": ("containers", "run", "Create and run a new container from an image"),
    "container ls": ("containers", "ps", "List containers"),
    "container list": ("containers", "ps", "List containers"),
    "container ps": ("containers", "ps", "List containers"),
    "container start": ("containers", "start", "Start one or more stopped containers"),
    "container exec": ("interactive", "exec_command", "Execute a command in a running container"),
    "container attach": ("interactive", "attach", "Attach local standard input, output, and error streams to a running container"),  # noqa: E501
    "container stop": ("containers", "stop", "Stop one or more running containers"),
    "container restart": ("containers", "restart", "Restart one or more containers"),
    "container kill": ("containers", "kill", "Kill one or more running containers"),
    "container rm": ("containers", "rm", "Remove one or more containers"),
    "container remove": ("containers", "rm", "Remove one or more containers"),
    "container wait": ("containers", "wait", "Block until one or more containers stop, then print their exit codes"),  # noqa: E501
    "container logs": ("containers", "logs", "Fetch the logs of a container"),
    "container inspect": ("containers", "container_inspect", "Display detailed information on one or more containers"),  # noqa: E501
    "top": ("containers", "top", "Display the running processes of a container"),
    "port": ("containers", "port", "List port mappings or a specific mapping for the container"),
    "diff": ("containers", "diff", "Inspect changes to files or directories on a container's filesystem"),  # noqa: E501
    "pause": ("containers", "pause", "Pause all processes within one or more containers"),
    "unpause": ("containers", "unpause", "Unpause all processes within one or more containers"),
    "rename": ("containers", "rename", "Rename a container"),
    "update": ("containers", "update", "Update configuration of one or more containers"),
    "container top": ("containers", "top", "Display the running processes of a container"),
    "container port": ("containers", "port", "List port mappings or a specific mapping for the container"),  # noqa: E501
    "container diff": ("containers", "diff", "Inspect changes to files or directories on a container's filesystem"),  # noqa: E501
    "container pause": ("containers", "pause", "Pause all processes within one or more containers"),
    "container unpause": ("containers", "unpause", "Unpause all processes within one or more containers"),  # noqa: E501
    "container rename": ("containers", "rename", "Rename a container"),
    "container update": ("containers", "update", "Update configuration of one or more containers"),
    "container prune": ("containers", "prune", "Remove all stopped containers"),
    "stats": ("containers", "stats", "Display a live stream of container(s) resource usage statistics"),  # noqa: E501
    "container stats": ("containers", "stats", "Display a live stream of container(s) resource usage statistics"),  # noqa: E501
    "cp": ("containers", "cp", "Copy files/folders between a container and the local filesystem"),
    "container cp": ("containers", "cp", "Copy files/folders between a container and the local filesystem"),  # noqa: E501
    # Images (cli/command/image)
    "images": ("images", "images", "List images"),
    "pull": ("images", "pull", "Download an image from a registry"),
    "rmi": ("images", "rmi", "Remove one or more images"),
    "tag": ("images", "tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"),
    "image ls": ("images", "images", "List images"),
    "image list": ("images", "images", "List images"),
    "image pull": ("images", "pull", "Download an image from a registry"),
    "image rm": ("images", "rmi", "Remove one or more images"),
    "image remove": ("images", "rmi", "Remove one or more images"),
    "image tag": ("images", "tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"),
    "image inspect": ("images", "image_inspect", "Display detailed information on one or more images"),  # noqa: E501
    "image prune": ("images", "image_prune", "Remove unused images"),
    "push": ("images", "push", "Upload an image to a registry"),
    "image push": ("images", "push", "Upload an image to a registry"),
    "build": ("images", "build", "Build an image from a Dockerfile"),
    "image build": ("images", "build", "Build an image from a Dockerfile"),
    "login": ("system", "login", "Authenticate to a registry"),
    "logout": ("system", "logout", "Log out from a registry"),
    # System (cli/command/system)
    "version": ("system", "version", "Show the Docker version information"),
    "info": ("system", "info", "Display system-wide information"),
    "inspect": ("system", "inspect", "Return low-level information on Docker objects"),
    "system info": ("system", "info", "Display system-wide information"),
    "system df": ("system", "df", "Show docker disk usage"),
    "system prune": ("system", "prune", "Remove unused data"),
    "system events": ("system", "events", "Get real time events from the server"),
    "events": ("system", "events", "Get real time events from the server"),
    # Networks (cli/command/network)
    "network ls": ("networks", "network_ls", "List networks"),
    "network list": ("networks", "network_ls", "List networks"),
    "network create": ("networks", "network_create", "Create a network"),
    "network inspect": ("networks", "network_inspect", "Display detailed information on one or more networks"),  # noqa: E501
    "network rm": ("networks", "network_rm", "Remove one or more networks"),
    "network remove": ("networks", "network_rm", "Remove one or more networks"),
    "network connect": ("networks", "network_connect", "Connect a container to a network"),
    "network disconnect": ("networks", "network_disconnect", "Disconnect a container from a network"),  # noqa: E501
    "network prune": ("networks", "network_prune", "Remove all unused networks"),
    # Volumes (cli/command/volume)
    "volume ls": ("volumes", "volume_ls", "List volumes"),
    "volume list": ("volumes", "volume_ls", "List volumes"),
    "volume create": ("volumes", "volume_create", "Create a volume"),
    "volume inspect": ("volumes", "volume_inspect", "Display detailed information on one or more volumes"),  # noqa: E501
    "volume rm": ("volumes", "volume_rm", "Remove one or more volumes"),
    "volume remove": ("volumes", "volume_rm", "Remove one or more volumes"),
    "volume prune": ("volumes", "volume_prune", "Remove unused local volumes"),
    # Swarm (cli/command/service, cli/command/node)
    "swarm init": ("swarm", "swarm_init", "Initialize a swarm"),
    "swarm join": ("swarm", "swarm_join", "Join a swarm as a node and/or manager"),
    "swarm leave": ("swarm", "swarm_leave", "Leave the swarm"),
    "swarm join-token": ("swarm", "swarm_join_token", "Manage join tokens"),
    "node ls": ("swarm", "node_ls", "List nodes in the swarm"),
    "node list": ("swarm", "node_ls", "List nodes in the swarm"),
    "node inspect": ("swarm", "node_inspect", "Display detailed information on one or more nodes"),
    "node update": ("swarm", "node_update", "Update a node"),
    "node ps": ("swarm", "node_ps", "List tasks running on one or more nodes, defaults to current node"),  # noqa: E501
    "node rm": ("swarm", "node_rm", "Remove one or more nodes from the swarm"),
    "node remove": ("swarm", "node_rm", "Remove one or more nodes from the swarm"),
    "node promote": ("swarm", "node_promote", "Promote one or more nodes to manager in the swarm"),
    "node demote": ("swarm", "node_demote", "Demote one or more nodes from manager in the swarm"),
    "service ls": ("swarm", "service_ls", "List services"),
    "service list": ("swarm", "service_ls", "List services"),
    "service create": ("swarm", "service_create", "Create a new service"),
    "service inspect": ("swarm", "service_inspect", "Display detailed information on one or more services"),  # noqa: E501
    "service ps": ("swarm", "service_ps", "List the tasks of one or more services"),
    "service update": ("swarm", "service_update", "Update a service"),
    "service rollback": ("swarm", "service_rollback", "Revert changes to a service's configuration"),  # noqa: E501
    "service scale": ("swarm", "service_scale", "Scale one or multiple replicated services"),
    "service rm": ("swarm", "service_rm", "Remove one or more services"),
    "service remove": ("swarm", "service_rm", "Remove one or more services"),
    "service logs": ("swarm", "service_logs", "Fetch the logs of a service or task"),
}  # fmt: skip

#: The groups of the management forms (`rawdock container ls`), with docker's summaries.
GROUPS: dict[str, str] = {
    "container": "Manage containers",
    "image": "Manage images",
    "system": "Manage Docker",
    "network": "Manage networks",
    "volume": "Manage volumes",
    "swarm": "Manage Swarm",
    "service": "Manage Swarm services",
    "node": "Manage Swarm nodes",
}

#: The verbs (module, function) whose run time grows with the data they move or the work the
#: daemon does for them: a pull or push of gigabytes, a build, a copy, a prune, a stop's grace
#: period, a container run or a stats table kept open. docker's CLI sets them no deadline, and
#: neither does rawdock: `--timeout` bounds each wait for the daemon instead (a silent daemon
#: still fails them). Every other verb takes `--timeout` as the deadline of each request too.
LONG_RUNNING: frozenset[tuple[str, str]] = frozenset(
    {
        ("images", "pull"),
        ("images", "push"),
        ("images", "build"),
        ("images", "image_prune"),
        ("containers", "cp"),
        ("containers", "run"),
        ("containers", "create"),  # pulls a missing image
        ("containers", "stop"),
        ("containers", "restart"),
        ("containers", "logs"),
        ("containers", "stats"),
        ("containers", "prune"),
        ("volumes", "volume_prune"),
        ("system", "df"),
        ("system", "prune"),
        ("swarm", "swarm_join"),
        ("swarm", "swarm_leave"),
        ("swarm", "service_logs"),
    }
)

#: The verbs `rawdock --help` lists first, as docker lists its "Common Commands".
COMMON = ("run", "ps", "pull", "images", "version", "info")
