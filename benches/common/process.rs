//! Running a program in a process of its own and reading how long it took and its peak RSS,
//! through a spawner: this same benchmark binary, re-executed with [`SPAWN_FLAG`], which
//! runs the program, waits for it with `wait4` and prints a [`SpawnReport`].

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::BenchResult;

/// First argument that makes a benchmark binary a spawner: it runs `PROGRAM ARGS…` and
/// reports how long it took and its peak RSS. Every benchmark's `main` hands it to
/// [`dispatch`] first.
pub const SPAWN_FLAG: &str = "--bench-spawn";

/// After [`SPAWN_FLAG`]: capture the program's stderr instead of showing it, and show it
/// only if the program fails.
const QUIET_FLAG: &str = "--quiet";

/// Runs the spawner when this process was started as one; `None` otherwise.
pub fn dispatch(args: &[String]) -> Option<BenchResult> {
    match args.split_first() {
        Some((first, rest)) if first == SPAWN_FLAG => Some(spawner(rest)),
        _ => None,
    }
}

/// A `kB` field of `/proc/self/status`, in KiB.
pub fn proc_status_kib(field: &str) -> BenchResult<u64> {
    status_field_kib(&fs::read_to_string("/proc/self/status")?, field)
        .ok_or_else(|| format!("no {field} in /proc/self/status").into())
}

/// A `kB` field of a `/proc/PID/status` text, in KiB.
pub fn status_field_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
}

/// Sets `VmHWM` back to the current RSS, and checks that the kernel did.
pub fn reset_peak_rss() -> BenchResult {
    fs::write("/proc/self/clear_refs", "5").map_err(|e| {
        format!("could not reset the peak RSS counter (/proc/self/clear_refs, Linux ≥ 4.0): {e}")
    })?;
    let (hwm, rss) = (proc_status_kib("VmHWM")?, proc_status_kib("VmRSS")?);
    if hwm > rss + 1024 {
        return Err(format!(
            "writing 5 to /proc/self/clear_refs did not reset VmHWM ({hwm} kB, RSS {rss} kB)"
        )
        .into());
    }
    Ok(())
}

/// What a spawner prints on its one line of stdout.
#[derive(Serialize, Deserialize)]
pub struct SpawnReport {
    /// From spawn to exit.
    pub secs: f64,
    /// `ru_maxrss` from `wait4`.
    pub maxrss_kib: u64,
    /// The spawner's own peak RSS when it spawned: Linux counts it into the child's
    /// `ru_maxrss` at `exec`, so that figure cannot be lower than this.
    pub floor_kib: u64,
    /// The highest of the program's own `VmHWM`, sampled every millisecond while it ran.
    pub sampled_kib: u64,
    /// The program's stdout.
    pub stdout: String,
    /// The program's stderr, when captured (see [`run_measured_quiet`]).
    #[serde(default)]
    pub stderr: String,
}

impl SpawnReport {
    /// The program's own peak RSS: `ru_maxrss` when it is above the floor (it is then the
    /// program's own), else the highest `VmHWM` sampled, else (a program too quick to be
    /// sampled) `ru_maxrss` as an upper bound.
    pub fn peak_kib(&self) -> u64 {
        if self.maxrss_kib > self.floor_kib {
            self.maxrss_kib.max(self.sampled_kib)
        } else if self.sampled_kib > 0 {
            self.sampled_kib
        } else {
            self.maxrss_kib
        }
    }
}

