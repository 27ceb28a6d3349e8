//! The check every generated program goes through (included by `tests/random_programs_*.rs`
//! and by the scratch crate of `tests/gen/fuzz.py`).
//!
//! A program is `f(x: &[T], y: &[T], a: T, b: T, out: &mut [T]) -> T` with `x`, `out`
//! `Duplicated`, `a` `Active`, `y` / `b` `Duplicated` / `Active` or `Const`. The scalar
//! checked is `L = s * f(..) + sum_k w_k * out_k` (`out` after the call); its gradient with
//! respect to `(x, y, a, b, out before the call)` is what `d_f` gives with the seed `s` and
//! the shadow of `out` set to `w` (contract item 5). Each failure panics with a message that
//! starts with `COTANGENT_FUZZ[KIND]`, which `fuzz.py` sorts by.
#![allow(dead_code, clippy::all)]

use cotangent::Real;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub struct Program {
    pub name: &'static str,
    /// Lengths `(x, y, out)` to run at.
    pub lens: &'static [(usize, usize, usize)],
    pub y_active: bool,
    pub b_active: bool,
}

fn fail(kind: &str, name: &str, detail: String) -> ! {
    panic!("COTANGENT_FUZZ[{kind}] {name}: {detail}")
}

fn message(e: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic>".into()
    }
}

/// Inputs: a deterministic pseudo-random point, or all zeros (`zero`). Values avoid the
/// literals the generator uses as kinks (0.1, 0.2, 0.5, 1, ..).
fn point(len: usize, salt: usize, zero: bool) -> Vec<f64> {
    (0..len)
        .map(|k| {
            if zero {
                0.0
            } else {
                let t = ((k * 7 + salt * 13) % 17) as f64;
                (t * 0.173 - 1.37) * 0.9 + 0.0137 * salt as f64
            }
        })
        .collect()
}

struct Split<T> {
    x: Vec<T>,
    y: Vec<T>,
    a: T,
    b: T,
    out: Vec<T>,
}

fn split<T: Real>(p: &[f64], lens: (usize, usize, usize)) -> Split<T> {
    let (nx, ny, no) = lens;
    let c = |v: &[f64]| v.iter().map(|&e| T::from_f64(e)).collect::<Vec<T>>();
    Split {
        x: c(&p[..nx]),
        y: c(&p[nx..nx + ny]),
        a: T::from_f64(p[nx + ny]),
        b: T::from_f64(p[nx + ny + 1]),
        out: c(&p[nx + ny + 2..nx + ny + 2 + no]),
    }
}

/// A derivative function's primal result and `out` are `f`'s bit for bit (contract item 6):
/// `PRIMAL_MISMATCH` / `OUT_MISMATCH`, prefixed with `kind` (`JF_` for forward mode).
fn same_primal<T: Real + std::fmt::Debug>(
    prog: &Program,
    kind: &str,
    by: &str,
    (r, out): (T, &[T]),
    (v, out2): (T, &[T]),
    at: &str,
) {
    let bits = |u: &T| u.to_f64().to_bits();
    if bits(&v) != bits(&r) {
        let detail = format!("f = {r:?}, {by} = {v:?} at {at}");
        fail(&format!("{kind}PRIMAL_MISMATCH"), prog.name, detail);
    }
    if !out.iter().zip(out2).all(|(u, v)| bits(u) == bits(v)) {
        let detail = format!("f leaves {out:?}, {by} {out2:?} at {at}");
        fail(&format!("{kind}OUT_MISMATCH"), prog.name, detail);
    }
}

