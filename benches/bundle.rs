//! Benchmark of bundle export and import against the targets of the bundle performance
//! issue: exporting and importing 10,000 testimonies should take at most 1.5× the time the
//! `rage` CLI takes to encrypt and decrypt the same number of bytes, measured in the same
//! run, and the peak RSS of each should stay under 100 MiB whatever the bundle size (so it is
//! measured at 1,000 testimonies too, to show whether it grows; add 100,000, the most one
//! bundle carries, to see the largest).
//!
//! ```text
//! cargo install rage --locked        # once: the yardstick, found on PATH or in ~/.cargo/bin
//! cargo bench --bench bundle
//! AIGAQ_BENCH_QUICK=1 cargo bench --bench bundle     # smoke run, a few hundred testimonies
//! AIGAQ_BENCH_SIZES=1000,10000,100000 cargo bench --bench bundle   # up to the largest bundle
//! AIGAQ_BENCH_DIR=/media/usb cargo bench --bench bundle
//! AIGAQ_BENCH_LARGEST=1 cargo bench --bench bundle --features bench-internals   # and 2c
//! ```
//!
//! The collector's vault holds testimonies from the generator shared with `benches/store.rs`,
//! every one shared with the organisation the benchmark names as a recipient; the
//! organisation's vault starts empty. Both use the default Argon2id cost, as shipped.
//!
//! Each measured export and import runs in a child process (this same binary, re-executed),
//! which unlocks a fresh copy of the vault, resets the kernel's peak-RSS counter (`5` to
//! `/proc/self/clear_refs`, Linux 4.0 or later), times `Store::export` or `Store::import`
//! alone and reads `VmHWM` right after: the unlock (about a second and 384 MiB of Argon2id,
//! by design) is neither timed nor counted. The child's whole-process peak, unlock included,
//! is shown beside it for honesty. `rage -e` and `rage -d` run on the decrypted tar stream of
//! the bundle (the same number of bytes the export encrypts and the import decrypts), timed
//! from spawn to exit; their peak RSS is their own `VmHWM`, sampled while they run (see
//! `common/process.rs` for why `wait4` alone cannot tell it). Every figure is the median time (and
//! the highest peak) of a few runs, interleaved so that background noise hits both. Beside
//! them, checking as many Ed25519 signatures as the bundle's ledger has entries, alone on one
//! core (with the verifier import uses, and with ring), shows the floor that checking every
//! ledger signature puts under an import.
//!
//! With `AIGAQ_BENCH_LARGEST=1`, section 2c fills a vault of 180,000 testimonies and imports
//! the largest bundle a reader accepts from it, once: Aigaq's export stops at 100,000, but
//! other software may send more, up to the reader's limits (see [`measure_largest`]).
//!
//! `AIGAQ_BENCH_SIZES` (testimonies per bundle, comma-separated) and `AIGAQ_BENCH_RUNS`
//! change what is measured; the time target applies at 10,000 when it is among the sizes.
//! Scratch vaults go to the system's temporary folder (or `AIGAQ_BENCH_DIR`) and are deleted
//! at the end unless `AIGAQ_BENCH_KEEP=1`. Figures go to stdout at the end; progress goes to
//! stderr; the header says how busy other processes kept the machine meanwhile.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aigaq::bundle::export::ExportOptions;
use aigaq::bundle::OrgKey;
use aigaq::{KdfParams, Passphrase, Vault};
use serde::{Deserialize, Serialize};

// Shared with the other benchmarks that measure processes; each uses a part of it.
#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;
// `benches/store.rs` also uses the parts of the generator made for its search queries.
#[allow(dead_code)]
#[path = "common/testimonies.rs"]
mod testimonies;

use common::files::{copy_vault, keep_asked, keep_if_asked, remove_if_present, scratch};
use common::load::{cores, cpu_snapshot, others_busy, BACKGROUND_WARNING_CORES};
use common::process::{proc_status_kib, reset_peak_rss, run_measured};
use common::rage::{find_rage, rage_identity, rage_version, NOT_FOUND};
use common::report::{bytes_text, dur, median, mib, mib_text, thousands, Report};
use common::BenchResult;
use testimonies::{corpus, SHARED_WITH};

// ---------------------------------------------------------------------------------------
// Targets (from the issue)
// ---------------------------------------------------------------------------------------

/// Export and import, as a multiple of rage's time on the same bytes.
const RAGE_RATIO_TARGET: f64 = 1.5;
/// Peak RSS of an export or an import, whatever the bundle size.
const PEAK_RSS_TARGET_MIB: f64 = 100.0;

// ---------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------

/// The bundle size the issue sets the time target for.
const ISSUE_SIZE: usize = 10_000;

struct Config {
    quick: bool,
    /// Testimonies per bundle, smallest first.
    sizes: Vec<usize>,
    /// Runs of each measured operation.
    runs: usize,
    /// Also import the largest bundle a reader accepts (section 2c).
    largest: bool,
}

/// Section 2c exports past Aigaq's cap, which only a benchmark build can.
const LARGEST_NEEDS_FEATURE: &str = "AIGAQ_BENCH_LARGEST=1 needs the export past the cap on \
     testimonies: run `AIGAQ_BENCH_LARGEST=1 cargo bench --bench bundle --features bench-internals`";

