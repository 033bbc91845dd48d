"""Saved fits are safe and never lost (issue 19): paths checked before sampling, atomic writes with
checksums, clear errors for bad files, data stored exactly, and no code run from a fit file.

One short sampling run per module (``fit``); every other fit is that one re-saved or edited.
Tests that must not sample replace ``brmspy.fit.brm._sample`` with a function that fails.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import warnings
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

import brmspy as bp
from brmspy.core.errors import DataError, FitFileError
from brmspy.fit import brm as sampling
from brmspy.fit import storage
from tests.cases import design_data

FORMULA = "y ~ x + (1 | g)"
REFIT = "file_refit='always'"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return design_data(n=80)


@pytest.fixture(scope="module")
def fit(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bp.brm(FORMULA, data, iter=300, chains=2, seed=11, refresh=0)


@pytest.fixture(scope="module")
def fit_b(fit):
    """The same model with other draws (reversed in each chain): a second, distinguishable fit."""
    d = fit.stan_draws
    flipped = dataclasses.replace(d, params={k: np.ascontiguousarray(v[:, ::-1]) for k, v in d.params.items()},
                                  sampler_stats={k: np.ascontiguousarray(v[:, ::-1]) for k, v in d.sampler_stats.items()})
    return dataclasses.replace(fit, stan_draws=flipped)


@pytest.fixture(scope="module")
def saved(fit, tmp_path_factory) -> Path:
    return storage.save_fit(fit, tmp_path_factory.mktemp("saved") / "fit")


@pytest.fixture
def no_sampling(monkeypatch):
    """brm must fail before sampling: sampling is an error here."""
    def refuse(*args, **kwargs):
        raise AssertionError("brm sampled although the file problem is known before sampling")

    monkeypatch.setattr(sampling, "_sample", refuse)


def same_draws(a, b) -> bool:
    da, db = a.stan_draws, b.stan_draws
    return (da.params.keys() == db.params.keys()
            and all(np.array_equal(da.params[k], db.params[k]) for k in da.params)
            and all(np.array_equal(da.sampler_stats[k], db.sampler_stats[k]) for k in da.sampler_stats))


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith((".tmp", ".probe"))]


def rewrite_meta(src: Path, dst: Path, edit) -> Path:
    """Copy a saved fit and edit its metadata, re-computing the checksum (as a deliberate editor would)."""
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        meta = json.loads(f.attrs["brmspy"])
        edit(meta)
        text = json.dumps(meta)
        f.attrs["brmspy"] = text
        f.attrs["brmspy_meta_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return dst


# ------------------------------------------------------------ round trip


def test_round_trip_keeps_draws_data_and_stan_data_exactly(fit, saved, data):
    loaded = bp.load_fit(saved)
    assert same_draws(loaded, fit)
    pd.testing.assert_frame_equal(loaded.data, data)  # exact: dtypes, categories, every float bit
    # the Stan data rebuilt from the file are the ones sampled with (pandas' to_json rounded them)
    assert storage.data_fingerprint(loaded.standata()) == storage.data_fingerprint(fit.standata())
    assert str(loaded.summary()) == str(fit.summary())
    with h5py.File(saved, "r") as f:
        assert np.asarray(f.attrs["brmspy_format"]).tolist() in ([2], 2) and storage.FORMAT_VERSION == 2
        assert len(f.attrs["brmspy_draws_sha256"]) == 64 and len(f.attrs["brmspy_meta_sha256"]) == 64


def test_frame_encoding_is_exact_for_every_stored_dtype():
    df = pd.DataFrame({
        "f": [0.1 + 0.2, 1 / 3, np.nextafter(1.0, 2.0), np.nan, -0.0, 1e-300, np.inf],
        "f32": np.array([0.1, 2, 3, 4, 5, 6, 7], dtype="float32"),
        "i": np.array([1, -2, 3, 2**62, 0, 5, 6], dtype="int64"),
        "u8": np.array([1, 2, 3, 4, 5, 6, 255], dtype="uint8"),
        "b": [True, False, True, True, False, False, True],
        "s": pd.Series(["a", None, "c", "ä", "", "x y", "'q'"], dtype="str"),
        "s2": pd.array(["a", None, "c", "d", "e", "f", "g"], dtype="string"),
        "cat": pd.Categorical(["lo", "hi", None, "lo", "mid", "hi", "lo"], categories=["lo", "mid", "hi"], ordered=True),
        "icat": pd.Categorical([3, 1, 2, 3, 1, 2, 3]),
        "I": pd.array([1, None, 3, 4, 5, 6, 7], dtype="Int64"),
        "B": pd.array([True, None, False, True, True, False, True], dtype="boolean"),
        "t": pd.to_datetime(["2020-01-01 00:00", "2021-06-30 12:00", None, "1999-12-31 00:00", "2000-01-01 00:00",
                             "2001-01-01 00:00", "2002-01-01 00:03"]),
        "d": pd.to_timedelta([1, 2, 3, None, 5, 6, 7], unit="s"),
        "o": pd.Series(["a", 1, 2.5, None, True, "b", "c"], dtype=object),
        7: np.arange(7.0),
    }, index=pd.Index(list("abcdefg"), name="row"))
    back = storage.frame_from_json(json.loads(json.dumps(storage.frame_to_json(df))))
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    assert np.signbit(back["f"].iloc[4])
    shifted = df.set_axis(pd.RangeIndex(10, 24, 2))
    pd.testing.assert_frame_equal(storage.frame_from_json(json.loads(json.dumps(storage.frame_to_json(shifted)))),
                                  shifted, check_exact=True)


@pytest.mark.parametrize("column, message", [
    (np.array([1 + 2j, 3j]), "column 'bad' of the data has dtype complex128"),
    ([{"a": 1}, {"b": 2}], "column 'bad' of the data holds a dict value"),
    (pd.period_range("2020-01", periods=2, freq="M"), "column 'bad' of the data has dtype period"),
    (pd.to_datetime(["2020-01-01", "2020-01-02"]).tz_localize("UTC"), "has dtype datetime64"),
])
def test_data_that_cannot_be_stored_is_refused_before_sampling(column, message, no_sampling, tmp_path):
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "x": [0.0, 1.0, 0.5, 2.0]})
    df["bad"] = list(column) * 2 if len(column) == 2 else column
    with pytest.raises(DataError, match=message + ".*cannot store.*drop file="):
        bp.brm("y ~ x", df, file=tmp_path / "f", refresh=0)
    assert not (tmp_path / "f.nc").exists()



_A = pd.DataFrame(np.eye(12) * 2 + 0.5, index=[f"g{i:02d}" for i in range(12)], columns=[f"g{i:02d}" for i in range(12)])
STRUCTURES = {
    "multivariate": (bp.bf("y ~ x") + bp.bf("pos ~ x") + bp.set_rescor(True), None, None, None),
    "mixture": ("y ~ x", bp.mixture("gaussian", "student", order="mu"), None, None),
    "cumulative": ("b ~ x", bp.cumulative(link="probit", threshold="equidistant"), None, None),
    "categorical": ("b ~ x", "categorical", None, None),
    "nonlinear": (bp.bf("y ~ a * exp(b * x)", "a + b ~ 1", nl=True), None,
                  bp.prior("normal(1, 2)", nlpar="a") + bp.prior("normal(0, 2)", nlpar="b"), None),
    "specials": ("y ~ mo(b) + me(x, w) + s(z) + offset(log(w))", None, None, None),
    "known_cov": ("y ~ x + (1 | gr(g, cov = A))", None, None, {"A": _A, "note": "from a pedigree"}),
    "bounds_and_dpar_links": ("y ~ x", bp.brmsfamily("gaussian", link_sigma="identity"),
                              bp.prior("normal(0, 1)", lb=0) + bp.prior("student_t(3, 0, 2)", class_="sigma"), None),
}


@pytest.mark.parametrize("name", list(STRUCTURES))
def test_saved_inputs_rebuild_the_same_program_and_stan_data(name, data):
    """What load_fit rebuilds from a file is the model that was sampled: same program, same Stan data."""
    from brmspy.codegen.api import build_model

    formula, family, prior, data2 = STRUCTURES[name]
    before = build_model(formula, data, family, prior, data2)
    enc = json.loads(json.dumps(storage.encode_inputs(formula, family, prior, data, data2)))
    after = build_model(storage.formula_from_json(enc["formula"]), storage.frame_from_json(enc["data"]),
                        storage.family_from_json(enc["family"]), storage.prior_from_json(enc["prior"]),
                        storage.data2_from_json(enc["data2"]))
    assert after.code == before.code
    assert storage.data_fingerprint(after.data) == storage.data_fingerprint(before.data)


# ------------------------------------------------- file= checked before sampling


def test_directory_as_file_fails_before_sampling(no_sampling, tmp_path, data):
    target = tmp_path / "fits.nc"
    target.mkdir()
    for refit in ("never", "on_change", "always"):
        with pytest.raises(FitFileError, match=r"Cannot save the fit to .*fits\.nc: it is a directory"):
            bp.brm(FORMULA, data, file=target, file_refit=refit, refresh=0)
    with pytest.raises(FitFileError, match=r"fits\.nc: it is a directory, not a saved fit"):
        bp.load_fit(target)


def test_parent_that_is_a_file_fails_before_sampling(no_sampling, tmp_path, data):
    (tmp_path / "notes.txt").write_text("not a directory")
    with pytest.raises(FitFileError, match=r"Cannot save the fit to .*notes\.txt/sub/fit\.nc: .*notes\.txt is a file, "
                                           r"not a directory\. Choose another file= \(nothing was sampled\)"):
        bp.brm(FORMULA, data, file=tmp_path / "notes.txt" / "sub" / "fit", refresh=0)


def test_read_only_location_fails_before_sampling(no_sampling, data):
    # /sys is read-only for every user, root included
    with pytest.raises(FitFileError, match=r"Cannot save the fit to /sys/brmspy_fit\.nc: cannot create files in /sys"):
        bp.brm(FORMULA, data, file="/sys/brmspy_fit", refresh=0)


def test_directory_without_write_permission_fails_before_sampling():
    """A real permission failure (mode 0o555), in a child process that root's override does not reach."""
    directory = Path(tempfile.mkdtemp())
    try:
        directory.chmod(0o555)
        script = textwrap.dedent(f"""
            import sys, pandas as pd, brmspy as bp
            from brmspy.fit import brm as sampling
            sampling._sample = lambda *a, **k: sys.exit("sampled")
            df = pd.DataFrame({{"y": [1.0, 2.0, 3.0, 4.0], "x": [0.0, 1.0, 0.5, 2.0]}})
            try:
                bp.brm("y ~ x", df, file={str(directory / "fit")!r}, refresh=0)
            except bp.FitFileError as exc:
                print(exc)
        """)
        drop_override = None
        if os.geteuid() == 0:
            def drop_override():
                # root passes permission checks through CAP_DAC_OVERRIDE: drop it (and
                # CAP_DAC_READ_SEARCH) from the child's bounding set, so the mode bits apply to it
                import ctypes

                libc = ctypes.CDLL(None, use_errno=True)
                for cap in (1, 2):
                    if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                             preexec_fn=drop_override)
        assert out.returncode == 0, out.stderr[-2000:]
        assert f"Cannot save the fit to {directory / 'fit.nc'}: cannot create files in {directory} " \
               "(Permission denied)" in out.stdout
    finally:
        directory.chmod(0o755)
        shutil.rmtree(directory)


