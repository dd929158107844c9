"""The report pipeline: run the parameterised notebooks and write self-contained Swedish HTML.

Submodules, by concern:

- :mod:`~finsamlib.reports.inputs` — what a report reads (loaded with provenance and SHA-256);
  the notebooks import this, so it stays light;
- :mod:`~finsamlib.reports.paths` — the layout of ``reports/`` (file names, links);
- :mod:`~finsamlib.reports.kernels` — kernels started over IPC (no TCP port race);
- :mod:`~finsamlib.reports.html` — nbconvert to one self-contained HTML file, and index pages;
- :mod:`~finsamlib.reports.runner` — planning the jobs, running them in a process pool (or on a
  dask cluster), atomic writes, failure isolation;
- :mod:`~finsamlib.reports.cache` — the record of each page, so that re-runs skip unchanged pages;
- :mod:`~finsamlib.reports.params` — the notebooks' declared parameters and checking ``-p``.

The command line is ``finsam reports`` (:mod:`finsamlib.cli`). Heavy modules (papermill,
nbconvert) are imported only by the runner, never by a report's kernel.
"""
