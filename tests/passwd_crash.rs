//! `passwd` killed at any moment leaves a vault that the old or the new passphrase opens.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::Scratch;

#[test]
fn passwd_killed_midway_leaves_old_or_new_passphrase_working() {
    let s = Scratch::new();
    s.init();
    s.add(&common::testimony("must survive"));
    let old = s.pass_file();
    let new = s.file("new", "the brand new passphrase\n");
    let opens = |pass: &std::path::Path| {
        Command::new(assert_cmd::cargo::cargo_bin("aigaq"))
            .arg("--vault")
            .arg(s.vault())
            .arg("--passphrase-file")
            .arg(pass)
            .args(["list", "--json"])
            .output()
            .unwrap()
            .status
            .success()
    };
    let mut outcomes = (0, 0);
    for i in 0..24u64 {
        // Alternate which passphrase is current so every trial changes something.
        let (from, to) = if opens(&old) {
            (&old, &new)
        } else {
            (&new, &old)
        };
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("aigaq"))
            .arg("--vault")
            .arg(s.vault())
            .arg("--passphrase-file")
            .arg(from)
            .arg("passwd")
            .arg("--new-passphrase-file")
            .arg(to)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(500 * i));
        let _ = child.kill();
        let _ = child.wait();
        let (o, n) = (opens(&old), opens(&new));
        assert!(o ^ n, "trial {i}: old opens: {o}, new opens: {n}");
        if o {
            outcomes.0 += 1;
        } else {
            outcomes.1 += 1;
        }
    }
    eprintln!(
        "after 24 interrupted changes: old passphrase current {} times, new {} times",
        outcomes.0, outcomes.1
    );
}
