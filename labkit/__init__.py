"""Datalab's helper package: a pure core (data, quality, learning, workspace) and widget views (ui)."""

__version__ = "0.1.0"
