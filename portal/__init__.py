"""Gemba: DevOps culture and maturity surveys, lean improvement and delivery performance."""

__version__ = "0.1.0"
