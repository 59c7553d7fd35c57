//! Benchmark of the protections under threat, for the threat issue: how long `aigaq wipe`
//! takes until the keys are gone (target: under 100 ms) and until everything is gone, for
//! vaults of about 10 MiB and 1 GiB; and how long an unlock takes with the real passphrase
//! and with the duress passphrase (which destroys the real vault and opens a decoy), at the
//! default Argon2id cost, over 20 runs each, with their median and spread.
//!
//! ```text
//! cargo bench --bench threat
//! AIGAQ_BENCH_QUICK=1 cargo bench --bench threat         # smoke run: 10 and 64 MiB, 5 unlocks
//! AIGAQ_BENCH_SIZE_MIB=4096 AIGAQ_BENCH_WIPE_RUNS=1 AIGAQ_BENCH_UNLOCK_RUNS=50 cargo bench --bench threat
//! AIGAQ_BENCH_DIR=/media/usb cargo bench --bench threat
//! ```
//!
//! What is measured is the `aigaq` CLI as users run it: the binary Cargo builds beside this
//! benchmark with the same optimised profile (`CARGO_BIN_EXE_aigaq`; `AIGAQ_BENCH_CLI`
//! names another), one process per operation.
//!
//! Wipe: `aigaq wipe --yes --json` reports the time until the keyslots file was overwritten,
//! synced and unlinked and the folder synced (the keys gone), and until every other file was
//! overwritten, synced and removed (everything gone), measured inside the process; the
//! whole process, spawn to exit, is shown beside them. Each run wipes a fresh copy of a
//! vault of the wanted size (testimonies, and attachments to make up the size), synced to
//! disk before the wipe so that it pays for no earlier write. Those vaults use a light
//! Argon2id cost: a wipe derives no key. `AIGAQ_BENCH_WIPE_RUNS` runs of each size
//! (default 3); the key target is judged on the slowest run. `AIGAQ_BENCH_SIZE_MIB` sets
//! the larger size (default 1024).
//!
//! Unlock: a vault at the default Argon2id cost (384 MiB, 2 passes), holding testimonies
//! and attachments, with a duress passphrase and a decoy set by `aigaq duress set`. Each run
//! takes a fresh copy of it (the duress unlock destroys the real vault; the real one gets a
//! copy too, so that both start from the same state) and times the whole CLI process
//! `aigaq --passphrase-file F list --json` from spawn to exit: both include the same process
//! start, so their difference is the unlock's. It also times `Vault::unlock` alone in a
//! child process of this benchmark (the library, built with the same profile), split into
//! Argon2id and the rest. `AIGAQ_BENCH_UNLOCK_RUNS` runs of each (default 20), alternating
//! real and duress so that background noise hits both; every run checks which vault opened.
//!
//! `AIGAQ_BENCH_QUICK=1` is a smoke run (10 and 64 MiB, one wipe each, 5 unlocks each).
//! Scratch files go to the system's temporary folder (or `AIGAQ_BENCH_DIR`) and are deleted
//! at the end unless `AIGAQ_BENCH_KEEP=1`. Figures go to stdout at the end; progress goes to
//! stderr.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use aigaq::{KdfParams, Passphrase, Vault};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "common/testimonies.rs"]
mod testimonies;

use common::files::{
    copy_vault, keep_if_asked, scratch, sync_everything, sync_tree, tree_bytes, write_noise,
};
use common::load::{cores, cpu_snapshot, io_between, io_snapshot, others_busy, print_others_busy};
use common::process::{run_measured_quiet, setup_output, SpawnReport};
use common::report::{bytes_text, dur, mib_text, Report, Spread};
use common::{env_flag, env_number, BenchResult};
use testimonies::corpus;

// ---------------------------------------------------------------------------------------
// Targets (from the issue)
// ---------------------------------------------------------------------------------------

/// Time until the keys are gone, for a vault of any size.
const KEYS_GONE_TARGET_MS: f64 = 100.0;

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

