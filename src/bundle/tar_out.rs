//! A minimal ustar writer whose entries are streamed: the header carries the size given in
//! advance, then the bytes follow as they come. Bundles are written in two passes (hash and
//! measure, then write), so nothing is held in memory whole.

use std::io::{self, Write};

pub(crate) const BLOCK: usize = 512;

/// Bytes a file of `size` takes in the stream: its header and its content padded to a block.
pub(crate) fn size_in_tar(size: u64) -> u64 {
    BLOCK as u64 + size.div_ceil(BLOCK as u64) * BLOCK as u64
}

/// Writes plain-file ustar entries to `out`.
pub(crate) struct TarOut<'a> {
    out: &'a mut dyn Write,
    /// Bytes still owed to the current entry.
    remaining: u64,
    /// Size of the current entry, for its final padding.
    size: u64,
}

impl<'a> TarOut<'a> {
    pub(crate) fn new(out: &'a mut dyn Write) -> Self {
        Self {
            out,
            remaining: 0,
            size: 0,
        }
    }

    /// Starts a file of exactly `size` bytes.
    pub(crate) fn begin(&mut self, path: &str, size: u64) -> io::Result<()> {
        self.end()?;
        let mut header = tar::Header::new_ustar();
        header.set_path(path)?;
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        self.out.write_all(header.as_bytes())?;
        self.remaining = size;
        self.size = size;
        Ok(())
    }

    /// Bytes of the current file.
    pub(crate) fn data(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.len() as u64 > self.remaining {
            return Err(io::Error::other("more bytes than the tar header announced"));
        }
        self.remaining -= bytes.len() as u64;
        self.out.write_all(bytes)
    }

    /// A whole file at once.
    pub(crate) fn file(&mut self, path: &str, bytes: &[u8]) -> io::Result<()> {
        self.begin(path, bytes.len() as u64)?;
        self.data(bytes)
    }

    fn end(&mut self) -> io::Result<()> {
        if self.remaining != 0 {
            return Err(io::Error::other(
                "fewer bytes than the tar header announced",
            ));
        }
        let rem = (self.size % BLOCK as u64) as usize;
        if rem != 0 {
            self.out.write_all(&[0u8; BLOCK][..BLOCK - rem])?;
        }
        self.size = 0;
        Ok(())
    }

    /// Ends the archive with its two zero blocks.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.end()?;
        self.out.write_all(&[0u8; 2 * BLOCK])
    }
}

impl Write for TarOut<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.data(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn standard_readers_read_it_back() {
        let mut buf = Vec::new();
        let mut t = TarOut::new(&mut buf);
        t.file("a.json", b"{}").unwrap();
        t.begin("records/x/y.json", 700).unwrap();
        t.data(&[7u8; 300]).unwrap();
        t.data(&[8u8; 400]).unwrap();
        t.finish().unwrap();
        assert_eq!(buf.len() % BLOCK, 0);
        let mut archive = tar::Archive::new(&buf[..]);
        let mut got = Vec::new();
        for e in archive.entries().unwrap() {
            let mut e = e.unwrap();
            assert!(e.header().as_ustar().is_some());
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            got.push((e.path().unwrap().display().to_string(), bytes.len()));
        }
        assert_eq!(
            got,
            vec![("a.json".into(), 2), ("records/x/y.json".into(), 700)]
        );
    }

    #[test]
    fn a_size_that_does_not_match_is_an_error() {
        let mut buf = Vec::new();
        let mut t = TarOut::new(&mut buf);
        t.begin("a", 3).unwrap();
        assert!(t.data(b"abcd").is_err());
        t.data(b"ab").unwrap();
        assert!(t.finish().is_err());
    }
}
