"""Stage 11, figures and effects from a fit: ``ppc`` (pp_check, mcmc_plot, plot_fit, icc and the
shared style), ``effects`` (conditional_effects), ``smooths`` (conditional_smooths).
"""
