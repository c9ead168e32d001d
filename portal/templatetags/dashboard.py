import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from caching import remembered

register = template.Library()


@register.filter
def delta(value: float | None, digits: int = 0) -> str:
    """A change written out with its sign and an arrow, and words for screen readers; – when none."""
    # A heatmap writes thousands of these; they repeat, so each distinct one is built once.
    return _delta_html(None if value is None else round(value, digits), digits, get_language())


@functools.lru_cache(maxsize=4096)
def _delta_html(rounded: float | None, digits: int, language: str | None) -> str:
    if rounded is None:
        return format_html('<span class="delta" title="{}">–</span>', _("no earlier round to compare"))
    if rounded == 0:
        # One way everywhere: a change of nothing is "no change", never "±0" or "= 0".
        return format_html('<span class="delta delta-flat">{}</span>', _("no change"))
    if rounded > 0:
        css, arrow, words = "up", "▲", _("up")
    else:
        css, arrow, words = "down", "▼", _("down")
    text = ("+" if rounded > 0 else "−") + number_format(abs(rounded), decimal_pos=digits)
    return format_html(
        '<span class="delta delta-{}"><span aria-hidden="true">{} </span>{}'
        '<span class="visually-hidden"> ({})</span></span>',
        css,
        arrow,
        text,
        words,
    )


@register.simple_tag(takes_context=True)
def sort_link(context, column: str) -> str:
    """The query string that sorts by this column, flipping the direction when it is already sorted by it."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params["sort"] = f"-{column}" if current == column else column
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_state(context, column: str) -> str:
    """aria-sort value of a column header."""
    current = context.get("sort", "")
    if current == column:
        return "ascending"
    if current == f"-{column}":
        return "descending"
    return "none"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def dimension_mean(heatmap, key: str) -> float | None:
    return heatmap.dimension_mean(key)


@dataclass(frozen=True, slots=True)
class _Cell:
    index: str
    level: int | str
    note: str  # the abbreviated level and the change, already escaped


@register.inclusion_tag("portal/_heatmap_rows.html")
def heatmap_rows(heatmap) -> dict:
    """The heatmap's body rows, one per team: index, level and change in each cell.

    The template (portal/_heatmap_rows.html) writes the markup; here each cell's text is made
    once, plain, so an org of 400 teams (about 4,000 cells) costs the template engine only a
    lookup per value.
    """
    round_ = heatmap.round
    language = get_language()
    keys = [key for key, _name in heatmap.dimensions]
    # "L3": the level, abbreviated as the page's language does.
    short = {
        level: escape(_("L%(level)s") % {"level": level}) for level in heatmap.level_names or range(1, 6)
    }

    def cell(index: float, level: int, change: float | None) -> _Cell:
        return _Cell(_whole(index), level, mark_safe(f"{short.get(level, level)} {_delta(change, language)}"))  # noqa: S308

    rows = []
    for row in heatmap.rows:
        hidden = ""
        if row.hidden:
            text = (
                ngettext(
                    "hidden: %(n)s response, but fewer than %(k)s answered any dimension on the scale",
                    "hidden: %(n)s responses, but fewer than %(k)s answered any dimension on the scale",
                    row.responses,
                )
                if row.hidden_reason == "few-on-scale"
                else ngettext(
                    "hidden: %(n)s response, results need %(k)s",
                    "hidden: %(n)s responses, results need %(k)s",
                    row.responses,
                )
            )
            hidden = text % {"n": row.responses, "k": round_.k}
        rows.append(
            {
                "row": row,
                "url": reverse("team_dashboard", args=[row.team.slug]) if row.can_open else "",
                "hidden": hidden,
                "overall": None if row.hidden else cell(row.index, row.level, row.delta),
                "cells": []
                if row.hidden
                else [cell(c.index, c.level, c.delta) if (c := row.cells.get(key)) else None for key in keys],
            }
        )
    return {
        "rows": rows,
        "round": round_,
        "span": len(keys) + 1,
        "show_group": heatmap.group is None,
    }


@register.simple_tag
def heatmap_group_rows(heatmap) -> str:
    """A large org's rows, one per group: its teams' means, and the way into the group. The same
    for every viewer, so drawn once per version of the groups' numbers, sort and language (400
    rows of ten cells take the template engine 100 ms)."""
    return remembered(
        "portal:group-rows",
        (heatmap.groups_version, heatmap.sort, get_language()),
        lambda: render_to_string("portal/_heatmap_group_rows.html", _group_rows_context(heatmap)),
    )


def _group_rows_context(heatmap) -> dict:
    language = get_language()
    keys = [key for key, _name in heatmap.dimensions]
    levels = heatmap.level_names or range(1, 6)
    short = {level: escape(_("L%(level)s") % {"level": level}) for level in levels}

    def cell(index: float, level: int, change: float | None) -> _Cell:
        return _Cell(
            _whole(index),
            str(level),
            mark_safe(f"{short.get(level, level)} {_delta(change, language)}"),  # noqa: S308
        )

    # Whole numbers as text: the template engine would localise each of thousands of them.
    rows = []
    for row in heatmap.group_rows:
        rows.append(
            {
                "row": row,
                "rate": str(row.rate),
                "responses": str(row.responses),
                "invited": str(row.invited),
                "hidden": ngettext(
                    "%(n)s of %(teams)s teams has results; group numbers need %(k)s",
                    "%(n)s of %(teams)s teams have results; group numbers need %(k)s",
                    row.scored,
                )
                % {"n": row.scored, "teams": row.teams, "k": row.k}
                if row.hidden
                else "",
                "overall": None if row.hidden else cell(row.index, row.level, row.delta),
                "cells": []
                if row.hidden
                else [cell(c.index, c.level, c.delta) if (c := row.cells.get(key)) else None for key in keys],
            }
        )
    return {"rows": rows, "round": str(heatmap.round.pk), "span": str(len(keys) + 1)}


def _whole(value: float) -> str:
    """``value|floatformat:0`` without its per-call locale lookups: half away from zero, no "-0"."""
    return str(int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)) + 0)


def _delta(value: float | None, language: str | None) -> str:
    return _delta_html(None if value is None else round(value), 0, language)
