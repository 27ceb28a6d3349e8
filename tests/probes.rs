//! Regression tests from differentiating code written the way users write it (physics,
//! ML and scientific kernels the macro had not seen): each function once failed to
//! compile or gave a wrong gradient, and is checked here against central finite
//! differences of the untouched primal.
#![allow(clippy::needless_range_loop)]

use cotangent::autodiff_reverse;

mod common;
use common::{assert_bits, check_all};

/// A whole `Vec` assigned to another (`h = next;`), once and per layer of a loop: the
/// adjoint sweep still reads the moved-from buffer.
#[autodiff_reverse(d_layers, Duplicated, Const, Active)]
fn layers(x: &[f64], depth: usize) -> f64 {
    let mut h = x.to_vec();
    for _ in 0..depth {
        let mut next = vec![0.0; h.len()];
        for i in 0..h.len() {
            let left = if i > 0 { h[i - 1] } else { 0.0 };
            next[i] = (h[i] + 0.5 * left).tanh();
        }
        h = next;
    }
    let mut last = vec![0.0; h.len()];
    for i in 0..h.len() {
        last[i] = h[i] * h[i];
    }
    h = last;
    h.iter().sum()
}

#[test]
fn whole_vec_assignment() {
    for depth in [0, 1, 3] {
        check_all(
            &[&[0.5], &[0.0, 1.0, -2.0], &[0.3, -0.1, 0.7, 1.5]],
            |x| layers(x, depth),
            |x, d| assert_bits(d_layers(x, d, depth, 1.0), layers(x, depth)),
        );
    }
}

/// A by-value parameter updated in place by a helper: its pullback needs neither the
/// final value nor the sums it came from, and must not compute them from witnesses.
#[cotangent::differentiable]
fn bump(x: &[f64], mut a: f64) -> f64 {
    for i in 0..x.len() {
        a += (x[i] * x[i] + 0.5).sqrt();
    }
    a
}

#[autodiff_reverse(d_bumped, Duplicated, Active, Active)]
fn bumped(x: &[f64], a: f64) -> f64 {
    let b = bump(x, a);
    b * b
}

#[test]
fn parameter_updated_in_place_in_a_pullback() {
    check_all(
        &[&[0.5, -1.0, 0.0], &[0.0, 0.0, 2.0]],
        |v| bumped(&v[..2], v[2]),
        |v, d| {
            let (dx, da) = d.split_at_mut(2);
            let (y, ga) = d_bumped(&v[..2], dx, v[2], 1.0);
            assert_bits(y, bumped(&v[..2], v[2]));
            da[0] += ga;
        },
    );
}

/// A value whose derivative is infinite at the input (`sqrt(0)`), used only in a branch
/// the primal did not take: the gradient follows the taken branch, with no `0 * inf`.
#[autodiff_reverse(d_normalize, Duplicated)]
fn normalize(v: &mut [f64]) {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > f64::EPSILON {
        for x in v.iter_mut() {
            *x /= norm;
        }
    }
}

#[autodiff_reverse(d_guarded, Active, Active)]
fn guarded(x: f64) -> f64 {
    let r = x.sqrt();
    let l = x.ln();
    let a = (x - 1.0).asin();
    if x > 0.0 {
        r + l * a
    } else {
        x
    }
}

#[test]
fn untaken_singular_branch_gives_no_nan() {
    let mut v = [0.0, 0.0];
    let mut dv = [1.0, 2.0];
    d_normalize(&mut v, &mut dv);
    assert_eq!(dv, [1.0, 2.0]);
    assert_eq!(d_guarded(0.0, 1.0), (0.0, 1.0));
    assert_eq!(d_guarded(-2.0, 1.0).1, 1.0);
    // and away from the guard, the rules as usual
    check_all(
        &[&[0.3, -0.4], &[1.0, 2.0, 3.0]],
        |x| {
            let mut v = x.to_vec();
            normalize(&mut v);
            v.iter().enumerate().map(|(i, a)| (i + 1) as f64 * a).sum()
        },
        |x, d| {
            let mut v = x.to_vec();
            let mut dv: Vec<f64> = (0..x.len()).map(|i| (i + 1) as f64).collect();
            d_normalize(&mut v, &mut dv);
            for i in 0..x.len() {
                d[i] += dv[i];
            }
        },
    );
    check_all(
        &[&[0.5], &[1.5]],
        |x| guarded(x[0]),
        |x, d| d[0] += d_guarded(x[0], 1.0).1,
    );
}

