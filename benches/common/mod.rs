//! What the benchmarks that measure whole processes share (`bundle`, `attachments`,
//! `threat`), included with `#[path]`: running a program and reading its time and peak RSS
//! (`process`), the load other processes put on the machine (`load`), rage as a yardstick
//! (`rage`), scratch files and vault copies (`files`), and the figures and results table
//! (`report`).

pub mod files;
pub mod load;
pub mod process;
pub mod rage;
pub mod report;

/// What a benchmark's steps return: any error ends the run with its message.
pub type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Whether the environment variable `name` is set to something other than empty or `0`.
pub fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The whole number in the environment variable `name`, if it is set (`_` allowed as a
/// thousands separator).
pub fn env_number(name: &str) -> BenchResult<Option<u64>> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(v) => v
            .trim()
            .replace('_', "")
            .parse::<u64>()
            .map(Some)
            .map_err(|e| format!("{name}={v:?}: {e}").into()),
    }
}