def test_bad_file_argument_is_a_clear_error(no_sampling, data):
    for bad in ("", "  ", 42):
        with pytest.raises(FitFileError, match="file must be a file name such as 'fits/model'"):
            bp.brm(FORMULA, data, file=bad, refresh=0)


def test_failed_save_after_sampling_returns_the_fit_and_warns(fit, data, tmp_path, monkeypatch):
    target_dir = tmp_path / "fits"

    def sample_then_break_the_path(*args, **kwargs):
        # the directory disappears during sampling and a file takes its place
        shutil.rmtree(target_dir)
        target_dir.write_text("now a file")
        return fit

    monkeypatch.setattr(sampling, "_sample", sample_then_break_the_path)
    with pytest.warns(UserWarning, match=r"The fit was sampled but could not be saved to .*fits/m\.nc: .*fits is a file, "
                                         r"not a directory.*It is returned unsaved; save it with "
                                         r"brmspy\.save_fit\(fit, 'another/path\.nc'\)"):
        out = bp.brm(FORMULA, data, file=target_dir / "m", refresh=0)
    assert out is fit
    path = bp.save_fit(out, tmp_path / "other")  # the advice works
    assert same_draws(bp.load_fit(path), fit)


def test_failed_write_leaves_no_temporary_file_and_keeps_the_old_fit(fit, fit_b, data, tmp_path, monkeypatch):
    target = bp.save_fit(fit, tmp_path / "m")
    real = storage._draws_digest

    def disk_full(variables):
        real(variables)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "_draws_digest", disk_full)
    monkeypatch.setattr(sampling, "_sample", lambda *a, **k: fit_b)
    with pytest.warns(UserWarning, match=r"could not be saved to .*m\.nc: \[Errno 28\] No space left on device"):
        out = bp.brm(FORMULA, data, file=tmp_path / "m", file_refit="always", refresh=0)
    assert out is fit_b
    assert leftovers(tmp_path) == []
    monkeypatch.undo()
    assert same_draws(bp.load_fit(target), fit)  # the previous file is intact


