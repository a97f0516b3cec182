"""Carebridge: a knowledge graph and network analysis of a health and social care partnership."""

__version__ = "0.1.0"
