//! Bounded memory on a hostile `.dbf` (issue 8, item 8), through the real binary. Alone in its
//! file: the peak RSS is read with getrusage(RUSAGE_CHILDREN), the maximum over every child of
//! this test process, so no other test may spawn children beside it.

mod support;

use support::*;

/// An 84,033-byte `.dbf`: 2,000 fields of width 0 (a 32 + 2,000 × 32 + 1 = 64,033-byte header)
/// and 20,000 records of 1 byte (the deletion flag). Decoded naively that is 20,000 rows of
/// 2,000 values (951 MB measured before the fix). Now: exit 2 naming the .dbf, and the child's
/// peak RSS stays under 100 MB.
#[test]
fn zero_width_fields_are_an_error_in_bounded_memory() {
    let fx = Fixture::new();
    let n_fields = 2000usize;
    let n_records = 20_000u32;
    let header_len = 32 + 32 * n_fields + 1;
    let mut dbf = vec![0u8; 32];
    dbf[0] = 0x03;
    dbf[4..8].copy_from_slice(&n_records.to_le_bytes());
    dbf[8..10].copy_from_slice(&(header_len as u16).to_le_bytes());
    dbf[10..12].copy_from_slice(&1u16.to_le_bytes());
    for i in 0..n_fields {
        let mut d = [0u8; 32];
        let name = format!("F{i}");
        d[..name.len()].copy_from_slice(name.as_bytes());
        d[11] = b'C';
        d[16] = 0; // width 0
        dbf.extend_from_slice(&d);
    }
    dbf.push(0x0D);
    dbf.extend(std::iter::repeat_n(b' ', n_records as usize));
    assert_eq!(dbf.len(), 84_033);
    write(&fx.zones.with_extension("dbf"), &dbf);
    let run = fx.run();
    run.assert_bad_input("zones.dbf", &["2000 fields of width 0"]);
    #[cfg(target_os = "linux")]
    {
        let peak_kb = children_peak_rss_kb();
        assert!(peak_kb > 0 && peak_kb < 100 * 1024, "peak RSS {peak_kb} kB");
    }
}
