"""Small pieces of markup drawn by Python rather than by a template, so that the Django
templates and the Jinja ones (core.jinja) share one definition instead of two copies."""

from __future__ import annotations

from django.utils.html import format_html


def width_ratio(value, total, width: int = 100) -> int:
    """`value` as a whole share of `width`, like DTL's `{% widthratio value total|default:1 width %}`
    (the same float arithmetic and rounding), 0 of 0 counting as 0%."""
    return round(float(value) / float(total or 1) * width)


def progress(done: int, total: int) -> str:
    """Steps done of total with a bar: the bar's width is a class (w-0 … w-100), never a
    style attribute (the CSP allows no inline style)."""
    return format_html(
        '<span class="progress" title="{0}/{1}"><span class="bar"><span class="w-{2}"></span></span>'
        ' <span class="num">{0}/{1}</span></span>', done, total, width_ratio(done, total))
