"""Stage 3, the data: typed terms + a DataFrame -> :class:`~brmspy.frame.types.ModelFrame`.

``build`` (:func:`~brmspy.frame.build.build_frame`) evaluates every variable with R's meanings
(``rvalues``), drops NA rows and builds the population designs (``design``), the responses
(``response``, ``categorical``, ``additions``), group-level blocks (``groups``), row order and
series of autocorrelation terms (``autocor``) and the designs of non-linear parameters
(``nonlinear``).  ``specials`` is the interface of the special-term plug-ins
(:mod:`brmspy.specials`), ``columns`` the helpers that read columns, ``checks`` refuses values
too large for double precision, ``types`` holds the frame's types.
"""
