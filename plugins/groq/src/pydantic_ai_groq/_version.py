"""The plugin's version, in one place (read by the package and by the `User-Agent` header)."""

__version__ = '0.1.0'
