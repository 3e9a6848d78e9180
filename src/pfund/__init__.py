"""pfund: run a Partnership Fund."""

__version__ = "0.1.0"
