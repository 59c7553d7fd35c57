//! How far long work has got (an export writing a bundle, an attach reading files, an
//! import reading bundles), for a progress bar: the bytes done of the bytes expected. A caller's callback (in the app, a
//! message to the window) is called at most once per [`STEP`] and once at the end, so that
//! it costs nothing next to the work.

use std::io::{self, Write};

/// The bytes between two reports.
pub const STEP: u64 = 4 * 1024 * 1024;

/// Bytes done of the bytes expected. What is expected is measured before the work starts;
/// a file that grows meanwhile cannot make `done` pass `total` as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    /// Bytes done.
    pub done: u64,
    /// Bytes expected in all.
    pub total: u64,
}

/// Counts the work as it is done and reports it to the caller's callback now and then.
pub(crate) struct Reporter<'a> {
    report: &'a mut dyn FnMut(Progress),
    total: u64,
    done: u64,
    reported: u64,
}

impl<'a> Reporter<'a> {
    /// Reports nothing yet: the work of `total` bytes starts.
    pub(crate) fn new(total: u64, report: &'a mut dyn FnMut(Progress)) -> Self {
        Self {
            report,
            total,
            done: 0,
            reported: 0,
        }
    }

    /// `n` more bytes are done.
    pub(crate) fn add(&mut self, n: u64) {
        self.done = self.done.saturating_add(n);
        if self.done - self.reported >= STEP {
            self.reported = self.done;
            self.send(self.done);
        }
    }

    /// The work is done, whatever was counted.
    pub(crate) fn finish(&mut self) {
        self.send(self.total);
    }

    fn send(&mut self, done: u64) {
        let total = self.total;
        (self.report)(Progress {
            done: done.min(total),
            total,
        });
    }
}

/// `inner`, reporting what is written to it.
pub(crate) struct ReportingWriter<'r, 'a, W> {
    pub(crate) inner: W,
    pub(crate) reporter: &'r mut Reporter<'a>,
}

impl<W: Write> Write for ReportingWriter<'_, '_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.reporter.add(n as u64);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `inner`, reporting what is read from it.
pub(crate) struct ReportingReader<'r, 'a, R> {
    pub(crate) inner: R,
    pub(crate) reporter: &'r mut Reporter<'a>,
}

impl<R: io::Read> io::Read for ReportingReader<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.reporter.add(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_step_and_at_the_end_never_past_the_total() {
        let mut seen = Vec::new();
        let mut record = |p: Progress| seen.push(p);
        let mut r = Reporter::new(10 * STEP, &mut record);
        r.add(STEP - 1);
        r.add(1);
        r.add(STEP / 2);
        r.add(STEP / 2);
        // More than announced: the file grew.
        r.add(20 * STEP);
        r.finish();
        let done: Vec<u64> = seen.iter().map(|p| p.done).collect();
        assert_eq!(done, [STEP, 2 * STEP, 10 * STEP, 10 * STEP]);
        assert!(seen.iter().all(|p| p.total == 10 * STEP));
    }

    #[test]
    fn a_writer_reports_what_passes_through_it() {
        let mut seen = Vec::new();
        let mut record = |p: Progress| seen.push(p.done);
        let mut r = Reporter::new(3 * STEP, &mut record);
        let mut w = ReportingWriter {
            inner: Vec::new(),
            reporter: &mut r,
        };
        w.write_all(&vec![7u8; (STEP + 10) as usize]).unwrap();
        assert_eq!(w.inner.len() as u64, STEP + 10);
        r.finish();
        assert_eq!(seen, [STEP + 10, 3 * STEP]);
    }
}
