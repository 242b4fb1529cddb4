"""A bar chart of the benchmark ratios as SVG, with the standard library only.

Each benchmark is a group of bars, one per contender, showing how it compares with the group's
reference (the floor or limit, drawn at 1.0): for times and sizes the bar is reference/contender,
for speeds contender/reference, so in every group a longer bar is better and 1.0 is the best a
stdlib-only client could do. Also usable alone: python bench/svg.py results.json out.svg
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path
from typing import Any

WIDTH = 860
LABEL_WIDTH = 250
BAR_HEIGHT = 16
GAP = 4
SCALE_MAX = 1.2  # bars are drawn up to 1.2x the reference; longer ones are clipped and marked
COLOURS = {"rawdock": "#2b7bb9", "docker-py": "#d9822b", "reference": "#7a7a7a"}


def _colour(contender: str, reference: bool) -> str:
    if reference:
        return COLOURS["reference"]
    for key, colour in COLOURS.items():
        if key in contender:
            return colour
    return "#a0a0a0"


def _field(result: Any, name: str) -> Any:
    return result[name] if isinstance(result, dict) else getattr(result, name)


def _median(samples: list[float]) -> float:
    ordered = sorted(samples)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def chart(header: dict[str, str], results: list[Any]) -> str:
    groups: dict[str, list[Any]] = {}
    for result in results:
        groups.setdefault(_field(result, "benchmark"), []).append(result)
    plot = WIDTH - LABEL_WIDTH - 70
    rows: list[str] = []
    y = 50
    for benchmark, members in groups.items():
        reference = next((m for m in members if _field(m, "reference")), None)
        if reference is None:
            continue
        ref = _median(_field(reference, "samples"))
        rows.append(
            f'<text x="10" y="{y + 12}" font-weight="bold">{escape(benchmark)}'
            f" (reference: {escape(_field(reference, 'contender'))})</text>"
        )
        y += BAR_HEIGHT + GAP + 4
        for member in members:
            value = _median(_field(member, "samples"))
            if _field(member, "higher_is_better"):
                ratio = value / ref if ref else 0.0
            else:
                ratio = ref / value if value else 0.0
            length = min(ratio, SCALE_MAX) / SCALE_MAX * plot
            name = _field(member, "contender")
            colour = _colour(name, _field(member, "reference"))
            rows.append(
                f'<text x="{LABEL_WIDTH - 8}" y="{y + 12}" text-anchor="end">{escape(name)}</text>'
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{colour}"/>'
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 12}">{ratio:.2f}'
                f"{' ▸' if ratio > SCALE_MAX else ''}</text>"
            )
            y += BAR_HEIGHT + GAP
        y += 10
    one = LABEL_WIDTH + plot / SCALE_MAX
    height = y + 30
    subtitle = escape(f"{header.get('machine', '')} | {header.get('versions', '')}")
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'font-family="sans-serif" font-size="12">',
            f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
            '<text x="10" y="20" font-size="15" font-weight="bold">rawdock benchmarks: '
            "each bar against its group's reference (1.0 = the stdlib floor or limit; "
            "longer is better)</text>",
            f'<text x="10" y="38" fill="#555">{subtitle}</text>',
            f'<line x1="{one:.1f}" y1="44" x2="{one:.1f}" y2="{y}" stroke="#444" '
            'stroke-dasharray="4 3"/>',
            f'<text x="{one:.1f}" y="{y + 16}" text-anchor="middle" fill="#444">1.0</text>',
            *rows,
            "</svg>",
            "",
        ]
    )


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(chart(data["header"], data["results"]))
