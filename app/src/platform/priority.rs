//! The calling thread's CPU priority — its nice value, which Linux keeps per thread and which
//! threads inherit from the thread that starts them. Password hashing runs at the lowest
//! (`auth::crypto`); the server's writes and background work run below its reads
//! (`server::runtimes`). Raising a nice value needs no privilege; lowering it does. A thread
//! may also ask for a shorter time slice (`sched_setattr`), which lets it preempt a thread
//! with a longer one when it wakes; the server's reads threads do.

use std::time::Duration;

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

/// `sched_attr` as the kernel's `sched_setattr(2)` and `sched_getattr(2)` take it (the
/// first version of the struct, 48 bytes).
#[cfg(target_os = "linux")]
#[repr(C)]
#[derive(Default)]
struct SchedAttr {
    size: u32,
    policy: u32,
    flags: u64,
    nice: i32,
    priority: u32,
    runtime: u64,
    deadline: u64,
    period: u64,
}

#[cfg(target_os = "linux")]
impl SchedAttr {
    const SIZE: u32 = std::mem::size_of::<Self>() as u32;

    /// The calling thread's scheduling attributes.
    fn of_this_thread() -> std::io::Result<Self> {
        let mut attr = Self::default();
        // SAFETY: the kernel writes at most `SIZE` bytes into `attr`, which is that large;
        // pid 0 is the calling thread.
        let status =
            unsafe { libc::syscall(libc::SYS_sched_getattr, 0, &raw mut attr, Self::SIZE, 0) };
        if status == 0 {
            Ok(attr)
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
}

/// Asks the kernel to schedule the calling thread in slices of `slice`, keeping its policy
/// and nice value. Kernels before 6.12 accept the request and ignore it.
#[cfg(target_os = "linux")]
pub fn ask_for_slice(slice: Duration) -> std::io::Result<()> {
    let current = SchedAttr::of_this_thread()?;
    if !matches!(
        i32::try_from(current.policy),
        Ok(libc::SCHED_OTHER | libc::SCHED_BATCH)
    ) {
        // Real-time and idle threads have no fair slice to shorten.
        return Ok(());
    }
    let attr = SchedAttr {
        size: SchedAttr::SIZE,
        policy: current.policy,
        nice: current.nice,
        runtime: u64::try_from(slice.as_nanos()).unwrap_or(u64::MAX),
        ..SchedAttr::default()
    };
    // SAFETY: the kernel reads `SIZE` bytes from `attr`, which is that large; pid 0 is the
    // calling thread.
    let status = unsafe { libc::syscall(libc::SYS_sched_setattr, 0, &raw const attr, 0) };
    if status == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
pub fn ask_for_slice(_slice: Duration) -> std::io::Result<()> {
    Ok(())
}

/// The calling thread's time slice (the kernel's default unless it asked for another).
#[cfg(target_os = "linux")]
pub fn own_slice() -> std::io::Result<Duration> {
    SchedAttr::of_this_thread().map(|attr| Duration::from_nanos(attr.runtime))
}

/// Whether this kernel keeps a slice a thread asks for (Linux 6.12 and later).
#[cfg(target_os = "linux")]
pub fn kernel_has_thread_slices() -> bool {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut parts = release.trim().split(['.', '-']);
    let mut next = || {
        parts
            .next()
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    (next(), next()) >= (6, 12)
}

#[cfg(not(target_os = "linux"))]
pub fn own_nice() -> std::io::Result<i32> {
    Ok(0)
}

#[cfg(not(target_os = "linux"))]
pub fn own_slice() -> std::io::Result<Duration> {
    Ok(Duration::ZERO)
}

#[cfg(not(target_os = "linux"))]
pub fn kernel_has_thread_slices() -> bool {
    false
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
