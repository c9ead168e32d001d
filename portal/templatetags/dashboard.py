import functools
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

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


@register.simple_tag
def heatmap_rows(heatmap) -> str:
    """The heatmap's body rows, one per team: index, level and change in each cell.

    Written in Python rather than in the template: an org of 400 teams has about 4,000 cells,
    and the template engine spent a few hundred milliseconds on them (SPEC §5 allows 400 for
    the whole page). The markup is the same the template wrote.
    """
    round_ = heatmap.round
    language = get_language()
    span = len(heatmap.dimensions) + 1
    keys = [key for key, _name in heatmap.dimensions]
    show_group = heatmap.group is None
    missing = '<td class="text-center">–</td>'
    # "L3": the level, abbreviated as the page's language does.
    short = {
        level: escape(_("L%(level)s") % {"level": level}) for level in heatmap.level_names or range(1, 6)
    }
    parts = []
    for row in heatmap.rows:
        team = row.team
        name = escape(team.name)
        if row.can_open:
            url = reverse("team_dashboard", args=[team.slug])
            name = f'<a href="{url}?round={round_.pk}">{name}</a>'
        group = (
            f'<br><span class="small text-body-secondary">{escape(team.group.name)}</span>'
            if team.group_id and show_group
            else ""
        )
        parts.append(f'<tr>\n    <th scope="row">\n      {name}\n      {group}\n    </th>\n')
        if row.hidden and row.hidden_reason == "few-on-scale":
            text = ngettext(
                "hidden: %(n)s response, but fewer than %(k)s answered any dimension on the scale",
                "hidden: %(n)s responses, but fewer than %(k)s answered any dimension on the scale",
                row.responses,
            ) % {"n": row.responses, "k": round_.k}
            parts.append(f'    <td class="hidden-row small" colspan="{span}">{escape(text)}</td>\n')
        elif row.hidden:
            text = ngettext(
                "hidden: %(n)s response, results need %(k)s",
                "hidden: %(n)s responses, results need %(k)s",
                row.responses,
            ) % {"n": row.responses, "k": round_.k}
            parts.append(f'    <td class="hidden-row small" colspan="{span}">{escape(text)}</td>\n')
        else:
            parts.append(
                f'    <td class="cell level-{row.level}"><strong>{_whole(row.index)}</strong>'
                f"<small>{short.get(row.level, row.level)} {_delta(row.delta, language)}</small></td>\n"
            )
            for key in keys:
                cell = row.cells.get(key)
                parts.append(
                    f'    <td class="cell level-{cell.level}">{_whole(cell.index)}<small>'
                    f"{short.get(cell.level, cell.level)} {_delta(cell.delta, language)}</small></td>\n"
                    if cell
                    else f"    {missing}\n"
                )
        parts.append(
            f'    <td class="text-end small">{row.rate} %<br><span class="text-body-secondary">'
            f"{row.responses}/{row.invited}</span></td>\n  </tr>\n"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or a number


def _whole(value: float) -> str:
    """``value|floatformat:0`` without its per-call locale lookups: half away from zero, no "-0"."""
    return str(int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)) + 0)


def _delta(value: float | None, language: str | None) -> str:
    return _delta_html(None if value is None else round(value), 0, language)