impl Config {
    fn from_env() -> BenchResult<Config> {
        let quick = std::env::var("AIGAQ_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        let mut cfg = if quick {
            Config {
                quick,
                sizes: vec![50, 200],
                runs: 1,
                largest: false,
            }
        } else {
            Config {
                quick,
                sizes: vec![1_000, ISSUE_SIZE],
                runs: 3,
                largest: false,
            }
        };
        if let Ok(sizes) = std::env::var("AIGAQ_BENCH_SIZES") {
            cfg.sizes = sizes
                .split(',')
                .map(|s| s.trim().replace('_', "").parse::<usize>())
                .collect::<Result<_, _>>()
                .map_err(|e| format!("AIGAQ_BENCH_SIZES={sizes:?}: {e}"))?;
            cfg.sizes.sort_unstable();
            cfg.sizes.dedup();
            cfg.sizes.retain(|&n| n > 0);
        }
        if let Ok(runs) = std::env::var("AIGAQ_BENCH_RUNS") {
            cfg.runs = runs
                .trim()
                .parse::<usize>()
                .map_err(|e| format!("AIGAQ_BENCH_RUNS={runs:?}: {e}"))?
                .max(1);
        }
        cfg.largest = std::env::var("AIGAQ_BENCH_LARGEST").is_ok_and(|v| !v.is_empty() && v != "0");
        if cfg.largest && !cfg!(feature = "bench-internals") {
            return Err(LARGEST_NEEDS_FEATURE.into());
        }
        Ok(cfg)
    }

    /// The size the time target applies to: the issue's if measured, else the largest.
    fn target_size(&self) -> usize {
        if self.sizes.contains(&ISSUE_SIZE) {
            ISSUE_SIZE
        } else {
            self.sizes.last().copied().unwrap_or(0)
        }
    }
}

const PASSPHRASE: &str = "correct horse battery staple";
/// Testimonies per `add` call while filling the collector's vault.
const FILL_BATCH: usize = 1_000;

// ---------------------------------------------------------------------------------------
// The child: one measured operation in a process of its own
// ---------------------------------------------------------------------------------------

/// First argument that makes this binary a child running one operation.
const CHILD_FLAG: &str = "--bundle-child";

/// What a child prints on its one line of stdout.
#[derive(Serialize, Deserialize)]
struct ChildReport {
    /// Testimonies exported, or revisions newly imported.
    records: usize,
    /// The operation alone.
    secs: f64,
    /// RSS when the operation began (after the unlock and the reset).
    rss_start_kib: u64,
    /// `VmHWM` right after the operation: its peak, as the counter was reset before it.
    peak_kib: u64,
    /// `VmHWM` before the reset: the unlock's peak.
    unlock_peak_kib: u64,
}

/// `export VAULT OUT`, `export-uncapped VAULT OUT` (see [`measure_largest`]) or
/// `import VAULT BUNDLE KEY`, or `inspect BUNDLE KEY` (see [`limits_child`]).
fn child(args: &[String]) -> BenchResult {
    if let [op, bundle, key] = args {
        if op == "inspect" {
            return limits_child(Path::new(bundle), Path::new(key));
        }
    }
    let (op, vault_dir, path, key) = match args {
        [op, vault, out] if op == "export" || op == UNCAPPED => (op, vault, out, None),
        [op, vault, bundle, key] if op == "import" => (op, vault, bundle, Some(key)),
        _ => return Err(format!("{CHILD_FLAG}: unexpected arguments {args:?}").into()),
    };
    let pass = Passphrase::new(PASSPHRASE.into())?;
    let mut vault = Vault::unlock(Path::new(vault_dir), &pass)?;
    let key = key.map(|k| OrgKey::read(Path::new(k), None)).transpose()?;
    let unlock_peak_kib = proc_status_kib("VmHWM")?;
    reset_peak_rss()?;
    let rss_start_kib = proc_status_kib("VmRSS")?;

    let started = Instant::now();
    let records = match key {
        None => {
            // Binary age, and only what the recipient has not received yet: each run
            // exports from a fresh copy of the vault, so that is every testimony.
            let opts = ExportOptions {
                all: false,
                armor: false,
                ..ExportOptions::default()
            };
            let store = vault.store_mut();
            let out = Path::new(path);
            let report = if op == UNCAPPED {
                export_uncapped(store, out, opts)?
            } else {
                store.export(SHARED_WITH, out, opts)?
            };
            report.records
        }
        Some(key) => vault
            .store_mut()
            .import(&[Path::new(path)], &key)?
            .iter()
            .map(|b| b.new_revisions)
            .sum(),
    };
    let secs = started.elapsed().as_secs_f64();
    let peak_kib = proc_status_kib("VmHWM")?;

    let report = ChildReport {
        records,
        secs,
        rss_start_kib,
        peak_kib,
        unlock_peak_kib,
    };
    println!("{}", serde_json::to_string(&report)?);
    eprintln!("    … {op}: {} records in {}", records, dur(secs));
    Ok(())
}

/// The child's operation that exports past Aigaq's cap on testimonies.
const UNCAPPED: &str = "export-uncapped";

#[cfg(feature = "bench-internals")]
fn export_uncapped(
    store: &mut aigaq::store::Store,
    out: &Path,
    opts: ExportOptions,
) -> BenchResult<aigaq::bundle::export::ExportReport> {
    Ok(store.export_uncapped_for_benchmark(SHARED_WITH, out, opts)?)
}

#[cfg(not(feature = "bench-internals"))]
fn export_uncapped(
    _: &mut aigaq::store::Store,
    _: &Path,
    _: ExportOptions,
) -> BenchResult<aigaq::bundle::export::ExportReport> {
    Err(LARGEST_NEEDS_FEATURE.into())
}

