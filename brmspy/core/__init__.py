"""Stage 0, the core: what every stage may import.

``errors`` (the error hierarchy), ``distributions`` (the prior distribution table,
``format_number``), ``levels`` and ``splines`` (numerics without brmspy imports),
``types`` (small shared types: ``ParamInfo``, ``PriorRow``, ``cor_pairs``, the
``PriorLookup``/``ParamGetter``/``PriorSampler`` protocols) and ``stan`` (the Stan-text
primitives ``StanBlocks`` and ``prior_statement`` that every code piece uses).
"""
