//! A file's SHA-256 for the report's `inputs`, worked out when the processors have time for it.
//!
//! Hashing a county's farmland (31 MB of `.shp` and `.dbf`) takes ~25 ms of CPU at SHA-NI
//! speed, and hashed beside the reading it held the reading back (the reading waited for its
//! hash before the layer could be repaired): `zonecheck check` of a county with every feature
//! took ~17 ms less without any hashing. Only report.json says the hashes, at the very end, so
//! a large file's hash is worked out on a thread of its own that runs only where the other
//! threads leave a processor idle (lowest priority, [`crate::platform::lower_this_thread`]),
//! a chunk at a time; whoever asks for the hash before it is done works out the rest itself
//! ([`Sha256Hex::as_str`]), so an answer never waits on a thread that is not running.
//!
//! The bytes hashed are the ones read: the same bytes in memory, or the same mapping of the
//! file (whose records the loader reads again from it while repairing, see
//! [`crate::io::shp::MappedShapes`]).

use super::FileBytes;
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// A SHA-256 as lower-case hex: known, or being worked out in the background.
#[derive(Clone)]
pub struct Sha256Hex(Arc<Cell>);

struct Cell {
    /// The hex, once known.
    hex: OnceLock<String>,
    /// What is left to hash while it is not (taken by whoever finishes it).
    work: Mutex<Option<Work>>,
}

struct Work {
    bytes: Arc<FileBytes>,
    hasher: Sha256,
    done: usize,
}

/// Bytes hashed at a time by the background thread (~0.7 ms): the longest an asker can wait
/// for it to let go of the work.
const CHUNK: usize = 1 << 20;

impl Work {
    /// Hashes the next chunk (giving its pages back behind it, as
    /// [`FileBytes::sha256_hex_releasing`] does); the hex once the bytes are all hashed.
    fn step(&mut self) -> Option<String> {
        let end = (self.done + CHUNK).min(self.bytes.len());
        let part = &self.bytes[self.done..end];
        self.hasher.update(part);
        self.bytes.release(part);
        self.done = end;
        (self.done == self.bytes.len())
            .then(|| super::hex_of(&std::mem::take(&mut self.hasher).finalize()))
    }
}

impl Sha256Hex {
    /// A hash already known (lower-case hex).
    pub fn known(hex: String) -> Sha256Hex {
        let hex_cell = OnceLock::new();
        let _ = hex_cell.set(hex);
        Sha256Hex(Arc::new(Cell {
            hex: hex_cell,
            work: Mutex::new(None),
        }))
    }

    /// The hash of `bytes`, worked out now.
    pub fn of(bytes: &[u8]) -> Sha256Hex {
        Sha256Hex::known(super::sha256_hex(bytes))
    }

    /// The hash of `bytes`, worked out in the background (or by the first to ask for it).
    pub fn in_background(bytes: Arc<FileBytes>) -> Sha256Hex {
        let cell = Arc::new(Cell {
            hex: OnceLock::new(),
            work: Mutex::new(Some(Work {
                bytes,
                hasher: Sha256::new(),
                done: 0,
            })),
        });
        background().push(cell.clone());
        Sha256Hex(cell)
    }

    /// The hex; worked out here, from where the background thread got to, when it is not yet.
    pub fn as_str(&self) -> &str {
        if let Some(hex) = self.0.hex.get() {
            return hex;
        }
        let mut work = self.0.work.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mut w) = work.take() {
            let hex = loop {
                if let Some(hex) = w.step() {
                    break hex;
                }
            };
            let _ = self.0.hex.set(hex);
        }
        drop(work);
        self.0.hex.get().map_or("", String::as_str)
    }
}

impl std::ops::Deref for Sha256Hex {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Default for Sha256Hex {
    fn default() -> Sha256Hex {
        Sha256Hex::known(String::new())
    }
}

impl From<String> for Sha256Hex {
    fn from(hex: String) -> Sha256Hex {
        Sha256Hex::known(hex)
    }
}

impl PartialEq for Sha256Hex {
    fn eq(&self, other: &Sha256Hex) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Sha256Hex {}

impl PartialEq<String> for Sha256Hex {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl std::fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Sha256Hex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The background hashing thread's queue.
struct Background {
    queue: Mutex<VecDeque<Arc<Cell>>>,
    ready: Condvar,
}

impl Background {
    fn push(&self, cell: Arc<Cell>) {
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(cell);
        self.ready.notify_one();
    }

    /// The thread: takes each cell in turn and hashes it a chunk at a time until it is done
    /// (here or by an asker).
    fn run(&self) {
        crate::platform::lower_this_thread();
        loop {
            let cell = {
                let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    match queue.pop_front() {
                        Some(cell) => break cell,
                        None => queue = self.ready.wait(queue).unwrap_or_else(|e| e.into_inner()),
                    }
                }
            };
            loop {
                let mut work = cell.work.lock().unwrap_or_else(|e| e.into_inner());
                let Some(w) = work.as_mut() else {
                    break; // finished by an asker
                };
                if let Some(hex) = w.step() {
                    let _ = cell.hex.set(hex);
                    *work = None;
                    break;
                }
            }
        }
    }
}

/// The background thread's queue, the thread started on first use. Should the thread not
/// start, nothing is hashed in the background: each hash is then worked out when asked for.
fn background() -> &'static Background {
    static BACKGROUND: OnceLock<Arc<Background>> = OnceLock::new();
    BACKGROUND.get_or_init(|| {
        let b = Arc::new(Background {
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
        });
        let worker = b.clone();
        let _ = std::thread::Builder::new()
            .name("zonecheck-hash".into())
            .spawn(move || worker.run());
        b
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A hash in the background is the file's SHA-256 (as sha256sum gives it), whether the
    /// thread got to it or the asker finished it; several askers get the same.
    #[test]
    fn a_hash_in_the_background_is_the_files_sha256() {
        // "abc" (FIPS 180-2's example): ba7816bf...
        let abc = Sha256Hex::in_background(Arc::new(FileBytes::Read(b"abc".to_vec())));
        assert_eq!(
            abc.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // 5 MiB and a bit (several chunks), asked for at once from two threads.
        let bytes: Vec<u8> = (0..5 * CHUNK + 123).map(|i| (i * 7 % 251) as u8).collect();
        let expected = super::super::sha256_hex(&bytes);
        for _ in 0..20 {
            let h = Sha256Hex::in_background(Arc::new(FileBytes::Read(bytes.clone())));
            let other = h.clone();
            let t = std::thread::spawn(move || other.as_str().to_string());
            assert_eq!(h.as_str(), expected);
            assert_eq!(t.join().unwrap(), expected);
        }
        // Left to the thread: done without anyone asking.
        let h = Sha256Hex::in_background(Arc::new(FileBytes::Read(bytes.clone())));
        let start = std::time::Instant::now();
        while h.0.hex.get().is_none() && start.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(h.0.hex.get().map(String::as_str), Some(expected.as_str()));
        assert_eq!(Sha256Hex::of(b"abc"), abc);
        assert_eq!(Sha256Hex::default().as_str(), "");
    }
}
