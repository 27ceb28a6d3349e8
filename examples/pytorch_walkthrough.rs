//! PyTorch's `backward()` walkthrough, step by step, at compile time.
//!
//! The PyTorch code this reproduces (every tensor 2x2):
//!
//! ```python
//! x1 = torch.full((2, 2), 2.0, requires_grad=True)
//! w1 = torch.full((2, 2), 5.0, requires_grad=True)
//! w2 = torch.full((2, 2), 6.0, requires_grad=True)
//! Y  = torch.full((2, 2), 10.0)            # requires_grad=False
//! x2 = x1 * w1
//! y  = x2 * w2
//! L  = Y - y
//! L.backward(gradient=torch.ones(2, 2))    # x1.grad = -30, w1.grad = -12, w2.grad = -10
//! L2 = x1 * x1
//! L2.backward(gradient=torch.ones(2, 2))   # x1.grad accumulates: -30 + 2*2 = -26
//! ```
//!
//! Run with `cargo run --example pytorch_walkthrough`.

use cotangent::autodiff_reverse;

type M = [[f64; 2]; 2];

/// `L = Y - (x1 * w1) * w2`, elementwise. `x1`, `w1`, `w2` have `requires_grad=True`
/// (`Duplicated`: each gets a `.grad` buffer, its shadow); `target` is `Y`, with
/// `requires_grad=False` (`Const`: no shadow at all). The loss is array-valued, so the
/// adjoint takes a seed of the same shape, exactly like `L.backward(gradient)`.
#[autodiff_reverse(d_loss, Duplicated, Duplicated, Duplicated, Const, Active)]
fn loss(x1: &M, w1: &M, w2: &M, target: &M) -> M {
    let mut l = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            let x2 = x1[i][j] * w1[i][j]; // x2 = x1 * w1
            let y = x2 * w2[i][j]; //        y  = x2 * w2
            l[i][j] = target[i][j] - y; //   L  = Y - y
        }
    }
    l
}

/// `L2 = x1 * x1`.
#[autodiff_reverse(d_square, Duplicated, Active)]
fn square(x1: &M) -> M {
    let mut l = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            l[i][j] = x1[i][j] * x1[i][j];
        }
    }
    l
}

/// The graph up to the intermediate node `y = (x1 * w1) * w2`.
#[autodiff_reverse(d_forward, Duplicated, Duplicated, Duplicated, Active)]
fn forward(x1: &M, w1: &M, w2: &M) -> M {
    let mut y = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            y[i][j] = x1[i][j] * w1[i][j] * w2[i][j];
        }
    }
    y
}

fn assert_all(m: &M, value: f64, what: &str) {
    assert!(
        m.iter().flatten().all(|&v| v == value),
        "{what} = {m:?}, expected {value} everywhere"
    );
}

fn main() {
    // x1 = torch.full((2, 2), 2.0, requires_grad=True), and so on
    let x1 = [[2.0; 2]; 2];
    let w1 = [[5.0; 2]; 2];
    let w2 = [[6.0; 2]; 2];
    let target = [[10.0; 2]; 2]; // Y: requires_grad=False
    let ones = [[1.0; 2]; 2];

    // The `.grad` buffers start at zero (PyTorch: None, then zeros on first use).
    let mut x1_grad = [[0.0; 2]; 2];
    let mut w1_grad = [[0.0; 2]; 2];
    let mut w2_grad = [[0.0; 2]; 2];

    // L.backward(gradient=torch.ones(2, 2)): the forward pass runs inside `d_loss`, which
    // also returns L itself. Y is `Const`, so `d_loss` has no parameter for its gradient.
    let l = d_loss(
        &x1,
        &mut x1_grad,
        &w1,
        &mut w1_grad,
        &w2,
        &mut w2_grad,
        &target,
        ones,
    );
    println!("L        = {l:?}"); // 10 - 2*5*6 = -50
    println!("x1.grad  = {x1_grad:?}"); // dL/dx1 = -w1*w2 = -30
    println!("w1.grad  = {w1_grad:?}"); // dL/dw1 = -x1*w2 = -12
    println!("w2.grad  = {w2_grad:?}"); // dL/dw2 = -x2    = -10
    println!("Y.grad   = None (Const: requires_grad=False, no shadow parameter exists)");
    assert_eq!(l, loss(&x1, &w1, &w2, &target));
    assert_all(&l, -50.0, "L");
    assert_all(&x1_grad, -30.0, "x1.grad");
    assert_all(&w1_grad, -12.0, "w1.grad");
    assert_all(&w2_grad, -10.0, "w2.grad");

    // L2 = x1 * x1; L2.backward(gradient=torch.ones(2, 2)): gradients accumulate into
    // the same buffer, like `.grad` does: -30 + 2 * x1 = -26.
    let l2 = d_square(&x1, &mut x1_grad, ones);
    println!("L2       = {l2:?}");
    println!("x1.grad  = {x1_grad:?}   (after L2.backward: -30 + 2*2)");
    assert_eq!(l2, square(&x1));
    assert_all(&l2, 4.0, "L2");
    assert_all(&x1_grad, -26.0, "x1.grad after L2.backward");

    // x1.grad.zero_() and friends, then seed the intermediate node instead:
    // y.backward(gradient=-torch.ones(2, 2)) -- dL/dy = -1, so by the chain rule this
    // gives the same gradients as L.backward(ones).
    let mut x1_grad = [[0.0; 2]; 2];
    let mut w1_grad = [[0.0; 2]; 2];
    let mut w2_grad = [[0.0; 2]; 2];
    let dl_dy = [[-1.0; 2]; 2];
    let y = d_forward(
        &x1,
        &mut x1_grad,
        &w1,
        &mut w1_grad,
        &w2,
        &mut w2_grad,
        dl_dy,
    );
    println!("y        = {y:?}, seeded with dL/dy = {dl_dy:?}");
    println!("x1.grad  = {x1_grad:?}");
    println!("w1.grad  = {w1_grad:?}");
    println!("w2.grad  = {w2_grad:?}");
    assert_eq!(y, forward(&x1, &w1, &w2));
    assert_all(&y, 60.0, "y");
    assert_all(&x1_grad, -30.0, "x1.grad via y");
    assert_all(&w1_grad, -12.0, "w1.grad via y");
    assert_all(&w2_grad, -10.0, "w2.grad via y");

    // Unlike PyTorch, there is no graph to free: calling the adjoint again is fine
    // (no "Trying to backward through the graph a second time"), and adds up again.
    d_forward(
        &x1,
        &mut x1_grad,
        &w1,
        &mut w1_grad,
        &w2,
        &mut w2_grad,
        dl_dy,
    );
    assert_all(&x1_grad, -60.0, "x1.grad after a second backward");
    println!("x1.grad  = {x1_grad:?}   (after a second backward through y)");

    println!("all values match the PyTorch walkthrough");
}
