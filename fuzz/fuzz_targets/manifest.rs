//! A manifest's parsing and checks on arbitrary bytes. The bundle reader parses a manifest
//! only once its signature has verified, which `bundle_reader`'s arbitrary bytes never
//! are, so this part is fuzzed on its own: an error or a manifest, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = aigaq::bundle::inspect::parse_signed_manifest(data);
});
