"""Carebridge: a knowledge graph and network analysis of a health and social care partnership."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("carebridge")  # one home: the installed package's own version
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
