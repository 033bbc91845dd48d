"""Stage 6, code generation: model frame + resolved priors -> Stan program and data.

``generate`` assembles the program from the pieces in brms's order: ``pieces`` (population
and group-level parts, linear predictors), ``likelihood`` (the response and its likelihood, by
family kind), ``priors`` (``lprior`` statements), per-concept modules (``additions``,
``autocor``, ``mv``, ``nonlinear``, ``ordinal``, ``mixture``, ``categorical``), ``threads``
(``reduce_sum``), ``tuning`` and ``reductions/`` (exact likelihood reductions); ``render`` lays
the blocks out with the Jinja template.  ``api`` holds :func:`~brmspy.codegen.api.build_model`,
``make_stancode`` and ``make_standata``; ``options`` the :class:`~brmspy.codegen.options.CodeOptions`.
"""