# ------------------------------------------------------ concurrent writers


WRITER = """
import sys, brmspy as bp
fit = bp.load_fit(sys.argv[1])
for _ in range(int(sys.argv[3])):
    bp.save_fit(fit, sys.argv[2])
"""


def test_two_processes_saving_the_same_file_never_corrupt_it(fit, fit_b, tmp_path):
    """Two real processes re-save different fits to one file while this process keeps loading it."""
    a = bp.save_fit(fit, tmp_path / "a")
    b = bp.save_fit(fit_b, tmp_path / "b")
    target = tmp_path / "shared" / "fit.nc"
    target.parent.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(src), str(target), "10"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for src in (a, b)]
    reads = {"a": 0, "b": 0}
    try:
        while any(p.poll() is None for p in procs):
            if target.exists():
                got = bp.load_fit(target)  # any error here (corrupt, mixed, checksum) fails the test
                if same_draws(got, fit):
                    reads["a"] += 1
                else:
                    assert same_draws(got, fit_b), "the shared file holds draws of neither fit"
                    reads["b"] += 1
    finally:
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err[-3000:]
    final = bp.load_fit(target)
    assert same_draws(final, fit) or same_draws(final, fit_b)
    assert sum(reads.values()) >= 1, "no load happened while the writers ran"
    assert leftovers(target.parent) == []