/// Reads a bundle made by [`limits_bundle`] as `aigaq inspect` does, which must refuse it,
/// and reports the reader's peak RSS.
fn limits_child(bundle: &Path, key: &Path) -> BenchResult {
    let key = OrgKey::read(key, None)?;
    reset_peak_rss()?;
    let rss_start_kib = proc_status_kib("VmRSS")?;
    let started = Instant::now();
    let refused =
        aigaq::bundle::inspect::read_bundle(bundle, &key, aigaq::bundle::inspect::Discard);
    let secs = started.elapsed().as_secs_f64();
    let peak_kib = proc_status_kib("VmHWM")?;
    if refused.is_ok() {
        return Err("a bundle listing files it does not hold was accepted".into());
    }
    let report = ChildReport {
        records: 0,
        secs,
        rss_start_kib,
        peak_kib,
        unlock_peak_kib: 0,
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// A bundle at the reader's limits, as other software (or an attacker: anyone can encrypt
/// to the organisation) could make one: a manifest listing the most files a reader accepts,
/// half records and half attachments, signed by a fresh key or by nobody, and none of the
/// files. The reader must refuse it, and its peak while doing so is what a manifest that
/// large costs: everything after the manifest streams.
fn limits_bundle(dir: &Path, org: &OrgKey, signed: bool) -> BenchResult<std::path::PathBuf> {
    use aigaq::bundle::inspect::MAX_FILES;
    use aigaq::bundle::manifest::{FileEntry, LedgerRange, Manifest, Sender, FORMAT};
    use base64::Engine;
    use ring::signature::KeyPair;
    let b64 = base64::engine::general_purpose::STANDARD;
    let pair = signing_key()?;
    let hash = |s: String| aigaq::canonical::sha256_hex(s.as_bytes());
    let mut entries = Vec::with_capacity(MAX_FILES);
    entries.push(FileEntry {
        path: "ledger.jsonl".into(),
        size: 1,
        sha256: hash("ledger".into()),
    });
    for i in 0..(MAX_FILES - 1) / 2 {
        let rev = hash(format!("r{i}"));
        entries.push(FileEntry {
            path: format!("records/01a2052a-71ef-73a4-8e59-{i:012}/{rev}.json"),
            size: 500,
            sha256: rev,
        });
        let sha = hash(format!("a{i}"));
        entries.push(FileEntry {
            path: format!("attachments/{sha}"),
            size: 1000,
            sha256: sha,
        });
    }
    let manifest = aigaq::canonical::to_bytes(&Manifest {
        format: FORMAT.into(),
        bundle_id: "01a2052a-7217-762b-b012-544e59b531ce".into(),
        created: "2026-11-22T21:29:57Z".into(),
        sender: Sender {
            device_key: b64.encode(pair.public_key().as_ref()),
            age_recipient: org.recipient(),
            name: None,
        },
        ledger: LedgerRange { first: 1, last: 1 },
        entries,
    })?;
    let sig = if signed {
        b64.encode(pair.sign(&manifest).as_ref())
    } else {
        b64.encode([7u8; 64])
    } + "\n";
    let path = dir.join(if signed {
        "limits-signed.age"
    } else {
        "limits-unsigned.age"
    });
    let recipient = aigaq::bundle::org_key::parse_recipient(&org.recipient())?;
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))?;
    let mut out = encryptor.wrap_output(BufWriter::new(File::create(&path)?))?;
    let mut tar = tar::Builder::new(&mut out);
    for (name, bytes) in [
        ("manifest.json", &manifest[..]),
        ("manifest.sig", sig.as_bytes()),
    ] {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, name, bytes)?;
    }
    tar.finish()?;
    drop(tar);
    out.finish()?.flush()?;
    Ok(path)
}

/// The reader's peak on [`limits_bundle`]s: (manifest bytes, unsigned peak, signed peak).
fn measure_limits(s: &Shared<'_>) -> BenchResult<(u64, u64, u64)> {
    eprintln!(
        "the reader at its limits: a manifest of {} files …",
        thousands(aigaq::bundle::inspect::MAX_FILES)
    );
    let mut peaks = [0u64; 2];
    let mut manifest_bytes = 0;
    for (i, signed) in [false, true].into_iter().enumerate() {
        let bundle = limits_bundle(s.root, s.org, signed)?;
        manifest_bytes = fs::metadata(&bundle)?.len();
        let exe = std::env::current_exe()?;
        let args: [&OsStr; 4] = [
            CHILD_FLAG.as_ref(),
            "inspect".as_ref(),
            bundle.as_os_str(),
            s.org_key_file.as_os_str(),
        ];
        let done = run_measured(&exe, &args, "inspect")?;
        let line = done.stdout.lines().last().unwrap_or_default();
        let r: ChildReport = serde_json::from_str(line)
            .map_err(|e| format!("inspect: unreadable report {line:?}: {e}"))?;
        peaks[i] = r.peak_kib.max(done.peak_kib());
        fs::remove_file(&bundle)?;
    }
    Ok((manifest_bytes, peaks[0], peaks[1]))
}

// ---------------------------------------------------------------------------------------
// Running and measuring processes
// ---------------------------------------------------------------------------------------

/// One run of an export or an import in a child.
#[derive(Clone, Copy)]
struct OpRun {
    /// Testimonies exported, or revisions newly imported.
    records: usize,
    secs: f64,
    peak_kib: u64,
    rss_start_kib: u64,
    unlock_peak_kib: u64,
    /// The whole child process, unlock and closing included.
    process_peak_kib: u64,
}

