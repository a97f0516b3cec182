"""Network analysis as pure functions of a graph (networkx style): one topic per module, no I/O.

Import from the module of the topic, e.g. ``from kg.analysis.silos import ei_index``.
"""