# ------------------------------------------------ files that cannot be loaded


def _newer(saved, path):
    shutil.copy(saved, path)
    with h5py.File(path, "r+") as f:
        f.attrs["brmspy_format"] = 99


def _foreign_netcdf(saved, path):
    import xarray as xr

    xr.Dataset({"temperature": (("time",), np.arange(5.0))}, attrs={"title": "weather"}).to_netcdf(path, engine="h5netcdf")


def _foreign_hdf5(saved, path):
    with h5py.File(path, "w") as f:
        f["group/values"] = np.arange(10)


def _text(saved, path):
    path.write_text("y,x\n1,2\n")


def _empty(saved, path):
    path.write_bytes(b"")


def _truncated(fraction):
    def make(saved, path):
        raw = saved.read_bytes()
        path.write_bytes(raw[: int(len(raw) * fraction)])
    return make


def _zeroed_draws(saved, path):
    # the corruption of issue 19: a file that opens, every draw 0.0
    shutil.copy(saved, path)
    with h5py.File(path, "r+") as f:
        f["b"][...] = 0.0


def _edited_meta(saved, path):
    shutil.copy(saved, path)
    with h5py.File(path, "r+") as f:
        f.attrs["brmspy"] = f.attrs["brmspy"].replace('"seed": 11', '"seed": 12')


def _not_json(saved, path):
    shutil.copy(saved, path)
    with h5py.File(path, "r+") as f:
        f.attrs["brmspy"] = "{not json"
        f.attrs["brmspy_meta_sha256"] = hashlib.sha256(b"{not json").hexdigest()