const PASSPHRASE: &str = "correct horse battery staple";
const DURESS_PASSPHRASE: &str = "tulip orbit canyon lantern";
/// Testimonies in every vault, and in the decoy.
const TESTIMONIES: usize = 50;
const DECOY_TESTIMONIES: usize = 5;
/// Attachments in the unlock vault, and their size.
const UNLOCK_ATTACHMENTS: u64 = 4;
const UNLOCK_ATTACHMENT_BYTES: u64 = 4 << 20;
/// Largest attachment used to make up a wipe vault's size.
const WIPE_PIECE_BYTES: u64 = 128 << 20;

struct Config {
    quick: bool,
    /// Vault sizes to wipe, in bytes.
    wipe_sizes: Vec<u64>,
    wipe_runs: usize,
    unlock_runs: usize,
}

impl Config {
    fn from_env() -> BenchResult<Config> {
        let quick = env_flag("AIGAQ_BENCH_QUICK");
        let large = env_number("AIGAQ_BENCH_SIZE_MIB")?.unwrap_or(if quick { 64 } else { 1024 });
        let wipe_runs = env_number("AIGAQ_BENCH_WIPE_RUNS")?.unwrap_or(if quick { 1 } else { 3 });
        let unlock_runs =
            env_number("AIGAQ_BENCH_UNLOCK_RUNS")?.unwrap_or(if quick { 5 } else { 20 });
        let mut wipe_sizes = vec![10 << 20, large << 20];
        wipe_sizes.sort_unstable();
        wipe_sizes.dedup();
        Ok(Config {
            quick,
            wipe_sizes,
            wipe_runs: usize::try_from(wipe_runs.max(1))?,
            unlock_runs: usize::try_from(unlock_runs.max(1))?,
        })
    }
}

// ---------------------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------------------

/// The `aigaq` binary, run on one vault.
struct Cli {
    exe: PathBuf,
}

impl Cli {
    fn args<'a>(vault: &'a Path, pass: Option<&'a Path>, args: &[&'a OsStr]) -> Vec<&'a OsStr> {
        let mut all: Vec<&OsStr> = vec!["--vault".as_ref(), vault.as_os_str()];
        if let Some(p) = pass {
            all.extend([OsStr::new("--passphrase-file"), p.as_os_str()]);
        }
        all.extend_from_slice(args);
        all
    }

    fn measured(
        &self,
        vault: &Path,
        pass: Option<&Path>,
        args: &[&OsStr],
        what: &str,
    ) -> BenchResult<SpawnReport> {
        run_measured_quiet(&self.exe, &Self::args(vault, pass, args), what)
    }

    /// A setup call (not measured); returns its stdout.
    fn setup(&self, vault: &Path, pass: &Path, args: &[&OsStr]) -> BenchResult<String> {
        let mut command = Command::new(&self.exe);
        command.args(Self::args(vault, Some(pass), args));
        setup_output(command, &args)
    }
}

/// The aigaq binary: `AIGAQ_BENCH_CLI`, else the one Cargo built for this benchmark.
fn cli_exe() -> PathBuf {
    std::env::var_os("AIGAQ_BENCH_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_aigaq")))
}

// ---------------------------------------------------------------------------------------
// The child: one unlock through the library
// ---------------------------------------------------------------------------------------

/// First argument that makes this binary a child unlocking one vault: `VAULT PASSFILE`.
const UNLOCK_FLAG: &str = "--threat-unlock";

/// What an unlocking child prints on its one line of stdout.
#[derive(Serialize, Deserialize)]
struct UnlockReport {
    /// `Vault::unlock`, whole.
    secs: f64,
    /// Its Argon2id.
    kdf_secs: f64,
    /// The rest (keyslots, the duress swap if any, opening the database).
    rest_secs: f64,
    /// Testimonies in the vault that opened.
    testimonies: u64,
}

