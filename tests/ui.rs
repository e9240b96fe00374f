//! Compile-time errors of `#[actor]` and `supervisor!`, pinned with trybuild:
//! each `tests/ui/*.rs` must fail with exactly its `.stderr`; `tests/ui/pass/`
//! must compile. Regenerate with `TRYBUILD=overwrite` and read every change.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
