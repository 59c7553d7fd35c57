//! What SQLite frees is wiped (see the `sqlite-wipe` crate): text SQLite read while the
//! vault was open is nowhere in this process's memory once the vault is closed, while it
//! was there before, so the scan can see it. The text goes into the database straight from
//! the buffer the scan searches with, which the scan skips, so no other copy of it is made
//! outside SQLite.

use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;

use zeroize::Zeroizing;

use crate::{KdfParams, Passphrase, Vault};

/// The canary, reversed, so that the text itself is nowhere in the test binary.
const CANARY_REVERSED: &[u8] = b"9126-YRANAC-YROMEM-DEERF-QAGIA";

/// The address ranges of this process's writable memory.
fn writable_ranges() -> Vec<Range<u64>> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    maps.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let range = parts.next()?;
            if !parts.next()?.starts_with("rw") || line.ends_with("[vvar]") {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            Some(u64::from_str_radix(start, 16).ok()?..u64::from_str_radix(end, 16).ok()?)
        })
        .collect()
}

/// Where the needle is in this process's writable memory, outside its own buffer.
fn find_in_memory(needle: &[u8]) -> Option<u64> {
    let mem = File::open("/proc/self/mem").unwrap();
    let needle_at = needle.as_ptr() as u64..needle.as_ptr() as u64 + needle.len() as u64;
    // Wiped when dropped: it copies what it reads, the needle too once found.
    let mut chunk = Zeroizing::new(vec![0u8; 1 << 20]);
    let own = chunk.as_ptr() as u64..chunk.as_ptr() as u64 + chunk.len() as u64;
    for range in writable_ranges() {
        let mut at = range.start;
        while at < range.end {
            let len = (range.end - at).min(chunk.len() as u64) as usize;
            // Another test's thread may unmap memory meanwhile: what cannot be read is gone.
            let Ok(n) = mem.read_at(&mut chunk[..len], at) else {
                break;
            };
            if n < needle.len() {
                break;
            }
            let found = chunk[..n]
                .windows(needle.len())
                .enumerate()
                .map(|(i, w)| (at + i as u64, w))
                .find(|(addr, w)| *w == needle && !needle_at.contains(addr) && !own.contains(addr));
            if let Some((addr, _)) = found {
                return Some(addr);
            }
            // Overlapping by the needle's length, so that one across two reads is seen.
            at += (n - needle.len() + 1) as u64;
        }
    }
    None
}

#[test]
fn closing_a_vault_leaves_nothing_sqlite_read_in_freed_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v");
    let pass = Passphrase::new("correct horse battery staple".into()).unwrap();
    let needle: Zeroizing<Vec<u8>> =
        Zeroizing::new(CANARY_REVERSED.iter().rev().copied().collect());
    // Long enough to spill into overflow pages, which SQLite copies into memory of its own
    // to read.
    let mut text = Zeroizing::new(Vec::with_capacity(21_000));
    while text.len() < 20_000 {
        text.extend_from_slice(b"The witness said ");
    }
    text.extend_from_slice(&needle);

    let vault = Vault::init(&path, &pass, KdfParams::new(8, 1).unwrap()).unwrap();
    assert!(sqlite_wipe::wiping(), "a vault opened without wiping");
    vault
        .store()
        .conn
        .execute_batch("CREATE TABLE scratch (body BLOB)")
        .unwrap();
    vault
        .store()
        .conn
        .execute("INSERT INTO scratch VALUES (?1)", [&text[..]])
        .unwrap();
    drop(text);
    drop(vault);

    let vault = Vault::unlock(&path, &pass).unwrap();
    let read: i64 = vault
        .store()
        .conn
        .query_row(
            "SELECT count(*) FROM scratch WHERE length(hex(body)) > 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(read, 1);
    assert!(
        find_in_memory(&needle).is_some(),
        "the scan does not see what SQLite holds while the vault is open"
    );
    drop(vault);
    if let Some(addr) = find_in_memory(&needle) {
        panic!("what SQLite read is still in memory at {addr:#x} after the vault closed");
    }
}
