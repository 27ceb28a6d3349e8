#!/usr/bin/env python3
"""Times JAX (jax.jit(jax.grad(f))) and PyTorch (eager backward) on the workloads of
cotangent's criterion benches, with the same inputs (same LCG, same ADBench files).

Run by hand from the project root (not in CI):

    pip install jax numpy torch          # torch is optional; either may be missing
    python3 benches/peers/jax_torch.py   # --only jax|torch, --threads N, --repeats N

Prints one markdown table: median wall time of the forward function and of the gradient
(forward + backward), per workload and framework, in float64. By default both frameworks
run on one thread (XLA's and PyTorch's intra-op pools limited to 1), like the Rust code.
Each gradient is checked against a central finite difference on a few entries.
"""
import argparse
import math
import os
import statistics
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--only", choices=["jax", "torch"])
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--repeats", type=int, default=20)
ap.add_argument("--gmm-dir", default="../shared/data/adbench/gmm")
args = ap.parse_args()

if args.threads == 1:
    os.environ.setdefault(
        "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    )
os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

import numpy as np  # noqa: E402

# ---------------------------------------------------------------- inputs (as in Rust)

MASK = (1 << 64) - 1


def lcg_vec(seed, n, scale):
    """benches/workloads/common.rs: Lcg(seed).vec(n, scale)."""
    out = np.empty(n)
    s = seed
    for i in range(n):
        s = (s * 6364136223846793005 + 1442695040888963407) & MASK
        out[i] = scale * (((s >> 11) / float(1 << 53)) * 2.0 - 1.0)
    return out, s


def rosen_input(n):
    return lcg_vec(n, n, 1.5)[0]


def mlp_input():
    s = 784
    w1, s = lcg_vec(s, 128 * 784, math.sqrt(6.0 / (784 + 128)))
    b1, s = lcg_vec(s, 128, 0.1)
    w2, s = lcg_vec(s, 10 * 128, math.sqrt(6.0 / (128 + 10)))
    b2, s = lcg_vec(s, 10, 0.1)
    x, s = lcg_vec(s, 32 * 784, 0.5)
    x = x + 0.5
    labels = np.array([(i * 7 + 3) % 10 for i in range(32)])
    return w1.reshape(128, 784), b1, w2.reshape(10, 128), b2, x.reshape(32, 784), labels


def gmm_input(path):
    w = open(path).read().split()
    d, k, n = int(float(w[0])), int(float(w[1])), int(float(w[2]))
    vals = np.array([float(v) for v in w[3:]])
    icf_size = d * (d + 1) // 2
    o = 0

    def take(c):
        nonlocal o
        r = vals[o:o + c]
        o += c
        return r

    alphas = take(k)
    means = take(k * d).reshape(k, d)
    icf = take(k * icf_size).reshape(k, icf_size)
    x = take(n * d).reshape(n, d)
    gamma, m = take(2)
    return dict(d=d, k=k, n=n, alphas=alphas, means=means, icf=icf, x=x, gamma=gamma, m=m)


def ln_gamma_distrib(a, p):
    return 0.25 * p * (p - 1) * math.log(math.pi) + sum(
        math.lgamma(a + 0.5 * (1 - j)) for j in range(1, p + 1)
    )


def gmm_constants(g):
    d, k, n = g["d"], g["k"], g["n"]
    n_p = d + g["m"] + 1
    c = n_p * d * (math.log(g["gamma"]) - 0.5 * math.log(2)) - ln_gamma_distrib(0.5 * n_p, d)
    return -n * d * 0.5 * math.log(2 * math.pi) - k * c


def ltri_index(d):
    """Row and column of each packed strictly-lower entry (column by column)."""
    rows, cols = [], []
    for i in range(d):
        for j in range(i + 1, d):
            rows.append(j)
            cols.append(i)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


GMM_FILES = ["1k_gmm_d2_K5", "1k_gmm_d10_K25", "1k_gmm_d20_K25", "1k_gmm_d64_K10"]
P, U0, TARGET, STEPS, H = [1.5, 1.0, 3.0, 1.0], [1.0, 1.0], [2.0, 0.5], 10_000, 1e-3


def median_time(fn, repeats, budget=3.0):
    """Median seconds per call over `repeats` samples (fewer if they would exceed `budget`
    seconds); each sample runs enough calls to last at least 5 ms."""
    fn()
    inner = 1
    while True:
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        elapsed = time.perf_counter() - t
        if elapsed >= 0.005:
            break
        inner *= 2
    reps = max(5, min(repeats, int(budget / elapsed)))
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t) / inner)
    return statistics.median(samples)


