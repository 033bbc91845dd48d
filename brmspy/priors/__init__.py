"""Stage 5, priors: ``spec`` (the user's :func:`~brmspy.priors.spec.prior`), ``defaults`` (brms's
default table), ``resolve`` (user priors matched to the table, the prior of every parameter),
``table`` (the table and :class:`~brmspy.priors.table.ResolvedPriors`), ``checks`` (prior bounds,
rank-deficient and separated designs), ``mv`` and ``nonlinear`` (their prior rules), ``draws``
(``sample_prior="yes"`` draws in numpy) and ``api`` (:func:`~brmspy.priors.api.get_prior`).
"""