/// `fold` from an untyped `0.0` whose step calls a method on the accumulator.
#[autodiff_reverse(d_linf, Duplicated, Active)]
fn linf(x: &[f64]) -> f64 {
    x.iter().map(|v| v.abs()).fold(0.0, f64::max)
}

#[autodiff_reverse(d_soft_linf, Duplicated, Active)]
fn soft_linf(x: &[f64]) -> f64 {
    let m: f64 = x.iter().fold(0.0, |a, b| a.max(b * b));
    m + x.iter().fold(1.0, |a, &b| a * b.cos())
}

#[test]
fn fold_from_an_untyped_literal() {
    check_all(&[&[1.0, -3.0, 2.0], &[0.5]], linf, |x, d| {
        assert_bits(d_linf(x, d, 1.0), linf(x))
    });
    check_all(&[&[1.0, -3.0, 2.0], &[0.5, 0.25]], soft_linf, |x, d| {
        assert_bits(d_soft_linf(x, d, 1.0), soft_linf(x))
    });
    let mut d = [0.0; 3];
    d_linf(&[1.0, -3.0, 2.0], &mut d, 1.0);
    assert_eq!(d, [0.0, -1.0, 0.0]);
}

/// The usual MLP forward loop: a `Vec`-returning helper's result assigned back, in a
/// loop and once; and two buffers swapped by moves. Adjoints of `Vec`s that live in a
/// loop body get their length from a recorded shape.
#[cotangent::differentiable]
fn layer(w: &[f64], x: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    for i in 0..x.len() {
        out[i] = (w[i] * x[i] + 0.1).tanh();
    }
    out
}

#[autodiff_reverse(d_deep, Duplicated, Duplicated, Const, Active)]
fn deep(w: &[f64], x: &[f64], depth: usize) -> f64 {
    let mut h = x.to_vec();
    for _ in 0..depth {
        h = layer(w, &h);
    }
    h = layer(w, &h);
    h.iter().map(|v| v * v).sum::<f64>()
}

#[allow(clippy::manual_swap)]
#[autodiff_reverse(d_ping_pong, Duplicated, Const, Active)]
fn ping_pong(u0: &[f64], steps: usize) -> f64 {
    let mut u = u0.to_vec();
    let mut v = vec![0.0; u0.len()];
    for _ in 0..steps {
        for i in 0..u.len() {
            let right = if i + 1 < u.len() { u[i + 1] } else { 0.0 };
            v[i] = u[i] * u[i] * 0.5 + right.sin();
        }
        let tmp = u;
        u = v;
        v = tmp;
    }
    let mut s = 0.0;
    for i in 0..u.len() {
        s += u[i] * (i + 1) as f64 + v[i];
    }
    s
}

#[test]
fn vecs_moved_in_loops() {
    for depth in [0, 1, 3] {
        check_all(
            &[&[0.5, -1.0, 0.2, 0.7], &[0.0, 0.0, 1.0, 2.0]],
            |p| deep(&p[..2], &p[2..], depth),
            |p, d| {
                let (dw, dx) = d.split_at_mut(2);
                let y = d_deep(&p[..2], dw, &p[2..], dx, depth, 1.0);
                assert_bits(y, deep(&p[..2], &p[2..], depth));
            },
        );
    }
    for steps in [0, 1, 2, 5] {
        check_all(
            &[&[0.5, -1.0, 0.2], &[0.0, 1.0]],
            |u| ping_pong(u, steps),
            |u, d| assert_bits(d_ping_pong(u, d, steps, 1.0), ping_pong(u, steps)),
        );
    }
}

/// Double buffering with `std::mem::swap`, element swaps with `slice::swap` and
/// `mem::swap` on elements, and `mem::replace`.
#[autodiff_reverse(d_swaps, Duplicated, Const, Active)]
fn swaps(x: &[f64], steps: usize) -> f64 {
    let mut u = x.to_vec();
    let mut next = vec![0.0; x.len()];
    for _ in 0..steps {
        for i in 0..u.len() {
            let left = if i > 0 { u[i - 1] } else { u[u.len() - 1] };
            next[i] = 0.5 * (u[i] + left) + 0.1 * u[i] * u[i];
        }
        std::mem::swap(&mut u, &mut next);
    }
    let n = u.len();
    u.swap(0, n - 1);
    let (a, b) = u.split_at_mut(1);
    std::mem::swap(&mut a[0], &mut b[0]);
    let old = std::mem::replace(&mut u[0], x[0] * 2.0);
    let mut s = old * u[0];
    for i in 0..n {
        s += u[i].sin() * (i + 1) as f64;
    }
    s
}

