//! Step 2: the function body into the IR (A-normal form, structured blocks).
//!
//! Statements live here, and one file per kind of construct next to it: `expr`, `place`,
//! `call`, `control`, `exits`, `matching`, `tuple`, `structs`, `buffers`, `fill`, `macros`, and `iter/` for
//! iterator chains. Idiomatic forms
//! (`+=`, `while`, `&&`, if-expressions, block expressions) are desugared here, once.
//! Unsupported syntax is a spanned error that says what to write instead; lowering goes on
//! after an error (with a placeholder value) so that one build reports every mistake.

mod buffers;
mod call;
mod control;
mod exits;
mod expr;
mod fill;
pub mod iter;
mod macros;
pub mod matching;
mod place;
mod structs;
mod tuple;

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, Pat};

use crate::errors::Errors;
use crate::front::signature::{ParamKind, Signature};
use crate::ir::*;

/// What a name in the body stands for.
#[derive(Clone, Debug)]
pub enum Binding {
    Var(VarId),
    /// A reference into a place (`let r = &x[i];`, `let s = &x[a..b];`, an `iter_mut`
    /// element): uses read or write the place itself.
    Alias(Place, bool),
    /// A closure bound to a name (`let relu = |v: f64| v.max(0.0);`): inlined where it
    /// is called, like the closures of iterator adaptors, with the names it captures
    /// bound as they were where it was defined.
    Closure(Box<syn::ExprClosure>, Vec<(String, Binding)>),
}

pub struct Lowerer<'e> {
    pub body: Body,
    pub(crate) scopes: Vec<HashMap<String, Binding>>,
    /// Statement lists under construction, innermost last.
    pub(crate) blocks: Vec<Vec<Stmt>>,
    /// Set after `break`, `continue` or `return`: the rest of the block is dead code.
    pub(crate) diverged: bool,
    /// One entry per enclosing loop, innermost last.
    pub(crate) loops: Vec<exits::LoopFrame>,
    /// The label of the loop about to be lowered (`'outer: for ..`).
    pub(crate) next_label: Option<String>,
    /// The loop whose body was just lowered, until its statement is pushed
    /// (`push_loop` adds the tests of labelled exits after it).
    pub(crate) closed_loop: Option<exits::LoopFrame>,
    pub errors: &'e mut Errors,
    /// Items declared inside the body (`const`, `fn`), copied into the adjoint.
    pub items: Vec<syn::Item>,
    /// Reference parameters, by variable: whether `&mut`.
    pub reference_params: HashMap<VarId, bool>,
    /// Constructs that are errors only if a variable turns out to carry a derivative,
    /// which the activity analysis decides later (see [`NotIfActive`]).
    pub not_if_active: Vec<(VarId, Span, NotIfActive)>,
    /// The one float type the signature names (`f64` in `fn f(x: &[f64]) -> f64`), if it
    /// names exactly one and no generics: the type of an untyped `fold(0.0, ..)`.
    pub float_type: Option<syn::Ident>,
}

/// The lowered body and the items it declares.
pub struct Lowered {
    pub body: Body,
    pub items: Vec<syn::Item>,
    pub not_if_active: Vec<(VarId, Span, NotIfActive)>,
}

/// What is supported only on values that carry no derivative.
#[derive(Clone, Copy, Debug)]
pub enum NotIfActive {
    /// A tuple value taken apart by field (`let (a, b) = f(x);`).
    TupleValue,
    /// An argument grown with `push` (its shadow has the caller's length).
    PushedArgument,
    /// An `Option` or `Result` whose parts a pattern binds (`Some(v) =>`).
    BoundParts,
    /// A conversion `T::from(x)` (`NumCast`, `From`) of a value.
    Conversion,
}

