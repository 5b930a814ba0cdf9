#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| np_fuzz_targets::declared::arch_declared(data));
