from django import template
from django.template.defaultfilters import floatformat

import addresses
from addresses import address

register = template.Library()


@register.filter
def signed(value, digits: int = 2) -> str:
    """A change with its sign: "+0.42", "−0.42" (a true minus sign), "0.00"; empty for None."""
    if value is None:
        return ""
    text = floatformat(abs(value), digits)
    if text.strip("0.,") == "":
        return text
    return ("+" if value > 0 else "−") + text


@register.simple_tag
def start_action_url(team, dimension, round=None) -> str:
    """The board's new-action form prefilled with a dimension (a Dimension, a DimensionScore or a
    key) and a round (a Round or its id)."""
    key = getattr(dimension, "dimension_key", None) or getattr(dimension, "key", None) or dimension
    round_id = getattr(round, "pk", round)
    query = {"dimension": key, **({"round": round_id} if round_id else {})}
    return address(addresses.ACTION_BOARD, slug=team.slug, query=query) + "#new-action"


@register.filter
def dimension_name(dimension) -> str:
    """The name of a Dimension, or of a DimensionScore's dimension."""
    inner = getattr(dimension, "dimension", None)
    return getattr(inner or dimension, "name", "")
