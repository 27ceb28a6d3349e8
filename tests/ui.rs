//! Compile-fail tests: every diagnostic of the macro, with its `.stderr` snapshot.
//! Regenerate snapshots after a deliberate message change with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
