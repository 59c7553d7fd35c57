//! Crash safety: the CLI is killed with SIGKILL at random moments during add, edit, attach,
//! export, import and passwd. Every time, the vault must open with its passphrase, `verify`
//! and `check` must pass, and everything whose command had returned must be there; what a
//! killed command did is all there or not at all.
//!
//! `AIGAQ_CRASH_RUNS` sets the number of kills (default 210); `AIGAQ_CRASH_SEED` replays a
//! run (the seed is printed).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{OrgSetup, Scratch};
use serde_json::{json, Value};

const ORG: &str = "KIBHR Almaty";

/// xorshift64*: reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct Outcome {
    returned: bool,
    stdout: String,
}

/// Runs the CLI and kills it after `after` unless it finished first.
fn run_and_kill(s: &Scratch, pass: &Path, args: &[&str], after: Duration) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aigaq"))
        .env_remove("AIGAQ_VAULT")
        .env("TMPDIR", s.tmp())
        .arg("--vault")
        .arg(s.vault())
        .arg("--passphrase-file")
        .arg(pass)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + after;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return Outcome {
                returned: status.success(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            };
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Outcome {
                returned: false,
                stdout: String::new(),
            };
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn cli(s: &Scratch, pass: &Path, args: &[&str]) -> std::process::Output {
    s.bare()
        .arg("--passphrase-file")
        .arg(pass)
        .args(args)
        .output()
        .unwrap()
}

fn ok_json(s: &Scratch, pass: &Path, args: &[&str]) -> Value {
    let out = cli(s, pass, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn testimony(narrative: &str) -> Value {
    json!({
        "schema": "aigaq/testimony/1",
        "consent": {"informed": true, "identity": "anonymous", "share_with": [ORG]},
        "narrative": narrative,
    })
}

#[test]
fn killed_at_random_points_the_vault_always_opens_verifies_and_keeps_what_returned() {
    let runs: usize = std::env::var("AIGAQ_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(210);
    let seed: u64 = std::env::var("AIGAQ_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash test: {runs} kills, AIGAQ_CRASH_SEED={seed}");
    let mut rng = Rng(seed);

    let col = OrgSetup::new(ORG);
    let s = &col.s;
    let org = Scratch::new();
    org.init();
    let passes = [
        s.pass_file(),
        s.file("pass2", "another long passphrase 2\n"),
    ];
    let mut current = 0usize;
    let edit_target = s.add(&testimony("to be edited").to_string())[0].clone();
    // Not shared with the organisation, so exports stay small however much is attached.
    let mut private = testimony("to hold evidence");
    private["consent"]["share_with"] = json!([]);
    let attach_target = s.add(&private.to_string())[0].clone();
    let mut narratives: BTreeSet<String> = ["to be edited".to_owned()].into();
    let mut committed_ids: BTreeSet<String> = BTreeSet::new();
    let mut attached: BTreeSet<String> = BTreeSet::new();
    let mut received_floor = 0usize;
    // How long each command takes when left alone, so kills land anywhere in it.
    let mut longest = Duration::from_millis(150);
    let ops = ["add", "edit", "attach", "export", "import", "passwd"];
    let mut kills = 0usize;
    let mut i = 0usize;
    while kills < runs {
        i += 1;
        let op = ops[i % ops.len()];
        let after = Duration::from_micros(rng.below(longest.as_micros() as u64));
        let pass = passes[current].clone();
        let started = Instant::now();
        match op {
            "add" => {
                let batch: Vec<Value> = (0..5)
                    .map(|k| testimony(&format!("batch {i} item {k}")))
                    .collect();
                let f = s.file("batch.json", Value::from(batch).to_string());
                let out = run_and_kill(s, &pass, &["add", "--json", f.to_str().unwrap()], after);
                let list = ok_json(s, &pass, &["list", "--json"]);
                let present = list
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|t| {
                        t["excerpt"]
                            .as_str()
                            .unwrap()
                            .starts_with(&format!("batch {i} "))
                    })
                    .count();
                assert!(
                    present == 0 || present == 5,
                    "add {i}: {present} of 5 saved"
                );
                if out.returned {
                    assert_eq!(present, 5, "add {i} returned");
                    committed_ids.extend(out.stdout.lines().map(str::to_owned));
                }
            }
            "edit" => {
                let text = format!("edited in step {i}");
                let f = s.file("edit.json", testimony(&text).to_string());
                let out = run_and_kill(
                    s,
                    &pass,
                    &["edit", &edit_target, "--json", f.to_str().unwrap()],
                    after,
                );
                narratives.insert(text.clone());
                let shown = ok_json(s, &pass, &["show", &edit_target, "--json"]);
                let now = shown["testimony"]["narrative"].as_str().unwrap().to_owned();
                assert!(narratives.contains(&now), "edit {i}: {now}");
                if out.returned {
                    assert_eq!(now, text, "edit {i} returned");
                }
                narratives = [now].into();
            }
            "attach" => {
                let content: Vec<u8> = (0..600_000u32)
                    .map(|k| (k as u64 ^ i as u64).to_le_bytes()[0])
                    .collect();
                let sha = aigaq::canonical::sha256_hex(&content);
                let f = s.file("evidence.bin", content);
                let out = run_and_kill(
                    s,
                    &pass,
                    &["attach", &attach_target, f.to_str().unwrap()],
                    after,
                );
                let list = ok_json(s, &pass, &["attachments", &attach_target, "--json"]);
                let shas: BTreeSet<String> = list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["sha256"].as_str().unwrap().to_owned())
                    .collect();
                if out.returned {
                    assert!(shas.contains(&sha), "attach {i} returned");
                }
                assert!(
                    attached.is_subset(&shas),
                    "attach {i}: an attachment vanished"
                );
                attached = shas;
            }
            "export" => {
                let path: PathBuf = s.root.path().join(format!("b{i}.age"));
                let out = run_and_kill(
                    s,
                    &pass,
                    &[
                        "export",
                        "--to",
                        ORG,
                        "--all",
                        "--out",
                        path.to_str().unwrap(),
                    ],
                    after,
                );
                // The bundle is either absent or whole.
                if path.exists() {
                    s.bare()
                        .args(["inspect", "--identity", col.key.to_str().unwrap()])
                        .arg(&path)
                        .assert()
                        .success();
                } else {
                    assert!(!out.returned, "export {i} returned without a file");
                }
            }
            "import" => {
                let bundle = s.root.path().join(format!("imp{i}.age"));
                // A fresh bundle to import, made without interruption.
                let one = s.file(
                    "one.json",
                    testimony(&format!("for import {i}")).to_string(),
                );
                let added = cli(s, &pass, &["add", "--json", one.to_str().unwrap()]);
                assert!(added.status.success());
                committed_ids.extend(
                    String::from_utf8_lossy(&added.stdout)
                        .lines()
                        .map(str::to_owned),
                );
                let made = cli(
                    s,
                    &pass,
                    &["export", "--to", ORG, "--out", bundle.to_str().unwrap()],
                );
                assert!(made.status.success());
                let org_pass = org.pass_file();
                let out = run_and_kill(
                    &org,
                    &org_pass,
                    &[
                        "import",
                        "--identity",
                        col.key.to_str().unwrap(),
                        bundle.to_str().unwrap(),
                    ],
                    after,
                );
                let received = ok_json(&org, &org_pass, &["received", "--json"]);
                let n = received.as_array().unwrap().len();
                assert!(
                    n >= received_floor,
                    "import {i}: something received vanished"
                );
                if out.returned {
                    assert!(n > received_floor, "import {i} returned");
                }
                received_floor = n;
                let v = cli(&org, &org_pass, &["verify"]);
                assert!(
                    v.status.success(),
                    "import {i}: {}",
                    String::from_utf8_lossy(&v.stderr)
                );
            }
            "passwd" => {
                let next = 1 - current;
                let out = run_and_kill(
                    s,
                    &pass,
                    &[
                        "passwd",
                        "--new-passphrase-file",
                        passes[next].to_str().unwrap(),
                    ],
                    after,
                );
                let opens = |k: usize| cli(s, &passes[k], &["verify"]).status.success();
                let (old, new) = (opens(current), opens(next));
                assert!(old != new, "passwd {i}: old opens {old}, new opens {new}");
                if out.returned {
                    assert!(new, "passwd {i} returned");
                }
                if new {
                    current = next;
                }
            }
            _ => unreachable!(),
        }
        let took = started.elapsed();
        if took > longest && took < Duration::from_secs(2) {
            longest = took;
        }
        kills += 1;
        // After every command: the vault opens, its ledger verifies, every page, revision and
        // attachment checks, and everything that returned is there.
        let pass = passes[current].clone();
        let v = cli(s, &pass, &["verify"]);
        assert!(
            v.status.success(),
            "after {op} {i}: {}",
            String::from_utf8_lossy(&v.stderr)
        );
        if i.is_multiple_of(30) {
            let c = cli(s, &pass, &["check"]);
            assert!(
                c.status.success(),
                "after {op} {i}: {}",
                String::from_utf8_lossy(&c.stderr)
            );
        }
        let list = ok_json(s, &pass, &["list", "--json"]);
        let ids: BTreeSet<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            committed_ids.is_subset(&ids),
            "after {op} {i}: a saved testimony is missing"
        );
    }
    let c = cli(s, &passes[current], &["check"]);
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    eprintln!("crash test: {kills} kills survived");
}
