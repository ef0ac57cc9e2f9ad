"""The results as a PNG: throughput against the floor per concurrency, and per-call latency as data grows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use(): the backend must be chosen first


def draw(results: dict[str, Any], path: Path) -> None:
    loaded = [s for s in results["scenarios"] if s["name"].split(",")[0] not in ("update", "read")]
    growth = [s for s in results["scenarios"] if s not in loaded]
    names = list(dict.fromkeys(s["name"] for s in loaded))
    levels = sorted({s["concurrency"] for s in loaded})
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 6), gridspec_kw={"width_ratios": [3, 2]})

    width = 0.8 / max(1, len(levels))
    for i, c in enumerate(levels):
        ratios = [
            next((s["ratio_to_floor"] for s in loaded if s["name"] == n and s["concurrency"] == c), 0) for n in names
        ]
        left.barh([y + i * width for y in range(len(names))], ratios, height=width, label=f"concurrency {c}")
    left.axvline(1.0, color="black", linewidth=1)
    left.axvline(0.5, color="grey", linestyle="--", linewidth=1)
    left.set_yticks([y + width * (len(levels) - 1) / 2 for y in range(len(names))], names)
    left.invert_yaxis()
    floor = ", ".join(f"{v:.0f}/s @ {c}" for c, v in results["floor_rps"].items())
    left.set_xlabel(f"throughput / floor (floor: {floor})")
    left.set_xlim(0, max(1.4, *(s["ratio_to_floor"] + 0.1 for s in loaded)))
    left.legend(loc="lower right")

    labels = [s["name"] for s in growth]
    left_edges = range(len(growth))
    right.barh(left_edges, [s["p99_ms"] for s in growth], color="#f4a582", label="p99")
    right.barh(left_edges, [s["p50_ms"] for s in growth], color="#2166ac", label="p50")
    right.set_yticks(list(left_edges), labels)
    right.invert_yaxis()
    right.set_xlabel("ms per call, concurrency 1")
    right.legend(loc="lower right")

    fig.suptitle(f"Local host with the embedded store, {results['cores']} cores, {results['workers']} worker(s)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
