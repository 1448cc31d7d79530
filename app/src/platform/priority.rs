//! The calling thread's CPU priority — its nice value, which Linux keeps per thread and which
//! threads inherit from the thread that starts them. Password hashing runs at the lowest
//! (`auth::crypto`); the server's writes and background work run below its reads
//! (`server::runtimes`). Raising a nice value needs no privilege; lowering it does.

/// The nice value of the calling thread (0 unless something changed it; 19 is the lowest
/// priority, -20 the highest).
#[cfg(target_os = "linux")]
pub fn own_nice() -> std::io::Result<i32> {
    // SAFETY: `__errno_location` points at this thread's errno; `getpriority` only reads its
    // integer arguments. -1 is both a nice value and the error return, hence errno.
    unsafe {
        *libc::__errno_location() = 0;
        let nice = libc::getpriority(libc::PRIO_PROCESS, own_thread());
        match std::io::Error::last_os_error() {
            error if nice == -1 && error.raw_os_error() != Some(0) => Err(error),
            _ => Ok(nice),
        }
    }
}

/// Sets the calling thread's nice value (threads it starts afterwards inherit it).
#[cfg(target_os = "linux")]
pub fn set_own_nice(nice: i32) -> std::io::Result<()> {
    // SAFETY: only reads its integer arguments; on Linux, `PRIO_PROCESS` with a thread id
    // changes that one thread.
    if unsafe { libc::setpriority(libc::PRIO_PROCESS, own_thread(), nice) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(target_os = "linux")]
fn own_thread() -> libc::id_t {
    // SAFETY: `gettid` has no arguments and cannot fail.
    let tid = unsafe { libc::gettid() };
    libc::id_t::try_from(tid).unwrap_or_default()
}

#[cfg(not(target_os = "linux"))]
pub fn own_nice() -> std::io::Result<i32> {
    Ok(0)
}

/// Elsewhere priorities are per process: nothing is changed.
#[cfg(not(target_os = "linux"))]
pub fn set_own_nice(_nice: i32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_thread_lowers_its_own_priority_and_the_threads_it_starts_inherit_it() {
        let here = own_nice().unwrap();
        std::thread::spawn(|| {
            let before = own_nice().unwrap();
            set_own_nice(before + 2).unwrap();
            assert_eq!(own_nice().unwrap(), before + 2);
            let child = std::thread::spawn(|| own_nice().unwrap()).join().unwrap();
            assert_eq!(child, before + 2);
        })
        .join()
        .unwrap();
        // Only that thread changed.
        assert_eq!(own_nice().unwrap(), here);
    }
}
