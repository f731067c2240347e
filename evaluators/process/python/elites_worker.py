"""Serve a Python evaluator to elites: setup once per process, then evaluate (and fingerprint) requests.

elites starts your script once per worker slot (config ``evaluator: { process: { argv: [python3, my_eval.py] } }``)
with this module on ``PYTHONPATH``, so a script needs nothing installed by pip::

    import elites_worker

    def setup(options):          # once per process, with evaluator.options from the config
        ...

    def evaluate(genome, ctx):   # genome: a list (vector, bitstring) or a dict (categorical)
        return {"fitness": 1.0, "descriptors": [0.5, 0.5], "metrics": {"loss": 0.1}}

    if __name__ == "__main__":
        elites_worker.serve()    # finds setup/evaluate/fingerprint in your script

``ctx`` has ``fidelity``, ``sample``, ``seed`` (the same for the same candidate on any worker), ``rng`` (a
``random.Random(seed)``), ``options``, ``report(step, value)`` and ``should_stop()``. Raise to fail an evaluation:
elites records the exception and the last lines of its traceback.

stdout belongs to the protocol. At ``serve()`` the helper keeps a private copy of the pipe to elites and points file
descriptor 1 (and ``sys.stdout``) at stderr, so ``print()``, C libraries and child processes cannot corrupt it.

Protocol 1: one JSON object per line, requests on stdin, replies on stdout; see elites' evaluators/process/README.md.
Standard library only; numpy is optional (``serve(numpy=True)`` passes numeric genomes as numpy arrays, and any
value with a ``tolist()`` method, such as numpy arrays and scalars, may be returned).
"""

import json
import os
import queue
import random
import sys
import threading
import traceback

PROTOCOL = 1

# The channel of the running serve(): private (a test writes garbage to the protocol stream through it).
_active = None

__all__ = ["serve", "Context", "PROTOCOL"]


class Context:
    """What evaluate() and fingerprint() see besides the genome."""

    __slots__ = ("fidelity", "sample", "seed", "options", "_id", "_channel", "_rng")

    def __init__(self, request_id, ctx, options, channel):
        self.fidelity = ctx.get("fidelity", 1)
        self.sample = ctx.get("sample", 0)
        self.seed = ctx.get("seed", 0)
        self.options = options
        self._id = request_id
        self._channel = channel
        self._rng = None

    @property
    def rng(self):
        """A random.Random seeded with ``seed``: the same draws for the same candidate on any worker."""
        if self._rng is None:
            self._rng = random.Random(self.seed)
        return self._rng

    def report(self, step, value):
        """Progress of a long evaluation (an epoch's accuracy): the run's pruner may stop it early."""
        step, value = float(step), float(value)
        if step != step or value != value or abs(step) == float("inf") or abs(value) == float("inf"):
            raise ValueError("ctx.report(step, value) needs finite numbers, got (%r, %r)" % (step, value))
        self._channel.send({"type": "report", "id": self._id, "step": step, "value": value})

    def should_stop(self):
        """True once the run's pruner has stopped this evaluation: return soon (it is recorded as pruned)."""
        return self._id in self._channel.stopped


class _Channel:
    """The protocol's own ends of stdin and stdout; file descriptors 0 and 1 are handed to /dev/null and stderr."""

    def __init__(self):
        sys.stdout.flush()
        self._out = os.fdopen(os.dup(1), "wb")
        self._in = os.fdopen(os.dup(0), "rb")
        os.dup2(2, 1)  # print(), C code and child processes now write to stderr
        sys.stdout = sys.stderr
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)  # input() cannot swallow a request
        os.close(null)
        self._lock = threading.Lock()
        self.stopped = set()
        self.requests = queue.SimpleQueue()
        threading.Thread(target=self._read, name="elites-protocol", daemon=True).start()

    def send(self, frame):
        # Encoded whole before anything is written: a value JSON cannot carry raises here and writes nothing.
        line = json.dumps(frame, allow_nan=False, default=_plain, separators=(",", ":")).encode("utf-8") + b"\n"
        with self._lock:
            self._out.write(line)
            self._out.flush()

    def _read(self):
        # A thread of its own: a stop can arrive while evaluate() runs, and stdin's end must be noticed even then.
        for line in self._in:
            try:
                frame = json.loads(line)
            except ValueError:
                continue
            if frame.get("type") == "stop":
                self.stopped.add(frame.get("id"))
            else:
                self.requests.put(frame)
        # stdin closed: elites is done with this process (or gone). Nobody is left to answer.
        sys.stderr.flush()
        os._exit(0)


def _plain(value):
    """JSON for what json cannot encode by itself: numpy arrays and scalars (anything with tolist())."""
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def _die_with_parent():
    """Linux: be killed when the process that started us dies, even while busy in code that never reads stdin."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG
    except Exception:
        pass


def _describe(error):
    text = str(error)
    return type(error).__name__ + (": " + text if text else "")


def serve(evaluate=None, setup=None, fingerprint=None, numpy=False):
    """Answers elites' requests until stdin closes; never returns.

    Without ``evaluate``, the functions named setup, evaluate and fingerprint in the running script (``__main__``)
    are used. ``numpy=True``: a genome that is a list arrives as ``numpy.asarray(genome)`` (numpy must be installed).
    """
    if evaluate is None:
        import __main__

        found = vars(__main__)
        evaluate = found.get("evaluate")
        setup = setup or found.get("setup")
        fingerprint = fingerprint or found.get("fingerprint")
    if not callable(evaluate):
        raise TypeError("elites_worker.serve() needs an evaluate(genome, ctx) function")
    _die_with_parent()
    np = None
    numpy_error = None
    if numpy:
        try:
            import numpy as np
        except ImportError as error:
            numpy_error = error
    global _active
    channel = _active = _Channel()
    options = {}
    while True:
        frame = channel.requests.get()
        request_id = frame.get("id")
        kind = frame.get("type")
        try:
            if kind == "setup":
                if numpy_error is not None:
                    raise ImportError("serve(numpy=True) but numpy cannot be imported: %s" % numpy_error)
                options = frame.get("options") or {}
                if setup is not None:
                    setup(options)
                value = None
            elif kind == "evaluate" or kind == "fingerprint":
                function = evaluate if kind == "evaluate" else fingerprint
                if function is None:
                    raise NotImplementedError(
                        "elites asked for a fingerprint (process.fingerprint: true) but the script has no fingerprint(genome, ctx)"
                    )
                genome = frame.get("genome")
                if np is not None and isinstance(genome, list):
                    genome = np.asarray(genome)
                value = function(genome, Context(request_id, frame.get("ctx") or {}, options, channel))
            else:
                raise ValueError("unknown request type %r (this helper speaks protocol %d)" % (kind, PROTOCOL))
        except Exception as error:
            channel.stopped.discard(request_id)
            channel.send({"type": "error", "id": request_id, "message": _describe(error), "traceback": traceback.format_exc()})
            continue
        channel.stopped.discard(request_id)
        try:
            channel.send({"type": "done", "id": request_id, "value": value})
        except (TypeError, ValueError) as error:
            message = "%s() returned a value JSON cannot carry (%s): %r" % (kind, _describe(error), value)
            channel.send({"type": "error", "id": request_id, "message": message[:2000]})
