//! Scratch folders, vault copies, test files of any size, and the page cache: what the
//! benchmarks do to files around the measured operations (never during them).

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use super::BenchResult;

/// A scratch folder in the system's temporary folder, or in `AIGAQ_BENCH_DIR` when set;
/// deleted when dropped.
pub fn scratch(prefix: &str) -> io::Result<tempfile::TempDir> {
    match std::env::var_os("AIGAQ_BENCH_DIR") {
        Some(dir) => tempfile::Builder::new().prefix(prefix).tempdir_in(dir),
        None => tempfile::Builder::new().prefix(prefix).tempdir(),
    }
}

/// Whether `AIGAQ_BENCH_KEEP` asks to keep the scratch folder.
pub fn keep_asked() -> bool {
    std::env::var_os("AIGAQ_BENCH_KEEP").is_some()
}

/// Keeps the scratch folder, and says where, when `AIGAQ_BENCH_KEEP` asks for it; else it
/// is deleted.
pub fn keep_if_asked(scratch: tempfile::TempDir) {
    if keep_asked() {
        let kept = scratch.keep();
        println!();
        println!("Scratch kept in {}", kept.display());
    }
}

pub fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// A fresh copy of a closed vault: its files and folders (`attachments/`), with mode 0700
/// for the folders (`fs::copy` keeps the files' modes).
pub fn copy_vault(from: &Path, to: &Path) -> BenchResult {
    fs::DirBuilder::new().mode(0o700).create(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_file() {
            fs::copy(entry.path(), to.join(entry.file_name()))?;
        } else if kind.is_dir() {
            copy_vault(&entry.path(), &to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Syncs every file and folder under `dir`, `dir` itself and its parent, so that no write
/// of an earlier step is still waiting to reach the disk when a measured one begins.
pub fn sync_tree(dir: &Path) -> BenchResult {
    fn walk(dir: &Path) -> io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                walk(&entry.path())?;
            } else {
                File::open(entry.path())?.sync_all()?;
            }
        }
        File::open(dir)?.sync_all()
    }
    walk(dir)?;
    if let Some(parent) = dir.parent() {
        File::open(parent)?.sync_all()?;
    }
    Ok(())
}

/// Writes every dirty page of every file system to disk (`sync(2)`), so that a measured
/// operation's own syncs do not also pay for what earlier steps wrote.
pub fn sync_everything() {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// Drops the clean pages of the page cache (only root may), so that what the next
/// operation writes finds free memory instead of memory the kernel must first reclaim from
/// earlier steps; returns whether it could.
pub fn drop_clean_cache() -> bool {
    fs::write("/proc/sys/vm/drop_caches", "1").is_ok()
}

/// Reads a file, or every file under a folder, so that it is in the page cache.
pub fn warm(path: &Path) -> io::Result<u64> {
    if path.is_dir() {
        let mut total = 0;
        for entry in fs::read_dir(path)? {
            total += warm(&entry?.path())?;
        }
        return Ok(total);
    }
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0;
    loop {
        match f.read(&mut buf)? {
            0 => return Ok(total),
            n => total += n as u64,
        }
    }
}

/// The bytes of every file under `dir`.
pub fn tree_bytes(dir: &Path) -> io::Result<u64> {
    let mut total = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        total += if entry.file_type()?.is_dir() {
            tree_bytes(&entry.path())?
        } else {
            entry.metadata()?.len()
        };
    }
    Ok(total)
}

/// A new file of `len` pseudo-random bytes (SplitMix64 from `seed`): different seeds give
/// different content, so the vault stores each file, and nothing compresses it.
pub fn write_noise(path: &Path, len: u64, seed: u64) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create_new(path)?);
    let mut state = seed ^ 0xA16A_0000_F11E_0000;
    let mut block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            word.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        w.write_all(&block[..n])?;
        left -= n as u64;
    }
    w.into_inner().map_err(|e| e.into_error())?.sync_all()
}
