//! A writer that counts what passes through it: a bundle's plaintext, for its padding; an
//! office document's copy, for the offsets its central directory states.

use std::io::{self, Write};

/// `inner`, counting the bytes written to it.
pub(crate) struct Counting<W> {
    pub(crate) inner: W,
    pub(crate) count: u64,
}

impl<W> Counting<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self { inner, count: 0 }
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
