//! Step 2, expressions: every sub-expression becomes a `Let` of a fresh temporary, in
//! Rust's evaluation order (left to right). In: a `syn::Expr` of the body (literals,
//! paths, operators, casts, arrays, and the dispatch to every other construct). Out: the
//! operand that holds its value, after the statements that compute it. Places are in
//! `place`, calls in `call`.

use quote::quote;
use syn::spanned::Spanned;
use syn::{BinOp as SynBinOp, Expr, UnOp as SynUnOp};

use crate::ir::*;
use crate::lower::place::end_element;
use crate::lower::{unit, Binding, Lowerer};
use crate::prim::non_float_type;

impl Lowerer<'_> {
    // from: any expression of the body, `a * x[i] + b.sin()`
    // into: `let t1 = x[i]; let t2 = a * t1; let t3 = b.sin(); let t4 = t2 + t3;`, and `t4`
    pub fn expr(&mut self, e: &Expr) -> Operand {
        match e {
            Expr::Lit(l) => match &l.lit {
                syn::Lit::Float(_) | syn::Lit::Int(_) | syn::Lit::Bool(_) => self.constant(l),
                other => self.error(
                    other.span(),
                    "only numeric and boolean literals are supported in a differentiated function",
                ),
            },
            Expr::Path(p) => self.path_value(p),
            Expr::Unary(u) => self.unary(u),
            Expr::Binary(b) => self.binary(b),
            Expr::Assign(a) if matches!(&*a.left, Expr::Tuple(_)) => {
                self.tuple_assign(a);
                unit()
            }
            Expr::Assign(a) => {
                let value = self.expr(&a.right);
                self.assign(&a.left, value);
                unit()
            }
            Expr::MethodCall(m) if end_element(m).is_some() => match self.place(e) {
                Some(place) => self.bind("x", e.span(), Rvalue::Read(place)),
                None => unit(),
            },
            Expr::Index(_) | Expr::Field(_) => match self.place(e) {
                Some(place) => self.bind("x", e.span(), Rvalue::Read(place)),
                None => unit(),
            },
            Expr::MethodCall(m) => self.method_call(m),
            Expr::Call(c) => self.call(c),
            Expr::Cast(c) => {
                let value = self.expr(&c.expr);
                let to_float = !non_float_type(&c.ty);
                self.bind(
                    "cast",
                    c.span(),
                    Rvalue::Cast(value, (*c.ty).clone(), to_float),
                )
            }
            Expr::Block(b) if b.label.is_none() => self.block_value(&b.block),
            Expr::If(i) => self.if_expr(i),
            Expr::Match(m) => self.match_expr(m),
            Expr::ForLoop(f) => self.for_loop(f),
            Expr::While(w) => self.while_loop(w),
            Expr::Loop(l) => self.loop_expr(l),
            Expr::Break(b) => self.break_expr(b),
            Expr::Continue(c) => self.continue_expr(c),
            Expr::Return(r) => self.return_expr(r),
            Expr::Array(a) => {
                let ops = a.elems.iter().map(|e| self.expr(e)).collect();
                self.bind("array", a.span(), Rvalue::Array(ops))
            }
            Expr::Repeat(r) => {
                let value = self.expr(&r.expr);
                let len = &r.len;
                self.bind("array", r.span(), Rvalue::Repeat(value, quote!(#len)))
            }
            Expr::Macro(m) => self.macro_value(&m.mac),
            Expr::Struct(s) => self.struct_literal(s),
            Expr::Tuple(t) if t.elems.is_empty() => unit(),
            other => {
                let what = unsupported_expression(other);
                self.error(other.span(), what)
            }
        }
    }

    // from: `x` (a variable) / `r` (an alias of `a[i]`) / `PI` (a constant)
    // into: the variable `x` / `let t = a[i];` / the tokens `PI`, emitted as written
    pub(crate) fn path_value(&mut self, p: &syn::ExprPath) -> Operand {
        if p.qself.is_none() {
            if let Some(ident) = p.path.get_ident() {
                match self.lookup(&ident.to_string()) {
                    Some(Binding::Var(var)) => return Operand::Var(var),
                    Some(Binding::Alias(place, _)) => {
                        return self.bind("x", p.span(), Rvalue::Read(place))
                    }
                    Some(Binding::Closure(..)) => {
                        return self.error(p.span(), "a closure bound to a name can be called (`f(x)`) or passed to an iterator adaptor (`.map(f)`), not used as a value");
                    }
                    None => {}
                }
            }
        }
        // A constant or item of the user's (`PI`, `N`, `f64::EPSILON`): emitted as written.
        self.constant(p)
    }

    // from: `-x` / `!b` / `*r`
    // into: `Unary(Neg, x)` / `Unary(Not, b)` / `Read(place of r)`
    fn unary(&mut self, u: &syn::ExprUnary) -> Operand {
        match u.op {
            SynUnOp::Neg(_) => {
                let value = self.expr(&u.expr);
                self.bind("neg", u.span(), Rvalue::Unary(UnOp::Neg, value))
            }
            SynUnOp::Not(_) => {
                let value = self.expr(&u.expr);
                self.bind("not", u.span(), Rvalue::Unary(UnOp::Not, value))
            }
            // `*x.iter().max_by(..).unwrap()`: the reduction's value already is the element.
            SynUnOp::Deref(_) if matches!(&*u.expr, Expr::MethodCall(m) if self.is_reduction(m)) => {
                self.expr(&u.expr)
            }
            SynUnOp::Deref(_) => match self.place(&Expr::Unary(u.clone())) {
                Some(place) => self.bind("x", u.span(), Rvalue::Read(place)),
                None => unit(),
            },
            _ => self.error(u.span(), "this unary operator is not supported"),
        }
    }

    // from: `a * b` / `i < n` / `x += e` / `a && b`
    // into: `Binary(Mul, a, b)` / `Binary(Other("<"), i, n)` / see `compound_assign` /
    //       see `short_circuit`
    fn binary(&mut self, b: &syn::ExprBinary) -> Operand {
        let arith = |op: &SynBinOp| -> Option<BinOp> {
            Some(match op {
                SynBinOp::Add(_) | SynBinOp::AddAssign(_) => BinOp::Add,
                SynBinOp::Sub(_) | SynBinOp::SubAssign(_) => BinOp::Sub,
                SynBinOp::Mul(_) | SynBinOp::MulAssign(_) => BinOp::Mul,
                SynBinOp::Div(_) | SynBinOp::DivAssign(_) => BinOp::Div,
                SynBinOp::Rem(_) | SynBinOp::RemAssign(_) => BinOp::Rem,
                SynBinOp::Eq(_) => BinOp::Other(OtherOp::Eq),
                SynBinOp::Ne(_) => BinOp::Other(OtherOp::Ne),
                SynBinOp::Lt(_) => BinOp::Other(OtherOp::Lt),
                SynBinOp::Le(_) => BinOp::Other(OtherOp::Le),
                SynBinOp::Gt(_) => BinOp::Other(OtherOp::Gt),
                SynBinOp::Ge(_) => BinOp::Other(OtherOp::Ge),
                SynBinOp::BitAnd(_) | SynBinOp::BitAndAssign(_) => BinOp::Other(OtherOp::BitAnd),
                SynBinOp::BitOr(_) | SynBinOp::BitOrAssign(_) => BinOp::Other(OtherOp::BitOr),
                SynBinOp::BitXor(_) | SynBinOp::BitXorAssign(_) => BinOp::Other(OtherOp::BitXor),
                SynBinOp::Shl(_) | SynBinOp::ShlAssign(_) => BinOp::Other(OtherOp::Shl),
                SynBinOp::Shr(_) | SynBinOp::ShrAssign(_) => BinOp::Other(OtherOp::Shr),
                _ => return None,
            })
        };
        let compound = matches!(
            b.op,
            SynBinOp::AddAssign(_)
                | SynBinOp::SubAssign(_)
                | SynBinOp::MulAssign(_)
                | SynBinOp::DivAssign(_)
                | SynBinOp::RemAssign(_)
                | SynBinOp::BitAndAssign(_)
                | SynBinOp::BitOrAssign(_)
                | SynBinOp::BitXorAssign(_)
                | SynBinOp::ShlAssign(_)
                | SynBinOp::ShrAssign(_)
        );
        match (&b.op, arith(&b.op)) {
            (SynBinOp::And(_), _) => self.short_circuit(b, true),
            (SynBinOp::Or(_), _) => self.short_circuit(b, false),
            (_, Some(op)) if compound => {
                self.compound_assign(b, op);
                unit()
            }
            (_, Some(op)) => {
                let left = self.expr(&b.left);
                let right = self.expr(&b.right);
                self.bind("t", b.span(), Rvalue::Binary(op, left, right))
            }
            _ => self.error(b.op.span(), "this operator is not supported"),
        }
    }
}

fn unsupported_expression(e: &Expr) -> &'static str {
    match e {
        Expr::Closure(_) => "closures are not supported in a differentiated function: write the computation inline or as a loop",
        Expr::Unsafe(_) => "`unsafe` blocks are not supported: cotangent generates safe code only; move the unsafe part into a `Const` computation outside",
        Expr::Reference(_) => "references (`&x`) are not supported in a differentiated function yet: index the value directly",
        Expr::Tuple(_) => "a tuple value is supported only where it is destructured (`let (a, b) = (x, y);`, `(a, b) = (b, a + b);`): use separate variables or an array",
        Expr::Range(_) => "a range is supported only as the iterator of a `for` loop",
        Expr::Try(_) => "`?` is not supported in a differentiated function",
        Expr::Let(_) => "`let` expressions are not supported: use a plain `if` condition",
        Expr::Async(_) | Expr::Await(_) => "`async` code cannot be differentiated",
        Expr::Block(_) => "labelled blocks are not supported: use a flag",
        _ => "this expression is not supported in a differentiated function",
    }
}
