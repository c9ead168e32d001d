"""Server-side SVG charts (pygal) from plain data. Chart code never queries the database."""

from portal.charts.base import Chart, Table, base_config, dash, render

__all__ = ["Chart", "Table", "base_config", "dash", "render"]