#[test]
fn swaps_and_replace() {
    for steps in [0, 1, 4] {
        check_all(
            &[&[0.5, -1.0, 0.2], &[0.0, 1.0, 2.0, 3.0]],
            |x| swaps(x, steps),
            |x, d| assert_bits(d_swaps(x, d, steps, 1.0), swaps(x, steps)),
        );
    }
}

/// A packed parameter vector taken apart with `split_at`, twice, as ML code does.
#[autodiff_reverse(d_packed, Duplicated, Const, Active)]
fn packed(params: &[f64], x: &[f64]) -> f64 {
    let n = x.len();
    let (w, rest) = params.split_at(n * n);
    let (b, v) = rest.split_at(n);
    let mut out = 0.0;
    for i in 0..n {
        let mut z = b[i];
        for j in 0..n {
            z += w[i * n + j] * x[j];
        }
        out += v[i] * z.tanh();
    }
    out
}

#[test]
fn split_at_halves_are_places() {
    let x = [0.5, -1.0];
    check_all(
        &[&[0.1, 0.2, -0.3, 0.4, 0.0, 0.5, 1.0, -1.0]],
        |p| packed(p, &x),
        |p, d| assert_bits(d_packed(p, d, &x, 1.0), packed(p, &x)),
    );
}

/// Buffers grown with `push` (a trajectory recorded in a time loop) and built with
/// `collect`, read back by index.
#[autodiff_reverse(d_trajectory, Active, Active, Const, Active)]
fn trajectory(x0: f64, v0: f64, steps: usize) -> f64 {
    let mut xs = Vec::with_capacity(steps + 1);
    xs.push(x0);
    let (mut x, mut v) = (x0, v0);
    for _ in 0..steps {
        let a = -x.sin();
        v += 0.1 * a;
        x += 0.1 * v;
        xs.push(x);
    }
    let mut cost = 0.0;
    for k in 0..xs.len() {
        cost += (xs[k] - 0.5) * (xs[k] - 0.5) * (k + 1) as f64;
    }
    cost + xs[xs.len() - 1]
}

#[autodiff_reverse(d_collected, Duplicated, Active)]
fn collected(w: &[f64]) -> f64 {
    let squares: Vec<f64> = w.iter().map(|a| a * a).collect();
    let big = w
        .iter()
        .filter(|a| **a > 0.4)
        .map(|a| a.exp())
        .collect::<Vec<f64>>();
    let mut rows = Vec::new();
    for i in 0..w.len() {
        let mut row = Vec::new();
        for j in 0..=i {
            row.push(w[i] * w[j]);
        }
        rows.push(row);
    }
    let mut s = 0.0;
    for i in 0..squares.len() {
        s += squares[i] * rows[i][0] + rows[i][i].sin();
    }
    for b in big.iter() {
        s += b.ln_1p();
    }
    s
}

#[test]
fn push_and_collect() {
    for steps in [0, 1, 10] {
        check_all(
            &[&[0.3, 0.0], &[1.0, -0.5], &[0.0, 0.0]],
            |p| trajectory(p[0], p[1], steps),
            |p, d| {
                let (y, gx, gv) = d_trajectory(p[0], p[1], steps, 1.0);
                assert_bits(y, trajectory(p[0], p[1], steps));
                d[0] += gx;
                d[1] += gv;
            },
        );
    }
    check_all(
        &[&[0.5, -1.0, 2.0], &[-0.5], &[0.0, 0.3]],
        collected,
        |w, d| assert_bits(d_collected(w, d, 1.0), collected(w)),
    );
}

/// Integer and `bool` fields of a struct that carries derivatives: read, cast and tested
/// like the float fields, with an adjoint that stays zero.
#[derive(Clone, Debug, Default)]
struct Particle {
    z: f64,
    id: usize,
    fixed: bool,
}

