//! Unit tests of the plan: what the reverse sweep reads, and how each value gets there.

use super::*;
use crate::ir::build::*;

/// The plan with every variable active but those listed, and `readonly` parameters.
fn plan_of(body: &Body, inactive: &[VarId], readonly: &[VarId]) -> Plan {
    let n = body.vars.len();
    let active = (0..n).map(|v| !inactive.contains(&v)).collect();
    let ro: Vec<bool> = (0..n).map(|v| readonly.contains(&v)).collect();
    plan(body, active, &ro)
}

#[test]
fn a_loop_free_function_records_nothing() {
    let mut b = Builder::new();
    let (x, y) = (b.param("x"), b.param("y"));
    let [t, z] = b.vars(["t", "z"]);
    // `let t = x * y; let z = t.sin();`
    let body = b.finish(vec![
        let_(t, bin(BinOp::Mul, var(x), var(y))),
        let_(z, math(MathFn::Sin, vec![var(t)])),
    ]);
    let p = plan_of(&body, &[], &[]);
    for v in [x, y, t] {
        assert_eq!(p.vars[v].reach, Reach::InScope, "{}", body.vars[v].name);
    }
    assert_eq!(
        p.vars[z].reach,
        Reach::NotNeeded,
        "`sin` needs its argument only"
    );
    assert!(p.vars.iter().all(|v| v.tape.is_none()));
}

/// `let s = 0.0; for i in 0..n { let a = x[i]; let t = a.sin(); let u = t * t;
///  let w = s + u; s = w; }`
fn sum_of_squared_sines(readonly: bool) -> (Body, Plan, [VarId; 7]) {
    let mut b = Builder::new();
    let (x, n) = (b.param("x"), b.param("n"));
    let [s, i, a, t, u, w] = b.vars(["s", "i", "a", "t", "u", "w"]);
    b.mutable(s);
    let body = b.finish(vec![
        let_(s, lit("0.0")),
        for_(
            i,
            lit("0"),
            var(n),
            vec![
                let_(a, read(x, [var(i)])),
                let_(t, math(MathFn::Sin, vec![var(a)])),
                let_(u, bin(BinOp::Mul, var(t), var(t))),
                let_(w, bin(BinOp::Add, var(s), var(u))),
                assign(s, var(w)),
            ],
        ),
    ]);
    let ro: &[VarId] = if readonly { &[x] } else { &[] };
    let plan = plan_of(&body, &[n, i], ro);
    (body, plan, [x, s, i, a, t, u, w])
}

#[test]
fn elements_of_read_only_arguments_are_recomputed_and_products_recorded() {
    let (_, p, [_, s, i, a, t, u, w]) = sum_of_squared_sines(true);
    assert_eq!(p.vars[a].reach, Reach::Recomputed, "`x[i]` is read again");
    assert_eq!(p.vars[a].tape, None);
    assert_eq!(p.vars[t].reach, Reach::RecordedAtEnd, "`t * t` reads `t`");
    assert_eq!(p.vars[t].tape, Some(TapeKind::Tape), "pushed once per trip");
    assert_eq!(
        p.vars[i].reach,
        Reach::InScope,
        "the reversed loop rebinds `i`"
    );
    // Sums are linear: no value of `s` is read back, so none is restored.
    assert_eq!(p.vars[s].reach, Reach::NotNeeded);
    assert!(!p.vars[s].restored && p.vars[s].tape.is_none());
    // Active, nested and never read: their adjoints' zeros come from type witnesses.
    assert_eq!(p.vars[u].zero, ZeroFrom::Witness);
    assert_eq!(p.vars[w].zero, ZeroFrom::Witness);
    assert_eq!(p.vars[t].zero, ZeroFrom::Value);
}

#[test]
fn elements_of_mutable_arguments_are_recorded() {
    let (_, p, [_, _, _, a, ..]) = sum_of_squared_sines(false);
    assert_eq!(p.vars[a].reach, Reach::RecordedAtEnd);
    assert_eq!(p.vars[a].tape, Some(TapeKind::Tape));
}

#[test]
fn an_overwritten_factor_is_restored_from_a_tape() {
    let mut b = Builder::new();
    let (x, n) = (b.param("x"), b.param("n"));
    let [p_, i, xi, q] = b.vars(["p", "i", "xi", "q"]);
    b.mutable(p_);
    // `let p = 1.0; for i in 0..n { let xi = x[i]; let q = p * xi; p = q; }`
    let body = b.finish(vec![
        let_(p_, lit("1.0")),
        for_(
            i,
            lit("0"),
            var(n),
            vec![
                let_(xi, read(x, [var(i)])),
                let_(q, bin(BinOp::Mul, var(p_), var(xi))),
                assign(p_, var(q)),
            ],
        ),
    ]);
    let plan = plan_of(&body, &[n, i], &[x]);
    let p = &plan.vars[p_];
    assert_eq!(p.reach, Reach::InScope);
    assert!(p.restored, "`p * xi` reads `p` as it was before `p = q`");
    assert_eq!(p.tape, Some(TapeKind::Tape), "overwritten once per trip");
    assert!(plan.records_overwrite(p_, &var(q), true));
    assert_eq!(plan.vars[xi].reach, Reach::Recomputed);
}

