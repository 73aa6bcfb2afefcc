//! One insta snapshot per generated file: a reviewer reads generator changes as snapshot diffs.
//! After an intended change: `cargo insta review` (or `INSTA_UPDATE=always`), then commit.

#[test]
fn every_generated_file_matches_its_snapshot() {
    let root = xtask::workspace_root();
    let jobs = xtask::config::configured_jobs(&root).expect("specs/codegen.json loads");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for job in &jobs {
            let files = job.generate().unwrap_or_else(|d| panic!("{d}")).files;
            let crate_dir = job.output.file_name().and_then(|n| n.to_str()).unwrap_or("crate");
            for (path, text) in &files {
                let name = format!("{crate_dir}__{}", path.replace('/', "__"));
                insta::assert_snapshot!(name, text);
            }
        }
    });
}
