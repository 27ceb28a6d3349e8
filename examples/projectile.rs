//! Differentiating through a whole physics simulation: a projectile with quadratic air
//! drag, integrated with explicit Euler until it lands, and the launch angle tuned by
//! gradient descent so that it lands on a target.
//!
//! The number of time steps depends on the angle (the loop runs while the projectile is
//! in the air); the landing point is interpolated between the last two steps, so the
//! range is a continuous function of the angle and its gradient is meaningful.
//!
//! Run with `cargo run --example projectile`.

use cotangent::{autodiff_reverse, gradcheck};

const GRAVITY: f64 = 9.81;

/// Horizontal distance travelled before landing, for a launch at `angle` (radians) and
/// `speed` (m/s) from the ground, with drag acceleration `-drag * |v| * v`.
#[autodiff_reverse(d_range, Active, Active, Const, Const, Active)]
fn range(angle: f64, speed: f64, drag: f64, dt: f64) -> f64 {
    let mut x = 0.0;
    let mut y = 0.0;
    let mut vx = speed * angle.cos();
    let mut vy = speed * angle.sin();
    let mut prev_x = 0.0;
    let mut prev_y = 0.0;
    while y >= 0.0 {
        prev_x = x;
        prev_y = y;
        let v = (vx * vx + vy * vy).sqrt();
        let ax = -drag * v * vx;
        let ay = -GRAVITY - drag * v * vy;
        x += dt * vx;
        y += dt * vy;
        vx += dt * ax;
        vy += dt * ay;
    }
    // the step crossed y = 0: interpolate linearly to the crossing
    prev_x + (x - prev_x) * prev_y / (prev_y - y)
}

/// Half the squared miss distance.
#[autodiff_reverse(d_miss, Active, Const, Const, Const, Const, Active)]
fn miss(angle: f64, speed: f64, drag: f64, dt: f64, target: f64) -> f64 {
    let r = range(angle, speed, drag, dt) - target;
    0.5 * r * r
}

fn main() {
    let (speed, drag, dt) = (30.0, 0.01, 1e-3);
    let target = 45.0;

    // The gradient through ~2000 time steps against finite differences of `range`.
    gradcheck(
        |p| range(p[0], p[1], drag, dt),
        |p, dp| {
            let (_, d_angle, d_speed) = d_range(p[0], p[1], drag, dt, 1.0);
            dp[0] += d_angle;
            dp[1] += d_speed;
        },
        &[0.4, speed],
    )
    .expect("d_range matches finite differences");

    let mut angle = 10f64.to_radians();
    let learning_rate = 1e-4;
    let mut distance = f64::NAN;
    for step in 0..100 {
        let (loss, d_angle) = d_miss(angle, speed, drag, dt, target, 1.0);
        distance = range(angle, speed, drag, dt);
        if step % 5 == 0 || loss < 1e-10 {
            println!(
                "step {step:3}  angle {:7.4}°  lands at {distance:8.4} m  miss {:+.2e} m  d(loss)/d(angle) {d_angle:+.3e}",
                angle.to_degrees(),
                distance - target
            );
        }
        if loss < 1e-10 {
            break;
        }
        angle -= learning_rate * d_angle;
    }

    println!(
        "launch at {:.4}° to land at {distance:.6} m (target {target} m)",
        angle.to_degrees()
    );
    assert!(
        (distance - target).abs() < 1e-4,
        "missed by {} m",
        distance - target
    );
    assert!(miss(angle, speed, drag, dt, target) < 1e-8);
    // the flat solution, well below the angle of maximum range
    assert!(angle > 10f64.to_radians() && angle < 40f64.to_radians());

    // The same trajectory without drag lands much farther: the drag matters.
    let vacuum = range(angle, speed, 0.0, dt);
    println!("without drag the same launch would land at {vacuum:.2} m");
    assert!(vacuum > distance + 5.0);
}
