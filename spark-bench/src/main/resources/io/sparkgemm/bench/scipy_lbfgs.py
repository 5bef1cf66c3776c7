"""The scipy contender of spark-gemm bench: softmax regression with scipy's L-BFGS-B.

Usage: python3 scipy_lbfgs.py X.npy labels.npy K ITERATIONS REG
Minimises f(W, b) = mean softmax cross-entropy of XW + b + (REG / 2)·||W||², the objective of
`spark-gemm train --loss softmax-ce`, from W = 0, b = 0, for ITERATIONS iterations (memory 10,
no tolerance stop), in one process. Prints one JSON line: the seconds to load the files, the
seconds of the iterations, the iterations and evaluations done and the final objective.
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import minimize


def main():
    x_path, labels_path = sys.argv[1], sys.argv[2]
    k, iterations, reg = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    start = time.perf_counter()
    x = np.ascontiguousarray(np.load(x_path), dtype=np.float64)
    y = np.load(labels_path).astype(np.int64)
    n, d = x.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    loaded = time.perf_counter()
    evaluations = 0

    def objective(theta):
        nonlocal evaluations
        evaluations += 1
        w = theta[:d * k].reshape(d, k)
        z = x @ w + theta[d * k:]
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = -((z - np.log(s)) * onehot).sum() / n + 0.5 * reg * (w * w).sum()
        g = (e / s - onehot) / n
        grad_w = x.T @ g + reg * w
        return loss, np.concatenate([grad_w.ravel(), g.sum(axis=0)])

    result = minimize(objective, np.zeros(d * k + k), jac=True, method="L-BFGS-B",
                      options={"maxiter": iterations, "maxcor": 10, "ftol": 0.0, "gtol": 0.0})
    done = time.perf_counter()
    print(json.dumps({"load_seconds": loaded - start, "train_seconds": done - loaded,
                      "iterations": int(result.nit), "evaluations": evaluations,
                      "objective": float(result.fun), "numpy": np.__version__,
                      "message": str(result.message)}))


if __name__ == "__main__":
    main()
