"""pyribs' MAP-Elites on the 100-d sphere, the peer of the engine bench's batch-540 row (bench/run.ts, bench/pyribs.ts).

Uses ribs' public API only (GridArchive, GaussianEmitter, Scheduler), in pyribs' own best setting: the objective and
the measures are evaluated for a whole batch at once with numpy. The objective is elites' `sphere` evaluator
(evaluators/benchmarks/sphere.ts), which is pyribs' examples/sphere.py: shifted sphere (optimum at 0.4 * 5.12 in every
coordinate) normalised to [0, 100], measures the sums of the clipped coordinates over each half of the genome
(x_i if |x_i| <= 5.12 else 5.12 / x_i). Archive 100 x 100 over [-256, 256]^2, QD offset 0; 15 Gaussian emitters,
sigma 0.5, 36 solutions each (540 an iteration), solutions clipped to [-5.12, 5.12]^100, x0 = 0.

    python3 bench/peers/pyribs_sphere.py [--evaluations 1000000] [--seed 1]

Prints one JSON object: evaluations, seconds (the ask / evaluate / tell loop only: imports and set-up excluded),
evalsPerSecond, qdScore, coverage, elites, versions (ribs, numpy, python).
"""

import argparse
import json
import platform
import sys
import time

import numpy as np
import ribs
from ribs.archives import GridArchive
from ribs.emitters import GaussianEmitter
from ribs.schedulers import Scheduler

DIM = 100
BOUND = 5.12
SHIFT = 0.4 * BOUND
EMITTERS = 15
BATCH = 36


def sphere(solutions):
    """Fitness in [0, 100] (maximised) and the (m1, m2) measures of a (batch, DIM) array."""
    raw = np.sum(np.square(solutions - SHIFT), axis=1)
    worst = solutions.shape[1] * (-BOUND - SHIFT) ** 2
    fitness = (worst - raw) / worst * 100.0
    clipped = solutions.copy()
    outside = (clipped < -BOUND) | (clipped > BOUND)
    clipped[outside] = BOUND / clipped[outside]
    half = solutions.shape[1] // 2
    measures = np.stack([np.sum(clipped[:, :half], axis=1), np.sum(clipped[:, half:], axis=1)], axis=1)
    return fitness, measures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    archive = GridArchive(
        solution_dim=DIM,
        dims=[100, 100],
        ranges=[(-256.0, 256.0), (-256.0, 256.0)],
        qd_score_offset=0.0,
        seed=args.seed,
    )
    emitters = [
        GaussianEmitter(
            archive,
            sigma=0.5,
            x0=np.zeros(DIM),
            bounds=[(-BOUND, BOUND)] * DIM,
            batch_size=BATCH,
            seed=args.seed + 1 + i,
        )
        for i in range(EMITTERS)
    ]
    scheduler = Scheduler(archive, emitters)

    evaluations = 0
    start = time.perf_counter()
    while evaluations < args.evaluations:
        solutions = scheduler.ask()
        fitness, measures = sphere(solutions)
        scheduler.tell(fitness, measures)
        evaluations += len(solutions)
    seconds = time.perf_counter() - start

    stats = archive.stats
    print(
        json.dumps(
            {
                "evaluations": evaluations,
                "seconds": seconds,
                "evalsPerSecond": evaluations / seconds,
                "qdScore": float(stats.qd_score),
                "coverage": float(stats.coverage),
                "elites": int(stats.num_elites),
                "versions": {
                    "ribs": ribs.__version__,
                    "numpy": np.__version__,
                    "python": platform.python_version(),
                },
                "executable": sys.executable,
            }
        )
    )


if __name__ == "__main__":
    main()
