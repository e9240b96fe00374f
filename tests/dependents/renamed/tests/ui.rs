//! trybuild pass case with a renamed dependency: the case compiles (and runs)
//! in trybuild's own project, whose dependencies are this crate's, so the
//! facade is there only as `my_otp`.

#[test]
fn renamed_dependency() {
    trybuild::TestCases::new().pass("tests/ui/*.rs");
}