/// `d` is the adjoint brought to one shape: `(x, dx, y, dy, a, b, out, d_out, seed) -> (primal, da, db)`.
pub fn check<T: Real + std::fmt::Debug>(
    prog: &Program,
    f: impl Fn(&[T], &[T], T, T, &mut [T]) -> T,
    d: impl Fn(&[T], &mut [T], &[T], &mut [T], T, T, &mut [T], &mut [T], T) -> (T, T, T),
) {
    let single = std::mem::size_of::<T>() == 4;
    for (li, &lens) in prog.lens.iter().enumerate() {
        let (nx, ny, no) = lens;
        let n = nx + ny + 2 + no;
        for (pi, zero) in [false, true, false].into_iter().enumerate() {
            let p = point(n, li * 3 + pi, zero);
            let seed = 0.75;
            let w: Vec<f64> = (0..no).map(|k| 0.5 - 0.3 * k as f64).collect();
            let objective = |q: &[f64]| -> Option<f64> {
                let mut s = split::<T>(q, lens);
                let r = f(&s.x, &s.y, s.a, s.b, &mut s.out);
                let mut l = seed * r.to_f64();
                for (o, wk) in s.out.iter().zip(&w) {
                    l += o.to_f64() * wk;
                }
                l.is_finite().then_some(l)
            };
            let at = format!("lens {lens:?}, point {p:?}");
            // At the all-zeros point many comparisons tie at once, and the branch the primal
            // takes exactly there can differ from the one on both sides (`-x < 0` and
            // `3 * x < 0` are both false at 0, one of them true on each side): `d_f` follows
            // the primal's branch (contract item 8), the differences the sides'. Such a
            // mismatch is sorted apart from the other points' so a triage can tell them apart.
            let gradient = if zero {
                "GRADIENT_AT_ZEROS"
            } else {
                "GRADIENT"
            };
            // The primal alone: never panics, stays finite (otherwise the generator is wrong).
            let mut s = split::<T>(&p, lens);
            let r = match catch_unwind(AssertUnwindSafe(|| f(&s.x, &s.y, s.a, s.b, &mut s.out))) {
                Ok(r) => r,
                Err(e) => fail(
                    "GEN_PRIMAL_PANIC",
                    prog.name,
                    format!("{} at {at}", message(&*e)),
                ),
            };
            if objective(&p).is_none() {
                fail("GEN_NONFINITE", prog.name, format!("f = {r:?} at {at}"));
            }
            // The adjoint.
            let mut s2 = split::<T>(&p, lens);
            let mut dx = vec![T::from_f64(0.0); nx];
            let mut dy = vec![T::from_f64(0.0); ny];
            let mut dout: Vec<T> = w.iter().map(|&e| T::from_f64(e)).collect();
            let res = catch_unwind(AssertUnwindSafe(|| {
                d(
                    &s2.x,
                    &mut dx,
                    &s2.y,
                    &mut dy,
                    s2.a,
                    s2.b,
                    &mut s2.out,
                    &mut dout,
                    T::from_f64(seed),
                )
            }));
            let (v, da, db) = match res {
                Ok(v) => v,
                Err(e) => fail("DF_PANIC", prog.name, format!("{} at {at}", message(&*e))),
            };
            same_primal(prog, "", "d_f", (r, &s.out), (v, &s2.out), &at);
            // Analytic gradient, in the order of `p`; `None` for Const inputs.
            let mut g: Vec<Option<f64>> = Vec::with_capacity(n);
            g.extend(dx.iter().map(|e| Some(e.to_f64())));
            g.extend(dy.iter().map(|e| prog.y_active.then_some(e.to_f64())));
            g.push(Some(da.to_f64()));
            g.push(prog.b_active.then_some(db.to_f64()));
            g.extend(dout.iter().map(|e| Some(e.to_f64())));
            // Central differences at several steps, then one-sided ones; a component passes
            // if one of them agrees: a kink or a branch flip near the point spoils some steps,
            // and at a tie exactly at the point (zero inputs) the primal's branch is the one
            // on one side (contract item 8).
            let (steps, atol, rtol): (&[f64], f64, f64) = if single {
                (&[1e-2, 3e-3, 1e-3], 2e-2, 2e-2)
            } else {
                (&[1e-6, 1e-7, 1e-5, 1e-4], 1e-5, 1e-4)
            };
            let l0 = objective(&p).unwrap();
            let (h_min, h_max) = steps
                .iter()
                .fold((f64::MAX, 0.0f64), |(lo, hi), &h| (lo.min(h), hi.max(h)));
            let noise = if single { 1e-5 } else { 1e-12 } * (1.0 + l0.abs());
            for (k, gk) in g.iter().enumerate() {
                let Some(gk) = *gk else { continue };
                if !gk.is_finite() {
                    fail(gradient, prog.name, format!("d/dp[{k}] = {gk} at {at}"));
                }
                // Whether the primal jumps at the point on the side `sign`: the change at the
                // smallest step does not shrink with the step.
                let jumps = |sign: f64| {
                    let change = |h: f64| {
                        let mut q = p.clone();
                        q[k] = T::from_f64(p[k] + sign * h * p[k].abs().max(1.0)).to_f64();
                        objective(&q).map(|l| (l - l0).abs())
                    };
                    match (change(h_min), change(h_max)) {
                        (Some(small), Some(large)) => small > 0.5 * large && small > noise,
                        _ => false,
                    }
                };
                let mut seen = Vec::new();
                let mut ok = false;
                // whether the one-sided differences agree at some step
                let mut smooth = false;
                'steps: for &h in steps {
                    let h = h * p[k].abs().max(1.0);
                    let (mut qp, mut qm) = (p.clone(), p.clone());
                    qp[k] = T::from_f64(p[k] + h).to_f64();
                    qm[k] = T::from_f64(p[k] - h).to_f64();
                    let (lp, lm) = (objective(&qp), objective(&qm));
                    let mut fds = Vec::new();
                    if let (Some(lp), Some(lm)) = (lp, lm) {
                        fds.push((lp - lm) / (qp[k] - qm[k]));
                    }
                    if let Some(lp) = lp {
                        fds.push((lp - l0) / (qp[k] - p[k]));
                    }
                    if let Some(lm) = lm {
                        fds.push((l0 - lm) / (p[k] - qm[k]));
                    }
                    if let (Some(lp), Some(lm)) = (lp, lm) {
                        let (right, left) =
                            ((lp - l0) / (qp[k] - p[k]), (l0 - lm) / (p[k] - qm[k]));
                        smooth |= (right - left).abs() <= atol + rtol * right.abs().max(left.abs());
                    }
                    for fd in fds {
                        seen.push(fd);
                        if (fd - gk).abs() <= atol + rtol * gk.abs().max(fd.abs()) {
                            ok = true;
                            break 'steps;
                        }
                    }
                }
                // Where the primal is not differentiable at the point (a side jumps, or the
                // one-sided differences disagree at every step) the component cannot be
                // checked: `d_f` follows the primal's branches there (contract item 8), and
                // with two ties at the point (the zero point, where `y[0] < x.iter().map(|v|
                // v * v).sum()` and a helper's `r < z * z * 0.5 - z` both tie) their
                // combination is neither side's. The other points check it.
                let kink = || !smooth || jumps(1.0) || jumps(-1.0);
                if !ok && !kink() {
                    fail(
                        gradient,
                        prog.name,
                        format!("d/dp[{k}]: d_f gives {gk:e}, differences give {seen:?} at {at}"),
                    );
                }
            }
        }
    }
}

