//! Tests only: a small builder of IR, to test the passes on bodies written in a few lines.

// Helpers for the tests of every pass; not each uses each.
#![allow(dead_code)]

use proc_macro2::Span;

use super::*;

/// The variables of a body under construction.
pub struct Builder {
    vars: Vec<VarInfo>,
    params: usize,
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            vars: Vec::new(),
            params: 0,
        }
    }

    fn add(&mut self, name: &str, origin: Origin) -> VarId {
        self.vars.push(VarInfo {
            name: name.to_string(),
            span: Span::call_site(),
            origin,
            mutable: false,
            ty: None,
        });
        self.vars.len() - 1
    }

    /// The next parameter.
    pub fn param(&mut self, name: &str) -> VarId {
        self.params += 1;
        self.add(name, Origin::Param(self.params - 1))
    }

    /// User variables, one per name.
    pub fn vars<const N: usize>(&mut self, names: [&str; N]) -> [VarId; N] {
        names.map(|n| self.add(n, Origin::User))
    }

    /// Marks `v` as assigned after its definition.
    pub fn mutable(&mut self, v: VarId) {
        self.vars[v].mutable = true;
    }

    pub fn finish(self, stmts: Vec<Stmt>) -> Body {
        Body {
            vars: self.vars,
            block: Block { stmts },
            result: None,
        }
    }
}

impl From<Operand> for Rvalue {
    fn from(op: Operand) -> Self {
        Rvalue::Use(op)
    }
}

pub fn var(v: VarId) -> Operand {
    Operand::Var(v)
}

/// A constant: `lit("1.0")`.
pub fn lit(tokens: &str) -> Operand {
    Operand::Const(tokens.parse().expect("constant tokens"))
}

/// `base[i][j]..`
pub fn place<const N: usize>(base: VarId, indices: [Operand; N]) -> Place {
    Place {
        base,
        projs: indices.into_iter().map(Proj::Index).collect(),
    }
}

pub fn read<const N: usize>(base: VarId, indices: [Operand; N]) -> Rvalue {
    Rvalue::Read(place(base, indices))
}

pub fn bin(op: BinOp, a: Operand, b: Operand) -> Rvalue {
    Rvalue::Binary(op, a, b)
}

pub fn math(f: MathFn, args: Vec<Operand>) -> Rvalue {
    Rvalue::Math(f, args, None)
}

pub fn let_(var: VarId, value: impl Into<Rvalue>) -> Stmt {
    Stmt::Let {
        var,
        value: value.into(),
    }
}

/// `var = value`, overwriting.
pub fn assign(var: VarId, value: Operand) -> Stmt {
    Stmt::Assign {
        var,
        value,
        overwrites: true,
    }
}

pub fn store(place: Place, value: Operand) -> Stmt {
    Stmt::Store { place, value }
}

pub fn if_(cond: Operand, then: Vec<Stmt>, els: Vec<Stmt>) -> Stmt {
    Stmt::If {
        cond,
        then: Block { stmts: then },
        els: Block { stmts: els },
    }
}

/// `for var in start..end { body }`
pub fn for_(var: VarId, start: Operand, end: Operand, body: Vec<Stmt>) -> Stmt {
    Stmt::For {
        var,
        range: ForRange {
            start,
            end,
            inclusive: false,
            adaptors: Vec::new(),
        },
        body: Block { stmts: body },
        exit: None,
        counter: None,
    }
}

pub fn loop_(body: Vec<Stmt>) -> Stmt {
    Stmt::Loop {
        body: Block { stmts: body },
        exit: None,
        counter: None,
    }
}
