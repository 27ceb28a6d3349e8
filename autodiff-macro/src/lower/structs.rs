//! Struct literals: `Point { x: a, y: b }`, `Wishart { gamma, m }`, `Pair { 0: a, 1: b }`.
//! The fields are lowered in the order written (Rust's evaluation order) and the struct
//! is one value (`Rvalue::Struct`), whose adjoint is a struct of the same type
//! (`#[derive(Differentiable)]`).

use syn::spanned::Spanned;

use crate::ir::*;
use crate::lower::Lowerer;

impl Lowerer<'_> {
    // from: `Particle { pos: [x, y], vel, mass: m * 2.0, id }`
    // into: `let a = [x, y]; let t = m * 2.0; let p = Particle { pos: a, vel: vel, mass: t,
    //       id: id };`
    pub(crate) fn struct_literal(&mut self, s: &syn::ExprStruct) -> Operand {
        if let Some(q) = &s.qself {
            return self.error(
                q.lt_token.span.join(q.gt_token.span).unwrap_or(s.span()),
                "a struct literal with a qualified path (`<T as Trait>::S { .. }`) is not supported: name the struct (`S { .. }`)",
            );
        }
        if let Some(rest) = &s.rest {
            return self.error(
                rest.span(),
                "a struct literal with `..base` is not supported in a differentiated function: write every field (`P { x: a, y: base.y }`)",
            );
        }
        let fields = s
            .fields
            .iter()
            .map(|f| (f.member.clone(), self.expr(&f.expr)))
            .collect();
        self.bind("value", s.span(), Rvalue::Struct(s.path.clone(), fields))
    }
}