/// `expect_records`: how many testimonies the operation must handle, when known.
fn run_child(args: &[&Path], what: &str, expect_records: Option<usize>) -> BenchResult<OpRun> {
    let exe = std::env::current_exe()?;
    let mut child_args: Vec<&OsStr> = vec![CHILD_FLAG.as_ref()];
    child_args.extend(args.iter().map(|a| a.as_os_str()));
    let done = run_measured(&exe, &child_args, what)?;
    let line = done.stdout.lines().last().unwrap_or_default();
    let r: ChildReport = serde_json::from_str(line)
        .map_err(|e| format!("{what}: unreadable report {line:?}: {e}"))?;
    if let Some(expected) = expect_records.filter(|&n| n != r.records) {
        return Err(format!("{what} handled {} testimonies, not {expected}", r.records).into());
    }
    Ok(OpRun {
        records: r.records,
        secs: r.secs,
        peak_kib: r.peak_kib,
        rss_start_kib: r.rss_start_kib,
        unlock_peak_kib: r.unlock_peak_kib,
        // The reset erased the unlock from the counter wait4 reads, so the larger of the two.
        process_peak_kib: r.unlock_peak_kib.max(r.peak_kib).max(done.peak_kib()),
    })
}

/// One run of rage.
#[derive(Clone, Copy)]
struct RageRun {
    /// From spawn to exit.
    secs: f64,
    /// See [`common::process::SpawnReport::peak_kib`].
    peak_kib: u64,
    /// The spawner's RSS, below which `ru_maxrss` cannot go.
    floor_kib: u64,
}

fn run_rage(rage: &Path, args: &[&OsStr], out: &Path) -> BenchResult<RageRun> {
    remove_if_present(out)?;
    let done = run_measured(rage, args, "rage")?;
    Ok(RageRun {
        secs: done.secs,
        peak_kib: done.peak_kib(),
        floor_kib: done.floor_kib,
    })
}

// ---------------------------------------------------------------------------------------
// Vaults and files
// ---------------------------------------------------------------------------------------

/// A collector's vault holding `items`, with the organisation as a recipient.
fn make_collector(
    dir: &Path,
    pass: &Passphrase,
    items: &[aigaq::model::Testimony],
    org: &OrgKey,
) -> BenchResult {
    let mut vault = Vault::init(dir, pass, KdfParams::DEFAULT)?;
    for chunk in items.chunks(FILL_BATCH) {
        vault.store_mut().add(chunk)?;
    }
    vault
        .store_mut()
        .add_recipient(SHARED_WITH, &org.recipient())?;
    Ok(())
}

/// In `dir`, a collector's vault holding `n` testimonies and an empty organisation's vault;
/// and how long making them took.
fn make_vaults(
    s: &Shared<'_>,
    dir: &Path,
    n: usize,
    label: &str,
) -> BenchResult<(PathBuf, PathBuf, Duration)> {
    let started = Instant::now();
    eprintln!("{label}: generating the testimonies and filling the collector's vault …");
    let collector = dir.join("collector");
    make_collector(&collector, s.pass, &corpus(0..n), s.org)?;
    let organisation = dir.join("organisation");
    drop(Vault::init(&organisation, s.pass, KdfParams::DEFAULT)?);
    Ok((collector, organisation, started.elapsed()))
}

/// What the age layer of a bundle holds.
#[derive(Default)]
struct Plaintext {
    /// The whole decrypted stream: tar archive and padding.
    bytes: u64,
    manifest: u64,
    ledger: u64,
    ledger_entries: u64,
    records: u64,
    record_files: u64,
}

/// Decrypts a bundle to `out` with the age crate (not timed) and sizes its parts.
fn decrypt_bundle(bundle: &Path, key: &OrgKey, out: &Path) -> BenchResult<Plaintext> {
    let decryptor = age::Decryptor::new(BufReader::new(File::open(bundle)?))?;
    let mut plain = decryptor.decrypt(std::iter::once(key.identity() as &dyn age::Identity))?;
    let mut w = BufWriter::new(File::create(out)?);
    let mut sizes = Plaintext {
        bytes: io::copy(&mut plain, &mut w)?,
        ..Plaintext::default()
    };
    w.flush()?;
    drop(w);
    let mut archive = tar::Archive::new(BufReader::new(File::open(out)?));
    for entry in archive.entries()? {
        let mut entry = entry?;
        let size = entry.size();
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        match path.as_str() {
            "manifest.json" => sizes.manifest = size,
            "ledger.jsonl" => {
                sizes.ledger = size;
                let mut text = Vec::new();
                entry.read_to_end(&mut text)?;
                sizes.ledger_entries = text.iter().filter(|b| **b == b'\n').count() as u64;
            }
            p if p.starts_with("records/") => {
                sizes.records += size;
                sizes.record_files += 1;
            }
            _ => {}
        }
    }
    Ok(sizes)
}

// ---------------------------------------------------------------------------------------
// One bundle size
// ---------------------------------------------------------------------------------------

struct SizeRun {
    testimonies: usize,
    setup: Duration,
    export: Vec<OpRun>,
    import: Vec<OpRun>,
    rage_encrypt: Vec<RageRun>,
    rage_decrypt: Vec<RageRun>,
    bundle_bytes: u64,
    plain: Plaintext,
    /// Checking as many Ed25519 signatures as the bundle has ledger entries, alone.
    signatures: Vec<Floor>,
    /// Cores other processes kept busy while this size was measured.
    others_busy: Option<f64>,
}

struct Shared<'a> {
    cfg: &'a Config,
    root: &'a Path,
    pass: &'a Passphrase,
    org: &'a OrgKey,
    org_key_file: &'a Path,
    rage: &'a Path,
    rage_key_file: &'a Path,
    rage_recipient: &'a str,
}

