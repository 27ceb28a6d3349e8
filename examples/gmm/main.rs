//! The ADBench Gaussian-mixture objective and its gradient, from ADBench's own input
//! files (`../shared/data/adbench/gmm`, or the copy of `test.txt` in `tests/data`).
//!
//! `cargo run --release --example gmm [-- path/to/file.txt]`

mod objective;

use objective::GmmInput;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let shared = PathBuf::from("../shared/data/adbench/gmm/1k_gmm_d10_K5.txt");
            if shared.exists() {
                shared
            } else {
                PathBuf::from("tests/data/adbench/gmm_test.txt")
            }
        });
    let input = GmmInput::read(&path).unwrap_or_else(|e| panic!("cannot read the input: {e}"));
    println!(
        "{}: d = {}, K = {}, n = {}",
        path.display(),
        input.d,
        input.k,
        input.n
    );

    let start = Instant::now();
    let value = input.objective();
    let forward = start.elapsed();
    let start = Instant::now();
    let (same, gradient) = input.gradient();
    let backward = start.elapsed();
    assert_eq!(value, same, "the adjoint returns the primal bit for bit");
    println!("objective = {value:.12}");
    println!(
        "gradient: {} entries, first {:?}",
        gradient.len(),
        &gradient[..3.min(gradient.len())]
    );
    println!("time: objective {forward:?}, objective + gradient {backward:?}");
}
