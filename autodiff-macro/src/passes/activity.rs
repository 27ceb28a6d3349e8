//! Step 3: activity analysis. A variable is active when it depends on an active input
//! (it is *varied*) and the output depends on it (it is *useful*); only active values get
//! adjoints and adjoint code. Integers, indices, comparisons, constants and values
//! computed only from `Const` arguments are never varied.
//!
//! Both analyses are flow-insensitive fixpoints over the whole body, so loops need no
//! special treatment.

use crate::front::args::Activity;
use crate::front::signature::{ParamKind, Signature};
use crate::ir::walk::for_each_stmt;
use crate::ir::*;

/// The operands through which a derivative can flow into the value of `rv`.
pub fn differentiable_inputs(rv: &Rvalue) -> Vec<VarId> {
    let vars = |ops: &[Operand]| ops.iter().filter_map(Operand::var).collect::<Vec<_>>();
    match rv {
        Rvalue::Use(op) | Rvalue::Unary(UnOp::Neg, op) => vars(std::slice::from_ref(op)),
        Rvalue::Read(place) | Rvalue::Copy(place, _) => vec![place.base],
        // Not differentiated: an active place here is a spanned error (`expand`), which
        // this edge lets the analysis see.
        Rvalue::Bind(place, ..) => vec![place.base],
        Rvalue::Binary(op, a, b) if op.differentiable() => vars(&[a.clone(), b.clone()]),
        Rvalue::Math(f, args, _) => args
            .iter()
            .enumerate()
            .filter(|(k, _)| f.differentiable_arg(*k))
            .filter_map(|(_, op)| op.var())
            .collect(),
        Rvalue::Cast(op, _, true) => vars(std::slice::from_ref(op)),
        Rvalue::Array(ops) | Rvalue::VecList(ops) => vars(ops),
        Rvalue::Struct(_, fields) => fields.iter().filter_map(|(_, op)| op.var()).collect(),
        Rvalue::Repeat(op, _) | Rvalue::VecRepeat(op, _) => vars(std::slice::from_ref(op)),
        // Calls flow through their pullbacks (see `analyze`); the rest is not differentiable.
        Rvalue::Unary(UnOp::Not, _)
        | Rvalue::Binary(..)
        | Rvalue::Cast(_, _, false)
        | Rvalue::Call(_)
        | Rvalue::Matches(..)
        | Rvalue::ZeroOf(_) => Vec::new(),
    }
}

/// `active[v]` for every variable.
pub fn analyze(body: &Body, sig: &Signature) -> Vec<bool> {
    let n = body.vars.len();
    let mut varied = vec![false; n];
    let mut useful = vec![false; n];
    for (v, info) in body.vars.iter().enumerate() {
        if let Origin::Param(i) = info.origin {
            let p = &sig.params[i];
            varied[v] = p.activity != Activity::Const;
            useful[v] = p.activity == Activity::Duplicated
                && matches!(p.kind, ParamKind::RefMut | ParamKind::SelfMut);
        }
    }
    let seeded = sig
        .ret
        .as_ref()
        .is_some_and(|r| r.activity != Activity::Const);
    if let (Some(Operand::Var(r)), true) = (&body.result, seeded) {
        useful[*r] = true;
    }
    let (varied, useful) = propagate(body, varied, useful);
    varied.iter().zip(&useful).map(|(a, b)| *a && *b).collect()
}

/// Forward mode's activity: `varied[v]` for every variable, what depends on a `Dual`
/// input. Forward mode needs no "useful": a tangent is computed where its value is.
pub fn varied(body: &Body, sig: &Signature) -> Vec<bool> {
    let n = body.vars.len();
    let mut varied = vec![false; n];
    for (v, info) in body.vars.iter().enumerate() {
        if let Origin::Param(i) = info.origin {
            varied[v] = sig.params[i].activity != Activity::Const;
        }
    }
    propagate(body, varied, vec![false; n]).0
}

// from: `varied` = the active inputs, `useful` = the seeded outputs
// into: `varied` = what depends on an active input, `useful` = what an output depends on
fn propagate(body: &Body, mut varied: Vec<bool>, mut useful: Vec<bool>) -> (Vec<bool>, Vec<bool>) {
    let mut edges = Vec::new();
    for_each_stmt(&body.block, &mut |stmt, _| edges.extend(edges_of(stmt)));
    // `let d: usize = model.d;`: a binding the user typed as an integer or `bool` carries
    // no derivative, even when read from a struct that does (types are otherwise unknown).
    let inert: Vec<bool> = body
        .vars
        .iter()
        .map(|info| info.ty.as_ref().is_some_and(crate::prim::non_float_type))
        .collect();
    loop {
        let mut changed = false;
        let mut mark = |flags: &mut Vec<bool>, v: VarId| {
            if !flags[v] && !inert[v] {
                flags[v] = true;
                changed = true;
            }
        };
        for (inputs, outputs) in &edges {
            if inputs.iter().any(|v| varied[*v]) {
                outputs.iter().for_each(|v| mark(&mut varied, *v));
            }
            if outputs.iter().any(|v| useful[*v]) {
                inputs.iter().for_each(|v| mark(&mut useful, *v));
            }
        }
        if !changed {
            break;
        }
    }
    (varied, useful)
}