#[autodiff_reverse(d_particle_energy, Duplicated, Active)]
fn particle_energy(ps: &[Particle]) -> f64 {
    let mut e = 0.0;
    for p in ps.iter() {
        let w = (p.id + 1) as f64;
        if !p.fixed {
            e += p.z * p.z * w;
        }
        e += (p.z * p.id as f64).sin();
    }
    e
}

#[test]
fn integer_fields_of_an_active_struct() {
    let make = |z: &[f64]| -> Vec<Particle> {
        z.iter()
            .enumerate()
            .map(|(i, &z)| Particle {
                z,
                id: i,
                fixed: i == 1,
            })
            .collect()
    };
    check_all(
        &[&[0.5, -1.0, 2.0], &[0.0, 0.0, 0.3]],
        |z| particle_energy(&make(z)),
        |z, d| {
            let ps = make(z);
            let mut dps = vec![Particle::default(); z.len()];
            assert_bits(d_particle_energy(&ps, &mut dps, 1.0), particle_energy(&ps));
            for i in 0..z.len() {
                d[i] += dps[i].z;
                assert_eq!(dps[i].id, 0);
            }
        },
    );
}

/// `panic!` and `unreachable!` in the body: the adjoint keeps them in its forward sweep.
#[autodiff_reverse(d_checked, Duplicated, Const, Active)]
fn checked(x: &[f64], mode: u8) -> f64 {
    if x.is_empty() {
        panic!("checked: empty input");
    }
    let scale = match mode {
        0 => 1.0,
        1 => 2.0,
        _ => unreachable!("mode {mode}"),
    };
    let y = if x[0] > 100.0 {
        panic!("too large")
    } else {
        x[0].sin()
    };
    scale * y * x.iter().sum::<f64>()
}

#[test]
fn panics_are_kept() {
    check_all(
        &[&[0.5, 1.0], &[0.0]],
        |x| checked(x, 1),
        |x, d| assert_bits(d_checked(x, d, 1, 1.0), checked(x, 1)),
    );
    let caught = std::panic::catch_unwind(|| d_checked(&[], &mut [], 0, 1.0));
    assert!(caught.is_err());
    let caught = std::panic::catch_unwind(|| d_checked(&[1.0], &mut [0.0], 5, 1.0));
    assert!(caught.is_err());
}

/// A method called on an integer literal.
#[autodiff_reverse(d_grid_sum, Duplicated, Active)]
fn grid_sum(x: &[f64]) -> f64 {
    let n = 2usize.pow(2).min(x.len());
    let mut s = 0.0;
    for i in 0..n {
        s += x[i] * x[i] * 3i32.pow(i as u32) as f64;
    }
    s
}

#[test]
fn methods_of_literals() {
    check_all(
        &[&[0.5, 1.0, -1.0, 2.0, 3.0], &[0.0, 1.0]],
        grid_sum,
        |x, d| assert_bits(d_grid_sum(x, d, 1.0), grid_sum(x)),
    );
}

/// Array and struct destructuring in `let`.
struct Body {
    pos: [f64; 3],
    vel: Vec<f64>,
    mass: f64,
}

#[autodiff_reverse(d_kinetic, Duplicated, Duplicated, Active)]
fn kinetic(b: &Body, dir: &[f64; 3]) -> f64 {
    let Body { vel, mass: m, .. } = b;
    let [dx, dy, _] = *dir;
    let [px, py, pz] = b.pos;
    let mut e = 0.0;
    for i in 0..vel.len() {
        e += 0.5 * m * vel[i] * vel[i];
    }
    e + dx * px + dy * py * pz
}

#[test]
fn destructuring_arrays_and_structs() {
    let body = |p: &[f64]| Body {
        pos: [p[0], p[1], p[2]],
        vel: p[3..5].to_vec(),
        mass: p[5],
    };
    check_all(
        &[&[0.5, -1.0, 2.0, 0.3, 0.0, 1.5, 1.0, 2.0, 3.0], &[0.0; 9]],
        |p| kinetic(&body(p), &[p[6], p[7], p[8]]),
        |p, d| {
            let b = body(p);
            let mut db = Body {
                pos: [0.0; 3],
                vel: vec![0.0; 2],
                mass: 0.0,
            };
            let mut ddir = [0.0; 3];
            let dir = [p[6], p[7], p[8]];
            assert_bits(
                d_kinetic(&b, &mut db, &dir, &mut ddir, 1.0),
                kinetic(&b, &dir),
            );
            d[..3].copy_from_slice(&db.pos);
            d[3..5].copy_from_slice(&db.vel);
            d[5] = db.mass;
            d[6..].copy_from_slice(&ddir);
        },
    );
}

