"""Stage 10, model criteria from a fit: ``ic`` (loo, waic, kfold, loo_compare, model_weights,
add_criterion), ``r2`` (bayes_R2, loo_R2), ``results`` (the result objects), ``chunked`` (LOO in
chunks and by subsampling), ``psis`` (Pareto-smoothed importance sampling) and ``hypotheses``.
"""
