//! `cargo xtask fuzz-responses` as a user runs it: a short run of the response fuzzer over every
//! configured crate passes and reaches every path (parsed outputs, parse errors, service errors,
//! too-large bodies), and an injected failure of each kind fails the run with the seed, the
//! iteration, the operation and the response, and how to replay it.
//!
//! The first run builds the fuzzing harness (in release, under the target folder), which takes
//! minutes; the runs themselves take seconds.

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).arg("fuzz-responses").args(args).output().expect("xtask runs")
}

/// The numbers of a row of the summary table: executions, parsed OK, parse errors, service
/// errors, modeled, too large.
fn row(stdout: &str, name: &str) -> Vec<u64> {
    let line = stdout
        .lines()
        .find(|line| line.starts_with(&format!("| {name} |")))
        .unwrap_or_else(|| panic!("no row for {name} in:\n{stdout}"));
    line.split('|').skip(2).take(6).map(|cell| cell.trim().parse().expect("a count")).collect()
}

#[test]
fn a_short_run_reaches_every_path_and_failures_carry_their_response() {
    let run = xtask(&["--iterations", "20000", "--seed", "7"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "the run failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("20000 executions in"), "{stdout}");
    let total = row(&stdout, "total");
    let [executions, ok, parse_errors, service_errors, modeled, too_large] = total[..] else { panic!("{total:?}") };
    assert_eq!(executions, 20000);
    assert!(ok > 0 && parse_errors > 0 && service_errors > 0, "{stdout}");
    assert!(modeled > 0 && too_large > 0, "{stdout}");
    for name in ["awsgen-amplifybackend", "awsgen-fixture-restjson", "awsgen-fixture-awsjson"] {
        let counts = row(&stdout, name);
        assert!(counts[1] > 0 && counts[2] > 0 && counts[3] > 0 && counts[4] > 0, "{name}: {stdout}");
    }

    // Each kind of failure ends the run, naming everything needed to replay it.
    for (kind, says) in [
        ("panic", "FAILED: panic in "),
        ("memory", "FAILED: unbounded memory in "),
        ("slow", "FAILED: hang in "),
        ("overflow", "FAILED: the fuzzing harness died"),
    ] {
        let failed = xtask(&["--iterations", "10", "--seed", "7", "--self-test", kind]);
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(!failed.status.success(), "{kind}: the run passed:\n{stderr}");
        for needle in [
            says,
            "seed 7, iteration 3",
            "operation: awsgen-",
            "status: ",
            "body (",
            "--seed 7 --iteration 3",
            "--replay ",
        ] {
            assert!(stderr.contains(needle), "{kind}: no {needle:?} in:\n{stderr}");
        }
    }
    // With --keep-going the run goes on after a failure, and still fails at the end.
    let going = xtask(&["--iterations", "10", "--seed", "7", "--self-test", "panic", "--keep-going"]);
    let stdout = String::from_utf8_lossy(&going.stdout);
    assert!(!going.status.success() && stdout.contains("10 executions in"), "{stdout}");
    assert!(String::from_utf8_lossy(&going.stderr).contains("seen 1 time)"));

    // The replay of a saved response runs it again (the injected failure is not part of it).
    let replay = xtask(&["--seed", "7", "--iteration", "3"]);
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));
    assert!(String::from_utf8_lossy(&replay.stdout).contains("outcome: "));
}
