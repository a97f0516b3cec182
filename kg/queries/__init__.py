"""The questions the command line and the API answer, over the stored partnership, cached by
revision: the period (:mod:`kg.queries.period`), the analyses (:mod:`kg.queries.analyses`), the
maps (:mod:`kg.queries.maps`) and the rest, one module per topic.
"""
