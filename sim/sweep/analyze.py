"""Sensitivity indices of a finished Sobol or Morris sweep, with SALib."""

from __future__ import annotations

import math
from pathlib import Path

METHODS = ("sobol", "morris")


def analyze(out: str | Path, method: str, output: str) -> dict:
    """Sensitivity indices of one outcome (mean over replicates) with SALib.

    Args:
        out: a finished sweep folder made with a ``sobol`` or ``morris`` design.
        method: ``sobol`` or ``morris``, the sweep's design.
        output: a numeric column of the runs table.

    Returns:
        ``method``, ``output``, ``indices``: one row a parameter (S1, ST and their 95%
        intervals for Sobol; mu*, its interval, mu and sigma for Morris), and ``warnings``:
        one line for each index whose interval is wider than the index
        (:func:`wide_intervals`).

    Raises:
        SweepError: when the design does not fit the method, or the outcome is unknown or
            missing in some points.
    """
    # Imported here: the package binds this function at import, and must stay light to import.
    import numpy as np

    from sim.errors import Problem
    from sim.sweep.design import salib_problem
    from sim.sweep.drill import check_column
    from sim.sweep.spec import SweepError, SweepSpec
    from sim.sweep.store import load, outcome_columns

    data = load(out, tables=["runs"])
    spec = SweepSpec.model_validate(data.manifest["spec"])
    if method not in METHODS:
        raise SweepError([Problem("--method", "method", f"unknown method {method!r}",
                                  " or ".join(METHODS))])
    if spec.design.method.value != method:
        raise SweepError([Problem(str(out), "design.method",
                                  f"the sweep used a {spec.design.method.value} design, which "
                                  f"does not fit the {method} method",
                                  f"a sweep made with design.method: {method}")])
    runs = data.runs
    check_column(output, outcome_columns(runs), "--output", "outcome")
    if data.manifest["n_runs"] != len(runs):
        raise SweepError([Problem(str(out), "runs", f"only {len(runs)} of "
                                  f"{data.manifest['n_runs']} runs are done",
                                  "a finished sweep (run the same command to resume)")])
    y_runs = runs[output].to_numpy(dtype=float, na_value=np.nan)
    values = runs.assign(y=y_runs).groupby("point_id")["y"].mean()
    y = values.reindex(range(data.manifest["n_points"])).to_numpy()
    if not np.isfinite(y).all():
        raise SweepError([Problem(str(out), output,
                                  f"is missing in {int((~np.isfinite(y)).sum())} points",
                                  "an outcome every run defines (e.g. gov_released)")])
    problem = salib_problem(spec)
    names = problem["names"]
    seed = spec.master_seed % 2**32
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=spec.design.second_order,
                            seed=seed, print_to_console=False)
        rows = [{"parameter": n, "S1": float(res["S1"][i]), "S1_conf": float(res["S1_conf"][i]),
                 "ST": float(res["ST"][i]), "ST_conf": float(res["ST_conf"][i])}
                for i, n in enumerate(names)]
    else:
        from SALib.analyze import morris

        x = data.points[[f"param:{n}" for n in names]].to_numpy(dtype=float)
        res = morris.analyze(problem, x, y, num_levels=spec.design.levels, seed=seed,
                             print_to_console=False)
        rows = [{"parameter": n, "mu_star": float(res["mu_star"][i]),
                 "mu_star_conf": float(res["mu_star_conf"][i]), "mu": float(res["mu"][i]),
                 "sigma": float(res["sigma"][i])} for i, n in enumerate(names)]
    samples = spec.design.samples or 0
    return {"method": method, "output": output, "indices": rows,
            "warnings": wide_intervals(rows, method, samples)}


INDICES = {"sobol": (("S1", "S1_conf"), ("ST", "ST_conf")), "morris": (("mu_star",
                                                                       "mu_star_conf"),)}
"""Each method's indices, each with the name of its 95% interval's half-width."""


def samples_needed(samples: int, index: float, conf: float, method: str) -> int:
    """The design's ``samples`` that would make ``conf`` about ``index``: N (conf/index)².

    An interval narrows as one over the square root of the samples (Saltelli et al. 2010,
    "Variance based sensitivity analysis of model output", Comput. Phys. Commun. 181: 259);
    a Sobol design takes a power of two.
    """
    need = math.ceil(samples * (conf / index) ** 2)
    return 2 ** math.ceil(math.log2(need)) if method == "sobol" else need


def wide_intervals(rows: list[dict], method: str, samples: int) -> list[str]:
    """One line for each index whose 95% interval is wider than the index itself.

    Such an index cannot be told from zero (or, for a large one, from half or twice
    itself). The line says the ``samples`` that would narrow the interval to the index;
    an index at or below zero has none, and is not told from zero at any size.
    """
    lines = []
    for row in rows:
        for name, conf_name in INDICES[method]:
            index, conf = row[name], row[conf_name]
            if not conf > abs(index):  # NaN intervals are not reported as wide
                continue
            head = (f"{name} of {row['parameter']} is {index:.3f} ± {conf:.3f}: its 95% "
                    "interval is wider than the index (it reaches past zero)")
            if index > 0 and samples:
                need = samples_needed(samples, index, conf, method)
                lines.append(f"{head}; samples: {need} (now {samples}) would narrow it to "
                             "about the index")
            else:
                lines.append(f"{head}; it cannot be told from zero")
    return lines