def fd_check(name, f, xs, grads, entries=3, rel=1e-5):
    """Central differences of the float64 primal `f(list of arrays)` on a few entries."""
    rng = np.random.default_rng(0)
    for a in range(len(xs)):
        flat = np.asarray(xs[a]).ravel()
        for idx in rng.choice(flat.size, size=min(entries, flat.size), replace=False):
            h = 1e-6 * max(1.0, abs(flat[idx]))
            plus = [np.array(v, copy=True) for v in xs]
            minus = [np.array(v, copy=True) for v in xs]
            plus[a].ravel()[idx] += h
            minus[a].ravel()[idx] -= h
            fd = (float(f(plus)) - float(f(minus))) / (2 * h)
            g = float(np.asarray(grads[a]).ravel()[idx])
            scale = max(1.0, abs(fd), float(np.abs(np.asarray(grads[a])).max()) * 1e-3)
            # rounding in f itself, amplified by 1/h
            noise = 1e-14 * abs(float(f(xs))) / h
            if abs(fd - g) > rel * scale + noise:
                raise AssertionError(f"{name}: arg {a} entry {idx}: grad {g} vs fd {fd}")


ROWS = []


def record(framework, workload, fwd, grad):
    ROWS.append((workload, framework, fwd, grad))
    print(f"  {framework:5} {workload:24} forward {fwd * 1e6:12.2f} us   gradient {grad * 1e6:12.2f} us",
          file=sys.stderr, flush=True)


# ---------------------------------------------------------------- JAX


def run_jax():
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    print(f"jax {jax.__version__} on {jax.devices()}", file=sys.stderr)

    def bench(workload, f, xs, argnums):
        fwd = jax.jit(f)
        grad = jax.jit(jax.grad(f, argnums=argnums))
        xs = [jnp.asarray(v) for v in xs]
        g = grad(*xs)
        k = len(argnums)
        fd_check(f"jax {workload}",
                 lambda v: fwd(*[jnp.asarray(a) for a in v], *xs[k:]),
                 [np.asarray(v) for v in xs[:k]], [np.asarray(v) for v in g])
        tf = median_time(lambda: fwd(*xs).block_until_ready(), args.repeats)
        tg = median_time(lambda: jax.block_until_ready(grad(*xs)), args.repeats)
        record("jax", workload, tf, tg)

    # walkthrough: the seeded sum sum(seed * L) has L.backward(seed)'s gradient
    def walk(x1, w1, w2, target, seed):
        return jnp.sum(seed * (target - (x1 * w1) * w2))

    bench("walkthrough", walk,
          [np.full((2, 2), 2.0), np.full((2, 2), 5.0), np.full((2, 2), 6.0),
           np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 2))], (0, 1, 2))

    def rosen(x):
        return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    for n in [10, 1000, 100_000]:
        bench(f"rosenbrock n={n}", rosen, [rosen_input(n)], (0,))

    def mlp(w1, b1, w2, b2, x, labels):
        h = jnp.tanh(x @ w1.T + b1)
        logits = h @ w2.T + b2
        lse = jax.scipy.special.logsumexp(logits, axis=1)
        return jnp.mean(lse - jnp.take_along_axis(logits, labels[:, None], axis=1)[:, 0])

    bench("mlp", mlp, list(mlp_input()), (0, 1, 2, 3))

    for name in GMM_FILES:
        path = os.path.join(args.gmm_dir, name + ".txt")
        if not os.path.exists(path):
            print(f"gmm: {path} missing: skipped", file=sys.stderr)
            continue
        g = gmm_input(path)
        d = g["d"]
        rows, cols = ltri_index(d)
        const = gmm_constants(g)
        n, gamma, m = g["n"], g["gamma"], g["m"]

        def gmm(alphas, means, icf, x, rows=rows, cols=cols, d=d, n=n, gamma=gamma, m=m,
                const=const):
            qdiag = jnp.exp(icf[:, :d])
            sum_qs = jnp.sum(icf[:, :d], axis=1)
            ls = jnp.zeros((icf.shape[0], d, d)).at[:, rows, cols].set(icf[:, d:])
            xc = x[:, None, :] - means[None, :, :]
            qxc = qdiag[None] * xc + jnp.einsum("kij,nkj->nki", ls, xc)
            main = alphas + sum_qs - 0.5 * jnp.sum(qxc ** 2, axis=2)
            slse = jnp.sum(jax.scipy.special.logsumexp(main, axis=1))
            prior = jnp.sum(0.5 * gamma ** 2 * (jnp.sum(qdiag ** 2, axis=1)
                                                + jnp.sum(icf[:, d:] ** 2, axis=1))
                            - m * sum_qs)
            return const + slse - n * jax.scipy.special.logsumexp(alphas) + prior

        bench(f"gmm {name}", gmm, [g["alphas"], g["means"], g["icf"], g["x"]], (0, 1, 2))

    def ode(p, u0, target):
        def f(u):
            return jnp.stack([p[0] * u[0] - p[1] * u[0] * u[1], p[3] * u[0] * u[1] - p[2] * u[1]])

        def step(u, _):
            k1 = f(u)
            k2 = f(u + 0.5 * H * k1)
            k3 = f(u + 0.5 * H * k2)
            k4 = f(u + H * k3)
            return u + H / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4), None

        u, _ = jax.lax.scan(step, u0, None, length=STEPS)
        return jnp.sum((u - target) ** 2)

    bench("ode", ode, [np.array(P), np.array(U0), np.array(TARGET)], (0,))


# ---------------------------------------------------------------- PyTorch


