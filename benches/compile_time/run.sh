#!/usr/bin/env bash
# Compile-time cost of cotangent on the GMM objective (`examples/gmm/objective.rs`):
#   1. how long each macro expansion takes (COTANGENT_TIME=1 makes the macro print it);
#   2. release and debug build time of a binary that uses the file as is, against the same
#      binary built from a copy with the attributes (and the gradient method, which needs
#      them) removed. Only the binary is rebuilt each time: the dependencies are built first.
# Run from anywhere: bash benches/compile_time/run.sh   (needs python3 for the copy)
set -euo pipefail
cd "$(dirname "$0")/../.."
with=examples/zz_ct_with.rs
without=examples/zz_ct_without.rs
trap 'rm -f "$with" "$without" target/zz_ct_objective_plain.rs' EXIT

python3 - <<'PY'
import re
src = open("examples/gmm/objective.rs").read()
src = re.sub(r"#\[(differentiable|autodiff_reverse)(\([^\]]*\))?\]\n", "", src)
src = src.replace("use cotangent::{autodiff_reverse, differentiable};\n", "")
start = src.index("    /// The objective and its gradient")
end = src.index("\n    }\n", start) + len("\n    }\n")
src = src[:start] + src[end:]
open("target/zz_ct_objective_plain.rs", "w").write(src)
PY

# The same program, plus a call of the gradient where there is one.
main() {
    printf '#![allow(dead_code)]\n#[path = "%s"]\nmod objective;\n' "$1"
    printf 'fn main() {\n    let path = std::path::Path::new("../shared/data/adbench/gmm/1k_gmm_d2_K5.txt");\n'
    printf '    if let Ok(input) = objective::GmmInput::read(path) {\n        println!("{}", input.objective());\n'
    printf '        %s\n    }\n}\n' "$2"
}
main gmm/objective.rs 'println!("{:?}", input.gradient().1[0]);' > "$with"
main ../target/zz_ct_objective_plain.rs '' > "$without"

echo "== macro expansion (release build, COTANGENT_TIME=1)"
cargo build -q --release --example zz_ct_with 2>/dev/null || true
touch "$with"
COTANGENT_TIME=1 cargo build --release --example zz_ct_with 2>&1 | grep '^cotangent:' | sort -u

for profile in release dev; do
    flag=$([ "$profile" = release ] && echo --release || echo "")
    cargo build -q $flag --example zz_ct_with --example zz_ct_without
    for which in with without; do
        best=""
        for _ in 1 2 3; do
            touch "examples/zz_ct_$which.rs"
            t0=$(date +%s.%N)
            cargo build -q $flag --example "zz_ct_$which"
            t1=$(date +%s.%N)
            t=$(echo "$t1 - $t0" | bc)
            if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
        done
        echo "== $profile build of the example, $which the attributes: best of 3: ${best} s"
    done
done
