//! The figures and the results table: medians and spreads, durations, sizes, and a report
//! that counts targets met and remembers the missed ones.

/// The median; for an even count, the lower of the two middle values (every figure is then
/// one that was measured).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len().saturating_sub(1) / 2).copied().unwrap_or(0.0)
}

/// How a set of measurements spreads. Percentiles are interpolated linearly between the
/// two nearest measurements (as numpy's default does), so the median of an even count is
/// the mean of the two middle values.
#[derive(Clone, Copy, Default)]
pub struct Spread {
    pub min: f64,
    pub p10: f64,
    pub median: f64,
    pub p90: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Spread {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| -> f64 {
            match v.len() {
                0 => 0.0,
                n => {
                    let pos = q * (n - 1) as f64;
                    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
                    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
                }
            }
        };
        Spread {
            min: at(0.0),
            p10: at(0.1),
            median: at(0.5),
            p90: at(0.9),
            max: at(1.0),
        }
    }
}

pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn dur(secs: f64) -> String {
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 0.1 {
        format!("{:.0} ms", secs * 1e3)
    } else {
        format!("{:.1} ms", secs * 1e3)
    }
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

pub fn mib_text(kib: u64) -> String {
    format!("{:.1} MiB", mib(kib))
}

pub fn bytes_text(b: u64) -> String {
    if b >= 1 << 20 {
        format!("{:.1} MiB", b as f64 / f64::from(1 << 20))
    } else {
        format!("{:.0} KiB", b as f64 / 1024.0)
    }
}

pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "MISS"
    }
}

/// Counts targets and remembers the missed ones.
#[derive(Default)]
pub struct Report {
    pub checked: usize,
    pub missed: Vec<String>,
}

impl Report {
    pub fn section(&self, title: &str) {
        println!();
        println!("{title}");
        println!("{}", "-".repeat(title.chars().count()));
    }

    /// The result column: `-` when the row has no target.
    pub fn result(&mut self, target: Option<bool>, what: impl FnOnce() -> String) -> &'static str {
        match target {
            None => "-",
            Some(ok) => {
                self.checked += 1;
                if !ok {
                    self.missed.push(what());
                }
                verdict(ok)
            }
        }
    }

    /// The closing lines: how many targets were met, and each one missed.
    pub fn summary(&self) {
        println!();
        println!(
            "Summary: {} of {} targets met.",
            self.checked - self.missed.len(),
            self.checked
        );
        for m in &self.missed {
            println!("  MISS  {m}");
        }
    }
}