/// `j` is the forward-mode derivative brought to one shape: `(x, tx, y, ty, a, ta, b, tb,
/// out, tout) -> (primal, tangent)`, the tangents of `Const` inputs ignored.
pub type Tangent<'a, T> =
    dyn Fn(&[T], &[T], &[T], &[T], T, T, T, T, &mut [T], &mut [T]) -> (T, T) + 'a;

/// Forward mode against reverse mode on the same program: along a direction `v` over
/// `(x, y, a, b, out before the call)`, `s * tangent + w . (tangent of out after the call)`
/// is the directional derivative of `L`, which is `v . grad L` from `d_f` (both modes take
/// the primal's branches, so they agree at kinks and ties too, up to rounding). `j_f`'s
/// primal and `out` are bit-identical to `f`'s.
pub fn check_tangent<T: Real + std::fmt::Debug>(
    prog: &Program,
    f: impl Fn(&[T], &[T], T, T, &mut [T]) -> T,
    d: impl Fn(&[T], &mut [T], &[T], &mut [T], T, T, &mut [T], &mut [T], T) -> (T, T, T),
    j: &Tangent<'_, T>,
) {
    let single = std::mem::size_of::<T>() == 4;
    let c = |v: &[f64]| v.iter().map(|&e| T::from_f64(e)).collect::<Vec<T>>();
    for (li, &lens) in prog.lens.iter().enumerate() {
        let (nx, ny, no) = lens;
        let n = nx + ny + 2 + no;
        for (pi, zero) in [false, true, false].into_iter().enumerate() {
            let p = point(n, li * 3 + pi, zero);
            let at = format!("lens {lens:?}, point {p:?}");
            let seed = 0.75;
            let w: Vec<f64> = (0..no).map(|k| 0.5 - 0.3 * k as f64).collect();
            // the primal (a panic or non-finite value is `check`'s to report)
            let mut s = split::<T>(&p, lens);
            let Ok(r) = catch_unwind(AssertUnwindSafe(|| f(&s.x, &s.y, s.a, s.b, &mut s.out)))
            else {
                continue;
            };
            // the gradient
            let mut s2 = split::<T>(&p, lens);
            let mut dx = vec![T::from_f64(0.0); nx];
            let mut dy = vec![T::from_f64(0.0); ny];
            let mut dout: Vec<T> = c(&w);
            let Ok((_, da, db)) = catch_unwind(AssertUnwindSafe(|| {
                let (x, y, a, b) = (&s2.x, &s2.y, s2.a, s2.b);
                d(
                    x,
                    &mut dx,
                    y,
                    &mut dy,
                    a,
                    b,
                    &mut s2.out,
                    &mut dout,
                    T::from_f64(seed),
                )
            })) else {
                continue;
            };
            let mut g: Vec<f64> = dx.iter().map(|e| e.to_f64()).collect();
            g.extend(
                dy.iter()
                    .map(|e| if prog.y_active { e.to_f64() } else { 0.0 }),
            );
            g.push(da.to_f64());
            g.push(if prog.b_active { db.to_f64() } else { 0.0 });
            g.extend(dout.iter().map(|e| e.to_f64()));
            if g.iter().any(|e| !e.is_finite()) {
                continue;
            }
            // the tangent along `v`
            let v: Vec<f64> = (0..n)
                .map(|k| ((k * 5 + li + pi) % 7) as f64 * 0.25 - 0.75)
                .collect();
            let tv = split::<T>(&v, lens);
            let mut s3 = split::<T>(&p, lens);
            let mut tout = tv.out.clone();
            let res = catch_unwind(AssertUnwindSafe(|| {
                let (x, y, a, b) = (&s3.x, &s3.y, s3.a, s3.b);
                j(x, &tv.x, y, &tv.y, a, tv.a, b, tv.b, &mut s3.out, &mut tout)
            }));
            let (pj, tj) = match res {
                Ok(v) => v,
                Err(e) => fail("JF_PANIC", prog.name, format!("{} at {at}", message(&*e))),
            };
            same_primal(prog, "JF_", "j_f", (r, &s.out), (pj, &s3.out), &at);
            let mut jvp = seed * tj.to_f64();
            for (t, wk) in tout.iter().zip(&w) {
                jvp += t.to_f64() * wk;
            }
            let terms: Vec<f64> = v.iter().zip(&g).map(|(vk, gk)| vk * gk).collect();
            let vjp: f64 = terms.iter().sum();
            let scale: f64 = terms.iter().map(|t| t.abs()).sum::<f64>() + seed * tj.to_f64().abs();
            let (atol, rtol) = if single { (1e-4, 1e-3) } else { (1e-10, 1e-8) };
            if !jvp.is_finite() || (jvp - vjp).abs() > atol + rtol * scale {
                fail(
                    "JVP_VJP",
                    prog.name,
                    format!("along {v:?}: j_f gives {jvp:e}, d_f gives {vjp:e} at {at}"),
                );
            }
        }
    }
}