/// Iterating over slices of tuples and of arrays with patterns, as graph and mesh code
/// does.
#[autodiff_reverse(d_spring_net, Duplicated, Const, Active)]
fn spring_net(pos: &[[f64; 2]], edges: &[(usize, usize, f64)]) -> f64 {
    let mut e = 0.0;
    for &(i, j, rest) in edges {
        let [xi, yi] = pos[i];
        let [xj, yj] = pos[j];
        let d = ((xi - xj).powi(2) + (yi - yj).powi(2)).sqrt();
        e += (d - rest) * (d - rest);
    }
    for (k, [x, y]) in pos.iter().enumerate() {
        e += (k as f64 + 1.0) * x * y;
    }
    for (a, b, _) in edges.iter() {
        e += 0.1 * pos[*a][0] * pos[*b][1];
    }
    e
}

#[test]
fn tuple_and_array_items() {
    let edges = [(0, 1, 1.0), (1, 2, 0.5), (0, 2, 2.0)];
    let as_pos = |p: &[f64]| -> Vec<[f64; 2]> { p.chunks(2).map(|c| [c[0], c[1]]).collect() };
    check_all(
        &[
            &[0.0, 0.0, 1.0, 0.5, -1.0, 2.0],
            &[0.3, 0.1, 0.0, 1.0, 2.0, 2.0],
        ],
        |p| spring_net(&as_pos(p), &edges),
        |p, d| {
            let pos = as_pos(p);
            let mut dpos = vec![[0.0; 2]; 3];
            let y = d_spring_net(&pos, &mut dpos, &edges, 1.0);
            assert_bits(y, spring_net(&pos, &edges));
            for (k, g) in dpos.iter().enumerate() {
                d[2 * k] += g[0];
                d[2 * k + 1] += g[1];
            }
        },
    );
}

/// A helper with six parameters that can carry a derivative (2^6 patterns): the widest
/// pullback plus thin wrappers, called with every argument active and with a few
/// constant ones; and a helper with references among many parameters.
#[cotangent::differentiable]
fn lj_pair(x1: f64, y1: f64, z1: f64, x2: f64, y2: f64, z2: f64) -> f64 {
    let r2 = (x1 - x2).powi(2) + (y1 - y2).powi(2) + (z1 - z2).powi(2);
    let s6 = (1.0 / r2).powi(3);
    4.0 * (s6 * s6 - s6)
}

#[cotangent::differentiable]
fn weighted_dist(a: &[f64], b: &[f64], wa: f64, wb: f64, c: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += (wa * a[i] - wb * b[i]).powi(2) * c[i] + k;
    }
    s
}

#[autodiff_reverse(d_cluster, Duplicated, Const, Active)]
fn cluster(p: &[f64], fixed: &[f64; 3]) -> f64 {
    let mut e = 0.0;
    let n = p.len() / 3;
    for i in 0..n {
        for j in 0..i {
            e += lj_pair(
                p[3 * i],
                p[3 * i + 1],
                p[3 * i + 2],
                p[3 * j],
                p[3 * j + 1],
                p[3 * j + 2],
            );
        }
        e += lj_pair(
            p[3 * i],
            p[3 * i + 1],
            p[3 * i + 2],
            fixed[0],
            fixed[1],
            fixed[2],
        );
    }
    let c = [1.0, 2.0, 3.0];
    e + weighted_dist(&p[..3], fixed, p[3], 0.5, &c, 1.0)
        + weighted_dist(fixed, &p[3..6], 2.0, p[0], &p[..3], p[4])
}

#[test]
fn helpers_with_many_active_parameters() {
    let fixed = [3.0, 3.0, 3.0];
    check_all(
        &[
            &[0.0, 0.0, 0.0, 1.1, 0.2, 0.1],
            &[0.5, -0.3, 0.2, 1.5, 1.0, 0.9, -1.0, 0.4, 1.2],
        ],
        |p| cluster(p, &fixed),
        |p, d| assert_bits(d_cluster(p, d, &fixed, 1.0), cluster(p, &fixed)),
    );
}