/// `[--quiet] PROGRAM ARGS…`: runs it, with stdout captured and stderr shown (or captured,
/// with `--quiet`).
///
/// Why a process of its own: when a process execs, Linux starts its `ru_maxrss` at the peak
/// RSS of the process it was spawned from. Spawned from the benchmark itself, which may have
/// run Argon2id, generated thousands of testimonies or written gigabytes of test files,
/// every child would report hundreds of MiB; spawned from this fresh one, a few. Below that
/// floor, the `VmHWM` sampled from `/proc/PID/status` while the program runs tells its own
/// peak.
fn spawner(args: &[String]) -> BenchResult {
    let (quiet, args) = match args.split_first() {
        Some((flag, rest)) if flag == QUIET_FLAG => (true, rest),
        _ => (false, args),
    };
    let Some((program, args)) = args.split_first() else {
        return Err(format!("{SPAWN_FLAG}: no program given").into());
    };
    // Best effort: a fresh process's peak is close to its RSS anyway.
    let _ = fs::write("/proc/self/clear_refs", "5");
    let floor_kib = proc_status_kib("VmHWM")?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if quiet {
            Stdio::piped()
        } else {
            Stdio::inherit()
        })
        .spawn()
        .map_err(|e| format!("could not run {program}: {e}"))?;
    // `spawn` returns once the program is exec'd, so every sample is of its own memory.
    let status_file = format!("/proc/{}/status", child.id());
    let (stdout_pipe, stderr_pipe) = (child.stdout.take(), child.stderr.take());
    let exited = AtomicBool::new(false);
    let (sampled_kib, waited, stderr) = std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut high = 0;
            while !exited.load(Ordering::Relaxed) {
                if let Some(kib) = fs::read_to_string(&status_file)
                    .ok()
                    .and_then(|text| status_field_kib(&text, "VmHWM"))
                {
                    high = high.max(kib);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            high
        });
        // Read stderr beside stdout, so that neither pipe can fill up and stall the program.
        let err_reader = stderr_pipe.map(|mut err| {
            s.spawn(move || {
                let mut text = String::new();
                let _ = err.read_to_string(&mut text);
                text
            })
        });
        let waited = (|| -> io::Result<_> {
            let mut stdout = String::new();
            if let Some(mut out) = stdout_pipe {
                out.read_to_string(&mut stdout)?;
            }
            let (status, maxrss_kib) = wait_with_peak(&child)?;
            Ok((started.elapsed(), status, maxrss_kib, stdout))
        })();
        exited.store(true, Ordering::Relaxed);
        let stderr = err_reader.and_then(|r| r.join().ok()).unwrap_or_default();
        (sampler.join().unwrap_or(0), waited, stderr)
    });
    let (took, status, maxrss_kib, stdout) = waited?;
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        eprint!("{stderr}");
        return Err(format!("{program} failed (wait status {status:#x})").into());
    }
    let report = SpawnReport {
        secs: took.as_secs_f64(),
        maxrss_kib,
        floor_kib,
        sampled_kib,
        stdout,
        stderr,
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// Runs `program` through a spawner and returns its report; fails unless it exits with 0.
/// The program's stderr is shown as it runs.
pub fn run_measured(program: &Path, args: &[&OsStr], what: &str) -> BenchResult<SpawnReport> {
    spawn_through_spawner(program, args, what, false)
}

/// As [`run_measured`], with the program's stderr captured into the report (and shown only
/// if it fails): for chatty programs whose messages are not progress.
pub fn run_measured_quiet(program: &Path, args: &[&OsStr], what: &str) -> BenchResult<SpawnReport> {
    spawn_through_spawner(program, args, what, true)
}

fn spawn_through_spawner(
    program: &Path,
    args: &[&OsStr],
    what: &str,
    quiet: bool,
) -> BenchResult<SpawnReport> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.arg(SPAWN_FLAG);
    if quiet {
        cmd.arg(QUIET_FLAG);
    }
    let out = cmd
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("{what} failed ({})", out.status).into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .map_err(|e| format!("{what}: unreadable report {line:?}: {e}").into())
}

/// Waits for `child` with `wait4`, which gives its peak RSS (`ru_maxrss`, KiB on Linux) as
/// well as its status; std's `wait` gives only the status.
fn wait_with_peak(child: &Child) -> io::Result<(libc::c_int, u64)> {
    let pid = libc::pid_t::try_from(child.id()).map_err(io::Error::other)?;
    let mut status: libc::c_int = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    loop {
        // SAFETY: both pointers are to live locals, valid for writes of their types for the
        // whole call; `pid` is our own unwaited child, so no other waiter can race for it.
        let r = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
        if r == pid {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    // SAFETY: `rusage` is plain integers, zeroed above and filled by the successful wait4.
    let usage = unsafe { usage.assume_init() };
    Ok((status, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
}

/// Runs a setup command (not measured) to its end with no input; returns its stdout, or an
/// error that quotes its stderr.
pub fn setup_output(mut command: Command, what: &dyn std::fmt::Debug) -> BenchResult<String> {
    let out = command.stdin(Stdio::null()).output()?;
    if !out.status.success() {
        return Err(format!(
            "aigaq {what:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(String::from_utf8(out.stdout)?)
}
