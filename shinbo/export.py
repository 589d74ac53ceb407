"""Saving and loading results: NPZ of a run, CSV of a table, JSON of a configuration."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from .errors import InvalidParameterError

__all__ = ["results_npz", "table_csv", "config_json", "parse_config_json", "RUN_CONFIG_KEYS"]

# what the Run page's configuration holds, with the type each value must have
RUN_CONFIG_KEYS = {"rank": int, "T": int, "alpha": float, "max_iter": int, "tol": float, "init": str,
                   "lambda0": (str, float, list), "gamma": float, "outer": str, "seed": int,
                   "baselines": list, "holdout": float, "warm_start": int, "step": str}


def results_npz(results, names, config: dict) -> bytes:
    """W, H, λ history, objective history and the configuration of every method, as one NPZ."""
    arrays = {"config": np.array(json.dumps(config, default=float))}
    for k, (name, r) in enumerate(zip(names, results)):
        p = f"m{k}_"
        arrays[p + "name"] = np.array(name)
        arrays[p + "W"] = r.W
        arrays[p + "H"] = r.H
        arrays[p + "lambdas"] = r.lambdas
        for key, v in r.history.items():
            arrays[p + "history_" + key] = v
        arrays[p + "config"] = np.array(json.dumps(r.config, default=float))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def table_csv(rows: list[dict], float_format: str | None = None) -> str:
    """A list of dicts as CSV text (the columns of the first row, then any new ones).

    ``float_format`` (e.g. ``"{:.6g}"``) formats float cells; None writes them in full.
    """
    keys = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys)
    w.writeheader()
    for r in rows:
        cells = {k: r.get(k, "") for k in keys}
        if float_format:
            cells = {k: float_format.format(v) if isinstance(v, float) else v for k, v in cells.items()}
        w.writerow(cells)
    return buf.getvalue()


def config_json(config: dict) -> str:
    """The Run page's configuration as JSON (loadable by :func:`parse_config_json`)."""
    return json.dumps({k: config[k] for k in RUN_CONFIG_KEYS if k in config}, indent=2)


def parse_config_json(text) -> dict:
    """Parse and check a configuration saved by :func:`config_json`; unknown keys are refused."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError) as exc:
        raise InvalidParameterError(f"the configuration is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidParameterError("the configuration must be a JSON object of settings")
    unknown = sorted(set(data) - set(RUN_CONFIG_KEYS))
    if unknown:
        raise InvalidParameterError(f"unknown settings {unknown}; allowed: {', '.join(RUN_CONFIG_KEYS)}")
    out = {}
    for k, v in data.items():
        want = RUN_CONFIG_KEYS[k]
        types = want if isinstance(want, tuple) else (want,)
        if float in types and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if isinstance(v, bool) or not isinstance(v, types):
            names = "/".join(t.__name__ for t in types)
            raise InvalidParameterError(f"setting {k!r} must be {names}; got {v!r}")
        out[k] = v
    return out
