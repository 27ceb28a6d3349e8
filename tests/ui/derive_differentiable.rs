use cotangent::Differentiable;

// A field whose type cannot carry a derivative: derive for it, or mark it skipped.
enum Mode {
    Fast,
    Slow,
}

#[derive(Differentiable)]
struct Model {
    w: Vec<f64>,
    mode: Mode,
}

// An unknown field option.
#[derive(Differentiable)]
struct Other {
    #[cotangent(frozen)]
    w: f64,
}

// Unions and enums without variants.
#[derive(Differentiable)]
union Bits {
    f: f64,
    u: u64,
}

#[derive(Differentiable)]
enum Never {}

fn main() {}
