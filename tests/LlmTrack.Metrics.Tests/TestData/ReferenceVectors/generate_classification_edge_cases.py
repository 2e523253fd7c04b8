"""Generates classification_edge_cases.json with scikit-learn 1.2.1 / numpy 1.24.2 (Debian bookworm python3-sklearn).

Run with /usr/bin/python3 generate_classification_edge_cases.py > classification_edge_cases.json
Same layout as classification_expected.json, plus an optional "labels" parameter.
"""
import json
import math
import warnings

import numpy as np
import sklearn
from sklearn import metrics as m


def enc(v):
    if isinstance(v, np.ndarray):
        return [enc(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    return v


def run(fn, **kw):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            value = fn(**kw)
        except ValueError as e:
            return {"error": "ValueError", "message": str(e)}
    out = {"value": enc(value)}
    ws = [f"{x.category.__name__}: {x.message}" for x in w]
    if ws:
        out["warnings"] = list(dict.fromkeys(ws))
    return out


def case(desc, y_true, y_pred, label_sets):
    results = []

    def add(metric, fn, **params):
        r = {"metric": metric, "params": {k: enc(v) for k, v in params.items()}}
        r.update(run(fn, y_true=y_true, y_pred=y_pred, **params))
        results.append(r)

    add("accuracy_score", m.accuracy_score)
    add("balanced_accuracy_score", m.balanced_accuracy_score)
    add("balanced_accuracy_score", m.balanced_accuracy_score, adjusted=True)
    for labels in label_sets:
        extra = {} if labels is None else {"labels": labels}
        for zd in ["warn", 0, 1]:
            for avg in ["micro", "macro", "weighted", None]:
                add("precision_score", m.precision_score, average=avg, zero_division=zd, **extra)
                add("recall_score", m.recall_score, average=avg, zero_division=zd, **extra)
                add("f1_score", m.f1_score, average=avg, zero_division=zd, **extra)
                add("fbeta_score", m.fbeta_score, beta=0.5, average=avg, zero_division=zd, **extra)
        add("precision_recall_fscore_support", m.precision_recall_fscore_support, average=None, **extra)
        add("confusion_matrix", m.confusion_matrix, **extra)
        for weights in [None, "linear", "quadratic"]:
            r = {"metric": "cohen_kappa_score", "params": {"weights": weights, **extra}}
            r.update(run(m.cohen_kappa_score, y1=y_true, y2=y_pred, weights=weights, **extra))
            results.append(r)
    add("matthews_corrcoef", m.matthews_corrcoef)
    uniq = sorted(set(y_true) | set(y_pred))
    if len(uniq) <= 2:
        for pos in uniq + ([1] if 1 not in uniq and isinstance(uniq[0], int) else []):
            for zd in ["warn", 0, 1]:
                add("precision_score", m.precision_score, average="binary", pos_label=pos, zero_division=zd)
                add("recall_score", m.recall_score, average="binary", pos_label=pos, zero_division=zd)
                add("f1_score", m.f1_score, average="binary", pos_label=pos, zero_division=zd)
    return {"description": desc, "n": len(y_true), "labels": enc(uniq), "y_true": enc(y_true), "y_pred": enc(y_pred), "results": results}


rng = np.random.default_rng(20261128)
cases = {}

yt = [0, 1, 2, 2, 1, 0, 1, 2, 0, 0, 1, 2]
yp = [0, 3, 2, 2, 1, 0, 3, 1, 0, 0, 1, 3]
cases["label_only_in_pred"] = case("class 3 occurs only in y_pred", yt, yp, [None, [2, 0, 5], [3], [7], [1, 3]])

yt = ["a", "é", "ｚ", "😀", "b", "a", "😀", "ｚ", "é", "b"]
yp = ["a", "ｚ", "ｚ", "😀", "😀", "b", "😀", "é", "é", "b"]
cases["code_point_order"] = case("strings whose UTF-16 order differs from code point order", yt, yp, [None, ["😀", "a"]])

cases["single_class"] = case("every label is 0", [0] * 6, [0] * 6, [None])
cases["binary_absent_positive"] = case("only class 0 present; pos_label 1 absent", [0, 0, 0, 0], [0, 0, 0, 0], [None])
cases["binary_strings_one_wrong"] = case("binary strings", ["no", "yes", "yes", "no", "yes"], ["no", "yes", "no", "no", "no"], [None])

k = 12
yt = rng.integers(0, k, 3000)
yp = np.where(rng.random(3000) < 0.6, yt, rng.integers(0, k, 3000))
cases["multiclass_12"] = case("12 classes, 60% correct", yt.tolist(), yp.tolist(), [None, [11, 3, 5, 0]])

k = 300
yt = rng.integers(-150, 150, 5000)
yp = np.where(rng.random(5000) < 0.5, yt, rng.integers(-150, 150, 5000))
cases["multiclass_300_negative"] = case("300 classes from -150, exercises NumPy pairwise summation blocks", yt.tolist(), yp.tolist(), [None])

yt = (rng.integers(0, 50, 400) * 1_000_003).tolist()
yp = [v if rng.random() < 0.7 else int(rng.integers(0, 50)) * 1_000_003 for v in yt]
cases["sparse_int_labels"] = case("50 classes spread over a wide int range", yt, yp, [None])

print(json.dumps({"meta": {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__,
                           "generator": "generate_classification_edge_cases.py"}, "cases": cases}, ensure_ascii=False))
