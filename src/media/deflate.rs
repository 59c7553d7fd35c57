//! Raw deflate, streamed (with `miniz_oxide`): what an office document's rewritten parts
//! ([`super::office`]) and a PDF's blanked object streams ([`super::pdf`]) are compressed
//! with again.

use std::io::{self, Write};

use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};

use super::strip::bad;

/// The most a stored block holds.
const STORED_BLOCK: usize = 65_535;

/// A raw deflate stream being written, with the CRC-32 and sizes a ZIP entry states.
pub(super) struct Deflater {
    /// `None`: stored blocks only ([`Self::stored`]).
    compressor: Option<Box<CompressorOxide>>,
    crc: crc32fast::Hasher,
    size: u64,
    compressed: u64,
    buf: Vec<u8>,
}

impl Deflater {
    /// At `level` (6 is zip tools' default, 10 the best `miniz_oxide` does).
    pub(super) fn new(level: i32) -> Self {
        // Negative window bits: raw deflate, without a zlib frame.
        let flags = create_comp_flags_from_zip_params(level, -15, 0);
        Self {
            compressor: Some(Box::new(CompressorOxide::new(flags))),
            crc: crc32fast::Hasher::new(),
            size: 0,
            compressed: 0,
            buf: vec![0; 64 * 1024],
        }
    }

    /// One that only copies what it is given into stored blocks: for what does not compress
    /// (photos, videos), as fast as a copy, where `miniz_oxide`'s level 0 still looks for
    /// matches.
    pub(super) fn stored() -> Self {
        Self {
            compressor: None,
            crc: crc32fast::Hasher::new(),
            size: 0,
            compressed: 0,
            buf: Vec::with_capacity(STORED_BLOCK),
        }
    }

    /// Writes the stored block held, the last one if `last`.
    fn store(&mut self, last: bool, out: &mut dyn Write) -> io::Result<()> {
        // A block's header: whether it is the last, type 00, up to the byte's end; then its
        // length and that length's complement.
        let len = u16::try_from(self.buf.len()).map_err(|_| bad("a stored block too long"))?;
        out.write_all(&[u8::from(last)])?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(&(!len).to_le_bytes())?;
        out.write_all(&self.buf)?;
        self.compressed += 5 + self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    pub(super) fn write(&mut self, mut plain: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.crc.update(plain);
        self.size += plain.len() as u64;
        let Some(compressor) = self.compressor.as_mut() else {
            while !plain.is_empty() {
                let n = (STORED_BLOCK - self.buf.len()).min(plain.len());
                self.buf.extend_from_slice(&plain[..n]);
                plain = &plain[n..];
                if self.buf.len() == STORED_BLOCK {
                    self.store(false, out)?;
                }
            }
            return Ok(());
        };
        while !plain.is_empty() {
            let (status, used, made) = compress(compressor, plain, &mut self.buf, TDEFLFlush::None);
            Self::emit((&mut self.compressed, &self.buf), status, made, out)?;
            if used == 0 && made == 0 {
                return Err(bad("the compressor stopped"));
            }
            plain = &plain[used..];
        }
        Ok(())
    }

    /// Writes what the compressor made into `buf`, counting it in `compressed`.
    fn emit(
        (compressed, buf): (&mut u64, &[u8]),
        status: TDEFLStatus,
        made: usize,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        if matches!(status, TDEFLStatus::BadParam | TDEFLStatus::PutBufFailed) {
            return Err(bad("the compressor failed"));
        }
        *compressed += made as u64;
        out.write_all(&buf[..made])
    }

    /// Writes out everything so far, ending on a byte boundary with a block that is not the
    /// last (a sync flush), so that more blocks may follow.
    pub(super) fn sync(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let Some(compressor) = self.compressor.as_mut() else {
            return self.store(false, out);
        };
        loop {
            let (status, _, made) = compress(compressor, &[], &mut self.buf, TDEFLFlush::Sync);
            Self::emit((&mut self.compressed, &self.buf), status, made, out)?;
            if made < self.buf.len() {
                return Ok(());
            }
        }
    }

    /// Ends the stream; returns its CRC-32 and its plain and compressed sizes.
    pub(super) fn finish(mut self, out: &mut dyn Write) -> io::Result<(u32, u64, u64)> {
        let Some(mut compressor) = self.compressor.take() else {
            self.store(true, out)?;
            return Ok((self.crc.finalize(), self.size, self.compressed));
        };
        loop {
            let (status, _, made) =
                compress(&mut compressor, &[], &mut self.buf, TDEFLFlush::Finish);
            Self::emit((&mut self.compressed, &self.buf), status, made, out)?;
            if status == TDEFLStatus::Done {
                break;
            }
            if made == 0 {
                return Err(bad("the compressor stopped"));
            }
        }
        Ok((self.crc.finalize(), self.size, self.compressed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_blocks_inflate_to_what_was_written_with_its_crc_and_sizes() {
        for len in [
            0,
            1,
            STORED_BLOCK - 1,
            STORED_BLOCK,
            STORED_BLOCK + 1,
            3 * STORED_BLOCK + 7,
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let mut d = Deflater::stored();
            let mut out = Vec::new();
            for piece in plain.chunks(10_000) {
                d.write(piece, &mut out).unwrap();
            }
            let (crc, size, compressed) = d.finish(&mut out).unwrap();
            assert_eq!(
                miniz_oxide::inflate::decompress_to_vec(&out).unwrap(),
                plain
            );
            assert_eq!(
                (crc, size, compressed),
                (crc32fast::hash(&plain), len as u64, out.len() as u64)
            );
        }
    }
}
