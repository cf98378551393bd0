"""PNG charts of monitoring results (matplotlib's Agg canvas, no pyplot, a fixed pixel size).

matplotlib is imported on the first chart, not at start-up: it is half of the server's import time and
about a fifth of its memory, and most processes never draw a chart (the first one takes ~0.5 s longer).
"""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING

from bot.i18n import t
from monitoring.formatting import period_label
from monitoring.results import ContractResult, OrganisationResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH, HEIGHT = 800, 450
"""Pixel size of every chart."""
DPI = 100
_COLOURS = ("#2f6f9f", "#e07b39", "#5a9e4b", "#b8505a", "#7d62a8", "#c4a43a", "#4aa3a3", "#8a8a8a")
_LOCK = threading.Lock()  # matplotlib is not thread-safe; charts are drawn in a worker thread


def _plain(text: str) -> str:
    """Labels are shown literally: a '$' would otherwise start matplotlib's math mode."""
    return text.replace("$", r"\$")


def _figure(title: str, lang: str) -> tuple[Figure, object]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(_plain(title), fontsize=12)
    ax.set_ylabel(str(t("monitoring.chart.jobs", lang)))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return fig, ax


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    with _LOCK:
        FigureCanvasAgg(fig)
        fig.subplots_adjust(left=0.09, right=0.97, top=0.9, bottom=0.2)
        fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _ambition(ax: object, value: float | None, highest: float, lang: str) -> None:
    """The ambition line, and room above the highest bar or line for the legend."""
    ax.set_ylim(0, max(highest, value or 0, 1) * 1.3)  # type: ignore[attr-defined]
    if value is not None:
        ax.axhline(value, color="#b8505a", linestyle="--", linewidth=1.5,  # type: ignore[attr-defined]
                   label=str(t("monitoring.chart.ambition", lang)))


def contract_chart(result: ContractResult, lang: str) -> bytes:
    """Jobs per reported period as bars, the ambition as a dashed line."""
    fig, ax = _figure(str(t("monitoring.chart.contract_title", lang, contract=result.contract.label)), lang)
    labels = [_plain(period_label(p.period, lang)) for p in result.periods]
    values = [p.jobs for p in result.periods]
    ax.bar(range(len(values)), values, color=_COLOURS[0], label=str(t("monitoring.chart.jobs", lang)))
    ax.set_xticks(range(len(values)), labels, rotation=30 if len(values) > 4 else 0, ha="right" if len(values) > 4
                  else "center", fontsize=9)
    _ambition(ax, result.ambition, max(values, default=0), lang)
    if result.ambition is not None or values:
        ax.legend(loc="upper left", fontsize=9)
    return _png(fig)


def organisation_chart(result: OrganisationResult, lang: str) -> bytes:
    """Jobs per calendar quarter, stacked per contract, against the summed ambition."""
    fig, ax = _figure(str(t("monitoring.chart.organisation_title", lang)), lang)
    positions = list(range(len(result.quarters)))
    bottom = [0.0] * len(positions)
    for index, contract in enumerate(result.contracts):
        cid = contract.contract.id or 0
        values = [q.jobs_of(cid) for q in result.quarters]
        if not any(values):
            continue
        ax.bar(positions, values, bottom=bottom, color=_COLOURS[index % len(_COLOURS)],
               label=_plain(contract.contract.label))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xticks(positions, [period_label(q.quarter, lang) for q in result.quarters], fontsize=9)
    _ambition(ax, result.ambition, max(bottom, default=0), lang)
    if result.quarters:
        ax.legend(loc="upper left", fontsize=8)
    return _png(fig)
