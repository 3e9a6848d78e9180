"""The map of regions shaded by money, drawn once as inline SVG (no script, no tiles).

Russia spans the antimeridian, so longitudes west of 0 are moved east by 360 degrees,
then projected with an Albers equal-area conic (standard parallels 52 and 64 N, central
meridian 100 E), the usual projection for maps of the whole country; areas keep their
proportions, so a large shaded region is not exaggerated. Points closer than two
pixels to the previous one, and islets of a few pixels, are dropped: 2 MB of GeoJSON
becomes a page of about 100 kB.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from markupsafe import Markup, escape

from pfund.services.portal import RegionMoney
from pfund.web.i18n import Formatter, translations

WIDTH = 960.0
MIN_STEP = 2.0  # pixels between kept points
MIN_SIZE = 3.0  # islets smaller than this (width + height, in pixels) are left out
PALETTE = ("#eef2f7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
LAT1, LAT2, LAT0, LON0 = 52.0, 64.0, 56.0, 100.0


def _albers() -> Any:
    p1, p2, p0 = (math.radians(x) for x in (LAT1, LAT2, LAT0))
    n = (math.sin(p1) + math.sin(p2)) / 2
    c = math.cos(p1) ** 2 + 2 * n * math.sin(p1)
    rho0 = math.sqrt(c - 2 * n * math.sin(p0)) / n

    def project(lon: float, lat: float) -> tuple[float, float]:
        lon = lon + 360 if lon < 0 else lon
        theta = n * math.radians(lon - LON0)
        rho = math.sqrt(c - 2 * n * math.sin(math.radians(lat))) / n
        return rho * math.sin(theta), rho0 - rho * math.cos(theta)

    return project


@cache
def _shapes() -> tuple[dict[str, list[list[tuple[float, float]]]], tuple[float, float, float]]:
    """Projected rings per ISO code, and the (scale, min x, max y) that fit them."""
    source = files("pfund.data") / "geo" / "russia_federal_subjects_iso.geojson"
    data = json.loads(source.read_text(encoding="utf-8"))
    project = _albers()
    rings: dict[str, list[list[tuple[float, float]]]] = {}
    for feature in data["features"]:
        code = feature["properties"].get("iso_3166_2")
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            for ring in polygon:
                rings.setdefault(code, []).append([project(x, y) for x, y in ring])
    xs = [x for rs in rings.values() for r in rs for x, _ in r]
    ys = [y for rs in rings.values() for r in rs for _, y in r]
    scale = WIDTH / (max(xs) - min(xs))
    return rings, (scale, min(xs), max(ys))


def _path(rings: Sequence[Sequence[tuple[float, float]]], fit: tuple[float, float, float]) -> str:
    scale, x0, y1 = fit
    parts = []
    for ring in rings:
        points: list[tuple[float, float]] = []
        for x, y in ring:
            px, py = (x - x0) * scale, (y1 - y) * scale
            if points and abs(px - points[-1][0]) + abs(py - points[-1][1]) < MIN_STEP:
                continue
            points.append((px, py))
        xs, ys = [x for x, _ in points], [y for _, y in points]
        if len(points) >= 3 and max(xs) - min(xs) + max(ys) - min(ys) >= MIN_SIZE:
            parts.append("M" + "L".join(f"{x:.0f},{y:.0f}" for x, y in points) + "Z")
    return "".join(parts)


@cache
def _paths() -> tuple[dict[str, str], float]:
    rings, fit = _shapes()[0], _shapes()[1]
    ys = [(fit[2] - y) * fit[0] for rs in rings.values() for r in rs for _, y in r]
    return {code: _path(rs, fit) for code, rs in rings.items()}, max(ys)


def shade(value: Decimal, top: Decimal) -> str:
    """Six classes on a square-root scale, so small amounts still show."""
    if value <= 0 or top <= 0:
        return PALETTE[0]
    level = math.sqrt(float(value / top))
    return PALETTE[min(len(PALETTE) - 1, 1 + int(level * (len(PALETTE) - 1)))]


@dataclass(frozen=True)
class Shade:
    """One class of the map's legend: its colour and the committed money it stands for,
    from ``low`` (None: from zero) up to ``high`` (None: no money at all)."""

    colour: str
    low: Decimal | None
    high: Decimal | None


def legend(regions: Sequence[RegionMoney]) -> list[Shade]:
    """What each shade means for these regions: the bounds ``shade`` uses, in money.

    A class k of n covers sqrt(value / top) from (k - 1) / n to k / n, so its money runs
    from top * ((k - 1) / n)^2 to top * (k / n)^2.
    """
    top = max((r.committed for r in regions), default=Decimal(0))
    shades = [Shade(PALETTE[0], None, None)]
    if top <= 0:
        return shades
    steps = len(PALETTE) - 1
    for k in range(1, len(PALETTE)):
        low = top * Decimal(k - 1) ** 2 / steps**2 if k > 1 else None
        shades.append(Shade(PALETTE[k], low, top * Decimal(k) ** 2 / steps**2))
    return shades


def region_map(regions: Sequence[RegionMoney], *, lang: str = "en") -> Markup:
    paths, height = _paths()
    top = max((r.committed for r in regions), default=Decimal(0))
    by_code = {r.code: r for r in regions}
    shapes = []
    for code, d in sorted(paths.items()):
        region = by_code.get(code)
        value = region.committed if region else Decimal(0)
        name = (region.name_ru if lang == "ru" else region.name) if region else code
        title = f"{name}: {Formatter(lang).money(value)}" if region else name
        shapes.append(
            f'<path d="{d}" fill="{shade(value, top)}" stroke="#555" stroke-width="0.3">'
            f"<title>{escape(title)}</title></path>"
        )
    label = translations(lang).gettext("Map of the regions, shaded by the money committed")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {height:.0f}" '
        f'role="img" aria-label="{escape(label)}" class="map">{"".join(shapes)}</svg>'
    )
    return Markup(svg)