fn measure_size(s: &Shared<'_>, n: usize) -> BenchResult<SizeRun> {
    let label = thousands(n);
    let dir = s.root.join(format!("n{n}"));
    fs::create_dir(&dir)?;
    let (collector, organisation, setup) = make_vaults(s, &dir, n, &label)?;

    let bundle = dir.join("bundle-1.age");
    let plain_file = dir.join("plain.tar");
    let rage_out = dir.join("rage.age");
    let rage_back = dir.join("rage-plain.tar");
    let mut run = SizeRun {
        testimonies: n,
        setup,
        export: Vec::new(),
        import: Vec::new(),
        rage_encrypt: Vec::new(),
        rage_decrypt: Vec::new(),
        bundle_bytes: 0,
        plain: Plaintext::default(),
        signatures: Vec::new(),
        others_busy: None,
    };
    let cpu_start = cpu_snapshot();
    for k in 1..=s.cfg.runs {
        eprintln!("{label}: run {k} of {} …", s.cfg.runs);
        // Export from a fresh copy, so every run sends all n testimonies to a new file.
        let copy = dir.join(format!("collector-{k}"));
        copy_vault(&collector, &copy)?;
        let out = dir.join(format!("bundle-{k}.age"));
        run.export.push(run_child(
            &[Path::new("export"), &copy, &out],
            "export",
            Some(n),
        )?);
        fs::remove_dir_all(&copy)?;
        let bytes = fs::metadata(&out)?.len();
        // (Later bundles differ from the first by a few bytes: age adds a random "grease"
        // stanza to every header.)
        if k == 1 {
            run.bundle_bytes = bytes;
            run.plain = decrypt_bundle(&bundle, s.org, &plain_file)?;
        } else {
            fs::remove_file(&out)?;
        }

        // Import the first bundle into a fresh copy: importing it twice would change nothing.
        let copy = dir.join(format!("organisation-{k}"));
        copy_vault(&organisation, &copy)?;
        run.import.push(run_child(
            &[Path::new("import"), &copy, &bundle, s.org_key_file],
            "import",
            Some(n),
        )?);
        fs::remove_dir_all(&copy)?;

        run.rage_encrypt.push(run_rage(
            s.rage,
            &[
                "-e".as_ref(),
                "-r".as_ref(),
                s.rage_recipient.as_ref(),
                "-o".as_ref(),
                rage_out.as_os_str(),
                plain_file.as_os_str(),
            ],
            &rage_out,
        )?);
        run.rage_decrypt.push(run_rage(
            s.rage,
            &[
                "-d".as_ref(),
                "-i".as_ref(),
                s.rage_key_file.as_os_str(),
                "-o".as_ref(),
                rage_back.as_os_str(),
                rage_out.as_os_str(),
            ],
            &rage_back,
        )?);
        let back = fs::metadata(&rage_back)?.len();
        if back != run.plain.bytes {
            return Err(format!(
                "rage decrypted {back} bytes, the bundle holds {}",
                run.plain.bytes
            )
            .into());
        }
        run.signatures.push(signatures_alone(
            run.plain.ledger_entries,
            run.plain.ledger,
        )?);
    }
    run.others_busy = others_busy(cpu_start, cpu_snapshot(), cores());
    if !keep_asked() {
        fs::remove_dir_all(&dir)?;
    }
    Ok(run)
}

// ---------------------------------------------------------------------------------------
// The largest bundle a reader accepts, imported whole
// ---------------------------------------------------------------------------------------

/// Testimonies in the collector's vault for section 2c: more than the reader's limits let
/// one bundle carry (its 64 MiB ledger holds about 160,000 entries of this generator's), so
/// the export stops where a reader would refuse more.
const LARGEST_FILL: usize = 180_000;

struct LargestRun {
    filled: usize,
    setup: Duration,
    export: OpRun,
    import: OpRun,
    bundle_bytes: u64,
    plain: Plaintext,
}

/// Aigaq never writes a bundle of more than [`aigaq::bundle::export::MAX_RECORDS`]
/// testimonies, but a reader accepts more, up to its limits on the ledger, the manifest, the
/// files and the bytes, from any software that signs what it sends (or anyone who wants to
/// make an organisation's import grow). So the export here takes testimonies in order with
/// every reader limit but not that cap, and the import of that bundle is measured whole.
fn measure_largest(s: &Shared<'_>) -> BenchResult<LargestRun> {
    let label = format!("largest ({})", thousands(LARGEST_FILL));
    let dir = s.root.join("largest");
    fs::create_dir(&dir)?;
    let (collector, organisation, setup) = make_vaults(s, &dir, LARGEST_FILL, &label)?;

    eprintln!("{label}: exporting past the cap on testimonies …");
    let bundle = dir.join("bundle.age");
    let export = run_child(&[Path::new(UNCAPPED), &collector, &bundle], "export", None)?;
    let bundle_bytes = fs::metadata(&bundle)?.len();
    let plain_file = dir.join("plain.tar");
    let plain = decrypt_bundle(&bundle, s.org, &plain_file)?;
    fs::remove_file(&plain_file)?;
    eprintln!(
        "{label}: importing {} testimonies …",
        thousands(export.records)
    );
    let import = run_child(
        &[Path::new("import"), &organisation, &bundle, s.org_key_file],
        "import",
        Some(export.records),
    )?;
    if !keep_asked() {
        fs::remove_dir_all(&dir)?;
    }
    Ok(LargestRun {
        filled: LARGEST_FILL,
        setup,
        export,
        import,
        bundle_bytes,
        plain,
    })
}

/// A fresh Ed25519 key, as a device signs with.
fn signing_key() -> BenchResult<ring::signature::Ed25519KeyPair> {
    use ring::signature::Ed25519KeyPair;
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
        .map_err(|_| "no Ed25519 key")?;
    Ok(Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| "no Ed25519 key")?)
}

