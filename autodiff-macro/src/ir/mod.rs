//! The intermediate representation: the function body in A-normal form, in structured
//! blocks.
//!
//! Invariants (checked by [`Body::check`] under `debug_assertions`):
//! - every computation is a [`Stmt::Let`] of a fresh variable; [`Stmt::Assign`] and
//!   [`Stmt::Store`] only move an already computed [`Operand`], so the result of every
//!   nonlinear operation is a value that is never overwritten;
//! - every variable is defined exactly once (by `Let` or `Declare`) before its uses;
//! - after `passes::structurize`, no `Break`, `Continue` or `Return` remains: early exits
//!   are flags, and a loop that can be left early names its `exit` flag and `counter`.

use proc_macro2::{Span, TokenStream};

#[cfg(test)]
pub mod build;
pub mod walk;

pub use crate::prim::{BinOp, MathFn, OtherOp, Prim, UnOp};

/// Index of a variable in [`Body::vars`].
pub type VarId = usize;

/// Where a variable comes from; decides how it is named and declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The n-th parameter of the function (`self` included).
    Param(usize),
    /// A `let` binding or loop variable the user wrote.
    User,
    /// A temporary introduced by lowering.
    Temp,
    /// A control flag or iteration counter introduced by `structurize`.
    Control,
}

/// A variable of the IR. Each has its own name in the generated code.
#[derive(Clone, Debug)]
pub struct VarInfo {
    /// The user's name, or a short hint for a temporary.
    pub name: String,
    /// The user code it stands for, for error messages.
    pub span: Span,
    pub origin: Origin,
    /// Assigned after its definition, stored into, or incremented.
    pub mutable: bool,
    /// A type the user wrote on the binding.
    pub ty: Option<syn::Type>,
}

/// A value: a variable or a constant expression of the user's (literal or path to an item).
#[derive(Clone, Debug)]
pub enum Operand {
    Var(VarId),
    Const(TokenStream),
}

impl Operand {
    pub fn var(&self) -> Option<VarId> {
        match self {
            Operand::Var(v) => Some(*v),
            Operand::Const(_) => None,
        }
    }
}

/// One step from a place to a part of it.
#[derive(Clone, Debug)]
pub enum Proj {
    Index(Operand),
    Field(syn::Member),
    /// `*r` of a reference parameter.
    Deref,
    /// A sub-slice `[start..end]` (`..=` when `inclusive`).
    Range {
        start: Option<Operand>,
        end: Option<Operand>,
        inclusive: bool,
    },
}

/// A memory location: a variable, or an element / field of it.
#[derive(Clone, Debug)]
pub struct Place {
    pub base: VarId,
    pub projs: Vec<Proj>,
}

impl Place {
    /// Variables used as indices.
    pub fn index_vars(&self) -> impl Iterator<Item = VarId> + '_ {
        self.index_operands().into_iter().filter_map(Operand::var)
    }
}

/// The right-hand side of a `Let`.
#[derive(Clone, Debug)]
pub enum Rvalue {
    Use(Operand),
    Read(Place),
    /// `place.clone()`, `.to_vec()` or `.to_owned()`: an owned copy of a place.
    Copy(Place, syn::Ident),
    Unary(UnOp, Operand),
    Binary(BinOp, Operand, Operand),
    /// A math primitive of `MathFn`; the receiver is `args[0]`. The float type when
    /// the user wrote the path form (`f64::max(a, b)`), which fixes untyped operands.
    Math(MathFn, Vec<Operand>, Option<syn::Ident>),
    /// `x as T`; `to_float` when `T` is a float type.
    Cast(Operand, syn::Type, bool),
    Array(Vec<Operand>),
    /// `[v; len]` with a constant `len` expression.
    Repeat(Operand, TokenStream),
    /// `vec![v; n]`.
    VecRepeat(Operand, Operand),
    /// `vec![a, b, ..]`.
    VecList(Vec<Operand>),
    /// A struct literal `Path { member: value, .. }` (shorthand and tuple structs' `0:`
    /// included; no `..base`). It carries a derivative when a field does: the struct is
    /// then `#[derive(Differentiable)]` and its adjoint a value of the same type.
    Struct(syn::Path, Vec<(syn::Member, Operand)>),
    /// A call of a function or method other than a math primitive. With an active input
    /// it is differentiated by calling the callee's pullback in the reverse sweep.
    Call(Call),
    /// `matches!(place, pattern)`: a pattern test (of `match`, `if let`, `matches!`),
    /// never differentiable.
    Matches(Place, Box<syn::Pat>),
    /// The value the name binds when the pattern matches the place (an enum payload of a
    /// `match` arm the primal took); never differentiable: the place must not carry a
    /// derivative (checked after the activity analysis).
    Bind(Place, Box<syn::Pat>, syn::Ident),
    /// The zero of a type (initial value of the early-return variable).
    ZeroOf(syn::Type),
}