/// `first()` / `last()` / `last_mut()` + `unwrap()` as elements.
#[autodiff_reverse(d_ends, Duplicated, Active)]
fn ends(x: &[f64]) -> f64 {
    let mut traj = vec![x[0]];
    for i in 1..x.len() {
        let prev = *traj.last().unwrap();
        traj.push(prev * x[i].cos() + x[i]);
    }
    *traj.last_mut().unwrap() *= 2.0;
    let first = x.first().unwrap();
    traj.last().unwrap() * first + traj.first().unwrap().sin()
}

#[test]
fn first_and_last_elements() {
    check_all(
        &[&[0.5, 1.0, -1.0], &[0.0], &[2.0, 0.0, 0.3, 1.5]],
        ends,
        |x, d| assert_bits(d_ends(x, d, 1.0), ends(x)),
    );
}

/// Closures bound to names, called directly and passed to adaptors by name, capturing
/// variables of the function.
#[autodiff_reverse(d_with_closures, Duplicated, Active, Active)]
fn with_closures(x: &[f64], alpha: f64) -> f64 {
    let relu = |v: f64| v.max(0.0);
    let leaky = |v: f64| if v > 0.0 { v } else { alpha * v };
    let sq = |a, b: f64| {
        let d = a - b;
        d * d
    };
    let mut s = 0.0;
    for i in 1..x.len() {
        s += sq(x[i], x[i - 1]) + relu(x[i] * alpha);
    }
    s + x.iter().map(|v| leaky(*v)).sum::<f64>() + x.iter().copied().map(relu).sum::<f64>()
}

#[test]
fn named_closures_are_inlined() {
    check_all(
        &[&[0.5, -1.0, 2.0, 0.2], &[-0.5, 0.3]],
        |p| with_closures(&p[1..], p[0]),
        |p, d| {
            let (da, dx) = d.split_at_mut(1);
            let (y, ga) = d_with_closures(&p[1..], dx, p[0], 1.0);
            assert_bits(y, with_closures(&p[1..], p[0]));
            da[0] += ga;
        },
    );
}

/// A fold with a pair accumulator (one-pass mean and variance).
#[autodiff_reverse(d_variance, Duplicated, Active)]
fn variance(x: &[f64]) -> f64 {
    let (s, s2) = x.iter().fold((0.0, 0.0), |(s, s2), &v| (s + v, s2 + v * v));
    let n = x.len() as f64;
    s2 / n - (s / n) * (s / n)
}

#[test]
fn pair_fold() {
    check_all(
        &[&[0.5, -1.0, 2.0], &[0.0, 0.0], &[3.0]],
        variance,
        |x, d| assert_bits(d_variance(x, d, 1.0), variance(x)),
    );
}

/// A tuple-valued `if` with an arm that returns; a copied row at a computed index; a
/// `vec!` of copies; `push` in a function generic over the float type.
#[allow(clippy::useless_vec)]
#[autodiff_reverse(d_mixed_rows, Duplicated, Active)]
fn mixed_rows(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let rows = vec![x.to_vec(), x.to_vec()];
    for i in 1..x.len() {
        let (a, b) = if x[i] > 5.0 {
            return s;
        } else {
            (x[i], x[i] * rows[1][i - 1])
        };
        let prev = rows[(i - 1) % 2].clone();
        s += a * b + prev[i].sin();
    }
    s
}

#[autodiff_reverse(d_generic_push, Duplicated, Active)]
fn generic_push<T: cotangent::Real>(x: &[T]) -> T {
    let mut out = Vec::new();
    for i in 0..x.len() {
        out.push(x[i] * x[i]);
    }
    let mut s = T::ZERO;
    for v in out.iter().rev() {
        s = s * x[0] + *v;
    }
    s
}

#[test]
fn rows_tuples_and_generic_push() {
    check_all(
        &[&[0.5, -1.0, 2.0], &[0.0, 1.0], &[1.0, 2.0, 6.0, 1.0]],
        mixed_rows,
        |x, d| assert_bits(d_mixed_rows(x, d, 1.0), mixed_rows(x)),
    );
    check_all(
        &[&[0.5, -1.0, 2.0], &[0.0, 1.0]],
        generic_push::<f64>,
        |x, d| assert_bits(d_generic_push(x, d, 1.0), generic_push(x)),
    );
}