/// Seconds that the verifier an import uses, and ring, each take on one core to check
/// `entries` Ed25519 signatures over messages of the ledger's average line length: what an
/// import must do whatever else it does, so a floor under its time.
fn signatures_alone(entries: u64, ledger_bytes: u64) -> BenchResult<Floor> {
    use aigaq::custody::verifier::DeviceVerifier;
    use ring::signature::{KeyPair, UnparsedPublicKey, ED25519};
    let pair = signing_key()?;
    let len = (ledger_bytes / entries.max(1)).max(8) as usize;
    let signed: Vec<(Vec<u8>, ring::signature::Signature)> = (0..entries)
        .map(|i| {
            let mut m = vec![b'x'; len];
            m[..8].copy_from_slice(&i.to_le_bytes());
            let sig = pair.sign(&m);
            (m, sig)
        })
        .collect();
    let key: [u8; 32] = pair
        .public_key()
        .as_ref()
        .try_into()
        .map_err(|_| "an Ed25519 public key is 32 bytes")?;
    let ours = DeviceVerifier::new(key);
    let started = Instant::now();
    for (m, sig) in &signed {
        if !ours.verifies(m, sig.as_ref()) {
            return Err("a signature made here does not verify".into());
        }
    }
    let import_verifier = started.elapsed().as_secs_f64();
    let public = UnparsedPublicKey::new(&ED25519, key.to_vec());
    let started = Instant::now();
    for (m, sig) in &signed {
        public
            .verify(m, sig.as_ref())
            .map_err(|_| "a signature made here does not verify")?;
    }
    Ok(Floor {
        import_verifier,
        ring: started.elapsed().as_secs_f64(),
    })
}

/// Seconds to check a ledger's signatures on one core.
#[derive(Clone, Copy)]
struct Floor {
    /// With the verifier import uses (ed25519-dalek).
    import_verifier: f64,
    /// With ring, which applies the same rule.
    ring: f64,
}

// ---------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------

fn print_times(r: &mut Report, runs: &[SizeRun], cfg: &Config) {
    r.section(&format!(
        "1. Time: the operation alone against rage on the same bytes (median of {} run{}; ratio = aigaq / rage)",
        cfg.runs,
        if cfg.runs == 1 { "" } else { "s" }
    ));
    println!(
        "  {:>11}  {:<8} {:>10}  {:<8} {:>10} {:>8} {:>8}  result",
        "testimonies", "aigaq", "time", "rage", "time", "ratio", "target"
    );
    let target_size = cfg.target_size();
    for s in runs {
        let pairs = [
            ("export", &s.export, "rage -e", &s.rage_encrypt),
            ("import", &s.import, "rage -d", &s.rage_decrypt),
        ];
        for (op, ours, rage_op, rage) in pairs {
            let t = median(ours.iter().map(|o| o.secs).collect());
            let rt = median(rage.iter().map(|o| o.secs).collect());
            let ratio = t / rt.max(1e-9);
            let applies = s.testimonies == target_size;
            let target = if applies {
                format!("≤ {RAGE_RATIO_TARGET:.1}×")
            } else {
                "(info)".into()
            };
            let shown = format!("{ratio:.1}×");
            let result = r.result(applies.then_some(ratio <= RAGE_RATIO_TARGET), || {
                format!(
                    "{op} of {} testimonies: {} against rage's {} = {shown} (target ≤ {RAGE_RATIO_TARGET:.1}×)",
                    thousands(s.testimonies),
                    dur(t),
                    dur(rt)
                )
            });
            println!(
                "  {:>11}  {op:<8} {:>10}  {rage_op:<8} {:>10} {shown:>8} {target:>8}  {result}",
                thousands(s.testimonies),
                dur(t),
                dur(rt)
            );
        }
    }
    println!(
        "  The time target applies at {} testimonies; other sizes show the trend.",
        thousands(target_size)
    );
    println!("  Floor under import: checking as many Ed25519 signatures as the ledger has entries, alone, on one core:");
    for s in runs {
        let t = median(s.signatures.iter().map(|f| f.import_verifier).collect());
        let ring = median(s.signatures.iter().map(|f| f.ring).collect());
        let rt = median(s.rage_decrypt.iter().map(|o| o.secs).collect());
        println!(
            "  {:>11}  {:>6} signatures {:>10} = {:.1}× rage -d (ring: {}); import checks them on two threads beside the records",
            thousands(s.testimonies),
            thousands(s.plain.ledger_entries as usize),
            dur(t),
            t / rt.max(1e-9),
            dur(ring)
        );
    }
}

