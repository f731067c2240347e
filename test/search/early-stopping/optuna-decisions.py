"""Records Optuna's own pruner decisions on random asynchronous report/finish sequences: optuna-decisions.json.

optuna-decisions.test.ts replays every sequence through search/early-stopping and expects the same decision at every
report. Run from this folder with Optuna importable (pip install optuna, or a checkout on PYTHONPATH):
    python3 optuna-decisions.py > optuna-decisions.json
(an argument multiplies the number of sequences, for a larger check than the file kept here).
HyperbandPruner's bracket of a trial (crc32 of study name and trial number) is replaced by the one
search/early-stopping/hyperband.ts uses (the Weyl point frac(id / golden ratio) cut by the budgets); all else is Optuna's.
Hyperband sequences stay below max_resource, where hyperband.ts caps its rungs and Optuna does not.
"""
import json
import math
import random
import sys
import warnings

import optuna
from optuna.trial import TrialState

warnings.filterwarnings("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)
INVERSE_GOLDEN_RATIO = (math.sqrt(5) - 1) / 2


def bracket_by_id(self, study, trial):
    if len(self._pruners) == 0:
        return 0
    u = trial.number * INVERSE_GOLDEN_RATIO
    point = (u - math.floor(u)) * self._total_trial_allocation_budget
    for b in range(self._n_brackets):
        point -= self._trial_allocation_budgets[b]
        if point < 0:
            return b
    return self._n_brackets - 1


optuna.pruners.HyperbandPruner._get_bracket_id = bracket_by_id


def make_pruner(kind, rnd):
    """Optuna's pruner with random options, the same options in search/early-stopping's names, and the step cap."""
    if kind == "median":
        o = dict(n_startup_trials=rnd.choice([0, 1, 2, 5]), n_warmup_steps=rnd.choice([0, 1, 3]),
                 interval_steps=rnd.choice([1, 2, 3]), n_min_trials=rnd.choice([1, 2, 3]))
        ours = dict(nStartupTrials=o["n_startup_trials"], nWarmupSteps=o["n_warmup_steps"],
                    intervalSteps=o["interval_steps"], nMinTrials=o["n_min_trials"])
        return optuna.pruners.MedianPruner(**o), ours, None
    if kind == "asha":
        o = dict(min_resource=rnd.choice([1, 2, 3]), reduction_factor=rnd.choice([2, 3, 4]),
                 min_early_stopping_rate=rnd.choice([0, 0, 1]), bootstrap_count=rnd.choice([0, 0, 0, 2]))
        ours = dict(minResource=o["min_resource"], reductionFactor=o["reduction_factor"],
                    minEarlyStoppingRate=o["min_early_stopping_rate"], bootstrapCount=o["bootstrap_count"])
        return optuna.pruners.SuccessiveHalvingPruner(**o), ours, None
    o = dict(min_resource=rnd.choice([1, 2]), max_resource=rnd.choice([20, 27, 30, 50]),
             reduction_factor=rnd.choice([2, 3]), bootstrap_count=rnd.choice([0, 0, 1]))
    ours = dict(minResource=o["min_resource"], maxResource=o["max_resource"],
                reductionFactor=o["reduction_factor"], bootstrapCount=o["bootstrap_count"])
    return optuna.pruners.HyperbandPruner(**o), ours, o["max_resource"]


def scenario(kind, seed):
    rnd = random.Random(f"{kind}-{seed}")
    pruner, options, cap = make_pruner(kind, rnd)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    n = rnd.randint(3, 16)
    trials = [study.ask() for _ in range(n)]  # asked up front, so trial.number is the id
    coarse = rnd.random() < 0.5  # values on a grid of eighths: ties are common
    plans = []
    for _ in range(n):
        quality, step, plan = rnd.random(), rnd.choice([0, 1, 2]), []
        for _ in range(rnd.randint(0, 16)):
            r = rnd.random()
            if r < 0.04 and plan:
                s = plan[-1][0]  # a repeated step
            elif r < 0.06 and plan and plan[-1][0] > 1:
                s = rnd.randint(0, plan[-1][0] - 1)  # a step below the last
            else:
                # The median compares values at equal steps: mostly unit steps there; jumps past rungs for ASHA.
                step += 1 if kind == "median" and rnd.random() < 0.9 else rnd.choice([1, 1, 1, 2, 3, 7])
                s = step
            if cap is not None and s >= cap:
                break
            # A noisy learning curve rising to the evaluation's quality.
            v = quality * (1 - 0.8 ** (s + 1)) + rnd.uniform(-0.1, 0.1)
            v = float("nan") if rnd.random() < 0.02 else (round(v * 8) / 8 if coarse else round(v, 6))
            plan.append((s, v))
        plans.append(plan)
    events, live, pos = [], list(range(n)), [0] * n
    while live:
        # Mostly the oldest live evaluations move: early ones complete while later ones are still judged.
        i = live[min(int(rnd.expovariate(0.7)), len(live) - 1)]
        if pos[i] >= len(plans[i]) or rnd.random() < 0.02:
            if rnd.random() < 0.1:
                study.tell(trials[i], state=TrialState.FAIL)
                events.append([i, "failed"])
            else:
                study.tell(trials[i], 0.0)
                events.append([i, "complete"])
            live.remove(i)
            continue
        s, v = plans[i][pos[i]]
        pos[i] += 1
        trials[i].report(v, s)
        pruned = trials[i].should_prune()
        events.append([i, s, "NaN" if math.isnan(v) else v, "p" if pruned else "c"])
        if pruned:
            study.tell(trials[i], state=TrialState.PRUNED)
            events.append([i, "pruned"])
            live.remove(i)
    out = dict(pruner=kind, options=options)
    if kind == "hyperband":
        out.update(brackets=pruner._n_brackets, budgets=pruner._trial_allocation_budgets)
    out["events"] = events
    return out


SEEDS = {"median": 16, "asha": 12, "hyperband": 12}
scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1
scenarios = [scenario(kind, seed) for kind, count in SEEDS.items() for seed in range(count * scale)]
print("{")
print(f'  "optuna": {json.dumps(optuna.__version__)},')
print('  "scenarios": [')
print(",\n".join("    " + json.dumps(s, separators=(",", ":")) for s in scenarios))
print("  ]")
print("}")
