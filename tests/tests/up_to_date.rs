//! The committed `generated/` is exactly what the generator produces from `specs/`: the same
//! check as `cargo xtask codegen --check`, so a plain `cargo test` catches drift too.

#[test]
fn committed_crates_match_the_generator() {
    let root = xtask::workspace_root();
    for job in xtask::config::configured_jobs(&root).expect("specs/codegen.json loads") {
        let files = job.generate().unwrap_or_else(|d| panic!("{d}")).files;
        let changes = xtask::sync::changes(&job.output, &files).expect("output folder is readable");
        let stale = xtask::sync::report(&root, &changes);
        assert!(!stale, "{} is out of date: run `cargo xtask codegen` and commit", job.output.display());
    }
}
