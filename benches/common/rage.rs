//! rage, the yardstick for encryption and decryption: finding it, its version, and a
//! throwaway identity for it.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use age::secrecy::ExposeSecret;

use super::BenchResult;

/// What to tell someone who has no rage.
pub const NOT_FOUND: &str = "rage is not on PATH nor in ~/.cargo/bin; this benchmark measures \
                             against it: install it with `cargo install rage` and run again";

/// rage on PATH, in `$CARGO_HOME/bin` or in `~/.cargo/bin`.
pub fn find_rage() -> Option<PathBuf> {
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("rage")).collect())
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME").map(|h| PathBuf::from(h).join("bin/rage"));
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/rage"));
    on_path
        .into_iter()
        .chain(cargo_home)
        .chain(home)
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

pub fn rage_version(rage: &Path) -> String {
    Command::new(rage)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| "rage (version unknown)".into())
}

/// A throwaway age identity for rage, written as `age-keygen` does; returns its recipient.
pub fn rage_identity(path: &Path) -> BenchResult<String> {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    writeln!(f, "# public key: {recipient}")?;
    writeln!(f, "{}", identity.to_string().expose_secret())?;
    Ok(recipient)
}