fn unlock_child(args: &[String]) -> BenchResult {
    let [vault, pass_file] = args else {
        return Err(format!("{UNLOCK_FLAG}: unexpected arguments {args:?}").into());
    };
    let pass = Passphrase::from_file_bytes(Zeroizing::new(fs::read(pass_file)?))?;
    let started = Instant::now();
    let vault = Vault::unlock(Path::new(vault), &pass)?;
    let secs = started.elapsed().as_secs_f64();
    let timings = vault.timings();
    let report = UnlockReport {
        secs,
        kdf_secs: timings.kdf.as_secs_f64(),
        rest_secs: timings.rest.as_secs_f64(),
        testimonies: vault.store().count()?,
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Vaults
// ---------------------------------------------------------------------------------------

/// A vault of `testimonies`; with `kdf` = `None`, at the default Argon2id cost.
fn make_vault(
    cli: &Cli,
    dir: &Path,
    pass: &Path,
    kdf: Option<(&str, &str)>,
    testimonies: std::ops::Range<usize>,
) -> BenchResult {
    let mut init: Vec<&OsStr> = vec!["init".as_ref()];
    if let Some((memory, time)) = kdf {
        init.extend(["--kdf-memory-mib", memory, "--kdf-time", time].map(OsStr::new));
    }
    cli.setup(dir, pass, &init)?;
    let json = dir.with_extension("json");
    fs::write(&json, serde_json::to_vec(&corpus(testimonies))?)?;
    cli.setup(
        dir,
        pass,
        &["add".as_ref(), "--json".as_ref(), json.as_os_str()],
    )?;
    fs::remove_file(&json)?;
    Ok(())
}

/// Attaches `count` files of `each` bytes (distinct content) to the vault's newest testimony.
fn attach_files(
    cli: &Cli,
    dir: &Path,
    pass: &Path,
    count: u64,
    each: u64,
    seed: u64,
) -> BenchResult {
    let list: Value =
        serde_json::from_str(&cli.setup(dir, pass, &["list".as_ref(), "--json".as_ref()])?)?;
    let id = list[0]["id"].as_str().ok_or("list --json gave no id")?;
    let files: Vec<PathBuf> = (0..count)
        .map(|i| dir.with_extension(format!("part-{i}")))
        .collect();
    for (i, f) in files.iter().enumerate() {
        write_noise(f, each, seed + i as u64)?;
    }
    let mut args: Vec<&OsStr> = vec!["attach".as_ref(), id.as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    cli.setup(dir, pass, &args)?;
    for f in &files {
        fs::remove_file(f)?;
    }
    Ok(())
}

/// A fresh copy of `template` at `to`, on disk before anything is measured.
fn fresh_copy(template: &Path, to: &Path) -> BenchResult {
    copy_vault(template, to)?;
    sync_tree(to)?;
    sync_everything();
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Wipe
// ---------------------------------------------------------------------------------------

/// One wipe, as `aigaq wipe --json` reports it, and the whole process.
struct WipeRun {
    keys_ms: f64,
    total_ms: f64,
    files: u64,
    bytes: u64,
    process_secs: f64,
    peak_kib: u64,
}

struct WipeSize {
    /// What was asked for.
    size: u64,
    runs: Vec<WipeRun>,
}

fn measure_wipe(
    cfg: &Config,
    cli: &Cli,
    root: &Path,
    pass: &Path,
    size: u64,
) -> BenchResult<WipeSize> {
    let label = bytes_text(size);
    eprintln!("wipe, {label}: making the vault …");
    let template = root.join(format!("wipe-{}", size >> 20));
    make_vault(cli, &template, pass, Some(("8", "1")), 0..TESTIMONIES)?;
    let missing = size.saturating_sub(tree_bytes(&template)?);
    if missing > 0 {
        let pieces = missing.div_ceil(WIPE_PIECE_BYTES);
        attach_files(cli, &template, pass, pieces, missing / pieces, 1000)?;
    }
    let mut out = WipeSize {
        size,
        runs: Vec::new(),
    };
    for k in 1..=cfg.wipe_runs {
        let copy = root.join(format!("wipe-{}-{k}", size >> 20));
        fresh_copy(&template, &copy)?;
        let done = cli.measured(
            &copy,
            None,
            &["wipe".as_ref(), "--yes".as_ref(), "--json".as_ref()],
            "wipe",
        )?;
        let report: Value = serde_json::from_str(&done.stdout)?;
        let field = |name: &str| {
            report[name]
                .as_f64()
                .ok_or_else(|| format!("wipe --json gave no {name}: {report}"))
        };
        let run = WipeRun {
            keys_ms: field("keys_destroyed")?,
            total_ms: field("total")?,
            files: field("files")? as u64,
            bytes: field("bytes")? as u64,
            process_secs: done.secs,
            peak_kib: done.peak_kib(),
        };
        if copy.exists() {
            return Err(format!("the wipe left {}", copy.display()).into());
        }
        eprintln!(
            "    … wipe {k} of {}: keys gone after {:.1} ms, everything after {:.0} ms",
            cfg.wipe_runs, run.keys_ms, run.total_ms
        );
        out.runs.push(run);
    }
    fs::remove_dir_all(&template)?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Unlock
// ---------------------------------------------------------------------------------------

#[derive(Default)]
struct UnlockSide {
    /// The CLI process, spawn to exit.
    cli_secs: Vec<f64>,
    cli_peak_kib: u64,
    /// `Vault::unlock` in a child.
    lib: Vec<UnlockReport>,
}

#[derive(Default)]
struct Unlocks {
    real: UnlockSide,
    duress: UnlockSide,
    vault_bytes: u64,
}

fn measure_unlock(cfg: &Config, cli: &Cli, root: &Path, pass: &Path) -> BenchResult<Unlocks> {
    eprintln!("unlock: making a vault at the default Argon2id cost, with a duress passphrase …");
    let template = root.join("unlock");
    make_vault(cli, &template, pass, None, 0..TESTIMONIES)?;
    attach_files(
        cli,
        &template,
        pass,
        UNLOCK_ATTACHMENTS,
        UNLOCK_ATTACHMENT_BYTES,
        2000,
    )?;
    let duress = root.join("duress-passphrase");
    fs::write(&duress, DURESS_PASSPHRASE)?;
    let decoy = root.join("decoy.json");
    fs::write(
        &decoy,
        serde_json::to_vec(&corpus(10_000..10_000 + DECOY_TESTIMONIES))?,
    )?;
    cli.setup(
        &template,
        pass,
        &[
            "duress".as_ref(),
            "set".as_ref(),
            "--duress-passphrase-file".as_ref(),
            duress.as_os_str(),
            "--decoy".as_ref(),
            decoy.as_os_str(),
        ],
    )?;
    let mut out = Unlocks {
        vault_bytes: tree_bytes(&template)?,
        ..Unlocks::default()
    };
    let exe = std::env::current_exe()?;
    let copy = root.join("unlock-copy");
    for k in 0..cfg.unlock_runs {
        eprintln!("unlock: run {} of {} …", k + 1, cfg.unlock_runs);
        // Alternate which goes first, so that neither always follows the other.
        let order = if k % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for is_duress in order {
            let (side, pass_file, expect, what) = if is_duress {
                (
                    &mut out.duress,
                    duress.as_path(),
                    DECOY_TESTIMONIES,
                    "duress unlock",
                )
            } else {
                (&mut out.real, pass, TESTIMONIES, "real unlock")
            };
            fresh_copy(&template, &copy)?;
            let done = cli.measured(
                &copy,
                Some(pass_file),
                &["list".as_ref(), "--json".as_ref()],
                what,
            )?;
            let listed: Vec<Value> = serde_json::from_str(&done.stdout)?;
            if listed.len() != expect {
                return Err(format!(
                    "{what}: the CLI listed {} testimonies, not {expect}",
                    listed.len()
                )
                .into());
            }
            side.cli_secs.push(done.secs);
            side.cli_peak_kib = side.cli_peak_kib.max(done.peak_kib());
            fs::remove_dir_all(&copy)?;

            fresh_copy(&template, &copy)?;
            let done = run_measured_quiet(
                &exe,
                &[
                    UNLOCK_FLAG.as_ref(),
                    copy.as_os_str(),
                    pass_file.as_os_str(),
                ],
                what,
            )?;
            let line = done.stdout.lines().last().unwrap_or_default();
            let report: UnlockReport = serde_json::from_str(line)
                .map_err(|e| format!("{what}: unreadable report {line:?}: {e}"))?;
            if report.testimonies != expect as u64 {
                return Err(format!(
                    "{what}: the library opened a vault of {} testimonies, not {expect}",
                    report.testimonies
                )
                .into());
            }
            side.lib.push(report);
            fs::remove_dir_all(&copy)?;
        }
    }
    fs::remove_dir_all(&template)?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------

fn ms(secs: f64) -> String {
    format!("{:.0} ms", secs * 1e3)
}

fn print_wipe(r: &mut Report, sizes: &[WipeSize], cfg: &Config) {
    r.section(&format!(
        "1. Wipe: keys gone, and everything gone ({} fresh vault{} of each size; `aigaq wipe --yes --json`)",
        cfg.wipe_runs,
        if cfg.wipe_runs == 1 { "" } else { "s" }
    ));
    println!(
        "  {:>10} {:>10} {:>6}  {:>19} {:>9}  {:<6}  {:>19}  {:>10} {:>9}",
        "vault",
        "wiped",
        "files",
        "keys gone med/max",
        "target",
        "result",
        "all gone med/max",
        "process",
        "peak"
    );
    for s in sizes {
        let pick = |f: fn(&WipeRun) -> f64| Spread::of(&s.runs.iter().map(f).collect::<Vec<_>>());
        let keys = pick(|w| w.keys_ms);
        let total = pick(|w| w.total_ms);
        let process = pick(|w| w.process_secs);
        let last = s.runs.last();
        let ok = keys.max < KEYS_GONE_TARGET_MS;
        let result = r.result(Some(ok), || {
            format!(
                "wipe of {}: keys gone after {:.1} ms in the slowest run (target < {KEYS_GONE_TARGET_MS:.0} ms)",
                bytes_text(s.size),
                keys.max
            )
        });
        println!(
            "  {:>10} {:>10} {:>6}  {:>19} {:>9}  {result:<6}  {:>19}  {:>10} {:>9}",
            bytes_text(s.size),
            bytes_text(last.map_or(0, |w| w.bytes)),
            last.map_or(0, |w| w.files),
            format!("{:.1} / {:.1} ms", keys.median, keys.max),
            format!("< {KEYS_GONE_TARGET_MS:.0} ms"),
            format!("{} / {}", dur(total.median / 1e3), dur(total.max / 1e3)),
            dur(process.median),
            mib_text(s.runs.iter().map(|w| w.peak_kib).max().unwrap_or(0)),
        );
    }
    for line in [
        "keys gone: keyslots overwritten with random bytes, synced, unlinked, folder synced (the",
        "target is judged on the slowest run); all gone: every other file overwritten with zeros,",
        "synced and removed. Both measured inside the CLI; process: the CLI from spawn to exit",
        "(median), peak: its peak RSS. Each vault a fresh copy, synced to disk before the wipe.",
    ] {
        println!("  {line}");
    }
}

fn difference(real: &Spread, duress: &Spread) {
    println!(
        "  duress − real at the median: {:+.0} ms; duress / real = {:.3}×",
        (duress.median - real.median) * 1e3,
        duress.median / real.median.max(1e-9)
    );
}

fn print_unlock(r: &Report, u: &Unlocks, cfg: &Config) {
    let kdf = KdfParams::DEFAULT;
    r.section(&format!(
        "2. Unlock at the default Argon2id cost ({} MiB, t={}): {} runs each, alternating, each on a fresh copy",
        kdf.memory_kib / 1024,
        kdf.time_cost,
        cfg.unlock_runs
    ));
    println!(
        "  vault: {TESTIMONIES} testimonies, {UNLOCK_ATTACHMENTS} attachments of {}, {} on disk; duress decoy of {DECOY_TESTIMONIES} testimonies",
        bytes_text(UNLOCK_ATTACHMENT_BYTES),
        bytes_text(u.vault_bytes)
    );
    println!();
    println!(
        "  a. the CLI, `aigaq --passphrase-file F list --json`, whole process from spawn to exit (what users see)"
    );
    println!(
        "  {:<10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}",
        "passphrase", "median", "min", "p10", "p90", "max", "peak RSS"
    );
    let real = Spread::of(&u.real.cli_secs);
    let duress = Spread::of(&u.duress.cli_secs);
    for (label, s, side) in [("real", &real, &u.real), ("duress", &duress, &u.duress)] {
        println!(
            "  {label:<10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}",
            ms(s.median),
            ms(s.min),
            ms(s.p10),
            ms(s.p90),
            ms(s.max),
            mib_text(side.cli_peak_kib)
        );
    }
    difference(&real, &duress);

    println!();
    println!("  b. `Vault::unlock` alone, in a child process of this benchmark (the library)");
    println!(
        "  {:<10} {:>9} {:>9} {:>9} {:>9} {:>9}  {:>14} {:>14}",
        "passphrase", "median", "min", "p10", "p90", "max", "Argon2id (med)", "the rest (med)"
    );
    let pick = |side: &UnlockSide, f: fn(&UnlockReport) -> f64| {
        Spread::of(&side.lib.iter().map(f).collect::<Vec<_>>())
    };
    let lib_real = pick(&u.real, |x| x.secs);
    let lib_duress = pick(&u.duress, |x| x.secs);
    for (label, s, side) in [
        ("real", &lib_real, &u.real),
        ("duress", &lib_duress, &u.duress),
    ] {
        println!(
            "  {label:<10} {:>9} {:>9} {:>9} {:>9} {:>9}  {:>14} {:>14}",
            ms(s.median),
            ms(s.min),
            ms(s.p10),
            ms(s.p90),
            ms(s.max),
            ms(pick(side, |x| x.kdf_secs).median),
            dur(pick(side, |x| x.rest_secs).median),
        );
    }
    difference(&lib_real, &lib_duress);
    for line in [
        "No target in the issue; the duress unlock (swap in the decoy, rewrite the keyslots,",
        "remove the real attachments) should not stand out from a real one.",
        "Percentiles interpolated between the nearest runs; the median of an even count is the",
        "mean of the two middle runs.",
    ] {
        println!("  {line}");
    }
}

// ---------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------

fn main() -> BenchResult {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(spawned) = common::process::dispatch(&args) {
        return spawned;
    }
    if let Some((first, rest)) = args.split_first() {
        if first == UNLOCK_FLAG {
            return unlock_child(rest);
        }
    }

    let cfg = Config::from_env()?;
    let exe = cli_exe();
    if !exe.is_file() {
        return Err(format!("no aigaq binary at {}", exe.display()).into());
    }
    let cli = Cli { exe };
    let scratch = scratch("aigaq-bench-threat-")?;
    let root = scratch.path();
    let started = Instant::now();
    let pass = root.join("passphrase");
    fs::write(&pass, PASSPHRASE)?;

    let cpu_start = cpu_snapshot();
    let io_start = io_snapshot();
    let mut wipes = Vec::new();
    for &size in &cfg.wipe_sizes {
        wipes.push(measure_wipe(&cfg, &cli, root, &pass, size)?);
    }
    let unlocks = measure_unlock(&cfg, &cli, root, &pass)?;
    let busy = others_busy(cpu_start, cpu_snapshot(), cores());
    let io = io_between(io_start, io_snapshot());

    // ---------------------------------------------------------------------------------
    let mut r = Report::default();
    println!();
    println!(
        "Aigaq threat benchmark{}",
        if cfg.quick {
            " (QUICK: smaller vault and fewer runs, smoke run only)"
        } else {
            ""
        }
    );
    println!(
        "  {} cores; aigaq CLI {}; scratch {}; {:.0} s in all",
        cores(),
        cli.exe.display(),
        root.display(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "  each operation a process of its own; wipe vaults at a light Argon2id cost (a wipe derives no key), the unlock vault at the default cost"
    );
    print_others_busy(busy);
    if let Some(io) = io {
        println!("  {}", io.describe());
    }
    print_wipe(&mut r, &wipes, &cfg);
    print_unlock(&r, &unlocks, &cfg);
    r.summary();
    keep_if_asked(scratch);
    Ok(())
}
