//! Fuzzes the review-file parser: `Review::parse` on the input as (lossy) UTF-8. A review that
//! parses must also resolve its layer paths and survive a save and reload unchanged (the app
//! saves reviews with `to_toml`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use zonecheck::io::review::Review;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let path = Path::new("r.toml");
    let Ok(review) = Review::parse(&text, path) else {
        return;
    };
    let _ = review.layer_paths();
    let _ = review.base_dir();
    if let Ok(saved) = review.to_toml() {
        match Review::parse(&saved, path) {
            Ok(again) => assert_eq!(
                again.file, review.file,
                "reloading a saved review changed it:\n{saved}"
            ),
            Err(e) => panic!("a saved review does not load again ({e}):\n{saved}"),
        }
    }
});