#[derive(Clone, Debug)]
pub struct Call {
    /// `recv.method::<..>(args)` or `path(args)`.
    pub callee: Callee,
    /// The receiver of a method call, used in place (`self.w.len()` does not move `w`).
    pub recv: Option<Place>,
    pub args: Vec<CallArg>,
    /// The result cannot carry a derivative whatever the arguments (`x.len()`).
    pub passive: bool,
}

/// An argument of a call: a value, or a reference to a place (`&x[a..]`, `&mut out`, a
/// reference parameter passed on). `snap` names the recording of the referent's value at
/// the call, used when the place may change before the reverse sweep needs it.
#[derive(Clone, Debug)]
pub enum CallArg {
    Value(Operand),
    Ref {
        place: Place,
        mutable: bool,
        snap: VarId,
    },
}

impl Rvalue {
    /// The primitive this value applies, with its operands, when it has a derivative rule
    /// (`rules/`).
    pub fn primitive(&self) -> Option<(Prim, Vec<&Operand>)> {
        match self {
            Rvalue::Unary(UnOp::Neg, a) => Some((Prim::Neg, vec![a])),
            Rvalue::Binary(op, a, b) => Some((Prim::Bin(*op), vec![a, b])),
            Rvalue::Math(f, args, _) => Some((Prim::Math(*f), args.iter().collect())),
            Rvalue::Cast(a, _, true) => Some((Prim::FloatCast, vec![a])),
            Rvalue::Unary(UnOp::Not, _)
            | Rvalue::Cast(_, _, false)
            | Rvalue::Use(_)
            | Rvalue::Read(_)
            | Rvalue::Copy(..)
            | Rvalue::Array(_)
            | Rvalue::Repeat(..)
            | Rvalue::VecRepeat(..)
            | Rvalue::VecList(_)
            | Rvalue::Struct(..)
            | Rvalue::Call(_)
            | Rvalue::Matches(..)
            | Rvalue::Bind(..)
            | Rvalue::ZeroOf(_) => None,
        }
    }
}

impl Call {
    /// Variables read by the call (values, and the bases of references and receiver).
    pub fn inputs(&self) -> Vec<VarId> {
        let mut out: Vec<VarId> = self.recv.iter().map(|p| p.base).collect();
        for a in &self.args {
            match a {
                CallArg::Value(op) => out.extend(op.var()),
                CallArg::Ref { place, .. } => out.push(place.base),
            }
        }
        out
    }

    /// Bases the call may change in place: those of its `&mut` arguments, and the
    /// receiver's of a method that may take `&mut self` (any but the passive ones).
    pub fn changed(&self) -> Vec<VarId> {
        let recv = self.recv.iter().filter(|_| !self.passive).map(|r| r.base);
        let mut out: Vec<VarId> = recv.chain(self.written()).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Bases of `&mut` arguments, which the call may write.
    pub fn written(&self) -> impl Iterator<Item = VarId> + '_ {
        self.args.iter().filter_map(|a| match a {
            CallArg::Ref {
                place,
                mutable: true,
                ..
            } => Some(place.base),
            CallArg::Ref { mutable: false, .. } | CallArg::Value(_) => None,
        })
    }
}