fn print_memory(r: &mut Report, runs: &[SizeRun], cfg: &Config) {
    r.section(&format!(
        "2. Peak RSS (highest of {} run{}; the operation's peak excludes the unlock, reset before it)",
        cfg.runs,
        if cfg.runs == 1 { "" } else { "s" }
    ));
    println!(
        "  {:>11}  {:<8} {:>11} {:>11} {:>10}  {:<6}  {:>12} {:>11}  {:<8} {:>9}",
        "testimonies",
        "aigaq",
        "operation",
        "at start",
        "target",
        "result",
        "whole proc.",
        "unlock",
        "rage",
        "peak"
    );
    for s in runs {
        let pairs = [
            ("export", &s.export, "rage -e", &s.rage_encrypt),
            ("import", &s.import, "rage -d", &s.rage_decrypt),
        ];
        for (op, ours, rage_op, rage) in pairs {
            let max = |f: fn(&OpRun) -> u64| ours.iter().map(f).max().unwrap_or(0);
            let peak = max(|o| o.peak_kib);
            let ok = mib(peak) < PEAK_RSS_TARGET_MIB;
            let result = r.result(Some(ok), || {
                format!(
                    "{op} of {} testimonies: peak RSS {} (target < {PEAK_RSS_TARGET_MIB:.0} MiB)",
                    thousands(s.testimonies),
                    mib_text(peak)
                )
            });
            println!(
                "  {:>11}  {op:<8} {:>11} {:>11} {:>10}  {result:<6}  {:>12} {:>11}  {rage_op:<8} {:>9}",
                thousands(s.testimonies),
                mib_text(peak),
                mib_text(max(|o| o.rss_start_kib)),
                format!("< {PEAK_RSS_TARGET_MIB:.0} MiB"),
                mib_text(max(|o| o.process_peak_kib)),
                mib_text(max(|o| o.unlock_peak_kib)),
                mib_text(rage.iter().map(|o| o.peak_kib).max().unwrap_or(0)),
            );
        }
    }
    // Whether the peak grows with the bundle: MiB more per 1,000 testimonies more.
    for (op, pick) in [
        (
            "export",
            (|s: &SizeRun| &s.export) as fn(&SizeRun) -> &Vec<OpRun>,
        ),
        ("import", |s: &SizeRun| &s.import),
    ] {
        let steps: Vec<String> = runs
            .windows(2)
            .map(|w| {
                let peak = |s: &SizeRun| pick(s).iter().map(|o| o.peak_kib).max().unwrap_or(0);
                let grew = mib(peak(&w[1])) - mib(peak(&w[0]));
                let more = (w[1].testimonies - w[0].testimonies) as f64 / 1000.0;
                format!(
                    "{:+.2} MiB ({} → {})",
                    grew / more,
                    thousands(w[0].testimonies),
                    thousands(w[1].testimonies)
                )
            })
            .collect();
        if !steps.is_empty() {
            println!(
                "  {op}: the operation's peak per 1,000 testimonies more: {}",
                steps.join(", ")
            );
        }
    }
    let floor = runs
        .iter()
        .flat_map(|s| s.rage_encrypt.iter().chain(&s.rage_decrypt))
        .map(|o| o.floor_kib)
        .max()
        .unwrap_or(0);
    for line in [
        "operation: VmHWM right after the operation, the counter reset after the unlock;".into(),
        "at start: RSS when the operation began (binary, SQLCipher's cache, keys).".into(),
        "whole proc.: the child's peak over its life, unlock and closing included;".into(),
        "unlock: VmHWM before the reset (Argon2id at the default cost, by design).".into(),
        "rage: its own VmHWM, sampled every millisecond while it ran, or wait4's ru_maxrss when"
            .into(),
        format!(
            "higher (Linux cannot report less than the spawning helper's RSS there, {}).",
            mib_text(floor)
        ),
    ] {
        println!("  {line}");
    }
}

fn print_limits(r: &mut Report, (bundle_bytes, unsigned_kib, signed_kib): (u64, u64, u64)) {
    r.section(&format!(
        "2b. The reader at its limits: a bundle of {} listing {} files and holding none (whole process's peak)",
        bytes_text(bundle_bytes),
        thousands(aigaq::bundle::inspect::MAX_FILES)
    ));
    for (what, kib) in [
        ("signed by nobody (refused at the signature)", unsigned_kib),
        ("signed by its sender (refused: files missing)", signed_kib),
    ] {
        let ok = (kib as f64 / 1024.0) < PEAK_RSS_TARGET_MIB;
        let result = r.result(Some(ok), || {
            format!(
                "reading a manifest of {} files, {what}: {} (target < {PEAK_RSS_TARGET_MIB:.0} MiB)",
                thousands(aigaq::bundle::inspect::MAX_FILES),
                mib_text(kib)
            )
        });
        println!(
            "  {what:<48} {:>10}  < {PEAK_RSS_TARGET_MIB:.0} MiB  {result}",
            mib_text(kib)
        );
    }
    for line in [
        "What the largest manifest a reader accepts costs (inspect unlocks no vault). Reading on,",
        "the manifest's bytes are freed; the reader keeps its list and a little per record and",
        "attachment while their content streams: section 2c imports the largest bundle whole.",
    ] {
        println!("  {line}");
    }
}

fn print_largest(r: &mut Report, largest: Option<&LargestRun>) {
    use aigaq::bundle::inspect::{MAX_FILES, MAX_INDEX_BYTES, MAX_TOTAL_BYTES};
    let Some(l) = largest else {
        r.section("2c. The largest bundle a reader accepts, imported whole: not run");
        println!("  AIGAQ_BENCH_LARGEST=1 cargo bench --bench bundle --features bench-internals");
        println!(
            "  fills a vault of {} testimonies (a few minutes) and imports the largest bundle",
            thousands(LARGEST_FILL)
        );
        println!("  a reader accepts from it.");
        return;
    };
    let p = &l.plain;
    r.section(&format!(
        "2c. The largest bundle a reader accepts, imported whole: {} testimonies, {}",
        thousands(l.import.records),
        bytes_text(l.bundle_bytes)
    ));
    // Which of the reader's limits stopped the export: the one it came closest to.
    let files = p.record_files as usize + 3;
    let nearest = [
        ("ledger", p.ledger as f64 / MAX_INDEX_BYTES as f64),
        ("manifest", p.manifest as f64 / MAX_INDEX_BYTES as f64),
        ("files", files as f64 / MAX_FILES as f64),
        ("decrypted bytes", p.bytes as f64 / MAX_TOTAL_BYTES as f64),
    ]
    .into_iter()
    .fold(("", 0.0), |a, b| if b.1 > a.1 { b } else { a });
    println!(
        "  the collector's vault holds {} testimonies (filled in {:.0} s, not measured); an export",
        thousands(l.filled),
        l.setup.as_secs_f64()
    );
    println!(
        "  with every reader limit but not Aigaq's cap of {} took {} of them: its {} is at {:.1}% of",
        thousands(aigaq::bundle::export::MAX_RECORDS),
        thousands(l.export.records),
        nearest.0,
        100.0 * nearest.1
    );
    println!(
        "  the reader's limit ({} files; ledger {} of {} entries; manifest {})",
        thousands(files),
        bytes_text(p.ledger),
        thousands(p.ledger_entries as usize),
        bytes_text(p.manifest)
    );
    let ok = mib(l.import.peak_kib) < PEAK_RSS_TARGET_MIB;
    let result = r.result(Some(ok), || {
        format!(
            "import of the largest bundle a reader accepts ({} testimonies): peak {} (target < {PEAK_RSS_TARGET_MIB:.0} MiB)",
            thousands(l.import.records),
            mib_text(l.import.peak_kib)
        )
    });
    println!(
        "  {:<48} {:>10}  < {PEAK_RSS_TARGET_MIB:.0} MiB  {result}   in {}; whole process {}",
        "import, the operation's peak",
        mib_text(l.import.peak_kib),
        dur(l.import.secs),
        mib_text(l.import.process_peak_kib)
    );
    println!(
        "  {:<48} {:>10}  (Aigaq never writes one; in {})",
        "export past the cap, the operation's peak",
        mib_text(l.export.peak_kib),
        dur(l.export.secs)
    );
}

