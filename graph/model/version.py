"""The package version (stdlib only); part of the compiled cache's key."""

__all__ = ["__version__"]

__version__ = "0.1.0"
