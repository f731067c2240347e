# numpy's float32 A @ B, the peer the kernel report measures its kernels against (experiments/kernel/numpy.ts runs it).
# Arguments: m n k samples min_seconds copies. Prints one JSON line: GFLOP/s per sample, numpy's version, its BLAS, and
# the kernel family OpenBLAS selected at load time (its "core name": SkylakeX = AVX-512, Haswell = AVX2, ...), which the
# OPENBLAS_CORETYPE environment variable overrides.
import sys, time, json, ctypes
import numpy as np
m, n, k, samples, min_s, copies = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
rng = np.random.default_rng(1)
A = rng.uniform(-1, 1, (m, k)).astype(np.float32)
Bs = [rng.uniform(-1, 1, (k, n)).astype(np.float32) for _ in range(copies)]  # used in turn, like the kernel's copies
for B in Bs + Bs: C = A @ B
out = []
for _ in range(samples):
    it = 0; t0 = time.perf_counter()
    while True:
        C = A @ Bs[it % copies]; it += 1; t = time.perf_counter() - t0
        if t >= min_s: break
    out.append(2.0 * m * n * k * it / t * 1e-9)
try:
    cfg = np.show_config(mode="dicts")
except Exception:
    cfg = {}
blas = cfg.get("Build Dependencies", {}).get("blas", {}) if isinstance(cfg, dict) else {}

def openblas_core():
    """The core OpenBLAS runs (openblas_get_corename of the library numpy loaded; symbol names vary by build)."""
    try:
        paths = {line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line.lower() and ".so" in line}
    except OSError:
        return None, None
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for prefix in ("scipy_openblas_", "openblas_"):
            for suffix in ("64_", ""):
                core, config = getattr(lib, f"{prefix}get_corename{suffix}", None), getattr(lib, f"{prefix}get_config{suffix}", None)
                if core is not None:
                    core.restype = ctypes.c_char_p
                    if config is not None: config.restype = ctypes.c_char_p
                    return core().decode(), (config().decode().strip() if config is not None else None)
    return None, None

core, config = openblas_core()
print(json.dumps({"gflops_samples": out, "numpy": np.__version__, "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(), "core": core, "config": config}))
