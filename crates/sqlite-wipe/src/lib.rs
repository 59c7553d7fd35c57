//! An allocator for SQLite that wipes every block it frees.
//!
//! SQLite keeps decrypted pages, rows and query results in memory it allocates and frees
//! all the time. Once a vault is open, every block SQLite frees is zeroed first, so that
//! closing or locking the vault leaves no testimony behind in freed memory for a memory
//! image of a seized, running laptop to find.
//!
//! SQLCipher can do this itself (`PRAGMA cipher_memory_security`), but it also locks every
//! allocation against swap with an `mlock` and an `munlock` system call each and fills freed
//! blocks with random bytes. That made bulk writes about 1.7× and some searches 7× slower,
//! for a lock that is best effort at most: an unprivileged process may lock only 8 MiB on
//! Debian (SQLite's cache alone may take 16 MiB), `munlock` on free unlocks whole pages that
//! other live blocks share, and the web view and the rest of the app hold the same text in
//! memory nobody locks. Keeping testimonies out of swap is the system's job (encrypted swap,
//! or none), as the README says; wiping what SQLite frees is ours, and costs a `memset`.
//!
//! SQLCipher still locks and wipes its own key material and page buffers, whatever this
//! crate does. The `unsafe` this takes (SQLite's C allocator interface) lives here, apart
//! from the `aigaq` crate, which forbids it.

#![deny(missing_docs)]

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use libsqlite3_sys as ffi;
use zeroize::Zeroize;

/// Whether freed blocks are wiped: off until [`wipe_from_now_on`] (Aigaq calls it when a
/// vault opens), then on for the rest of the process, as SQLCipher's memory security, which
/// cannot be turned off either.
static WIPE: AtomicBool = AtomicBool::new(false);

/// Puts the wiping allocator under SQLite, once per process. It must come before SQLite's
/// first use in this process (SQLite takes its allocator when it starts); `false` when it
/// came too late, and SQLite runs on its own allocator.
pub fn install() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(malloc),
            xFree: Some(free),
            xRealloc: Some(realloc),
            xSize: Some(size),
            xRoundup: Some(roundup),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: SQLite copies the methods; it refuses (SQLITE_MISUSE) once it has started,
        // so it never switches allocators under blocks it already holds.
        let rc = unsafe {
            ffi::sqlite3_config(
                ffi::SQLITE_CONFIG_MALLOC,
                &methods as *const ffi::sqlite3_mem_methods,
            )
        };
        rc == ffi::SQLITE_OK
    })
}

/// From now on, every block SQLite frees is wiped first.
pub fn wipe_from_now_on() {
    WIPE.store(true, Ordering::SeqCst);
}

/// Whether blocks are wiped when freed.
pub fn wiping() -> bool {
    WIPE.load(Ordering::SeqCst)
}

/// Bytes wiped so far, for the tests to see SQLite's frees come through here.
#[cfg(test)]
static WIPED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Wipes the whole block `p` (as much as the C allocator gave, which may be more than was
/// asked), then hands it to `release`.
///
/// # Safety
/// `p` is null or a live block from the C allocator, not used again after this.
unsafe fn wipe_then(p: *mut c_void, release: impl FnOnce(*mut c_void)) {
    if p.is_null() {
        return;
    }
    if WIPE.load(Ordering::Relaxed) {
        let len = libc::malloc_usable_size(p);
        // zeroize fills in bulk behind a barrier the compiler cannot see through, so the
        // writes survive the free that follows.
        std::slice::from_raw_parts_mut(p.cast::<u8>(), len).zeroize();
        #[cfg(test)]
        WIPED.fetch_add(len as u64, Ordering::Relaxed);
    }
    release(p);
}

unsafe extern "C" fn malloc(n: c_int) -> *mut c_void {
    match usize::try_from(n) {
        Ok(n) if n > 0 => libc::malloc(n),
        _ => std::ptr::null_mut(),
    }
}

unsafe extern "C" fn free(p: *mut c_void) {
    wipe_then(p, |p| libc::free(p));
}

/// Never the C library's `realloc`, which would free the old block unwiped when it moves.
unsafe extern "C" fn realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    if p.is_null() {
        return malloc(n);
    }
    let Ok(wanted) = usize::try_from(n) else {
        return std::ptr::null_mut();
    };
    let held = libc::malloc_usable_size(p);
    if wanted <= held {
        return p;
    }
    let moved = libc::malloc(wanted);
    if moved.is_null() {
        // SQLite keeps the old block, as realloc's contract says.
        return moved;
    }
    std::ptr::copy_nonoverlapping(p.cast::<u8>(), moved.cast::<u8>(), held);
    free(p);
    moved
}

unsafe extern "C" fn size(p: *mut c_void) -> c_int {
    if p.is_null() {
        return 0;
    }
    c_int::try_from(libc::malloc_usable_size(p)).unwrap_or(c_int::MAX)
}

/// SQLite wants 8-byte multiples; the C allocator aligns to 16 anyway.
unsafe extern "C" fn roundup(n: c_int) -> c_int {
    n.saturating_add(7) & !7
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn shutdown(_: *mut c_void) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_block_is_zero_all_through_before_the_allocator_gets_it_back() {
        wipe_from_now_on();
        unsafe {
            let p = malloc(100);
            assert!(!p.is_null());
            let len = libc::malloc_usable_size(p);
            assert!(len >= 100);
            std::ptr::write_bytes(p.cast::<u8>(), b'C', len);
            let mut seen = Vec::new();
            wipe_then(p, |q| {
                seen.extend_from_slice(std::slice::from_raw_parts(q.cast::<u8>(), len));
                libc::free(q);
            });
            assert_eq!(seen.len(), len);
            assert!(seen.iter().all(|&b| b == 0), "a byte of the block was left");
        }
    }

    #[test]
    fn realloc_keeps_the_content_and_moves_only_to_grow() {
        unsafe {
            let p = malloc(40);
            std::ptr::write_bytes(p.cast::<u8>(), 7, 40);
            assert_eq!(realloc(p, 10), p, "shrinking keeps the block");
            let q = realloc(p, 10_000);
            assert!(!q.is_null());
            let kept = std::slice::from_raw_parts(q.cast::<u8>(), 40);
            assert!(kept.iter().all(|&b| b == 7));
            assert!(size(q) >= 10_000);
            free(q);
            let r = realloc(std::ptr::null_mut(), 16);
            assert!(!r.is_null());
            free(r);
        }
    }

    #[test]
    fn roundup_is_a_multiple_of_eight() {
        unsafe {
            assert_eq!(roundup(1), 8);
            assert_eq!(roundup(8), 8);
            assert_eq!(roundup(9), 16);
            assert_eq!(roundup(c_int::MAX) % 8, 0);
        }
    }

    #[test]
    fn sqlite_frees_through_it_once_installed_first() {
        assert!(
            install(),
            "SQLite started before the allocator was installed"
        );
        wipe_from_now_on();
        let before = WIPED.load(Ordering::Relaxed);
        let db = rusqlite::Connection::open_in_memory().expect("database");
        db.execute_batch(
            "CREATE TABLE t (x TEXT);
             INSERT INTO t VALUES ('a witness saw the vehicle'), (hex(randomblob(5000)));",
        )
        .expect("rows");
        let n: i64 = db
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 2);
        drop(db);
        assert!(
            WIPED.load(Ordering::Relaxed) > before,
            "SQLite freed nothing through the wiping allocator"
        );
        assert!(install(), "installing twice is the same install");
    }
}
