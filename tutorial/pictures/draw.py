"""Draw the tutorial's byte diagrams as SVG files, with the standard library only.

    python tutorial/pictures/draw.py          # rewrites the .svg files beside this script

Each diagram is rows of bytes, one box per byte: the character (CR and LF as such) above, its
value in hex below, coloured by what the byte is for. tests/test_tutorial.py checks that the
files here are what this script draws.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

BOX = 26  # width and height of one byte's box
GAP = 2
LEFT = 50
LABEL_GAP = 14
ROW = 62  # vertical distance between rows (box, hex, space)
FONT = "font-family='DejaVu Sans Mono,Menlo,Consolas,monospace'"

#: What a byte is for -> its fill colour.
COLOURS = {
    "text": "#dbeafe",  # request line, fields, body text
    "space": "#f1f5f9",
    "crlf": "#fed7aa",  # CR LF: ends a line
    "size": "#bbf7d0",  # a chunk-size line's digits
    "stream": "#e9d5ff",  # a frame header's stream byte
    "zero": "#f1f5f9",
    "length": "#bbf7d0",  # a frame header's length bytes
    "payload": "#dbeafe",
}

Row = tuple[bytes, list[str], str]  # the bytes, a kind per byte, the label at the right


#: Kinds whose bytes are numbers, not text: shown as their value, never as a character.
NUMBERS = {"stream", "zero", "length"}


def _shown(byte: int, kind: str) -> str:
    if kind in NUMBERS:
        return str(byte)
    return {13: "CR", 10: "LF", 32: "␣"}.get(byte, chr(byte) if 32 < byte < 127 else "·")


def _kinds(data: bytes, text: str = "text") -> list[str]:
    """A kind per byte: CR and LF are "crlf", spaces "space", the rest `text`."""
    return ["crlf" if b in (10, 13) else "space" if b == 32 else text for b in data]


def svg(title: str, rows: list[Row], spans: list[tuple[int, int, int, str]] = ()) -> str:
    """Rows of byte boxes; `spans` are (row, first byte, last byte, text) braces under a row."""
    width = LEFT + max(len(data) for data, _, _ in rows) * (BOX + GAP) + 330
    extra = 56 if spans else 0
    height = 40 + len(rows) * ROW + extra
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}'>",
        f"<title>{escape(title)}</title>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
        f"<text x='10' y='22' {FONT} font-size='14' font-weight='bold'>{escape(title)}</text>",
    ]
    for r, (data, kinds, label) in enumerate(rows):
        y = 36 + r * ROW
        for i, byte in enumerate(data):
            x = LEFT + i * (BOX + GAP)
            out.append(
                f"<rect x='{x}' y='{y}' width='{BOX}' height='{BOX}' rx='3' "
                f"fill='{COLOURS[kinds[i]]}' stroke='#475569'/>"
            )
            shown = _shown(byte, kinds[i])
            size = 10 if len(shown) > 1 else 14
            out.append(
                f"<text x='{x + BOX / 2}' y='{y + 18}' text-anchor='middle' {FONT} "
                f"font-size='{size}'>{escape(shown)}</text>"
            )
            out.append(
                f"<text x='{x + BOX / 2}' y='{y + BOX + 12}' text-anchor='middle' {FONT} "
                f"font-size='9' fill='#64748b'>{byte:02x}</text>"
            )
        x = LEFT + len(data) * (BOX + GAP) + LABEL_GAP
        out.append(
            f"<text x='{x}' y='{y + 18}' {FONT} font-size='12' fill='#0f172a'>"
            f"{escape(label)}</text>"
        )
    for n, (r, first, last, text) in enumerate(spans):
        y = 36 + r * ROW + BOX + 20 + 16 * (n % 2)  # every other label lower: no overlaps
        x1 = LEFT + first * (BOX + GAP)
        x2 = LEFT + last * (BOX + GAP) + BOX
        out.append(
            f"<path d='M{x1} {y} v6 H{x2} v-6' fill='none' stroke='#475569'/>"
            f"<text x='{(x1 + x2) / 2}' y='{y + 20}' text-anchor='middle' {FONT} "
            f"font-size='11'>{escape(text)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def request_bytes() -> str:
    lines = [b"GET /_ping HTTP/1.1\r\n", b"Host: docker\r\n", b"\r\n"]
    labels = ["request line: method, target, version", "a header field: Name: value",
              "empty line: the head ends, and (for GET) the request"]
    rows = [(line, _kinds(line), label) for line, label in zip(lines, labels, strict=True)]
    return svg("GET /_ping HTTP/1.1: 37 bytes", rows)


def chunked_body() -> str:
    rows: list[Row] = []
    for line, label, kind in [
        (b"5\r\n", "size line: 5 (hex) bytes follow", "size"),
        (b"hello\r\n", "5 bytes of data, then CR LF", "text"),
        (b"6\r\n", "size line: 6 bytes follow", "size"),
        (b" world\r\n", "6 bytes of data, then CR LF", "text"),
        (b"0\r\n", "size line 0: the last chunk", "size"),
        (b"\r\n", "empty line: no trailer fields, the body ends", "text"),
    ]:
        rows.append((line, _kinds(line, kind), label))
    return svg('A chunked body: "hello world" in two chunks', rows)


def frame_header() -> str:
    frame = b"\x01\x00\x00\x00\x00\x00\x00\x0ato stdout\n"
    kinds = ["stream", "zero", "zero", "zero", "length", "length", "length", "length"]
    kinds += _kinds(frame[8:], "payload")
    spans = [
        (0, 0, 0, "stdout"),
        (0, 1, 3, "always 0"),
        (0, 4, 7, "length 0x0a = 10"),
        (0, 8, 17, "payload: 10 bytes"),
    ]
    rows = [(frame, kinds, "one frame of a log stream")]
    return svg("A log frame: 8-byte header, then the payload", rows, spans)


def proxy() -> str:
    boxes = [
        (10, "docker CLI", "DOCKER_HOST=unix://…/p.sock"),
        (290, "the proxy", "listens on p.sock"),
        (570, "dockerd", "/var/run/docker.sock"),
    ]
    out = [
        "<svg xmlns='http://www.w3.org/2000/svg' width='800' height='190' viewBox='0 0 800 190'>",
        "<title>A proxy on a Unix socket between the docker CLI and the daemon</title>",
        "<rect width='800' height='190' fill='white'/>",
        "<defs><marker id='a' markerWidth='8' markerHeight='8' refX='7' refY='4' orient='auto'>"
        "<path d='M0 0 L8 4 L0 8 z' fill='#475569'/></marker></defs>",
    ]
    for x, name, note in boxes:
        out.append(
            f"<rect x='{x}' y='30' width='210' height='70' rx='8' fill='#dbeafe' stroke='#475569'/>"
            f"<text x='{x + 105}' y='60' text-anchor='middle' {FONT} font-size='15'>{name}</text>"
            f"<text x='{x + 105}' y='82' text-anchor='middle' {FONT} font-size='11' "
            f"fill='#334155'>{escape(note)}</text>"
        )
    for x1, x2 in ((220, 290), (500, 570)):
        out.append(
            f"<line x1='{x1}' y1='55' x2='{x2 - 2}' y2='55' stroke='#475569' marker-end='url(#a)'/>"
            f"<line x1='{x2}' y1='78' x2='{x1 + 2}' y2='78' stroke='#475569' marker-end='url(#a)'/>"
        )
    out.append(
        f"<text x='395' y='130' text-anchor='middle' {FONT} font-size='12'>every byte, both "
        "ways, is copied on unchanged</text>"
        f"<text x='395' y='152' text-anchor='middle' {FONT} font-size='12'>and kept in "
        "`seen`: (\"&gt;\", request bytes), (\"&lt;\", response bytes)</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


PICTURES = {
    "request-bytes.svg": request_bytes,
    "chunked-body.svg": chunked_body,
    "frame-header.svg": frame_header,
    "proxy.svg": proxy,
}


def main() -> None:
    for name, draw in PICTURES.items():
        (HERE / name).write_text(draw(), encoding="utf-8")
        print(f"wrote tutorial/pictures/{name}")


if __name__ == "__main__":
    main()