BAD_FILES = {
    "newer": (_newer, r"written in fit-file format 99 by a newer brmspy; upgrade brmspy to read it; this brmspy "
                      r"reads formats 1, 2"),
    "foreign_netcdf": (_foreign_netcdf, "it is a NetCDF/HDF5 file but not a brmspy fit"),
    "foreign_hdf5": (_foreign_hdf5, "it is a NetCDF/HDF5 file but not a brmspy fit"),
    "text": (_text, r"it is not a NetCDF/HDF5 file, or it is corrupt or truncated"),
    "empty": (_empty, r"the file is empty"),
    "truncated_10": (_truncated(0.1), r"corrupt or truncated"),
    "truncated_50": (_truncated(0.5), r"corrupt or truncated"),
    "truncated_95": (_truncated(0.95), r"corrupt or truncated|do not match their checksum"),
    "zeroed_draws": (_zeroed_draws, r"its draws do not match their checksum \(the file was damaged or edited\)"),
    "edited_meta": (_edited_meta, r"its metadata do not match their checksum"),
    "not_json": (_not_json, r"its metadata are not valid JSON"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_files_give_a_clear_error_naming_the_file_and_the_refit(kind, saved, tmp_path, data, no_sampling):
    make, problem = BAD_FILES[kind]
    path = tmp_path / f"{kind}.nc"
    make(saved, path)
    pattern = rf"Cannot load the saved fit {path}: (.*)({problem})(.*)\. To fit the model again and overwrite the " \
              rf"file, use brm\(\.\.\., file='{path}', {REFIT}\)"
    with pytest.raises(FitFileError, match=pattern) as info:
        bp.load_fit(path)
    exc = info.value  # no raw h5py/OSError traceback chained to it
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)
    for refit in ("never", "on_change"):  # brm neither loads nor overwrites such a file
        with pytest.raises(FitFileError, match=pattern):
            bp.brm(FORMULA, data, iter=300, chains=2, seed=11, file=path, file_refit=refit, refresh=0)
    assert path.exists()


def test_refit_always_overwrites_a_bad_file(fit, tmp_path, data, monkeypatch):
    path = tmp_path / "bad.nc"
    _zeroed_draws(bp.save_fit(fit, tmp_path / "good"), path)
    monkeypatch.setattr(sampling, "_sample", lambda *a, **k: fit)
    bp.brm(FORMULA, data, file=path, file_refit="always", refresh=0)
    assert same_draws(bp.load_fit(path), fit)


def test_missing_variables_are_a_clear_error(saved, tmp_path):
    path = tmp_path / "missing.nc"
    shutil.copy(saved, path)
    with h5py.File(path, "r+") as f:
        del f["stat:lp__"]
    with pytest.raises(FitFileError, match=f"Cannot load the saved fit {path}: its draws do not match their checksum"):
        bp.load_fit(path)


def test_format_1_files_still_load_with_a_warning(fit, tmp_path):
    """Files written before checksums (format 1: pandas' table JSON, no checksum) load, with a warning."""
    import xarray as xr

    path = storage.save_fit(fit, tmp_path / "new")
    meta = storage.read_meta(path)
    meta["format_version"] = 1
    meta["data"] = fit.data.to_json(orient="table", index=False)
    meta["data2"] = None
    d = fit.stan_draws
    variables = {name: (["chain", "draw"] + [f"{name}_dim_{i}" for i in range(np.ndim(v) - 2)], np.asarray(v))
                 for name, v in {**d.params, **{f"stat:{k}": v for k, v in d.sampler_stats.items()}}.items()}
    old = tmp_path / "old.nc"
    xr.Dataset(variables, attrs={"brmspy": json.dumps(meta)}).to_netcdf(old, engine="h5netcdf")
    with pytest.warns(UserWarning, match=r"fit-file format 1\) without checksums"):
        loaded = bp.load_fit(old)
    assert same_draws(loaded, fit)


# ------------------------------------------------------------------- data2


def test_non_numeric_data2_is_stored_as_json_and_round_trips(fit, tmp_path):
    data2 = {
        "label": "study 1",
        "options": {"nested": {"k": [1, 2, 3]}, "flag": True, "none": None},
        "nothing": None,
        "ragged": [[1, 2], [3]],
        "words": np.array(["a", "bb"]),
        "ints": np.arange(6, dtype="int64").reshape(2, 3),
        "A": pd.DataFrame(np.eye(2), index=["g1", "g2"], columns=["g1", "g2"]),
        "s": pd.Series([1.5, 2.5], index=["u", "v"], name="w"),
        "np_scalar": np.float64(0.1),
    }
    path = bp.save_fit(dataclasses.replace(fit, data2=data2), tmp_path / "d2")
    back = bp.load_fit(path).data2
    assert back.keys() == data2.keys()
    for k in ("label", "options", "nothing", "ragged"):
        assert back[k] == data2[k]
    assert back["np_scalar"] == 0.1
    np.testing.assert_array_equal(back["words"], data2["words"])
    assert back["ints"].dtype == np.int64 and np.array_equal(back["ints"], data2["ints"])
    pd.testing.assert_frame_equal(back["A"], data2["A"], check_exact=True)
    pd.testing.assert_series_equal(back["s"], data2["s"], check_exact=True)


@pytest.mark.parametrize("entry, message", [
    ({"f": print}, r"data2\['f'\] is a builtin_function_or_method, which a saved fit \(file=\) cannot store"),
    ({"s": {1, 2}}, r"data2\['s'\] is a set, which a saved fit"),
    ({"o": [object()]}, r"data2\['o'\]\[0\] is a object"),
    ({"d": {1: "a"}}, r"data2\['d'\] has the key 1; a saved fit \(file=\) stores dicts with text keys only"),
    ({3: np.eye(2)}, r"data2 has the key 3; its keys must be names"),
])
def test_data2_that_cannot_be_stored_is_refused_before_sampling(entry, message, data, tmp_path, no_sampling):
    with pytest.raises(DataError, match=message):
        bp.brm(FORMULA, data, data2=entry, file=tmp_path / "f", refresh=0)
    assert not (tmp_path / "f.nc").exists()


def test_missing_directories_are_created_before_sampling(fit, data, tmp_path, monkeypatch):
    created = []
    monkeypatch.setattr(sampling, "_sample", lambda *a, **k: created.append((tmp_path / "a" / "b").is_dir()) or fit)
    bp.brm(FORMULA, data, file=tmp_path / "a" / "b" / "fit", refresh=0)
    assert created == [True] and same_draws(bp.load_fit(tmp_path / "a" / "b" / "fit.nc"), fit)


def test_numpy_scalars_in_settings_are_saved_as_numbers(fit, tmp_path):
    path = bp.save_fit(dataclasses.replace(fit, settings={**fit.settings, "seed": np.int64(11), "iter": np.int32(300)}),
                       tmp_path / "np")
    loaded = bp.load_fit(path)
    assert loaded.settings == fit.settings and type(loaded.settings["seed"]) is int


def test_update_saves_to_its_file(fit, tmp_path, monkeypatch):
    monkeypatch.setattr(sampling, "_sample", lambda *a, **k: fit)
    out = bp.update(fit, file=tmp_path / "upd")
    assert same_draws(bp.load_fit(tmp_path / "upd.nc"), out)


# ------------------------------------------------- loading runs no code


PAYLOAD = "__import__('os').system('touch {canary}')"


def _set(path, value):
    def edit(meta):
        node = meta
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


def _formula_bf(main="y ~ x + (1 | g)", pforms=()):
    return {"type": "bf", "main": main, "pforms": list(pforms), "nl": False, "nl_pforms": [], "family": None,
            "mecor": None}


# fields read from the file as strings, each given a payload; every load must refuse (or keep it as data)
CODE_FIELDS = {
    "formula_main": lambda p: _set(["formula", "main"], f"y ~ x + I({p}) + (1 | g)"),
    "formula_response": lambda p: _set(["formula", "main"], f"I({p}) ~ x + (1 | g)"),
    "formula_dpar": lambda p: _set(["formula"], _formula_bf(pforms=[f"sigma ~ I({p})"])),
    "family_name": lambda p: _set(["family"], p),
    "family_dict_name": lambda p: _set(["family"], {"name": p, "links": {"mu": "identity", "sigma": "log"},
                                                    "threshold": "flexible"}),
    "family_link": lambda p: _set(["family"], {"name": "gaussian", "links": {"mu": p, "sigma": "log"},
                                               "threshold": "flexible"}),
    "family_threshold": lambda p: _set(["family"], {"name": "gaussian", "links": {"mu": "identity", "sigma": "log"},
                                                    "threshold": p}),
    "mixture_component": lambda p: _set(["family"], {"name": "mixture", "components": [p, "gaussian"], "order": "mu"}),
    "prior_string": lambda p: _set(["prior"], [{"prior": f"normal(0, {p})", "class_": "b", "coef": "", "group": "",
                                                "resp": "", "dpar": "", "nlpar": "", "lb": None, "ub": None}]),
    "prior_coef": lambda p: _set(["prior"], [{"prior": "normal(0, 1)", "class_": "b", "coef": p, "group": "",
                                              "resp": "", "dpar": "", "nlpar": "", "lb": None, "ub": None}]),
    "prior_class": lambda p: _set(["prior"], [{"prior": "normal(0, 1)", "class_": p, "coef": "", "group": "",
                                               "resp": "", "dpar": "", "nlpar": "", "lb": None, "ub": None}]),
    "settings_backend": lambda p: _set(["settings", "backend"], p),
    "settings_reduce": lambda p: _set(["settings", "reduce"], p),
    "settings_centered": lambda p: _set(["settings", "centered"], p),
    "config_init": lambda p: _set(["config", "init"], p),
    "config_algorithm": lambda p: _set(["config", "algorithm"], p),  # the one text field of the config
    "settings_algorithm": lambda p: _set(["settings", "algorithm"], p),
    "draws_backend": lambda p: _set(["backend"], p),
    "sample_prior": lambda p: _set(["sample_prior"], p),
    "column_dtype": lambda p: _set(["data", "columns", 0, "dtype"], p),
    "column_kind": lambda p: _set(["data", "columns", 0, "kind"], p),
}


@pytest.mark.parametrize("field", list(CODE_FIELDS))
def test_loading_an_edited_fit_runs_no_code(field, saved, tmp_path, data, monkeypatch, no_sampling):
    """A fit file whose strings were replaced by Python code: loading refuses it and the canary is never made.

    The formula fields are made safe by the allow-listed formula parser (the formula engineer's
    change to build_terms/build_frame); the other fields by the checks in brmspy.fit.storage.
    """
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "CANARY"
    path = rewrite_meta(saved, tmp_path / f"{field}.nc", CODE_FIELDS[field](PAYLOAD.format(canary=canary)))
    with pytest.raises(FitFileError, match=rf"Cannot load the saved fit {path}: .*{REFIT}"):
        bp.load_fit(path)
    assert not canary.exists()
    with pytest.raises(FitFileError, match=rf"Cannot load the saved fit {path}: .*{REFIT}"):
        bp.brm(FORMULA, data, file=path, refresh=0)
    assert not canary.exists()


@pytest.mark.parametrize("field", ["data_name", "data2_value", "data2_key", "extra_column", "timings_key"])
def test_strings_kept_as_data_are_never_run(field, saved, fit, tmp_path, monkeypatch):
    """Strings that are data (names, labels, values) load verbatim and are never evaluated."""
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "CANARY"
    code = PAYLOAD.format(canary=canary)
    column = {"name": code, "kind": "string", "dtype": "str", "values": [code] * fit.data.shape[0]}
    edits = {
        "data_name": _set(["data_name"], code),
        "data2_value": _set(["data2"], {"A": {"type": "json", "value": code}}),
        "data2_key": _set(["data2"], {code: {"type": "json", "value": 1}}),
        "extra_column": lambda meta: meta["data"]["columns"].append(column),
        "timings_key": _set(["timings", code], 1.0),
    }
    loaded = bp.load_fit(rewrite_meta(saved, tmp_path / "edited.nc", edits[field]))
    assert same_draws(loaded, fit)
    if field == "data_name":
        assert f"Data: {code} (Number of observations: 80)" in str(loaded.summary())
    elif field == "data2_value":
        assert loaded.data2 == {"A": code}
    elif field == "data2_key":
        assert loaded.data2 == {code: 1}
    elif field == "extra_column":
        assert loaded.data[code].tolist() == [code] * 80
    else:
        assert loaded.timings[code] == 1.0
    assert not canary.exists()



def _nodes(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            yield from _nodes(v, (*path, i))


def test_any_edited_field_loads_or_gives_a_fit_file_error(saved, tmp_path, monkeypatch):
    """Every field of the metadata replaced by a value of another type (or code): a FitFileError or a
    valid fit, never another exception and never the canary."""
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "CANARY"
    meta = storage.read_meta(saved)
    paths = [p for p in _nodes(meta) if p and p[0] != "formula"]  # the formula strings: see above
    replacements = [None, -1, 1e308, "x", [], {}, True, PAYLOAD.format(canary=canary)]
    rng = np.random.default_rng(0)
    outcomes = {"loaded": 0, "refused": 0}
    for i, path in enumerate(paths):
        value = replacements[rng.integers(len(replacements))]
        target = rewrite_meta(saved, tmp_path / f"m{i}.nc", _set(list(path), value))
        try:
            bp.load_fit(target)
            outcomes["loaded"] += 1
        except FitFileError as exc:
            assert f"Cannot load the saved fit {target}" in str(exc) and REFIT in str(exc)
            outcomes["refused"] += 1
        target.unlink()
    assert not canary.exists()
    assert outcomes["refused"] > 0.5 * len(paths), outcomes
