//! Step 2, calls: method calls (`x.sin()`, `v.len()`, `w.clone()`), calls of paths
//! (`f64::exp(x)`, `helper(a, b)`, `std::mem::swap(..)`), calls of closures bound to a
//! name (`sq(a)`, inlined), and their arguments. In: a `syn::ExprMethodCall` or
//! `syn::ExprCall`. Out: an operand bound to `Rvalue::Math` for a math primitive,
//! `Rvalue::Copy` for a clone, `Rvalue::Call` (each argument a `CallArg`: a value, or a
//! reference to a place) for anything else; iterator chains, `fill`-style and buffer
//! methods are handed on to `iter`, `fill` and `buffers`.

use syn::spanned::Spanned;
use syn::Expr;

use crate::ir::*;
use crate::lower::{unit, Binding, Lowerer};
use crate::prim::{passive_method, MathFn};

impl Lowerer<'_> {
    // from: `x.sin()` / `a.max(b)` / `v.len()`
    // into: `Let { t, Math(Sin, [x]) }` / `Math(Max, [a, b])` / `Opaque(len, [v], passive)`
    pub(crate) fn method_call(&mut self, m: &syn::ExprMethodCall) -> Operand {
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
    pub(crate) fn call(&mut self, c: &syn::ExprCall) -> Operand {
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
        if let Some(value) = self.std_call(c, func, &segments, float_path) {
            return value;
        }
        if let Some(value) = self.named_closure_call(c, func) {
            return value;
        }
        if let Some(value) = self.constructor_call(c, func) {
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
        let conversion = name == "from" && segments.len() >= 2 && c.args.len() == 1;
        let value = Rvalue::Call(Call {
            callee: Callee::Path(func.path.clone()),
            recv: None,
            args,
            passive: float_path && passive_method(&name) || constructor,
        });
        let value = self.bind(&name, c.span(), value);
        // `T::from(x[i])`: an error if `x[i]` carries a derivative.
        if let (true, Operand::Var(v)) = (conversion, &value) {
            let conv = crate::lower::NotIfActive::Conversion;
            self.not_if_active.push((*v, c.span(), conv));
        }
        value
    }

    // from: `std::mem::swap(&mut a, &mut b)` / `f64::exp(x)` / `f64::from(a)`
    // into: the swap's statements (see `buffers`) / `Math(Exp, [x])` / `Cast(a, f64)`;
    //       `None` for any other path
    fn std_call(
        &mut self,
        c: &syn::ExprCall,
        func: &syn::ExprPath,
        segments: &[String],
        float_path: bool,
    ) -> Option<Operand> {
        let mem = |name: &str| {
            segments.len() >= 2
                && segments[segments.len() - 2] == "mem"
                && segments.ends_with(&[name.to_string()])
        };
        if mem("swap") && c.args.len() == 2 {
            return Some(self.swap(&c.args[0], &c.args[1], c.span()));
        }
        if mem("replace") && c.args.len() == 2 {
            return Some(self.replace(&c.args[0], &c.args[1], c.span()));
        }
        if mem("take") {
            self.errors.push_spanned(&c.func, "`std::mem::take` is not supported in a differentiated function: read the value, then assign what should be left (`let old = a.clone(); a.fill(0.0);`)");
            return Some(unit());
        }
        // `T::exp(x)`, `Float::exp(x)` of a generic float type: as `x.exp()`.
        let generic_path = segments.len() == 2
            && (matches!(segments[0].as_str(), "Float" | "FloatCore" | "Real")
                || segments[0].len() == 1 && segments[0].chars().all(|c| c.is_ascii_uppercase()));
        if (float_path || generic_path) && func.qself.is_none() {
            if let Some(f) = MathFn::from_name(&segments[1], c.args.len()) {
                let ty = func.path.segments[0].ident.clone();
                let ops = c
                    .args
                    .iter()
                    .map(|a| match float_path {
                        true => typed_literal(self.expr(a), &ty),
                        false => self.expr(a),
                    })
                    .collect();
                return Some(self.bind(f.name(), c.span(), Rvalue::Math(f, ops, Some(ty))));
            }
        }
        if float_path && func.qself.is_none() {
            // `f64::from(a)`, the lossless widening clippy suggests: a cast.
            if segments[1] == "from" && c.args.len() == 1 {
                let ty = &func.path.segments[0].ident;
                let op = self.expr(&c.args[0]);
                return Some(self.bind(
                    "x",
                    c.span(),
                    Rvalue::Cast(op, syn::parse_quote!(#ty), true),
                ));
            }
        }
        None
    }

    // from: `sq(a + 1.0)` with `let sq = |v: f64| v * v;`
    // into: `let t = a + 1.0; let v = t; let sq1 = v * v;` (the body inlined)
    fn named_closure_call(&mut self, c: &syn::ExprCall, func: &syn::ExprPath) -> Option<Operand> {
        let Some(Binding::Closure(closure, captured)) = func
            .path
            .get_ident()
            .filter(|_| func.qself.is_none())
            .and_then(|id| self.lookup(&id.to_string()))
        else {
            return None;
        };
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
        Some(value)
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
