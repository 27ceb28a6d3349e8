//! The shared vocabulary of the IR and the rules (a leaf: it depends on nothing else in
//! the crate): operators, the math primitives the macro knows, and the standard-library
//! names that decide whether a value can carry a derivative.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    /// Comparisons, logic and bit operations: never differentiable.
    Other(OtherOp),
}

/// The operators of [`BinOp::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OtherOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    /// `||` of two flags (`structurize`).
    Or,
}

impl OtherOp {
    /// The operator's tokens (`==`, `<<`).
    pub fn tokens(self) -> proc_macro2::TokenStream {
        match self {
            OtherOp::Eq => quote::quote!(==),
            OtherOp::Ne => quote::quote!(!=),
            OtherOp::Lt => quote::quote!(<),
            OtherOp::Le => quote::quote!(<=),
            OtherOp::Gt => quote::quote!(>),
            OtherOp::Ge => quote::quote!(>=),
            OtherOp::BitAnd => quote::quote!(&),
            OtherOp::BitOr => quote::quote!(|),
            OtherOp::BitXor => quote::quote!(^),
            OtherOp::Shl => quote::quote!(<<),
            OtherOp::Shr => quote::quote!(>>),
            OtherOp::Or => quote::quote!(||),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Not,
}

impl BinOp {
    pub fn differentiable(self) -> bool {
        !matches!(self, BinOp::Other(_))
    }
}

macro_rules! math_fns {
    ($($variant:ident $name:literal $arity:literal),* $(,)?) => {
        /// A float method the macro knows how to differentiate (or knows has a zero
        /// derivative).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum MathFn { $($variant),* }

        impl MathFn {
            /// Every primitive, in declaration order.
            #[cfg(test)]
            pub const ALL: &'static [MathFn] = &[$(MathFn::$variant),*];

            /// The primitive called `name` taking `arity` operands, receiver included.
            pub fn from_name(name: &str, arity: usize) -> Option<MathFn> {
                match (name, arity) {
                    $(($name, $arity) => Some(MathFn::$variant),)*
                    _ => None,
                }
            }
            /// The method name, as written in Rust.
            pub fn name(self) -> &'static str {
                match self { $(MathFn::$variant => $name),* }
            }
            /// The number of operands, receiver included.
            #[cfg(test)]
            pub fn arity(self) -> usize {
                match self { $(MathFn::$variant => $arity),* }
            }
        }
    };
}

math_fns! {
    Exp "exp" 1, Exp2 "exp2" 1, ExpM1 "exp_m1" 1, Ln "ln" 1, Ln1p "ln_1p" 1, Log "log" 2,
    Log2 "log2" 1, Log10 "log10" 1, Sqrt "sqrt" 1, Cbrt "cbrt" 1, Powi "powi" 2,
    Powf "powf" 2, Recip "recip" 1, Sin "sin" 1, Cos "cos" 1, Tan "tan" 1, Asin "asin" 1,
    Acos "acos" 1, Atan "atan" 1, Atan2 "atan2" 2, Sinh "sinh" 1, Cosh "cosh" 1,
    Tanh "tanh" 1, Asinh "asinh" 1, Acosh "acosh" 1, Atanh "atanh" 1, Hypot "hypot" 2,
    Abs "abs" 1, MulAdd "mul_add" 3, Max "max" 2, Min "min" 2, Clamp "clamp" 3,
    ToDegrees "to_degrees" 1, ToRadians "to_radians" 1, Fract "fract" 1,
    Signum "signum" 1, Floor "floor" 1, Ceil "ceil" 1, Round "round" 1, Trunc "trunc" 1,
    Copysign "copysign" 2,
}

/// A primitive with a derivative rule (`rules/`): the operations the IR applies to
/// float operands, each with its operands in order (`a op b`; the receiver first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prim {
    Bin(BinOp),
    /// `-a`.
    Neg,
    Math(MathFn),
    /// `a as f32` / `a as f64` from a float.
    FloatCast,
}

/// Methods whose result never carries a derivative, whatever the receiver: allowed on
/// active values.
pub fn passive_method(name: &str) -> bool {
    matches!(
        name,
        "len"
            | "is_empty"
            | "is_nan"
            | "is_finite"
            | "is_infinite"
            | "is_normal"
            | "is_sign_positive"
            | "is_sign_negative"
            | "is_subnormal"
            | "to_bits"
            | "total_cmp"
            | "partial_cmp"
            | "classify"
    )
}

/// Macros that only print or check: left out of the adjoint (they do not change values).
pub fn ignored_macro(name: &str) -> bool {
    matches!(
        name,
        "println"
            | "eprintln"
            | "print"
            | "eprint"
            | "dbg"
            | "assert"
            | "assert_eq"
            | "assert_ne"
            | "debug_assert"
            | "debug_assert_eq"
            | "debug_assert_ne"
    )
}

/// The primitive types that never carry a derivative: integers, `bool`, `char`.
pub const NON_FLOAT_PRIMITIVES: [&str; 14] = [
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "bool",
    "char",
];

/// Integer, bool and char targets of `as`: the cast's result is inactive.
pub fn non_float_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p
            .path
            .get_ident()
            .is_some_and(|id| NON_FLOAT_PRIMITIVES.contains(&id.to_string().as_str())),
        syn::Type::Paren(p) => non_float_type(&p.elem),
        syn::Type::Group(g) => non_float_type(&g.elem),
        _ => false,
    }
}
