//! Struct literals: `Point { x: a, y: b }`, `Wishart { gamma, m }`, `Pair { 0: a, 1: b }`,
//! and constructors of tuple structs and variants (`V2(a, b)`, `Shape::Circle(r)`).
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

    // from: `Shape::Circle(r * 2.0)` / `V2(a, b)` (a call of a capitalised name)
    // into: `let t = r * 2.0; let s = Shape::Circle { 0: t };`, a struct literal
    pub(crate) fn constructor_call(
        &mut self,
        c: &syn::ExprCall,
        func: &syn::ExprPath,
    ) -> Option<Operand> {
        let last = func.path.segments.last()?.ident.to_string();
        // `Shape::Circle`, `V2`, `Self`: not `T::PI()`, a constant's function (upper case
        // after a path), nor `Some(x)` / `Ok(x)`, std's, which carry no derivative.
        let capitalised = last.chars().next().is_some_and(char::is_uppercase)
            && (last.chars().any(char::is_lowercase) || func.path.segments.len() == 1);
        if func.qself.is_some() || !capitalised || ["Some", "Ok", "Err"].contains(&last.as_str()) {
            return None;
        }
        let fields = c
            .args
            .iter()
            .enumerate()
            .map(|(k, a)| {
                let member = syn::Member::Unnamed(syn::Index {
                    index: k as u32,
                    span: a.span(),
                });
                (member, self.expr(a))
            })
            .collect();
        Some(self.bind("value", c.span(), Rvalue::Struct(func.path.clone(), fields)))
    }
}