/// A reference parameter or an alias bound to a second name.
#[autodiff_reverse(d_rebound, Duplicated, Duplicated, Active)]
fn rebound(x: &[f64], out: &mut [f64]) -> f64 {
    let y = x;
    let o = out;
    let first = &y[0];
    let again = first;
    for i in 0..y.len() {
        o[i] = y[i] * again;
    }
    o.iter().sum::<f64>() + y[y.len() - 1]
}

#[test]
fn references_bound_again() {
    check_all(
        &[&[0.5, -1.0, 2.0], &[0.0, 1.0]],
        |x| rebound(x, &mut vec![0.0; x.len()]),
        |x, d| {
            let mut out = vec![0.0; x.len()];
            let mut d_out = vec![0.0; x.len()];
            assert_bits(
                d_rebound(x, d, &mut out, &mut d_out, 1.0),
                rebound(x, &mut vec![0.0; x.len()]),
            );
        },
    );
}

/// A `Const` log of steps grown with `push` next to the differentiated computation.
#[autodiff_reverse(d_logged, Duplicated, Const, Active)]
fn logged(x: &[f64], log: &mut Vec<usize>) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] > 0.0 {
            log.push(i);
        }
        s += x[i].sin() * x[i];
    }
    s
}

#[test]
fn push_into_a_const_argument() {
    check_all(
        &[&[0.5, -1.0, 2.0]],
        |x| logged(x, &mut Vec::new()),
        |x, d| {
            let mut log = Vec::new();
            assert_bits(d_logged(x, d, &mut log, 1.0), logged(x, &mut Vec::new()));
            assert_eq!(log, [0, 2]);
        },
    );
}

/// `std::iter::zip` as a free function.
#[autodiff_reverse(d_zipped, Duplicated, Duplicated, Active)]
fn zipped(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in std::iter::zip(a, b) {
        s += x * y.sin();
    }
    s + std::iter::zip(a.iter(), b.iter())
        .map(|(x, y)| x * x * y)
        .sum::<f64>()
}

#[test]
fn free_zip() {
    check_all(
        &[&[0.5, -1.0, 2.0, 0.3], &[0.0, 1.0, 0.0, 2.0]],
        |p| zipped(&p[..2], &p[2..]),
        |p, d| {
            let (da, db) = d.split_at_mut(2);
            assert_bits(
                d_zipped(&p[..2], da, &p[2..], db, 1.0),
                zipped(&p[..2], &p[2..]),
            );
        },
    );
}

/// A helper that reads a slice in a loop, called on a buffer the caller overwrites
/// afterwards (an RNN cell's `matvec(&u, h, ..); h[j] = ..`): the helper's pullback reads
/// the elements again in its reverse sweep, so the caller keeps the buffer as it was.
#[cotangent::differentiable]
fn dot_loop(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[i];
    }
    s
}

#[autodiff_reverse(d_rnn_step, Duplicated, Duplicated, Const, Active)]
fn rnn_step(w: &[f64], h: &mut [f64], steps: usize) -> f64 {
    for _ in 0..steps {
        let g = dot_loop(w, h);
        for j in 0..h.len() {
            h[j] = (g + h[j]).tanh();
        }
    }
    h.iter().sum()
}

#[test]
fn buffer_overwritten_after_a_looping_helper_read_it() {
    for steps in [1, 3] {
        check_all(
            &[&[0.7, -0.3, 2.0, 0.5], &[0.1, 0.2, -1.0, 0.0]],
            |p| rnn_step(&p[..2], &mut p[2..].to_vec(), steps),
            |p, d| {
                let mut h = p[2..].to_vec();
                let (dw, dh) = d.split_at_mut(2);
                dh.fill(0.0);
                let y = d_rnn_step(&p[..2], dw, &mut h, dh, steps, 1.0);
                assert_bits(y, rnn_step(&p[..2], &mut p[2..].to_vec(), steps));
            },
        );
    }
    let w = [0.7];
    let (mut h, mut dh, mut dw) = ([2.0], [0.0], [0.0]);
    d_rnn_step(&w, &mut dw, &mut h, &mut dh, 1, 1.0);
    // f = tanh(w h0 + h0): df/dw = (1 - f^2) h0
    let f = (0.7f64 * 2.0 + 2.0).tanh();
    assert!((dw[0] - (1.0 - f * f) * 2.0).abs() < 1e-12);
}