def run_torch():
    import torch

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)", file=sys.stderr)

    def bench(workload, f, xs, n_active, seed=None):
        ts = [torch.as_tensor(v) for v in xs]

        def forward():
            with torch.no_grad():
                return f(*ts)

        def gradient():
            params = [t.detach().clone().requires_grad_(True) for t in ts[:n_active]]
            out = f(*params, *ts[n_active:])
            if seed is None:
                out.backward()
            else:
                out.backward(seed)
            return [p.grad for p in params]

        g = gradient()
        if seed is None:
            fd_check(f"torch {workload}", lambda v: forward_at(f, v, ts[n_active:]),
                     [np.asarray(v) for v in xs[:n_active]], [t.numpy() for t in g])
        tf = median_time(forward, args.repeats)
        tg = median_time(gradient, args.repeats)
        record("torch", workload, tf, tg)
        return g

    def forward_at(f, v, rest):
        with torch.no_grad():
            return f(*[torch.as_tensor(a) for a in v], *rest).item()

    # walkthrough: L.backward(gradient) with a 2x2 seed, exactly as in PyTorch's docs
    def walk(x1, w1, w2, target):
        return target - (x1 * w1) * w2

    g = bench("walkthrough", walk,
              [np.full((2, 2), 2.0), np.full((2, 2), 5.0), np.full((2, 2), 6.0),
               np.array([[1.0, 2.0], [3.0, 4.0]])], 3, seed=torch.ones(2, 2))
    assert [float(t[0, 0]) for t in g] == [-30.0, -12.0, -10.0]

    def rosen(x):
        return torch.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    for n in [10, 1000, 100_000]:
        bench(f"rosenbrock n={n}", rosen, [rosen_input(n)], 1)

    def mlp(w1, b1, w2, b2, x, labels):
        h = torch.tanh(x @ w1.T + b1)
        return torch.nn.functional.cross_entropy(h @ w2.T + b2, labels)

    bench("mlp", mlp, list(mlp_input()), 4)

    for name in GMM_FILES:
        path = os.path.join(args.gmm_dir, name + ".txt")
        if not os.path.exists(path):
            continue
        gi = gmm_input(path)
        d = gi["d"]
        rows, cols = (torch.as_tensor(v) for v in ltri_index(d))
        const = gmm_constants(gi)
        n, gamma, m = gi["n"], gi["gamma"], gi["m"]

        def gmm(alphas, means, icf, x, rows=rows, cols=cols, d=d, n=n, gamma=gamma, m=m,
                const=const):
            qdiag = torch.exp(icf[:, :d])
            sum_qs = torch.sum(icf[:, :d], dim=1)
            ls = torch.zeros(icf.shape[0], d, d)
            ls = ls.index_put((torch.arange(icf.shape[0])[:, None], rows[None], cols[None]),
                              icf[:, d:])
            xc = x[:, None, :] - means[None, :, :]
            qxc = qdiag[None] * xc + torch.einsum("kij,nkj->nki", ls, xc)
            main = alphas + sum_qs - 0.5 * torch.sum(qxc ** 2, dim=2)
            slse = torch.sum(torch.logsumexp(main, dim=1))
            prior = torch.sum(0.5 * gamma ** 2 * (torch.sum(qdiag ** 2, dim=1)
                                                  + torch.sum(icf[:, d:] ** 2, dim=1))
                              - m * sum_qs)
            return const + slse - n * torch.logsumexp(alphas, dim=0) + prior

        bench(f"gmm {name}", gmm, [gi["alphas"], gi["means"], gi["icf"], gi["x"]], 3)

    def ode(p, u0, target):
        def f(u):
            return torch.stack([p[0] * u[0] - p[1] * u[0] * u[1],
                                p[3] * u[0] * u[1] - p[2] * u[1]])

        u = u0
        for _ in range(STEPS):
            k1 = f(u)
            k2 = f(u + 0.5 * H * k1)
            k3 = f(u + 0.5 * H * k2)
            k4 = f(u + H * k3)
            u = u + H / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        return torch.sum((u - target) ** 2)

    saved = args.repeats
    args.repeats = 5
    bench("ode", ode, [np.array(P), np.array(U0), np.array(TARGET)], 1)
    args.repeats = saved


if args.only != "torch":
    try:
        run_jax()
    except ImportError as e:
        print(f"jax not measured: {e}", file=sys.stderr)
if args.only != "jax":
    try:
        run_torch()
    except (ImportError, OSError, ValueError) as e:
        print(f"torch not measured: {e}", file=sys.stderr)

print("| workload | framework | forward (median) | gradient (median) | gradient/forward |")
print("|---|---|---:|---:|---:|")


def fmt(s):
    return f"{s * 1e9:.0f} ns" if s < 1e-6 else f"{s * 1e6:.2f} µs" if s < 1e-3 else f"{s * 1e3:.2f} ms"


for workload, framework, fwd, grad in ROWS:
    print(f"| {workload} | {framework} | {fmt(fwd)} | {fmt(grad)} | {grad / fwd:.2f} |")