impl NotIfActive {
    pub fn message(self) -> &'static str {
        match self {
            NotIfActive::TupleValue => crate::lower::tuple::HINT,
            NotIfActive::PushedArgument => "`.push(..)` on an argument that carries a derivative is not supported: its shadow keeps the caller's length. Build a local `Vec` and return it, or write into a buffer of the final length by index",
            NotIfActive::BoundParts => "this pattern binds a part of an `Option` or `Result` that carries a derivative, which is not supported (they cannot carry one): compute the value with `if`, or use an enum of your own with `#[derive(cotangent::Differentiable)]`, whose payloads can be bound",
            NotIfActive::Conversion => "a conversion `T::from(..)` of a value that carries a derivative is not differentiated: convert constants only (`T::from(0.5).unwrap()`, `T::from(n).unwrap()`), and take the value as a `T` already (`x: &[T]` rather than `&[f64]`), or use `as` between `f32` and `f64`",
        }
    }
}

pub fn lower(sig: &Signature, errors: &mut Errors) -> Lowered {
    let mut l = Lowerer {
        body: Body {
            vars: Vec::new(),
            block: Block::default(),
            result: None,
        },
        scopes: vec![HashMap::new()],
        blocks: vec![Vec::new()],
        diverged: false,
        loops: Vec::new(),
        next_label: None,
        closed_loop: None,
        errors,
        items: Vec::new(),
        reference_params: HashMap::new(),
        not_if_active: Vec::new(),
        float_type: only_float_type(&sig.item.sig),
    };
    for (i, p) in sig.params.iter().enumerate() {
        let v = l
            .body
            .new_var(&p.name.to_string(), p.name.span(), Origin::Param(i));
        l.body.vars[v].mutable = p.mutable;
        if p.kind.is_reference() {
            let mutable = matches!(p.kind, ParamKind::RefMut | ParamKind::SelfMut);
            l.reference_params.insert(v, mutable);
        }
        l.scopes[0].insert(p.name.to_string(), Binding::Var(v));
    }
    let mut block = (*sig.item.block).clone();
    syn::visit_mut::VisitMut::visit_block_mut(&mut Transparent, &mut block);
    let value = l.block_value(&block);
    let stmts = l.blocks.pop().unwrap_or_default();
    l.body.block = Block { stmts };
    if sig.ret.is_some() && !l.diverged {
        l.body.result = Some(value);
    }
    Lowered {
        body: l.body,
        items: l.items,
        not_if_active: l.not_if_active,
    }
}

/// Parentheses and invisible groups (`(x)`, `((x[0]))`, a `$e:expr` of a
/// `macro_rules!`) are transparent: taken out of the syntax tree before it is lowered
/// (and out of expressions read from macro bodies), so no construct has to look through
/// them (`(1.0_f64).is_finite()`, `(x).iter()`, `&(x[0])`). The lowered tree is never
/// printed again; array lengths (`[0.0; (N + 1) * 2]`), which are emitted as written,
/// items and patterns are left alone.
pub struct Transparent;