fn print_bundles(r: &Report, runs: &[SizeRun]) {
    r.section("3. Bundles (the bytes rage encrypted and decrypted are the decrypted stream)");
    println!(
        "  {:>11} {:>12} {:>12} {:>12} {:>12} {:>9} {:>10} {:>12}",
        "testimonies",
        "age file",
        "decrypted",
        "records",
        "ledger",
        "entries",
        "manifest",
        "tar+padding"
    );
    for s in runs {
        let p = &s.plain;
        let overhead = p.bytes.saturating_sub(p.records + p.ledger + p.manifest);
        println!(
            "  {:>11} {:>12} {:>12} {:>12} {:>12} {:>9} {:>10} {:>12}",
            thousands(s.testimonies),
            bytes_text(s.bundle_bytes),
            bytes_text(p.bytes),
            bytes_text(p.records),
            bytes_text(p.ledger),
            thousands(p.ledger_entries as usize),
            bytes_text(p.manifest),
            bytes_text(overhead)
        );
        if p.record_files != s.testimonies as u64 {
            println!("  note: the bundle holds {} record files", p.record_files);
        }
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
        if first == CHILD_FLAG {
            return child(rest);
        }
    }

    let cfg = Config::from_env()?;
    let Some(rage) = find_rage() else {
        eprintln!("{NOT_FOUND}");
        return Err("rage not found".into());
    };
    let rage_version = rage_version(&rage);
    let scratch = scratch("aigaq-bench-")?;
    let root = scratch.path();
    let started = Instant::now();
    let pass = Passphrase::new(PASSPHRASE.into())?;
    let org = OrgKey::generate();
    let org_key_file = root.join("organisation.key");
    org.write(&org_key_file, &aigaq::store::now(), None)?;
    let rage_key_file = root.join("rage.key");
    let rage_recipient = rage_identity(&rage_key_file)?;
    let shared = Shared {
        cfg: &cfg,
        root,
        pass: &pass,
        org: &org,
        org_key_file: &org_key_file,
        rage: &rage,
        rage_key_file: &rage_key_file,
        rage_recipient: &rage_recipient,
    };
    let mut runs = Vec::new();
    for &n in &cfg.sizes {
        runs.push(measure_size(&shared, n)?);
    }
    let limits = measure_limits(&shared)?;
    let largest = if cfg.largest {
        Some(measure_largest(&shared)?)
    } else {
        None
    };

    // ---------------------------------------------------------------------------------
    let mut r = Report::default();
    println!();
    println!(
        "Aigaq bundle benchmark{}",
        if cfg.quick {
            " (QUICK: smaller sizes, smoke run only)"
        } else {
            ""
        }
    );
    println!(
        "  {} cores; {rage_version} ({}); scratch {}; {:.0} s in all",
        cores(),
        rage.display(),
        root.display(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "  every testimony shares with the recipient; vaults at the default Argon2id cost ({} MiB, t={})",
        KdfParams::DEFAULT.memory_kib / 1024,
        KdfParams::DEFAULT.time_cost
    );
    let setup: Vec<String> = runs
        .iter()
        .map(|s| {
            format!(
                "{} in {:.0} s",
                thousands(s.testimonies),
                s.setup.as_secs_f64()
            )
        })
        .collect();
    println!("  vaults filled (not measured): {}", setup.join(", "));
    if runs.iter().all(|s| s.others_busy.is_some()) {
        let shown: Vec<String> = runs
            .iter()
            .map(|s| {
                format!(
                    "{} testimonies {:.2}",
                    thousands(s.testimonies),
                    s.others_busy.unwrap_or(0.0)
                )
            })
            .collect();
        println!(
            "  other processes kept busy, in cores on average while measuring: {}",
            shown.join(", ")
        );
        if runs
            .iter()
            .any(|s| s.others_busy.unwrap_or(0.0) > BACKGROUND_WARNING_CORES)
        {
            println!(
                "  WARNING: the machine was busy with other work during part of the run; rerun when it is idle"
            );
        }
    }
    print_times(&mut r, &runs, &cfg);
    print_memory(&mut r, &runs, &cfg);
    print_limits(&mut r, limits);
    print_largest(&mut r, largest.as_ref());
    print_bundles(&r, &runs);

    r.summary();
    keep_if_asked(scratch);
    Ok(())
}
