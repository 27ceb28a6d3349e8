//! Step 2, expressions: every sub-expression becomes a `Let` of a fresh temporary, in
//! Rust's evaluation order (left to right).

use quote::quote;
use syn::spanned::Spanned;
use syn::{BinOp as SynBinOp, Expr, UnOp as SynUnOp};

use crate::ir::*;
use crate::lower::{unit, Binding, Lowerer};
use crate::prim::{non_float_type, passive_method, MathFn};

impl Lowerer<'_> {
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
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
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
            Expr::Tuple(t) if t.elems.is_empty() => unit(),
            other => {
                let what = unsupported_expression(other);
                self.error(other.span(), what)
            }
        }
    }

    fn path_value(&mut self, p: &syn::ExprPath) -> Operand {
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

    // from: `x += e` / `a[i] += e`
    // into: `let t = x + e; x = t;` / `let old = a[i]; let t = old + e; a[i] = t;`
    fn compound_assign(&mut self, b: &syn::ExprBinary, op: BinOp) {
        let right = self.expr(&b.right);
        let Some(place) = self.place(&b.left) else {
            return;
        };
        let old = if place.projs.is_empty() {
            Operand::Var(place.base)
        } else {
            self.bind("x", b.left.span(), Rvalue::Read(place.clone()))
        };
        let new = self.bind("t", b.span(), Rvalue::Binary(op, old, right));
        self.write(place, new);
    }

    // from: `x = e` / `a[i][j] = e` / `*out = e`
    // into: `Assign { x, e }` / `Store { a[i][j], e }`
    pub fn assign(&mut self, left: &Expr, value: Operand) {
        if let Expr::Infer(_) = left {
            return;
        }
        if let Some(place) = self.place(left) {
            self.write(place, value);
        }
    }

    pub(crate) fn write(&mut self, place: Place, value: Operand) {
        if place.projs.is_empty() {
            self.body.vars[place.base].mutable = true;
            self.push(Stmt::Assign {
                var: place.base,
                value,
                overwrites: true,
            });
        } else {
            self.body.vars[place.base].mutable = true;
            self.push(Stmt::Store { place, value });
        }
    }

    /// A place expression: a variable, then indices, fields and a leading deref.
    pub fn place(&mut self, e: &Expr) -> Option<Place> {
        match e {
            Expr::Paren(p) => self.place(&p.expr),
            Expr::Group(g) => self.place(&g.expr),
            Expr::Path(p) if self.alias_of(p).is_some() => self.alias_of(p),
            Expr::Path(p) => match self.path_value(p) {
                Operand::Var(base) => Some(Place {
                    base,
                    projs: Vec::new(),
                }),
                constant => {
                    // An indexed constant (`TABLE[i]`): index a copy of it.
                    let span = p.span();
                    match self.bind("c", span, Rvalue::Use(constant)) {
                        Operand::Var(base) => Some(Place {
                            base,
                            projs: Vec::new(),
                        }),
                        Operand::Const(_) => None,
                    }
                }
            },
            Expr::Index(i) => {
                let mut place = self.place(&i.expr)?;
                if let Expr::Range(r) = &*i.index {
                    // from: `x[a..b]`  into: the place `x[a..b]`, whose adjoint is `d_x[a..b]`
                    let start = r.start.as_ref().map(|e| self.expr(e));
                    let end = r.end.as_ref().map(|e| self.expr(e));
                    let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
                    place.projs.push(Proj::Range {
                        start,
                        end,
                        inclusive,
                    });
                    return Some(place);
                }
                let index = self.expr(&i.index);
                self.push_index(&mut place, index, i.span());
                Some(place)
            }
            Expr::Field(f) => {
                let mut place = self.place(&f.base)?;
                place.projs.push(Proj::Field(f.member.clone()));
                Some(place)
            }
            // from: `x.last().unwrap()` / `*v.first_mut().unwrap()`
            // into: the place `x[x.len() - 1]` / `v[0]`
            Expr::MethodCall(m) if end_element(m).is_some() => {
                let (slice, last) = end_element(m)?;
                let mut place = self.place(slice)?;
                let index = if last {
                    let len = self.len_of(&place, m.span());
                    self.int(BinOp::Sub, len, Operand::Const(quote!(1usize)), m.span())
                } else {
                    Operand::Const(quote!(0usize))
                };
                place.projs.push(Proj::Index(index));
                Some(place)
            }
            Expr::Unary(u) if matches!(u.op, SynUnOp::Deref(_)) => {
                if let Expr::MethodCall(m) = &*u.expr {
                    if end_element(m).is_some() {
                        return self.place(&u.expr);
                    }
                }
                if let Expr::Path(p) = &*u.expr {
                    // `*r` of a reference alias is the aliased place itself.
                    if let Some(place) = self.alias_of(p) {
                        return Some(place);
                    }
                }
                let mut place = self.place(&u.expr)?;
                if !place.projs.is_empty()
                    || !matches!(self.body.vars[place.base].origin, Origin::Param(_))
                {
                    self.errors.push_spanned(u, "`*` is supported on reference parameters (`*x`, `*out = ..`): index or copy the value instead");
                    return None;
                }
                place.projs.push(Proj::Deref);
                Some(place)
            }
            other => {
                // A computed value (`f(x)[i]`, `(a * b).field`): index a temporary.
                let value = self.expr(other);
                match value {
                    Operand::Var(base) => Some(Place {
                        base,
                        projs: Vec::new(),
                    }),
                    Operand::Const(_) => {
                        self.errors.push_spanned(other, "this expression cannot be indexed or assigned to in a differentiated function");
                        None
                    }
                }
            }
        }
    }

    fn alias_of(&self, p: &syn::ExprPath) -> Option<Place> {
        let ident = p.path.get_ident()?;
        match self.lookup(&ident.to_string())? {
            Binding::Alias(place, _) if p.qself.is_none() => Some(place),
            _ => None,
        }
    }

    // from: `x.sin()` / `a.max(b)` / `v.len()`
    // into: `Let { t, Math(Sin, [x]) }` / `Math(Max, [a, b])` / `Opaque(len, [v], passive)`
    fn method_call(&mut self, m: &syn::ExprMethodCall) -> Operand {
        let name = m.method.to_string();
        if let Some(value) = self.iter_method(m) {
            return value;
        }
        if matches!(name.as_str(), "as_ptr" | "as_mut_ptr") && m.args.len() <= 1 {
            return self.error(m.method.span(), format!("`.{name}()` (raw pointers) is not supported in a differentiated function: index the slice instead"));
        }

        let arity = 1 + m.args.len();
        if let (Some(f), None) = (MathFn::from_name(&name, arity), &m.turbofish) {
            let mut ops = vec![self.expr(&m.receiver)];
            ops.extend(m.args.iter().map(|a| self.expr(a)));
            return self.bind(f.name(), m.span(), Rvalue::Math(f, ops, None));
        }
        if let Some(done) = self.fill_method(m) {
            return done;
        }
        if matches!(
            name.as_str(),
            "sort_by"
                | "sort_unstable_by"
                | "sort_by_key"
                | "sort_by_cached_key"
                | "binary_search_by"
                | "partition_point"
                | "retain"
                | "dedup_by"
        ) {
            return self.error(m.method.span(), format!("`.{name}(..)` with a closure is not supported in a differentiated function: sort or search a `Const` index vector before the call and read `x[idx[k]]`, or write the search as a loop"));
        }
        if let Some(done) = self.buffer_method(m) {
            return done;
        }
        let recv = match &*m.receiver {
            // `2usize.pow(k)`: a method of a literal, called on a copy of it.
            Expr::Lit(l) => {
                let value = self.constant(l);
                match self.bind("lit", l.span(), Rvalue::Use(value)) {
                    Operand::Var(base) => Some(Place {
                        base,
                        projs: Vec::new(),
                    }),
                    Operand::Const(_) => None,
                }
            }
            receiver => self.place(receiver),
        };
        // `v.push(..)`, `v.clear()`: a method may take `&mut self`.
        if let (Some(place), false) = (&recv, passive_method(&name)) {
            self.body.vars[place.base].mutable = true;
        }
        let copies = matches!(name.as_str(), "clone" | "to_vec" | "to_owned");
        if let (true, true, None, Some(place)) = (copies, m.args.is_empty(), &m.turbofish, &recv) {
            return self.bind(
                &name,
                m.span(),
                Rvalue::Copy(place.clone(), m.method.clone()),
            );
        }
        let args: Vec<CallArg> = m.args.iter().map(|a| self.call_arg(a)).collect();
        self.check_disjoint_borrows(&args, m.method.span());
        let Some(recv) = recv else { return unit() };
        let value = Rvalue::Call(Call {
            callee: Callee::Method(m.method.clone(), m.turbofish.clone()),
            recv: Some(recv),
            args,
            passive: passive_method(&name),
        });
        self.bind(&name, m.span(), value)
    }

    // from: `f64::exp(x)` / `helper(a, b)`
    // into: `Math(Exp, [x])` / `Opaque(helper, [a, b])` (allowed on inactive values only)
    fn call(&mut self, c: &syn::ExprCall) -> Operand {
        let Expr::Path(func) = &*c.func else {
            return self.error(
                c.func.span(),
                "only calls of named functions are supported (`f64::sin(x)`, `helper(a, b)`)",
            );
        };
        let segments: Vec<String> = func
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let float_path = segments.len() == 2 && (segments[0] == "f64" || segments[0] == "f32");
        let mem = |name: &str| {
            segments.len() >= 2
                && segments[segments.len() - 2] == "mem"
                && segments.ends_with(&[name.to_string()])
        };
        if mem("swap") && c.args.len() == 2 {
            return self.swap(&c.args[0], &c.args[1], c.span());
        }
        if mem("replace") && c.args.len() == 2 {
            return self.replace(&c.args[0], &c.args[1], c.span());
        }
        if mem("take") {
            self.errors.push_spanned(&c.func, "`std::mem::take` is not supported in a differentiated function: read the value, then assign what should be left (`let old = a.clone(); a.fill(0.0);`)");
            return unit();
        }
        if float_path && func.qself.is_none() {
            if let Some(f) = MathFn::from_name(&segments[1], c.args.len()) {
                let ty = func.path.segments[0].ident.clone();
                let ops = c
                    .args
                    .iter()
                    .map(|a| typed_literal(self.expr(a), &ty))
                    .collect();
                return self.bind(f.name(), c.span(), Rvalue::Math(f, ops, Some(ty)));
            }
            // `f64::from(a)`, the lossless widening clippy suggests: a cast.
            if segments[1] == "from" && c.args.len() == 1 {
                let ty = &func.path.segments[0].ident;
                let op = self.expr(&c.args[0]);
                return self.bind(
                    "x",
                    c.span(),
                    Rvalue::Cast(op, syn::parse_quote!(#ty), true),
                );
            }
        }
        // from: `sq(a + 1.0)` with `let sq = |v: f64| v * v;`
        // into: `let t = a + 1.0; let v = t; let sq1 = v * v;` (the body inlined)
        if let Some(Binding::Closure(closure, captured)) = func
            .path
            .get_ident()
            .filter(|_| func.qself.is_none())
            .and_then(|id| self.lookup(&id.to_string()))
        {
            use crate::lower::iter::Bound;
            // An argument that names a place (an iterator's element, `&x[i]`) stays one,
            // so `|v: &f64| *v` works as in an adaptor.
            let args = c
                .args
                .iter()
                .map(|a| match a {
                    Expr::Path(p) if self.alias_of(p).is_some() => {
                        let mutable = matches!(
                            p.path
                                .get_ident()
                                .and_then(|id| self.lookup(&id.to_string())),
                            Some(Binding::Alias(_, true))
                        );
                        self.alias_of(p)
                            .map_or(Bound::Value(unit()), |pl| Bound::Place(pl, mutable))
                    }
                    Expr::Reference(r) => match self.place(&r.expr) {
                        Some(pl) => Bound::Place(pl, r.mutability.is_some()),
                        None => Bound::Value(unit()),
                    },
                    other => Bound::Value(self.expr(other)),
                })
                .collect();
            self.scopes.push(captured.into_iter().collect());
            let result = self.apply(&crate::lower::iter::Func::Closure(*closure), args, false);
            let value = self.value_of(result, c.span());
            self.scopes.pop();
            return value;
        }
        if func.qself.is_none()
            && func
                .path
                .get_ident()
                .is_some_and(|id| self.lookup(&id.to_string()).is_some())
        {
            return self.error(c.func.span(), "calling a closure or function passed as a parameter (`impl Fn`, `&dyn Fn`, `fn(f64) -> f64`) is not supported in a differentiated function: call a `#[differentiable]` function by name, or define the closure inside with `let f = |v| ..;`");
        }
        let args: Vec<CallArg> = c.args.iter().map(|a| self.call_arg(a)).collect();
        self.check_disjoint_borrows(&args, c.func.span());
        let name = segments.last().cloned().unwrap_or_default();
        // An empty buffer to push into: its values come from the pushes, not the call.
        let constructor = segments.len() >= 2
            && segments[segments.len() - 2] == "Vec"
            && matches!(name.as_str(), "new" | "with_capacity");
        let value = Rvalue::Call(Call {
            callee: Callee::Path(func.path.clone()),
            recv: None,
            args,
            passive: float_path && passive_method(&name) || constructor,
        });
        self.bind(&name, c.span(), value)
    }

    // from: `&x[a..]`, `&mut out`, `x` (a reference parameter), `r` (a reference alias), `v`
    // into: `Ref { place, mutable }` for references, `Value(operand)` otherwise
    fn call_arg(&mut self, e: &Expr) -> CallArg {
        let snap = self.temp("snap", e.span());
        let reference = |l: &mut Self, place: Place, mutable: bool| {
            if mutable {
                l.body.vars[place.base].mutable = true;
            }
            CallArg::Ref {
                place,
                mutable,
                snap,
            }
        };
        match e {
            Expr::Reference(r) => match self.place(&r.expr) {
                Some(place) => reference(self, place, r.mutability.is_some()),
                None => CallArg::Value(unit()),
            },
            Expr::Paren(p) => self.call_arg(&p.expr),
            Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                let name = p
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                match self.lookup(&name) {
                    Some(Binding::Alias(place, mutable)) => reference(self, place, mutable),
                    Some(Binding::Var(v)) => match self.reference_params.get(&v) {
                        Some(mutable) => {
                            let mutable = *mutable;
                            reference(
                                self,
                                Place {
                                    base: v,
                                    projs: Vec::new(),
                                },
                                mutable,
                            )
                        }

                        None => CallArg::Value(Operand::Var(v)),
                    },
                    Some(Binding::Closure(..)) | None => CallArg::Value(self.expr(e)),
                }
            }
            other => CallArg::Value(self.expr(other)),
        }
    }
}

impl Lowerer<'_> {
    /// Two parts of one buffer passed to one call, one of them `&mut` (the halves of a
    /// `split_at_mut`): the adjoint names both as places of the buffer, which Rust cannot
    /// borrow twice, so this is an error with what to write instead.
    fn check_disjoint_borrows(&mut self, args: &[CallArg], span: proc_macro2::Span) {
        let refs: Vec<(VarId, bool)> = args
            .iter()
            .filter_map(|a| match a {
                CallArg::Ref { place, mutable, .. } => Some((place.base, *mutable)),
                CallArg::Value(_) => None,
            })
            .collect();
        for (i, (a, ma)) in refs.iter().enumerate() {
            if refs[i + 1..].iter().any(|(b, mb)| a == b && (*ma || *mb)) {
                let name = self.body.vars[*a].name.clone();
                self.errors.push(span, format!("this call takes two parts of `{name}`, one of them `&mut` (the halves of a `split_at_mut`?): the adjoint cannot borrow both. Copy the part that is only read into a local first (`let lo = lo.to_vec();`), or make two calls"));
                return;
            }
        }
    }
}

