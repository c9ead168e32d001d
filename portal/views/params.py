from collections.abc import Mapping


def int_param(params: Mapping[str, str], name: str) -> int | None:
    """A positive integer query parameter, or None when absent or malformed (never a 500)."""
    value = params.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None
