//! Process hardening for the CLI and the app: no core dumps (a crash must not write keys or
//! testimonies to disk), and no attaching by other processes of the same user (ptrace needs
//! a dumpable process).

use std::io;

/// Turns off core dumps and makes the process non-dumpable. Call first thing in `main`.
pub fn harden_process() -> io::Result<()> {
    use rustix::process::{setrlimit, Resource, Rlimit};
    setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )?;
    rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)?;
    Ok(())
}
