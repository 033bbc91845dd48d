"""Stage 8, the fit: sampling (``brm``: :func:`~brmspy.fit.brm.brm`, ``update``) and the fitted model.

``brmsfit`` holds :class:`~brmspy.fit.brmsfit.BrmsFit`, a thin facade: its methods call the verbs
of this and later stages (``fit.loo()`` calls :func:`brmspy.criteria.ic.loo`), importing them
inside the method; it is the only module that imports later stages.  ``naming`` translates Stan
draws to brms names, ``tables`` makes the summaries, ``arviz_io`` is the one module that calls
ArviZ, ``storage`` saves and loads fits, ``diagnostics`` checks the sampler, ``methods`` holds the
function forms of the accessors (``fixef(fit)``).
"""