impl syn::visit_mut::VisitMut for Transparent {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        while let Expr::Paren(syn::ExprParen { expr: inner, .. })
        | Expr::Group(syn::ExprGroup { expr: inner, .. }) = e
        {
            let inner = std::mem::replace(&mut **inner, Expr::Verbatim(TokenStream::new()));
            *e = inner;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
    fn visit_expr_repeat_mut(&mut self, r: &mut syn::ExprRepeat) {
        self.visit_expr_mut(&mut r.expr);
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    fn visit_pat_mut(&mut self, _: &mut Pat) {}
    fn visit_type_mut(&mut self, _: &mut syn::Type) {}
}

/// `e` without its parentheses (see [`Transparent`]), for an expression read from a
/// macro's tokens.
pub fn transparent(mut e: Expr) -> Expr {
    syn::visit_mut::VisitMut::visit_expr_mut(&mut Transparent, &mut e);
    e
}

fn only_float_type(sig: &syn::Signature) -> Option<syn::Ident> {
    if sig.generics.type_params().next().is_some() {
        return None;
    }
    let words = crate::front::signature::words(sig);
    let mentions = |w: &str| words.iter().any(|x| x == w);
    match (mentions("f64"), mentions("f32")) {
        (true, false) => Some(syn::Ident::new("f64", Span::call_site())),
        (false, true) => Some(syn::Ident::new("f32", Span::call_site())),
        _ => None,
    }
}

/// Whether a block holds a `break`, `continue` or `return` (at any depth).
pub fn has_exit(block: &Block) -> bool {
    let mut found = false;
    crate::ir::walk::for_each_stmt(block, &mut |s, _| {
        found |= matches!(s, Stmt::Break(_) | Stmt::Continue(_) | Stmt::Return(_));
    });
    found
}

/// The placeholder for "no value" (unit, or an expression after an error).
pub fn unit() -> Operand {
    Operand::Const(quote!(()))
}

pub fn is_unit(op: &Operand) -> bool {
    matches!(op, Operand::Const(t) if t.to_string() == "()")
}

impl Lowerer<'_> {
    pub fn push(&mut self, stmt: Stmt) {
        if let Some(b) = self.blocks.last_mut() {
            b.push(stmt);
        }
    }

    /// Every statement list under construction, outermost first.
    pub fn current_stmts(&self) -> impl Iterator<Item = &Stmt> {
        self.blocks.iter().flatten()
    }

    /// The number of statements in the statement list under construction.
    pub fn current_len(&self) -> usize {
        self.blocks.last().map_or(0, Vec::len)
    }

    /// Marks the assignments of `vars` in the statements from `start` on (and in their
    /// nested blocks) as initialisations of declared variables, not overwrites.
    pub fn initialise_in_tail(&mut self, start: usize, vars: &[VarId]) {
        fn mark(stmts: &mut [Stmt], vars: &[VarId]) {
            for stmt in stmts {
                match stmt {
                    Stmt::Assign {
                        var, overwrites, ..
                    } if vars.contains(var) => *overwrites = false,
                    Stmt::If { then, els, .. } => {
                        mark(&mut then.stmts, vars);
                        mark(&mut els.stmts, vars);
                    }
                    // Loops assign on every trip: not an initialisation.
                    Stmt::Assign { .. }
                    | Stmt::Let { .. }
                    | Stmt::Declare { .. }
                    | Stmt::Store { .. }
                    | Stmt::For { .. }
                    | Stmt::Loop { .. }
                    | Stmt::Break(_)
                    | Stmt::Continue(_)
                    | Stmt::Return(_) => {}
                }
            }
        }
        if let Some(block) = self.blocks.last_mut() {
            let start = start.min(block.len());
            mark(&mut block[start..], vars);
        }
    }

    pub fn temp(&mut self, hint: &str, span: Span) -> VarId {
        self.body.new_var(hint, span, Origin::Temp)
    }

    /// `let t = value;` for a fresh temporary `t`.
    pub fn bind(&mut self, hint: &str, span: Span, value: Rvalue) -> Operand {
        let var = self.temp(hint, span);
        self.push(Stmt::Let { var, value });
        Operand::Var(var)
    }

    pub fn lookup(&self, name: &str) -> Option<Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name).cloned())
    }

    /// Binds `name` in the innermost scope.
    pub fn bind_name(&mut self, name: &str, binding: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), binding);
        }
    }

    pub fn error(&mut self, span: Span, message: impl std::fmt::Display) -> Operand {
        self.errors.push(span, message);
        unit()
    }

    /// Lowers `stmts` into a block of their own, with their own scope.
    pub fn sub_block(&mut self, f: impl FnOnce(&mut Self) -> Operand) -> (Block, Operand) {
        self.blocks.push(Vec::new());
        self.scopes.push(HashMap::new());
        let value = f(self);
        self.scopes.pop();
        let stmts = self.blocks.pop().unwrap_or_default();
        (Block { stmts }, value)
    }

    // from: `{ let t = x * 2.0; t + 1.0 }`
    // into: its statements in the current list, and the operand of its tail (`t + 1.0`)
    /// The statements of a `{ .. }` block in the current statement list, in a new scope.
    pub fn block_value(&mut self, block: &syn::Block) -> Operand {
        self.scopes.push(HashMap::new());
        let mut value = unit();
        let stmts = self.inline_named_chains(&block.stmts);
        let n = stmts.len();
        for (i, stmt) in stmts.iter().enumerate() {
            if self.diverged {
                break;
            }
            match stmt {
                syn::Stmt::Local(local) => self.local(local),
                syn::Stmt::Item(item) => self.items.push(item.clone()),
                syn::Stmt::Expr(e, semi) => {
                    let v = self.expr(e);
                    if i + 1 == n && semi.is_none() {
                        value = v;
                    }
                }
                syn::Stmt::Macro(m) => self.statement_macro(&m.mac),
            }
        }
        self.scopes.pop();
        value
    }

    // from: `let mut y: f64 = x * 2.0;`
    // into: `Let { var: y, value: Binary(Mul, x, 2.0) }` (the temporary becomes `y`)
    fn local(&mut self, local: &syn::Local) {
        let (pat, ty) = match &local.pat {
            Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            other => (other, None),
        };
        if let Some(init) = &local.init {
            if let Some((_, els)) = &init.diverge {
                self.let_else(pat, &init.expr, els);
                return;
            }
        }
        let name = match pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
            Pat::Wild(_) => None,
            Pat::Slice(_) | Pat::Struct(_) | Pat::Tuple(_) => {
                if let Some(init) = &local.init {
                    match pat {
                        Pat::Tuple(_) => self.tuple_local(pat, ty, &init.expr),
                        _ => self.destructure_local(pat, &init.expr),
                    }
                    return;
                }
                None
            }
            other => {
                self.errors.push_spanned(other, "only `let name = ..;` and `let mut name = ..;` are supported here: bind the value to a name, and index or access its fields where you use it");
                return;
            }
        };
        let Some(init) = &local.init else {
            // from: `let t: f64;` (assigned later: in each branch of an `if` / `match`)
            // into: `let mut t: f64 = Default::default();`, which the assignments overwrite
            if let Some(name) = &name {
                let zero = Operand::Const(quote!(::core::default::Default::default()));
                self.bind_local(name, zero, ty);
            }
            return;
        };
        if let Some(name) = &name {
            if self.let_without_value(name, &init.expr) {
                return;
            }
        }
        let value = self.expr(&init.expr);
        let Some(name) = name else { return };
        self.bind_local(&name, value, ty);
    }

    // from: `let sq = |v| v * v;` / `let y = x;` (`x` a reference) / `let r = &x[i];`
    // into: no statement: `sq`, `y`, `r` are bound to the closure or the place (true), or
    //       `false` if `init` is a value to compute
    fn let_without_value(&mut self, name: &syn::Ident, init: &Expr) -> bool {
        if let Expr::Closure(c) = init {
            // from: `let sq = |v| v * v;`  into: nothing yet; `sq(a)` is lowered inline
            if let Some(crate::lower::iter::Func::Closure(_)) = self.func(init) {
                let captured = self.captures(c);
                self.bind_name(
                    &name.to_string(),
                    Binding::Closure(Box::new(c.clone()), captured),
                );
            }
            return true;
        }
        // from: `let y = x;` where `x` is a reference parameter or an alias (`let r = &a[i]`)
        // into: `y` names the same place (a reference is copied, not its referent)
        if let Expr::Path(p) = init {
            if let Some(binding) = p
                .path
                .get_ident()
                .and_then(|id| self.lookup(&id.to_string()))
            {
                let place = match binding {
                    Binding::Alias(place, mutable) => Some((place, mutable)),
                    Binding::Var(v) => self.reference_params.get(&v).map(|m| {
                        (
                            Place {
                                base: v,
                                projs: Vec::new(),
                            },
                            *m,
                        )
                    }),
                    closure @ Binding::Closure(..) => {
                        self.bind_name(&name.to_string(), closure);
                        return true;
                    }
                };
                if let Some((place, mutable)) = place {
                    self.bind_name(&name.to_string(), Binding::Alias(place, mutable));
                    return true;
                }
            }
        }
        if let Expr::Reference(r) = init {
            // from: `let r = &x[i];`  into: `r` names the place `x[i]` (no copy)
            if let Some(place) = self.place(&r.expr) {
                if r.mutability.is_some() {
                    self.body.vars[place.base].mutable = true;
                }
                let place = self.frozen_indices(place, r.span());
                let binding = Binding::Alias(place, r.mutability.is_some());

                self.bind_name(&name.to_string(), binding);
            }
            return true;
        }
        false
    }

    // from: `let y = ..` with the value `t7` (a temporary) / `x` (a variable)
    // into: `t7` renamed `y` / `Let { y, Use(x) }`
    /// Binds the user's name to a lowered value (`let name = value;`).
    pub(crate) fn bind_local(&mut self, name: &syn::Ident, value: Operand, ty: Option<syn::Type>) {
        if is_unit(&value) {
            // After an error (or for a unit value) the name stays unbound: its uses then
            // raise no second error.
            return;
        }
        // A temporary another name already holds (the element `v` of `for &v in x.iter()`)
        // is not renamed: `let mut q = v; q = ..;` would change `v` too.
        let named = |t: VarId| {
            self.scopes
                .iter()
                .any(|s| s.values().any(|b| matches!(b, Binding::Var(v) if *v == t)))
        };
        let var = match value {
            Operand::Var(t) if self.body.vars[t].origin == Origin::Temp && !named(t) => {
                let info = &mut self.body.vars[t];
                info.name = name.to_string();
                info.span = name.span();
                info.origin = Origin::User;
                t
            }
            other => {
                let v = self
                    .body
                    .new_var(&name.to_string(), name.span(), Origin::User);
                self.push(Stmt::Let {
                    var: v,
                    value: Rvalue::Use(other),
                });
                v
            }
        };
        self.body.vars[var].ty = ty;
        self.bind_name(&name.to_string(), Binding::Var(var));
    }

    /// The bindings of the names a closure's body uses, as they are now: a later
    /// `let c = ..` does not change what the closure sees; a `move` closure copies what
    /// it captures (a later `c = ..` does not change it either), except references
    /// (parameters `x: &[f64]`, `out: &mut [f64]`; aliases `let r = &x[i..]`), of which it
    /// copies the reference, not the referent: they keep naming the same place.
    fn captures(&mut self, c: &syn::ExprClosure) -> Vec<(String, Binding)> {
        struct Names(Vec<String>);
        impl<'a> syn::visit::Visit<'a> for Names {
            fn visit_expr_path(&mut self, p: &'a syn::ExprPath) {
                if let Some(id) = p.path.get_ident() {
                    self.0.push(id.to_string());
                }
            }
        }
        let mut names = Names(Vec::new());
        syn::visit::Visit::visit_expr(&mut names, &c.body);
        names.0.sort();
        names.0.dedup();
        let mut out = Vec::new();
        for name in names.0 {
            let Some(binding) = self.lookup(&name) else {
                continue;
            };
            let binding = match binding {
                Binding::Var(v)
                    if c.capture.is_some() && !self.reference_params.contains_key(&v) =>
                {
                    match self.bind("captured", c.span(), Rvalue::Use(Operand::Var(v))) {
                        Operand::Var(copy) => Binding::Var(copy),
                        Operand::Const(_) => continue,
                    }
                }
                other => other,
            };
            out.push((name, binding));
        }
        out
    }

    // from: `let r = &x[k..];` (then `k += 2;`)
    // into: `let k1 = k;` and `r` names `x[k1..]`: the place the reference was taken of
    pub(crate) fn frozen_indices(&mut self, mut place: Place, span: Span) -> Place {
        let freeze = |l: &mut Self, op: &mut Operand| {
            if let Operand::Var(v) = op {
                if l.body.vars[*v].origin != Origin::Temp {
                    *op = l.bind("at", span, Rvalue::Use(Operand::Var(*v)));
                }
            }
        };
        for proj in &mut place.projs {
            match proj {
                Proj::Index(op) => freeze(self, op),
                Proj::Range { start, end, .. } => start
                    .iter_mut()
                    .chain(end.iter_mut())
                    .for_each(|op| freeze(self, op)),
                Proj::Field(_) | Proj::Deref => {}
            }
        }
        place
    }

    /// Tokens of a constant path the user wrote (emitted verbatim, with its span).
    pub fn constant(&self, tokens: impl ToTokens) -> Operand {
        let mut ts = TokenStream::new();
        tokens.to_tokens(&mut ts);
        Operand::Const(ts)
    }
}
