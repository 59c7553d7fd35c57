//! What attach and export do with an attached file's bytes, on arbitrary bytes: telling its
//! type and risky metadata as it streams past in pieces of any size, and stripping it as a
//! photo (HEIF with its EXIF and XMP items planned away), a recording (Matroska and WebM
//! too), a video with its telemetry track planned away, a document (PDF, and an office
//! document's ZIP package, a Word, Excel or PowerPoint 97–2003 compound file with the documents in
//! it, an RTF document, an e-mail, a ZIP archive file by file). It must never panic, hang or
//! allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&piece, content)) = data.split_first() else {
        return;
    };
    let mut sniffer = aigaq::media::Sniffer::new();
    for chunk in content.chunks(usize::from(piece).max(1) * 37) {
        sniffer.feed(chunk);
    }
    let _ = sniffer.describe();
    let plan = aigaq::media::telemetry::plan(&mut std::io::Cursor::new(content)).unwrap_or_default();
    let photo = aigaq::media::strip::plan("image/heif", &mut std::io::Cursor::new(content))
        .unwrap_or_default();
    let _ = aigaq::media::strip::strip("image/heif", &mut &content[..], &photo, &mut std::io::sink());
    let _ = aigaq::media::seeking_warnings("image/tiff", &mut std::io::Cursor::new(content));
    if let Ok(scan) = aigaq::media::strip::plan("image/tiff", &mut std::io::Cursor::new(content)) {
        let _ = aigaq::media::strip::strip("image/tiff", &mut &content[..], &scan, &mut std::io::sink());
    }
    for media_type in [
        "video/mp4",
        "image/jpeg",
        "image/png",
        "audio/mpeg",
        "audio/x-wav",
        "audio/x-flac",
        "audio/ogg",
        "video/webm",
        "image/webp",
        "application/pdf",
        "application/vnd.oasis.opendocument.text",
        "application/msword",
        "application/rtf",
        "message/rfc822",
        "application/zip",
        "image/gif",
        "image/bmp",
        "text/html",
    ] {
        let _ = aigaq::media::strip::strip(media_type, &mut &content[..], &plan, &mut std::io::sink());
    }
});
