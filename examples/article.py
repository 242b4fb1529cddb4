"""The article's three docker commands, done with rawdock, printing each HTTP request it sends.

    docker images                            GET  /images/json
    docker ps                                GET  /containers/json
    docker run --name my_nginx -p 80:80 ...  POST /containers/create?name=my_nginx
                                             POST /containers/my_nginx/start

With no registry reachable, the image is built locally from /bin/busybox (its httpd serves the
port); with internet access, set IMAGE=nginx and skip the build. Everything it creates is
removed at the end. Run from the repository root: python3 examples/article.py
"""

from __future__ import annotations

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir))

import rawdock  # noqa: E402
from rawdock.build import context_tar  # noqa: E402

IMAGE = os.environ.get("IMAGE", "rawdock-example/busybox:latest")
NAME = "my_nginx"
BUSYBOX = "/bin/busybox"
PT_INTERP = 3  # an ELF program header naming the dynamic loader (the ELF spec, "Program Header")
DOCKERFILE = b"""\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
"""


def show_request(direction: str, data: bytes) -> None:
    """Print the request line of everything rawdock sends: the article's "it is just HTTP"."""
    if direction == "send":
        print("   >", data.split(b"\r\n", 1)[0].decode())


def busybox_problem() -> str | None:
    """Why BUSYBOX cannot be the image's one program, or None. The image is FROM scratch: a
    busybox that needs a dynamic loader (a PT_INTERP program header) cannot start in it."""
    try:
        with open(BUSYBOX, "rb") as elf:
            head = elf.read(64)
            if not head.startswith(b"\x7fELF"):
                return f"{BUSYBOX} is not an ELF program"
            wide, order = head[4] == 2, "<" if head[5] == 1 else ">"  # EI_CLASS, EI_DATA
            offset, size, count = struct.unpack_from(
                order + ("Q14xHH" if wide else "I10xHH"), head, 32 if wide else 28
            )
            for index in range(count):
                elf.seek(offset + index * size)
                if struct.unpack(order + "I", elf.read(4))[0] == PT_INTERP:
                    return f"{BUSYBOX} is linked dynamically"
    except (OSError, struct.error, IndexError) as error:
        return f"cannot read {BUSYBOX} ({error})"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def main() -> int:
    client = rawdock.Client(trace=show_request)
    print(f"Docker engine, API {client.api_version}")
    if IMAGE.startswith("rawdock-example/"):
        problem = busybox_problem()
        if problem:
            print(
                f"error: {problem}; the example's image is a static busybox alone: install "
                f"Debian's busybox-static (sudo apt-get install busybox-static), or set IMAGE "
                f"to an image you have",
                file=sys.stderr,
            )
            return 1
        print(f"building {IMAGE} from {BUSYBOX}")
        context = context_tar({"Dockerfile": DOCKERFILE, "busybox": BUSYBOX})
        for _ in client.build(context, tag=IMAGE, labels={"rawdock.example": "1"}):
            pass

    print("docker images")
    for image in client.images():
        print("  ", image["RepoTags"], image["Size"], "bytes")

    print("docker ps")
    print("  ", [c["Names"] for c in client.containers()])

    port = free_port()
    print(f"docker run -d --name {NAME} -p 127.0.0.1:{port}:80 {IMAGE}")
    try:
        client.remove_container(NAME, force=True)  # left over from an interrupted run
    except rawdock.NotFound:
        pass
    config = {
        "Image": IMAGE,
        "Cmd": ["sh", "-c", "echo hello from rawdock > /index.html && httpd -f -p 80 -h /"],
        "Labels": {"rawdock.example": "1"},
        "ExposedPorts": {"80/tcp": {}},
        "HostConfig": {
            "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}
        },
    }
    if not IMAGE.startswith("rawdock-example/"):
        del config["Cmd"]  # nginx serves its own page
    try:
        client.create_container(config, name=NAME)
        client.start_container(NAME)
        print("   running:", [c["Names"] for c in client.containers()])
        for _ in range(50):  # the server in the container takes a moment to listen
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as web:
                    web.sendall(b"GET / HTTP/1.0\r\n\r\n")
                    print("   port", port, "answers:", web.recv(200).split(b"\r\n")[0].decode())
                break
            except OSError:
                time.sleep(0.1)
        print("docker stop / docker rm")
        client.stop_container(NAME, timeout=1)
    finally:
        client.remove_container(NAME, force=True)
        if IMAGE.startswith("rawdock-example/"):
            client.remove_image(IMAGE)
        client.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except rawdock.RawdockError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
