"""Virtual cohorts on a Dask cluster.

:func:`run_cohort` splits the draws into chunks, runs each chunk on a worker through this package
(each draw is seeded from the cohort seed and its index, so a chunk's rows do not depend on where
or with what it runs), stores the chunks the workers return in the output directory, and writes
the same ``summary.parquet`` and ``metadata.json`` as ``reinnervate cohort`` on one machine —
byte for byte. An interrupted run resumes from the chunks already stored.

The workers need this package installed; the output directory is written by the client only.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional, Union

from . import Cohort, _call, _native

__all__ = ["run_cohort"]


def _run_chunk(text: str, start: int, end: int, courses: int):
    """Runs draws ``start..end`` of a cohort (on a worker); its Parquet bytes (summary, and time
    courses or ``None``)."""
    return _call(_native.cohort_chunk, text, start, end, courses)


def run_cohort(
    cohort: Union[Cohort, str, "os.PathLike[str]"],
    client: Any,
    out: Union[str, "os.PathLike[str]"],
    draws: Optional[int] = None,
    chunk: int = 256,
    courses: int = 0,
) -> Dict[str, Any]:
    """Runs a cohort on the workers of ``client`` (a ``dask.distributed.Client``) into ``out``.

    ``courses`` > 0 also writes the time courses every ``courses`` days (``courses.parquet``).
    Returns the run's metadata (the same as :meth:`reinnervate.Cohort.run`).
    """
    from distributed import as_completed

    c = cohort if isinstance(cohort, Cohort) else Cohort(cohort)
    n = c.size if draws is None else int(draws)
    out = os.fspath(out)
    courses = int(courses)
    todo = _call(_native.cohort_prepare, c.text, out, n, int(chunk), courses)
    if todo:
        text = client.scatter(c.text, broadcast=True)
        ranges = {}
        futures = []
        for start, end in todo:
            key = f"reinnervate-chunk-{c.info['sha256'][:16]}-{start}-{end}-{courses}"
            futures.append(client.submit(_run_chunk, text, start, end, courses, key=key))
            ranges[key] = (start, end)
        for f in as_completed(futures):
            start, end = ranges[f.key]
            summary, course_data = f.result()
            _call(_native.cohort_store, out, start, end, summary, course_data, courses)
            f.release()
    return json.loads(_call(_native.cohort_finish, c.text, out, n, int(chunk), courses))
