"""Tide prediction by UTide (PyPI `utide`), the independent implementation
test/tideUtide.test.ts compares core/tide/predict.ts with.

Reads from stdin a JSON object
    {"latitude": deg N, "z0": m,
     "constituents": [{"name", "amplitude" (m), "phase" (Greenwich lag, deg, UTC)}],
     "start": ISO 8601 UTC, "steps": n, "stepSeconds": s}
and writes {"elevation": [n values, m]} to stdout.

UTide's reconstruct() takes the coefficient structure its solve() returns,
so solve() is run on a synthetic record for these constituents only to get
that structure; its amplitudes, phases, mean and trend are then replaced by
the given constants. Options as UTide's defaults for a prediction: nodal and
satellite corrections evaluated at every time (nodal=True, no linearisation),
Greenwich phase lags (the astronomical argument from UTide's own astronomy),
the latitude for the satellites whose amplitude depends on it.
"""
import json
import sys

import numpy as np
import utide

EPOCH = "1970-01-01"
DAY = 86400.0


def days_since_epoch(iso):
    return np.datetime64(iso.replace("Z", ""), "ms").astype("int64") / 1000.0 / DAY


def coefficients(names, latitude):
    """A UTide coef structure for these constituents (values to be replaced)."""
    t = np.arange(0, 400, 1 / 24.0) + days_since_epoch("2000-01-01T00:00:00Z")
    record = np.cos(2 * np.pi * t / 0.5175) + 0.5 * np.cos(2 * np.pi * t / 1.0758)
    return utide.solve(
        t, record, lat=latitude, epoch=EPOCH, constit=list(names), nodal=True, trend=False,
        method="ols", conf_int="none", verbose=False,
    )


def main():
    request = json.load(sys.stdin)
    constants = {c["name"].upper(): c for c in request["constituents"]}
    coef = coefficients(constants.keys(), request["latitude"])
    missing = set(constants) - set(coef["name"])
    if missing:
        raise SystemExit(f"utide_predict.py: UTide did not take constituents {sorted(missing)}")
    coef["A"] = np.array([constants[name]["amplitude"] for name in coef["name"]], dtype=float)
    coef["g"] = np.array([constants[name]["phase"] for name in coef["name"]], dtype=float)
    coef["mean"] = float(request["z0"])
    coef["slope"] = 0.0
    start = days_since_epoch(request["start"])
    t = start + np.arange(request["steps"]) * request["stepSeconds"] / DAY
    tide = utide.reconstruct(t, coef, epoch=EPOCH, min_SNR=0, min_PE=0, verbose=False)
    json.dump({"elevation": [float(v) for v in tide["h"]]}, sys.stdout)


if __name__ == "__main__":
    main()
