from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def delta(value: float | None, digits: int = 0) -> str:
    """A change written out with its sign and an arrow, and words for screen readers; – when none."""
    if value is None:
        return format_html('<span class="delta" title="{}">–</span>', _("no earlier round to compare"))
    rounded = round(value, digits)
    if rounded > 0:
        css, arrow, words = "up", "▲", _("up")
    elif rounded < 0:
        css, arrow, words = "down", "▼", _("down")
    else:
        css, arrow, words = "flat", "=", _("unchanged")
    text = "±0" if rounded == 0 else f"{rounded:+.{digits}f}".replace("-", "−")
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