#[test]
fn a_counter_increment_is_undone_not_recorded() {
    let mut b = Builder::new();
    let (x, n) = (b.param("x"), b.param("n"));
    let [k, i, a, t, k1] = b.vars(["k", "i", "a", "t", "k1"]);
    b.mutable(k);
    // `let k = 0; for i in 0..n { let a = x[k]; let t = a.sin(); let k1 = k + 1; k = k1; }`
    let body = b.finish(vec![
        let_(k, lit("0")),
        for_(
            i,
            lit("0"),
            var(n),
            vec![
                let_(a, read(x, [var(k)])),
                let_(t, math(MathFn::Sin, vec![var(a)])),
                let_(k1, bin(BinOp::Add, var(k), lit("1"))),
                assign(k, var(k1)),
            ],
        ),
    ]);
    let plan = plan_of(&body, &[n, i, k, k1], &[x]);
    let (op, one) = plan.vars[k1].inverse.clone().expect("`k + 1` is undone");
    assert_eq!(op, BinOp::Sub);
    assert!(matches!(one, Operand::Const(c) if c.to_string() == "1"));
    assert!(plan.vars[k].restored, "the recomputed `x[k]` reads `k`");
    assert!(!plan.records_overwrite(k, &var(k1), true));
    assert_eq!(
        plan.vars[k].tape, None,
        "undone by `k - 1`: nothing recorded"
    );
    assert_eq!(plan.vars[a].reach, Reach::Recomputed);
    assert_eq!(
        plan.vars[a].counter_offsets.len(),
        1,
        "read before `k += 1`"
    );
}

#[test]
fn a_value_recorded_once_outside_loops_gets_a_slot() {
    let mut b = Builder::new();
    let (x, c) = (b.param("x"), b.param("c"));
    let [t, y] = b.vars(["t", "y"]);
    // `if c { let t = x.sin(); let y = t * t; }`
    let body = b.finish(vec![if_(
        var(c),
        vec![
            let_(t, math(MathFn::Sin, vec![var(x)])),
            let_(y, bin(BinOp::Mul, var(t), var(t))),
        ],
        vec![],
    )]);
    let plan = plan_of(&body, &[c], &[]);
    assert_eq!(plan.vars[t].reach, Reach::RecordedAtEnd);
    assert_eq!(plan.vars[t].tape, Some(TapeKind::Slot));
    assert_eq!(
        plan.vars[c].reach,
        Reach::InScope,
        "the reversed branch tests `c`"
    );
}

/// `bump(&mut k)` (`mutable`) or `k.add_assign(1)` (a receiver) as one call statement.
fn call_writing(k: VarId, snap: VarId, receiver: bool) -> Rvalue {
    let mut call = Call {
        callee: Callee::Path(syn::parse_quote!(bump)),
        recv: None,
        args: vec![CallArg::Ref {
            place: place(k, []),
            mutable: true,
            snap,
        }],
        passive: false,
    };
    if receiver {
        call.callee = Callee::Method(syn::parse_quote!(add_assign), None);
        call.recv = Some(place(k, []));
        call.args = vec![CallArg::Value(lit("1"))];
    }
    Rvalue::Call(call)
}

#[test]
fn a_call_that_changes_a_read_index_restores_it() {
    for receiver in [false, true] {
        let mut b = Builder::new();
        let x = b.param("x");
        let [k, a, r, c, t, s] = b.vars(["k", "a", "r", "c", "t", "s"]);
        b.mutable(k);
        // `let k = 0; let a = x[k]; bump(&mut k); let c = x[k]; let t = a * c;`
        let body = b.finish(vec![
            let_(k, lit("0")),
            let_(a, read(x, [var(k)])),
            let_(r, call_writing(k, s, receiver)),
            let_(c, read(x, [var(k)])),
            let_(t, bin(BinOp::Mul, var(a), var(c))),
        ]);
        let plan = plan_of(&body, &[k, r, s], &[x]);
        assert!(
            plan.vars[k].restored,
            "`x[k]`'s adjoint reads `k` before the call"
        );
        assert_eq!(plan.vars[k].tape, Some(TapeKind::Slot));
        let Stmt::Let {
            value: Rvalue::Call(call),
            ..
        } = &body.block.stmts[2]
        else {
            unreachable!()
        };
        assert_eq!(plan.call_restores(call), vec![k]);
        assert!(plan.stmt_has_reverse(&body.block.stmts[2]));
    }
}
