//! The few calls whose availability differs between systems, kept in one place.

/// Gives the calling thread the lowest priority (nice 19), so that it runs only where the
/// process's other threads leave a processor idle (the background hashing thread,
/// [`crate::io::digest`]). A no-op on other systems than Linux (the thread then shares the
/// processors as any other).
pub fn lower_this_thread() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: setpriority only changes the scheduling priority; on Linux, with PRIO_PROCESS and
    // 0, that of the calling thread alone.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

/// Lets the allocator keep what is freed for the next allocations instead of handing it back
/// to the system at once (glibc: blocks up to 64 MiB come from the heap rather than from
/// mappings of their own, and the heap's top is given back only past 256 MiB free). A batch
/// check allocates and frees many buffers of a few megabytes (a layer's records, the reports'
/// texts); each one mapped and unmapped on its own was taken again page by page, zeroed by the
/// system (a county with every feature: 13,000 page faults, sys 0.050 → 0.037 s). Memory
/// handed back explicitly ([`release_free_memory`]) still is. A no-op where the allocator is not
/// glibc's.
pub fn keep_freed_memory_for_reuse() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's thresholds; called before the work allocates.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// Lets the allocator keep at most one heap per processor (glibc: `M_ARENA_MAX`; by default up
/// to eight per processor, one taken by each thread that allocates while the others are busy).
/// For the desktop app, whose loading, map-drawing, hashing and checking threads each came to
/// hold their own heap's free pieces: the spread province's peak was 1,051,360–1,052,840 kB
/// with the machine busy (over its 1 GiB target; 1,028,044 kB when quiet) and 993,808–
/// 1,017,376 kB with two heaps. Called before the app starts its threads. A no-op where the
/// allocator is not glibc's.
pub fn limit_heaps_to_processors() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
        let n = libc::c_int::try_from(n).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets the allocator's limit on its number of heaps; called before
        // the app's threads allocate.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, n);
        }
    }
}

/// Gives the heap's free pages back to the system. glibc keeps memory that was freed for later
/// allocations, also when nothing will ask for it again: after the spread province is loaded
/// into the app, ~80 MB of freed temporaries (records as read, lists built while indexing)
/// stay resident for the whole session. Called between long stages; takes a few milliseconds.
/// A no-op where the allocator is not glibc's.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns the allocator's own free pages to the system; it takes
    // the allocator's locks like any allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// As [`release_free_memory`], only when the allocator holds at least `min_free` bytes free
/// (glibc's count of free bytes in its arenas): giving back a little memory costs the faults
/// of taking it again for nothing. Returns whether it gave memory back; a no-op (false) where
/// the allocator is not glibc's.
pub fn release_free_memory_over(min_free: usize) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallinfo2 only reads the allocator's statistics, taking its locks like any
        // allocation.
        let free = unsafe { libc::mallinfo2() }.fordblks;
        if free >= min_free {
            release_free_memory();
            return true;
        }
        false
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = min_free;
        false
    }
}

/// Asks the system to bring the whole of a mapped file into its file cache now, in the
/// background, rather than page by page as it is first read: a file whose pages the system let
/// go since its last use (seconds are enough here) is then read ahead in large blocks while
/// the first pages are worked on, instead of stopping the reading thread at each missing page
/// (a county's farmland after a 3 s pause: ~5 waits on the disk and +7 ms). Nothing is mapped
/// into the process by it (its resident memory is unchanged). A no-op outside Unix.
pub fn prefetch_mapped(map: &memmap2::Mmap) {
    #[cfg(unix)]
    {
        let _ = map.advise(memmap2::Advice::WillNeed);
    }
    #[cfg(not(unix))]
    let _ = map;
}

/// Takes `len` bytes of `map` from `offset` (and the rest of the pages they are on) out of this
/// process's resident memory: the pages stay in the system's file cache, and reading them
/// again maps them again, with the same bytes. For a large file read once front to back (its
/// hash, its records), so that the whole file is not counted in the process's memory by the
/// end of its reading. A no-op outside Unix (there a mapped view leaves the working set when
/// it is unmapped, as before).
pub fn release_mapped(map: &memmap2::Mmap, offset: usize, len: usize) {
    #[cfg(unix)]
    if len > 0 && offset.checked_add(len).is_some_and(|end| end <= map.len()) {
        // SAFETY: the map is a read-only shared mapping of a file (`memmap2::Mmap::map`):
        // MADV_DONTNEED only drops this process's page-table entries, and the next read of
        // those bytes maps the file's cached pages again, which hold what they held (a file
        // changed by another program while mapped is the mapping's own caveat, see
        // `crate::io::map_regular_file`). An error leaves the pages mapped: nothing to do.
        unsafe {
            let _ = map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, len);
        }
    }
    #[cfg(not(unix))]
    let _ = (map, offset, len);
}

#[cfg(test)]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod tests {
    /// Resident bytes of this process (`/proc/self/statm`, second field, in pages).
    fn resident() -> usize {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
        let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        pages * page
    }

    /// Resident bytes before, after freeing 256 MB of small blocks, and after `release`.
    fn free_then(release: impl FnOnce()) -> (usize, usize, usize) {
        // 256 MB in 1 KB blocks (kept in the heap, not mapped one by one), then a block after
        // them so that the heap cannot simply shrink from its top when they are freed.
        let mut blocks: Vec<Vec<u8>> = (0..262_144).map(|i| vec![(i % 251) as u8; 1024]).collect();
        let pin = vec![1u8; 1024];
        let before = resident();
        blocks.clear();
        blocks.shrink_to_fit();
        let freed = resident();
        release();
        let released = resident();
        assert_eq!(pin.len(), 1024);
        (before, freed, released)
    }

    // One test: the process's resident size is what it measures, and another test freeing or
    // trimming meanwhile would blur it.
    #[test]
    fn freed_memory_goes_back_to_the_system_when_there_is_enough() {
        // Freeing alone returns little; the release gives back most of the 256 MB.
        let (before, freed, released) = free_then(super::release_free_memory);
        assert!(
            freed + 100_000_000 > before && released + 150_000_000 < freed,
            "before {before}, after free {freed}, after release {released}"
        );
        // Over 64 MiB free (the 256 MB just freed): given back too.
        let mut gave = false;
        let (before, freed, released) =
            free_then(|| gave = super::release_free_memory_over(64 << 20));
        assert!(gave);
        assert!(
            freed + 100_000_000 > before && released + 150_000_000 < freed,
            "before {before}, after free {freed}, after release {released}"
        );
        // Less free than asked for: nothing given back (said by the result: another test's
        // trim meanwhile would change the resident size).
        let mut gave = true;
        free_then(|| gave = super::release_free_memory_over(1 << 40));
        assert!(!gave);
    }
}
