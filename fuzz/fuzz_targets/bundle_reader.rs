//! The bundle reader on arbitrary decrypted bytes: it must return an error or a report,
//! never panic, hang or allocate without bound. (The age layer in front of it is the `age`
//! crate's, fuzzed upstream.)
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = aigaq::bundle::inspect::read_plaintext(data, aigaq::bundle::inspect::Discard);
});