#[derive(Clone, Debug)]
pub enum Callee {
    Method(syn::Ident, Option<syn::AngleBracketedGenericArguments>),
    Path(syn::Path),
}

/// `for var in start..end` (or `..=`) followed by `.rev()` / `.step_by(k)` adaptors.
#[derive(Clone, Debug)]
pub struct ForRange {
    pub start: Operand,
    pub end: Operand,
    pub inclusive: bool,
    pub adaptors: Vec<RangeAdaptor>,
}

#[derive(Clone, Debug)]
pub enum RangeAdaptor {
    Rev,
    StepBy(Operand),
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        var: VarId,
        value: Rvalue,
    },
    /// `let var;`, initialised by an `Assign` in every branch (if-expression results).
    Declare {
        var: VarId,
    },
    /// `var = value`; `overwrites` is false for the first assignment after `Declare`.
    Assign {
        var: VarId,
        value: Operand,
        overwrites: bool,
    },
    Store {
        place: Place,
        value: Operand,
    },
    If {
        cond: Operand,
        then: Block,
        els: Block,
    },
    For {
        var: VarId,
        range: ForRange,
        body: Block,
        exit: Option<VarId>,
        counter: Option<VarId>,
    },
    Loop {
        body: Block,
        exit: Option<VarId>,
        counter: Option<VarId>,
    },
    Break(Span),
    Continue(Span),
    Return(Option<Operand>),
}

/// A sequence of statements with its own scope.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
}

/// A lowered function body.
#[derive(Clone, Debug)]
pub struct Body {
    pub vars: Vec<VarInfo>,
    pub block: Block,
    /// The returned value, if the function returns one.
    pub result: Option<Operand>,
}

impl Body {
    pub fn new_var(&mut self, name: &str, span: Span, origin: Origin) -> VarId {
        self.vars.push(VarInfo {
            name: name.to_string(),
            span,
            origin,
            mutable: false,
            ty: None,
        });
        self.vars.len() - 1
    }

    /// Checks the invariants listed in the module documentation.
    pub fn check(&self, structured: bool) {
        if !cfg!(debug_assertions) {
            return;
        }
        let mut defined = vec![false; self.vars.len()];
        for (v, info) in self.vars.iter().enumerate() {
            if let Origin::Param(_) = info.origin {
                defined[v] = true;
            }
        }
        check_block(&self.block, &mut defined, structured);
    }
}

fn check_block(block: &Block, defined: &mut [bool], structured: bool) {
    walk::for_each_stmt(block, &mut |stmt, _| {
        match stmt {
            Stmt::Assign { var, .. } => debug_assert!(defined[*var], "IR: assign before let"),
            Stmt::Store { place, .. } => debug_assert!(defined[place.base]),
            Stmt::Break(_) | Stmt::Continue(_) | Stmt::Return(..) => {
                debug_assert!(!structured, "IR: early exit left after structurize")
            }
            Stmt::Let { .. }
            | Stmt::Declare { .. }
            | Stmt::If { .. }
            | Stmt::For { .. }
            | Stmt::Loop { .. } => {}
        }
        if let Some(v) = stmt.defs() {
            debug_assert!(!defined[v], "IR: variable {v} defined twice");
            defined[v] = true;
        }
    });
}

/// The variable a statement defines directly in the block that holds it (a `let`'s or a
/// declaration's; a `for` variable belongs to the loop's body).
pub fn defined_here(stmt: &Stmt) -> Option<VarId> {
    match stmt {
        Stmt::Let { var, .. } | Stmt::Declare { var } => Some(*var),
        Stmt::For { .. }
        | Stmt::Assign { .. }
        | Stmt::Store { .. }
        | Stmt::If { .. }
        | Stmt::Loop { .. }
        | Stmt::Break(_)
        | Stmt::Continue(_)
        | Stmt::Return(_) => None,
    }
}
