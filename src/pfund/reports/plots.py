"""Plots for the board report, drawn with matplotlib and returned as inline SVG text.

SVG keeps the report one self-contained file that prints sharply and loads nothing from
the network. Each function takes plain numbers, so the report can be rebuilt from a
decision record alone.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from math import nan
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
matplotlib.rcParams["svg.hashsalt"] = "pfund"  # the same figure gives the same file

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

if TYPE_CHECKING:
    from pfund.services.analysis import FrontierReport

INK = "#1f2933"
ACCENT = "#1d4ed8"
MUTED = "#9aa5b1"
WARN = "#b45309"

Numbers = Callable[[float], str]
"""How a reader writes a number on an axis (``1,200.5`` or ``1 200,5``); None leaves
matplotlib's own (English) style."""


def _figure(width: float = 6.4, height: float = 3.2) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(colors=INK, labelsize=8)
    return fig, ax


def _numbers(ax: Axes, numbers: Numbers | None, axes: str = "xy") -> None:
    """Tick labels in the reader's notation (a Russian reader writes ``2,5``)."""
    if numbers is None:
        return
    formatter = FuncFormatter(lambda value, _: numbers(value))
    if "x" in axes:
        ax.xaxis.set_major_formatter(formatter)
    if "y" in axes:
        ax.yaxis.set_major_formatter(formatter)


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    xlabel: str,
    numbers: Numbers | None = None,
) -> str:
    """Horizontal bars, largest first: money by area or by member."""
    fig, ax = _figure(height=0.3 * len(labels) + 0.8)
    order = sorted(range(len(labels)), key=lambda i: values[i])
    ax.barh([labels[i] for i in order], [values[i] for i in order], color=ACCENT)
    ax.set_xlabel(xlabel, fontsize=8, color=INK)
    _numbers(ax, numbers, "x")
    return _svg(fig)


def frontier_chart(
    x: Sequence[float],
    y: Sequence[float],
    *,
    xlabel: str,
    ylabel: str,
    marker: tuple[float, float] | None = None,
    greedy: Sequence[float] | None = None,
    labels: tuple[str, str, str] = ("best portfolio", "benefit-per-dollar ranking", "chosen"),
    numbers: Numbers | None = None,
) -> str:
    """A frontier, with the chosen portfolio marked and the greedy ranking beside it;
    ``labels`` name the curve, the ranking and the marker in the legend."""
    fig, ax = _figure()
    ax.plot(x, y, color=ACCENT, marker="o", markersize=3, label=labels[0])
    if greedy is not None:
        ax.plot(x, greedy, color=MUTED, linestyle="--", label=labels[1])
    if marker is not None:
        ax.plot(*marker, marker="*", markersize=12, color=WARN, label=labels[2])
    ax.set_xlabel(xlabel, fontsize=8, color=INK)
    ax.set_ylabel(ylabel, fontsize=8, color=INK)
    _numbers(ax, numbers)
    ax.legend(fontsize=7, frameon=False)
    return _svg(fig)


def years_chart(
    years: Sequence[int],
    *,
    budget: Sequence[float],
    used: Sequence[float],
    greedy: Sequence[float],
    labels: tuple[str, str, str] = ("chosen portfolio", "benefit-per-dollar ranking", "budget"),
    ylabel: str = "USD m",
    numbers: Numbers | None = None,
) -> str:
    """Money spent each year (bars) against a second series (dots) and a limit (line)."""
    fig, ax = _figure()
    ax.bar(years, used, color=ACCENT, label=labels[0])
    if labels[1]:
        ax.plot(
            years,
            greedy,
            color=MUTED,
            marker="o",
            markersize=3,
            linestyle="none",
            label=labels[1],
        )
    ax.step(years, budget, where="mid", color=INK, linewidth=1.5, label=labels[2])
    ax.set_ylabel(ylabel, fontsize=8, color=INK)
    # Below the plot: bars and the budget line fill the axes, a legend inside hides them.
    ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3)
    _numbers(ax, numbers, "y")
    return _svg(fig)


def core_index_chart(
    labels: Sequence[str],
    index: Sequence[float],
    *,
    xlabel: str = "share of optimal portfolios containing the project",
    numbers: Numbers | None = None,
) -> str:
    """Core index per project: 1 in every optimal portfolio, 0 in none."""
    fig, ax = _figure(height=0.18 * len(labels) + 0.8)
    colours = [ACCENT if v >= 0.999 else (MUTED if v <= 0.001 else WARN) for v in index]
    ax.barh(labels, index, color=colours)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8, color=INK)
    ax.tick_params(axis="y", labelsize=6)
    _numbers(ax, numbers, "x")
    return _svg(fig)


def frontier_svg(report: FrontierReport) -> str:
    """Both frontiers of a frontier run, one above the other, as a standalone SVG page."""
    budget = frontier_chart(
        [p.budget_total for p in report.budget],
        [nan if p.value is None else p.value for p in report.budget],
        xlabel="total budget, millions",
        ylabel="portfolio value",
        marker=(report.chosen_budget_total, report.chosen_value),
    )
    equity = frontier_chart(
        [nan if p.equity is None else p.equity / 1e6 for p in report.equity],
        [nan if p.value is None else p.value for p in report.equity],
        xlabel="spending in smaller regions (PV, millions)",
        ylabel="portfolio value",
        marker=(report.chosen_equity / 1e6, report.chosen_value),
    )
    return f"<html><body>{budget}{equity}</body></html>" if report.equity else budget


def stage_chart(
    stages: Sequence[int],
    by_status: dict[str, Sequence[float]],
    *,
    names: Sequence[str] | None = None,
    statuses: dict[str, str] | None = None,
    xlabel: str = "USD m",
    numbers: Numbers | None = None,
) -> str:
    """Money of approved tranches by the stage they need, stacked by status; each stage
    labelled by ``names`` (its name) and each status by ``statuses`` when given."""
    fig, ax = _figure(height=2.6)
    colours = {"planned": MUTED, "released": ACCENT, "disbursed": INK, "frozen": WARN}
    left = [0.0] * len(stages)
    labels = list(names) if names is not None else [f"stage {s}" for s in stages]
    for status, values in by_status.items():
        shown = (statuses or {}).get(status, status)
        ax.barh(labels, values, left=left, color=colours.get(status, MUTED), label=shown)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8, color=INK)
    _numbers(ax, numbers, "x")
    if by_status:  # nothing approved yet: an empty chart needs no legend
        ax.legend(fontsize=7, frameon=False)
    return _svg(fig)
