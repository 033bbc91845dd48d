"""Execute the gallery notebooks in place, so their committed outputs are current.

The documentation renders the committed outputs without running anything
(``nb_execution_mode = "off"`` in ``docs/conf.py``) and ``tests/package/test_vignettes.py`` checks that
each notebook ran top to bottom in one kernel with no errors and one figure per plot call.  Run
this after changing a notebook or code that changes its output::

    nice python tools/run_gallery.py                         # every notebook in docs/gallery
    nice python tools/run_gallery.py docs/gallery/ordinal.ipynb

Each notebook's run time is stored in its metadata (``brmspy.runtime_seconds``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

GALLERY = Path(__file__).resolve().parents[1] / "docs" / "gallery"


def run(path: Path, timeout: int = 900) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    # record_timing=False: no timestamps in the cells, so a re-run changes only real outputs
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    nb.metadata["brmspy"] = {"runtime_seconds": round(seconds, 1)}
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all of docs/gallery)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(GALLERY.glob("*.ipynb"))
    for p in paths:
        print(f"{p.name}: {run(p):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
