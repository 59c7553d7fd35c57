//! Raw deflate, streamed (with `miniz_oxide`): what an office document's rewritten parts
//! ([`super::office`]) and a PDF's blanked object streams ([`super::pdf`]) are compressed
//! with again.

use std::io::{self, Write};

use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};

use super::strip::bad;

/// A raw deflate stream being written, with the CRC-32 and sizes a ZIP entry states.
pub(super) struct Deflater {
    compressor: Box<CompressorOxide>,
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
            compressor: Box::new(CompressorOxide::new(flags)),
            crc: crc32fast::Hasher::new(),
            size: 0,
            compressed: 0,
            buf: vec![0; 64 * 1024],
        }
    }

    pub(super) fn write(&mut self, mut plain: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.crc.update(plain);
        self.size += plain.len() as u64;
        while !plain.is_empty() {
            let (status, used, made) =
                compress(&mut self.compressor, plain, &mut self.buf, TDEFLFlush::None);
            self.emit(status, made, out)?;
            if used == 0 && made == 0 {
                return Err(bad("the compressor stopped"));
            }
            plain = &plain[used..];
        }
        Ok(())
    }

    fn emit(&mut self, status: TDEFLStatus, made: usize, out: &mut dyn Write) -> io::Result<()> {
        if matches!(status, TDEFLStatus::BadParam | TDEFLStatus::PutBufFailed) {
            return Err(bad("the compressor failed"));
        }
        self.compressed += made as u64;
        out.write_all(&self.buf[..made])
    }

    /// Writes out everything so far, ending on a byte boundary with a block that is not the
    /// last (a sync flush), so that more blocks may follow.
    pub(super) fn sync(&mut self, out: &mut dyn Write) -> io::Result<()> {
        loop {
            let (status, _, made) =
                compress(&mut self.compressor, &[], &mut self.buf, TDEFLFlush::Sync);
            self.emit(status, made, out)?;
            if made < self.buf.len() {
                return Ok(());
            }
        }
    }

    /// Ends the stream; returns its CRC-32 and its plain and compressed sizes.
    pub(super) fn finish(mut self, out: &mut dyn Write) -> io::Result<(u32, u64, u64)> {
        loop {
            let (status, _, made) =
                compress(&mut self.compressor, &[], &mut self.buf, TDEFLFlush::Finish);
            self.emit(status, made, out)?;
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
