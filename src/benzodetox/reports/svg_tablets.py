"""Small black-and-white SVG pictures of tablets: whole tablets and the half, third or quarter
left over, so a patient can see at a glance what "1½" means.

Geometry uses floats (drawing only); the count itself is an exact ``Fraction`` and the picture's
text alternative is formatted from it with ``format_count``.

>>> from fractions import Fraction
>>> svg = tablet_svg(Fraction(3, 2))
>>> svg.count("<circle"), "1½ tablets" in svg
(2, True)
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from html import escape

from benzodetox.core.units import format_count, plain_decimal

__all__ = ["MAX_DRAWN", "SYRINGE_SIZES_ML", "syringe_svg", "tablet_svg"]

#: Above this many whole tablets the picture shows the count in words instead.
MAX_DRAWN = 6

_FILL = "#c8c8c8"  # light grey: prints as a visible tint on black-and-white printers
_STROKE = "#000"


def _whole(cx: float, cy: float, r: float) -> str:
    return (
        f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="{r:.2f}" fill="{_FILL}" '
        f'stroke="{_STROKE}" stroke-width="1"/>'
        f'<line x1="{cx - r:.2f}" y1="{cy:.2f}" x2="{cx + r:.2f}" y2="{cy:.2f}" '
        f'stroke="{_STROKE}" stroke-width="0.5"/>'
    )


def _part(cx: float, cy: float, r: float, fraction: Fraction) -> str:
    """The part of a tablet that is taken, as a filled sector, with the rest dashed."""
    outline = (
        f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="{r:.2f}" fill="none" '
        f'stroke="{_STROKE}" stroke-width="0.6" stroke-dasharray="1.5,1.5"/>'
    )
    angle = 2 * math.pi * fraction.numerator / fraction.denominator
    # From 12 o'clock, clockwise.
    x0, y0 = cx, cy - r
    x1 = cx + r * math.sin(angle)
    y1 = cy - r * math.cos(angle)
    large = 1 if angle > math.pi else 0
    sector = (
        f'<path d="M{cx:.2f},{cy:.2f} L{x0:.2f},{y0:.2f} '
        f'A{r:.2f},{r:.2f} 0 {large} 1 {x1:.2f},{y1:.2f} Z" '
        f'fill="{_FILL}" stroke="{_STROKE}" stroke-width="1"/>'
    )
    return outline + sector


def tablet_svg(count: Fraction, *, size: float = 12.0) -> str:
    """An inline ``<svg>`` of ``count`` tablets: whole ones in grey with a score line, the
    fractional part as a grey sector inside a dashed outline. Counts above ``MAX_DRAWN`` are
    not drawn (the text says the number)."""
    if count <= 0:
        return ""
    label = f"{format_count(count)} tablet" + ("" if count <= 1 else "s")
    whole = count.numerator // count.denominator
    rest = count - whole
    if whole > MAX_DRAWN:
        return ""
    r = size / 2 - 1
    gap = 2.0
    shapes = []
    n = 0
    for n in range(whole):
        shapes.append(_whole(1 + r + n * (size + gap), size / 2, r))
    if rest:
        n = whole
        shapes.append(_part(1 + r + n * (size + gap), size / 2, r, rest))
    else:
        n = whole - 1
    width = (n + 1) * (size + gap)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tablets" role="img" '
        f'width="{width:.0f}pt" height="{size:.0f}pt" '
        f'viewBox="0 0 {width:.2f} {size:.2f}"><title>{escape(label)}</title>'
        + "".join(shapes)
        + "</svg>"
    )


#: The oral syringes drawn, smallest first: a volume is drawn on the smallest that holds it.
#: Above the largest the picture is left out and the words say the mL.
SYRINGE_SIZES_ML = (Decimal(5), Decimal(10))


def syringe_svg(ml: Decimal, *, height: float = 12.0) -> str:
    """An inline ``<svg>`` of an oral syringe filled (grey) to ``ml``, with a mark at every mL;
    its title says the volume ('2.5 mL', printed beside it in words too). Empty above
    ``SYRINGE_SIZES_ML[-1]``.

    >>> svg = syringe_svg(Decimal("2.5"))
    >>> "2.5 mL" in svg, svg.count("<line") == 5 + 1
    (True, True)
    """
    if ml <= 0 or ml > SYRINGE_SIZES_ML[-1]:
        return ""
    size = next(s for s in SYRINGE_SIZES_ML if ml <= s)
    text = f"{plain_decimal(ml)} mL"
    barrel = 40.0  # drawing units for the whole syringe volume
    x0, top, bottom = 8.0, 2.0, height - 2.0
    fill = barrel * float(ml / size)  # geometry only: the words carry the exact value
    ticks = "".join(
        f'<line x1="{x0 + barrel * i / int(size):.2f}" y1="{bottom:.2f}" '
        f'x2="{x0 + barrel * i / int(size):.2f}" y2="{bottom - 3:.2f}" '
        f'stroke="{_STROKE}" stroke-width="0.5"/>'
        for i in range(1, int(size) + 1)
    )
    width = x0 + barrel + 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="syringe" role="img" '
        f'width="{width:.0f}pt" height="{height:.0f}pt" viewBox="0 0 {width:.2f} {height:.2f}">'
        f"<title>{escape('oral syringe filled to ' + text)}</title>"
        f'<rect x="0" y="{height / 2 - 1:.2f}" width="{x0:.2f}" height="2" fill="{_STROKE}"/>'
        f'<rect x="{x0:.2f}" y="{top:.2f}" width="{fill:.2f}" height="{bottom - top:.2f}" '
        f'fill="{_FILL}"/>'
        f'<rect x="{x0:.2f}" y="{top:.2f}" width="{barrel:.2f}" height="{bottom - top:.2f}" '
        f'fill="none" stroke="{_STROKE}" stroke-width="0.8"/>'
        f'<line x1="{x0 + fill:.2f}" y1="{top - 1:.2f}" x2="{x0 + fill:.2f}" y2="{bottom + 1:.2f}" '
        f'stroke="{_STROKE}" stroke-width="1.6"/>'
        + ticks
        + "</svg>"
    )
