//! How busy other processes kept the machine while a benchmark measured, from Linux `/proc`:
//! on a shared machine, figures taken under load are worth a warning.

use std::fs;
use std::path::Path;

/// CPU time of the whole machine and of this process with its waited-for children (Linux
/// `/proc`), to tell how much else ran beside the benchmark on a shared machine.
#[derive(Clone, Copy)]
pub struct CpuSnapshot {
    /// All CPUs, busy ticks.
    busy: u64,
    /// All CPUs, busy and idle ticks.
    total: u64,
    /// This process and its children (the measured ones and the yardsticks), user and
    /// system ticks.
    own: u64,
}

pub fn cpu_snapshot() -> Option<CpuSnapshot> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user)
    let &[user, nice, system, idle, iowait, irq, softirq, steal, ..] = ticks.as_slice() else {
        return None;
    };
    let busy = user + nice + system + irq + softirq + steal;
    let me = fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name in parentheses: state is field 3, then utime 14, stime 15,
    // cutime 16 and cstime 17.
    let fields: Vec<&str> = me[me.rfind(')')? + 1..].split_whitespace().collect();
    let mut own = 0;
    for i in 11..=14 {
        own += fields.get(i)?.parse::<u64>().ok()?;
    }
    Some(CpuSnapshot {
        busy,
        total: busy + idle + iowait,
        own,
    })
}

/// How many cores other processes kept busy, on average, between two snapshots.
pub fn others_busy(
    from: Option<CpuSnapshot>,
    to: Option<CpuSnapshot>,
    cores: usize,
) -> Option<f64> {
    let (a, b) = (from?, to?);
    let total = b.total.checked_sub(a.total).filter(|&t| t > 0)?;
    let others = (b.busy.saturating_sub(a.busy)).saturating_sub(b.own.saturating_sub(a.own));
    Some(others as f64 / total as f64 * cores as f64)
}

/// Other processes using more than this many cores make the figures unreliable.
pub const BACKGROUND_WARNING_CORES: f64 = 0.2;

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Bytes read from and written to the machine's disks, and those this process and its
/// waited-for children caused to be read from or written to storage (Linux adds a reaped
/// child's I/O to its parent's `/proc/PID/io`). Other processes' I/O on the same disk slows
/// the measured operations down without showing in the CPU figure.
#[derive(Clone, Copy)]
pub struct IoSnapshot {
    disk_read: u64,
    disk_written: u64,
    own_read: u64,
    own_written: u64,
}

/// Disk traffic between two snapshots, in bytes.
pub struct IoUse {
    pub disk_read: u64,
    pub disk_written: u64,
    pub own_read: u64,
    pub own_written: u64,
}

pub fn io_snapshot() -> Option<IoSnapshot> {
    const SECTOR: u64 = 512;
    let (mut disk_read, mut disk_written) = (0, 0);
    for line in fs::read_to_string("/proc/diskstats").ok()?.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        // Whole physical disks only (not partitions, loop, RAM or device-mapper devices,
        // whose traffic the disk under them counts again).
        let Some(name) = f.get(2) else { continue };
        if !Path::new("/sys/block").join(name).join("device").exists() {
            continue;
        }
        disk_read += f.get(5)?.parse::<u64>().ok()? * SECTOR;
        disk_written += f.get(9)?.parse::<u64>().ok()? * SECTOR;
    }
    let io = fs::read_to_string("/proc/self/io").ok()?;
    let field = |name: &str| -> Option<u64> {
        io.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .and_then(|v| v.trim().parse().ok())
    };
    Some(IoSnapshot {
        disk_read,
        disk_written,
        own_read: field("read_bytes")?,
        own_written: field("write_bytes")?.saturating_sub(field("cancelled_write_bytes")?),
    })
}

pub fn io_between(from: Option<IoSnapshot>, to: Option<IoSnapshot>) -> Option<IoUse> {
    let (a, b) = (from?, to?);
    Some(IoUse {
        disk_read: b.disk_read.saturating_sub(a.disk_read),
        disk_written: b.disk_written.saturating_sub(a.disk_written),
        own_read: b.own_read.saturating_sub(a.own_read),
        own_written: b.own_written.saturating_sub(a.own_written),
    })
}

impl IoUse {
    /// One line for a benchmark's header.
    pub fn describe(&self) -> String {
        let gib = |b: u64| b as f64 / f64::from(1u32 << 30);
        format!(
            "disk traffic while measuring: the machine's disks read {:.2} GiB and wrote {:.2} GiB; \
             this benchmark and its processes account for {:.2} GiB read and {:.2} GiB written",
            gib(self.disk_read),
            gib(self.disk_written),
            gib(self.own_read),
            gib(self.own_written)
        )
    }
}

/// Prints how many cores other processes kept busy while the benchmark measured, with a
/// warning when that was enough to make the figures unreliable.
pub fn print_others_busy(busy: Option<f64>) {
    let Some(busy) = busy else {
        return;
    };
    println!("  other processes kept busy, in cores on average while measuring: {busy:.2}");
    if busy > BACKGROUND_WARNING_CORES {
        println!(
            "  WARNING: the machine was busy with other work during part of the run; rerun when it is idle"
        );
    }
}