/// `1.5` as an operand of `f64::atan2(1.5, t)` becomes `1.5f64`: the rules call methods on
/// operands, which an untyped float literal does not allow.
fn typed_literal(op: Operand, ty: &syn::Ident) -> Operand {
    match &op {
        Operand::Const(tokens) => match syn::parse2::<syn::LitFloat>(tokens.clone()) {
            Ok(lit) if lit.suffix().is_empty() => {
                let typed = syn::LitFloat::new(&format!("{}{ty}", lit.base10_digits()), lit.span());
                Operand::Const(quote::quote!(#typed))
            }
            _ => op,
        },
        Operand::Var(_) => op,
    }
}

/// `x.last().unwrap()` and friends: the slice and whether it is the last element.
fn end_element(m: &syn::ExprMethodCall) -> Option<(&Expr, bool)> {
    if !matches!(m.method.to_string().as_str(), "unwrap" | "expect") {
        return None;
    }
    let Expr::MethodCall(inner) = &*m.receiver else {
        return None;
    };
    if !inner.args.is_empty() {
        return None;
    }
    match inner.method.to_string().as_str() {
        "last" | "last_mut" => Some((&inner.receiver, true)),
        "first" | "first_mut" => Some((&inner.receiver, false)),
        _ => None,
    }
}

fn unsupported_expression(e: &Expr) -> &'static str {
    match e {
        Expr::Closure(_) => "closures are not supported in a differentiated function: write the computation inline or as a loop",
        Expr::Unsafe(_) => "`unsafe` blocks are not supported: cotangent generates safe code only; move the unsafe part into a `Const` computation outside",
        Expr::Reference(_) => "references (`&x`) are not supported in a differentiated function yet: index the value directly",
        Expr::Tuple(_) => "a tuple value is supported only where it is destructured (`let (a, b) = (x, y);`, `(a, b) = (b, a + b);`): use separate variables or an array",
        Expr::Struct(_) => "struct literals are not supported in a differentiated function: compute the fields as separate values",
        Expr::Range(_) => "a range is supported only as the iterator of a `for` loop",
        Expr::Try(_) => "`?` is not supported in a differentiated function",
        Expr::Let(_) => "`let` expressions are not supported: use a plain `if` condition",
        Expr::Async(_) | Expr::Await(_) => "`async` code cannot be differentiated",
        Expr::Block(_) => "labelled blocks are not supported: use a flag",
        _ => "this expression is not supported in a differentiated function",
    }
}
