"""``brm_multiple()``: fit one model to each of several (multiply imputed) data sets and combine the draws.

As brms's ``brm_multiple``: each data set is fitted with the same model, and the draws of all
fits are pooled into one fit whose chains are the chains of every data set, one after the other
(brms's ``combine_models``).  Pooling the posteriors of the imputed data sets is how Bayesian
inference averages over the missing values (Zhou and Reiter 2010).

Rhat of the combined fit is not a convergence diagnostic: chains of different data sets target
different posteriors, so they need not overlap even when every fit converged, and the summary can
show large Rhats (brms: "false positive convergence warnings").  ``fit.rhats`` holds the Rhat of
each data set's own chains, and a data set whose chains have an Rhat above 1.1 gets brms's warning
"Imputed model i did not converge".

The fits can run on any :class:`concurrent.futures.Executor` (threads, processes, a Dask cluster
through ``client.get_executor()``); every data set gets its own seed, drawn from ``seed``, so the
result does not depend on the executor.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import Executor
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..backends import Draws
from ..core.frames import as_pandas
from ..core.errors import BrmsError, DataError, SamplerWarning, warn
from ..families import Family
from ..formula import BrmsFormula, MvBrmsFormula
from ..priors.spec import Prior
from . import arviz_io, storage
from .brm import brm
from .brmsfit import BrmsFit
from .diagnostics import checked_draws

__all__ = ["brm_multiple", "BrmsFitMultiple", "combine_models"]

#: brms's threshold for "Imputed model i did not converge"
RHAT_IMPUTED = 1.1


@dataclasses.dataclass
class BrmsFitMultiple(BrmsFit):
    """The combined fit of :func:`brm_multiple`: a :class:`BrmsFit` whose chains come from several data sets.

    Everything a :class:`BrmsFit` does works on the pooled draws; the data, the Stan data and
    ``nobs()`` are those of the first data set (as in brms).  ``settings["imputations"]`` is the
    number of data sets, ``settings["chains"]`` the chains per data set.

    Examples
    --------
    >>> fit.rhats.max(axis=1)           # doctest: +SKIP
    imputation
    1    1.003
    2    1.004
    dtype: float64
    """

    @property
    def imputations(self) -> int:
        """Number of data sets whose draws were combined."""
        return int(self.settings["imputations"])

    @cached_property
    def rhats(self) -> pd.DataFrame:
        """Rhat of each data set's own chains (rows: imputation 1, 2, ...; columns: parameters).

        These, not the Rhats of ``summary()``, tell whether the fits converged: brms's
        ``fit$rhats``.  The parameters are those ``summary()`` reports plus ``lp__``.
        """
        draws = checked_draws(self)
        m = self.imputations
        per = self.stan_draws.nchains // m
        rows = [{name: float(arviz_io.rhat(x[i * per:(i + 1) * per])) if per > 1 else float("nan")
                 for name, x in draws.items()} for i in range(m)]
        return pd.DataFrame(rows, index=pd.RangeIndex(1, m + 1, name="imputation"))


def combine_models(fits: Sequence[BrmsFit], *, check_data: bool = True) -> BrmsFitMultiple:
    """Pool the draws of fits of the same model into one fit (brms's ``combine_models``).

    Parameters
    ----------
    fits : fits of the same formula with the same parameters and the same number of chains
        and draws per chain.
    check_data : require the same data in every fit (brms's default); :func:`brm_multiple`
        passes ``False``, as its data sets differ by design.

    Returns
    -------
    BrmsFitMultiple
        Chains ``c`` of fit ``i`` become chain ``i * chains + c``; the model, data and settings
        are the first fit's, with ``settings["imputations"] = len(fits)``.

    Examples
    --------
    >>> both = combine_models([fit1, fit2])     # doctest: +SKIP
    >>> both.ndraws() == fit1.ndraws() + fit2.ndraws()   # doctest: +SKIP
    True
    """
    fits = list(fits)
    if not fits:
        raise BrmsError("combine_models needs at least one fit.")
    for i, f in enumerate(fits, 1):
        if not isinstance(f, BrmsFit):
            raise BrmsError(f"Model {i} is not a BrmsFit (got {type(f).__name__}).")
    ref = fits[0]
    for i, f in enumerate(fits[1:], 2):
        if str(f.formula) != str(ref.formula):
            raise BrmsError(f"Models 1 and {i} have different formulas.")
        if f.build.code_hash != ref.build.code_hash:
            raise BrmsError(f"Models 1 and {i} have different Stan programs (e.g. other priors or families).")
        a, b = ref.stan_draws, f.stan_draws
        shapes_a = {k: v.shape[2:] for k, v in a.params.items()}
        shapes_b = {k: v.shape[2:] for k, v in b.params.items()}
        if shapes_a != shapes_b:
            raise BrmsError(f"Models 1 and {i} have different parameters (e.g. other levels of a grouping factor).")
        if (a.nchains, a.ndraws) != (b.nchains, b.ndraws):
            raise BrmsError(f"Models 1 and {i} have different numbers of chains or draws per chain "
                            f"({a.nchains} x {a.ndraws} and {b.nchains} x {b.ndraws}).")
        if check_data and not f.data.equals(ref.data):
            raise BrmsError(f"Models 1 and {i} have different data. Set check_data=False to combine them anyway.")
    parts = [f.stan_draws for f in fits]
    first = parts[0]
    draws = Draws(
        params={k: np.concatenate([d.params[k] for d in parts], axis=0) for k in first.params},
        sampler_stats={k: np.concatenate([d.sampler_stats[k] for d in parts], axis=0) for k in first.sampler_stats},
        backend=first.backend,
        timings={k: float(sum(d.timings.get(k, 0.0) for d in parts)) for k in first.timings},
        config=dataclasses.replace(first.config, chains=first.config.chains * len(parts)),
    )
    prior_draws = {k: np.concatenate([f.prior_draws[k] for f in fits], axis=0) for k in ref.prior_draws}
    settings = {**ref.settings, "imputations": len(fits)}
    return BrmsFitMultiple(ref.formula, ref.family, ref.data, ref.prior, ref.build, draws, ref.data_name,
                           ref.sample_prior, prior_draws, settings, ref.data2)


def _fit_one(kwargs: dict[str, Any]) -> BrmsFit:
    """One data set's fit (a module-level function, so process and Dask executors can pickle it)."""
    return brm(**kwargs)


def _as_multiple(fit: BrmsFit) -> BrmsFitMultiple:
    fields = {f.name: getattr(fit, f.name) for f in dataclasses.fields(BrmsFit)}
    return BrmsFitMultiple(**fields)


def brm_multiple(
    formula: "str | BrmsFormula | MvBrmsFormula",
    data: Sequence[pd.DataFrame],
    family: "str | Family | None" = None,
    prior: "Prior | Iterable[Prior] | pd.DataFrame | None" = None,
    *,
    data2: Sequence[dict[str, Any] | None] | None = None,
    combine: bool = True,
    executor: Executor | None = None,
    chains: int = 4,
    iter: int = 2000,  # noqa: A002 - brms's name
    warmup: int | None = None,
    thin: int = 1,
    cores: int | None = None,
    seed: int | None = None,
    init: float | dict | list[dict] | None = None,
    control: dict | None = None,
    refresh: int | None = None,
    backend: str = "auto",
    sample_prior: str = "no",
    file: str | Path | None = None,
    file_refit: str = "never",
    data_name: str | None = None,
    reduce: bool | str = "auto",
    threads: int | None = None,
    centered: bool | str = "auto",
    warm_start: bool | str = "auto",
    algorithm: str = "sampling",
) -> "BrmsFitMultiple | list[BrmsFit]":
    """Fit the same model to several data sets and pool the draws (brms's ``brm_multiple``).

    The usual use is multiple imputation: impute the missing values ``m`` times (e.g. with
    scikit-learn's ``IterativeImputer(sample_posterior=True)`` or statsmodels' ``MICE``),
    fit the model to each completed data set and analyse the pooled draws, which average the
    posterior over the imputations.

    Parameters
    ----------
    formula, family, prior : the model, as in :func:`brmspy.brm`.
    data : the data sets, a list of DataFrames with the same columns (R's list of data
        frames; brms also takes a ``mice`` ``mids`` object: use its completed data sets).
    data2 : one ``data2`` dict per data set (or ``None``), as in :func:`brmspy.brm`.
    combine : pool the fits into one :class:`BrmsFitMultiple` (default); ``False`` returns
        the list of fits.
    executor : any :class:`concurrent.futures.Executor` to run the fits on, e.g.
        ``ThreadPoolExecutor(2)``, a ``ProcessPoolExecutor`` or a Dask cluster's
        ``Client(...).get_executor()``; default: one after the other in this process.
        Sampler warnings raised inside other processes stay there; the Rhat check below
        runs here.
    chains, iter, warmup, thin, cores : as in :func:`brmspy.brm`, for every data set
        (``chains`` per data set).
    init, control, refresh, backend, sample_prior : as in :func:`brmspy.brm`.
    reduce, threads, centered, algorithm : as in :func:`brmspy.brm`.
    warm_start : as in :func:`brmspy.brm`, except that ``"auto"`` means no warm start, so the fits
        are the same on every executor (worker threads cannot run stanli's mode search).
    seed : seeds the fits: data set ``i`` is fitted with the ``i``-th of the seeds
        ``numpy.random.default_rng(seed).integers(1, 2**31 - 1, size=len(data))``, so the
        same seed gives the same draws with or without an executor.
    file, file_refit : save the combined fit and reload it instead of refitting
        (``file_refit="never"`` or ``"always"``; as in brms, ``"on_change"`` is not
        supported and ``file`` needs ``combine=True``).
    data_name : the data's name in the summary.

    Returns
    -------
    BrmsFitMultiple or list of BrmsFit
        The combined fit: ``chains * len(data)`` chains, the first data set's data;
        ``fit.rhats`` has the Rhats of each data set's own chains.

    Warns
    -----
    UserWarning
        "Imputed model i did not converge." when a data set's chains have an Rhat above 1.1
        (brms's check).

    Notes
    -----
    The Rhats and ESS that ``summary()`` prints for the combined fit mix chains of different
    posteriors: large values there do not mean the fits failed (brms documents the same
    "false positive convergence warnings").  Judge convergence by ``fit.rhats``.

    Examples
    --------
    >>> import numpy as np, brmspy as bp
    >>> df = bp.datasets.load("sleepstudy")
    >>> rng = np.random.default_rng(1)
    >>> imputed = [df.assign(Reaction=df.Reaction + rng.normal(0, 5, len(df))) for _ in range(3)]
    >>> fit = bp.brm_multiple("Reaction ~ Days + (1 | Subject)", imputed, chains=2, iter=1000,
    ...                       seed=1, refresh=0)                                    # doctest: +SKIP
    >>> fit.stan_draws.nchains, fit.rhats.shape[0]                                  # doctest: +SKIP
    (6, 3)

    On a Dask cluster (``pip install "brmspy-stan[dask]"``)::

        from dask.distributed import Client
        client = Client("tcp://scheduler:8786")     # or Client(LocalCluster(n_workers=4))
        fit = bp.brm_multiple(formula, imputed, executor=client.get_executor(), seed=1)
    """
    if isinstance(data, pd.DataFrame) or not isinstance(data, Sequence) or isinstance(data, (str, bytes)):
        raise DataError("data must be a list of DataFrames, one per (imputed) data set; "
                        f"got {type(data).__name__}. For a single data set use brm().")
    datasets = list(data)
    if not datasets:
        raise DataError("data is an empty list; brm_multiple needs at least one data set.")
    bad = []
    for i, d in enumerate(datasets):  # polars, pyarrow and dicts of arrays become pandas, as in brm()
        try:
            datasets[i] = as_pandas(d, f"data[{i}]")
        except DataError:
            bad.append(i + 1)
    if bad:
        raise DataError(f"data must be a list of DataFrames; element(s) {bad} are not DataFrames.")
    if data2 is not None:
        if isinstance(data2, dict) or len(data2) != len(datasets):
            raise DataError(f"data2 must be a list with one dict per data set ({len(datasets)}), "
                            f"got {type(data2).__name__}{'' if isinstance(data2, dict) else f' of length {len(data2)}'}.")
    if not isinstance(combine, bool):
        raise BrmsError(f"combine must be True or False, got {combine!r}.")
    path = None
    if file is not None:
        if file_refit == "on_change":
            raise BrmsError("file_refit='on_change' is not supported for brm_multiple yet (as in brms); "
                            "use 'never' or 'always'.")
        if file_refit not in ("never", "always"):
            raise BrmsError(f"file_refit must be 'never' or 'always' for brm_multiple, got {file_refit!r}.")
        if not combine:
            raise BrmsError("file= needs combine=True (the combined fit is what is saved).")
        path = storage.fit_path(file)
        if path.is_dir():
            storage.check_writable(path)
        if file_refit == "never" and path.exists():
            return _as_multiple(storage.load_fit(path))
        storage.check_writable(path)

    seeds = np.random.default_rng(seed).integers(1, 2**31 - 1, size=len(datasets)) if seed is not None else None
    if warm_start == "auto":  # the same fits on every executor: worker threads cannot warm-start (brm's warm_start)
        warm_start = False
    common = dict(formula=formula, family=family, prior=prior, chains=chains, iter=iter, warmup=warmup, thin=thin,
                  cores=cores, init=init, control=control, refresh=refresh, backend=backend,
                  sample_prior=sample_prior, data_name=data_name, reduce=reduce, threads=threads, centered=centered,
                  warm_start=warm_start, algorithm=algorithm)
    jobs = [{**common, "data": d, "data2": None if data2 is None else data2[i],
             "seed": None if seeds is None else int(seeds[i])} for i, d in enumerate(datasets)]
    if executor is None:
        fits = [_fit_one(j) for j in jobs]
    else:
        futures = [executor.submit(_fit_one, j) for j in jobs]
        fits = [f.result() for f in futures]
    if algorithm == "sampling":
        for i, f in enumerate(fits, 1):
            draws = checked_draws(f)
            if f.stan_draws.nchains > 1 and any(float(arviz_io.rhat(x)) > RHAT_IMPUTED for x in draws.values()):
                warn(f"Imputed model {i} did not converge.", SamplerWarning)
    if not combine:
        return fits
    out = combine_models(fits, check_data=False)
    if path is not None:
        storage.save_or_warn(out, path, storage.encode_inputs(formula, out.family, prior, datasets[0],
                                                              None if data2 is None else data2[0]))
    return out