/// The inputs and outputs a statement connects: a derivative flows from every input to
/// every output.
fn edges_of(stmt: &Stmt) -> Option<(Vec<VarId>, Vec<VarId>)> {
    match stmt {
        // A call flows from every input to every output (its result and the places it
        // writes through `&mut`), as its pullback will.
        Stmt::Let {
            var,
            value: Rvalue::Call(call),
        } if !call.passive => Some((call.inputs(), call_outputs(*var, call))),
        Stmt::Let { var, value } => Some((differentiable_inputs(value), vec![*var])),
        Stmt::Assign {
            var,
            value: Operand::Var(src),
            ..
        } => Some((vec![*src], vec![*var])),
        Stmt::Store {
            place,
            value: Operand::Var(src),
        } => Some((vec![*src], vec![place.base])),
        // Constants carry no derivative; blocks are walked into.
        Stmt::Assign {
            value: Operand::Const(_),
            ..
        }
        | Stmt::Store {
            value: Operand::Const(_),
            ..
        }
        | Stmt::Declare { .. }
        | Stmt::If { .. }
        | Stmt::For { .. }
        | Stmt::Loop { .. }
        | Stmt::Break(_)
        | Stmt::Continue(_)
        | Stmt::Return(_) => None,
    }
}

/// What a call `var = call` may change: its result, the places it writes through `&mut`,
/// and a receiver it grows (`v.push(x)` puts `x` into `v`; then rejected with a hint, not
/// dropped).
pub fn call_outputs(var: VarId, call: &Call) -> Vec<VarId> {
    let grows = match (&call.callee, &call.recv) {
        (Callee::Method(m, _), Some(recv)) => grows_receiver(&m.to_string()).then_some(recv.base),
        (Callee::Method(..), None) | (Callee::Path(_), _) => None,
    };
    std::iter::once(var)
        .chain(call.written())
        .chain(grows)
        .collect()
}

/// The value `var` is defined with, if a `let` defines it.
pub fn find_let(block: &Block, var: VarId) -> Option<&Rvalue> {
    let mut found = None;
    for_each_stmt(block, &mut |stmt, _| {
        if let Stmt::Let { var: v, value } = stmt {
            if *v == var {
                found = Some(value);
            }
        }
    });
    found
}

/// `Vec` methods that store their arguments into the receiver.
pub fn grows_receiver(method: &str) -> bool {
    matches!(method, "push" | "extend_from_slice" | "extend" | "resize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::build::*;

    /// `propagate` from the `varied` and `useful` seeds.
    fn flags(body: &Body, varied: &[VarId], useful: &[VarId]) -> (Vec<bool>, Vec<bool>) {
        let n = body.vars.len();
        let (mut v, mut u) = (vec![false; n], vec![false; n]);
        varied.iter().for_each(|x| v[*x] = true);
        useful.iter().for_each(|x| u[*x] = true);
        propagate(body, v, u)
    }

    #[test]
    fn active_is_varied_and_useful() {
        let mut b = Builder::new();
        let (x, c) = (b.param("x"), b.param("c"));
        let [t, y, unused] = b.vars(["t", "y", "unused"]);
        let body = b.finish(vec![
            let_(t, bin(BinOp::Mul, var(x), var(c))),
            let_(y, math(MathFn::Sin, vec![var(t)])),
            let_(unused, bin(BinOp::Mul, var(x), var(x))),
        ]);
        let (varied, useful) = flags(&body, &[x], &[y]);
        assert!(varied[x] && varied[t] && varied[y] && varied[unused]);
        assert!(!varied[c], "a constant input is not varied");
        assert!(useful[t] && useful[x] && useful[c]);
        assert!(!useful[unused], "nothing reads `unused`");
    }

    #[test]
    fn comparisons_and_integer_casts_stop_variation() {
        let mut b = Builder::new();
        let x = b.param("x");
        let [lt, k, f] = b.vars(["lt", "k", "f"]);
        let body = b.finish(vec![
            let_(lt, bin(BinOp::Other(OtherOp::Lt), var(x), lit("1.0"))),
            let_(k, Rvalue::Cast(var(x), syn::parse_quote!(usize), false)),
            let_(f, Rvalue::Cast(var(x), syn::parse_quote!(f32), true)),
        ]);
        let (varied, _) = flags(&body, &[x], &[]);
        assert!(!varied[lt] && !varied[k]);
        assert!(varied[f], "a cast to a float carries the derivative");
    }

    #[test]
    fn stores_and_assignments_flow_both_ways_in_loops() {
        let mut b = Builder::new();
        let (x, out) = (b.param("x"), b.param("out"));
        let [s, i, xi, t] = b.vars(["s", "i", "xi", "t"]);
        // `let s = 0.0; for i in 0..3 { let xi = x[i]; let t = s + xi; s = t; } out[0] = s;`
        let body = b.finish(vec![
            let_(s, lit("0.0")),
            for_(
                i,
                lit("0"),
                lit("3"),
                vec![
                    let_(xi, read(x, [var(i)])),
                    let_(t, bin(BinOp::Add, var(s), var(xi))),
                    assign(s, var(t)),
                ],
            ),
            store(place(out, [lit("0")]), var(s)),
        ]);
        let (varied, useful) = flags(&body, &[x], &[out]);
        for v in [s, xi, t, out] {
            assert!(varied[v] && useful[v], "{}", body.vars[v].name);
        }
        assert!(!varied[i], "a loop index is never varied");
    }

    #[test]
    fn calls_flow_from_inputs_to_outputs_unless_passive() {
        let mut b = Builder::new();
        let x = b.param("x");
        let [r, n] = b.vars(["r", "n"]);
        let call = |passive: bool, name: &str| {
            Rvalue::Call(Call {
                callee: Callee::Path(syn::parse_str(name).unwrap()),
                recv: None,
                args: vec![CallArg::Value(var(x))],
                passive,
            })
        };
        let body = b.finish(vec![let_(r, call(false, "f")), let_(n, call(true, "g"))]);
        let (varied, useful) = flags(&body, &[x], &[r, n]);
        assert!(varied[r] && useful[x]);
        assert!(!varied[n], "a passive call's result carries no derivative");
    }
}
