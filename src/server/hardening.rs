//! Process hardening done once at start-up, before any key is read: no core dumps, and (on
//! Linux) no ptrace attach or `/proc/PID/mem` reads by other processes of the same user.
//!
//! This module only changes the process's own limits and flags; it never fails start-up. Where
//! the operating system refuses, it returns a warning and the service runs on.

/// Turns core dumps off: the soft and hard `RLIMIT_CORE` to 0, so a crash cannot write keys,
/// receipts or decrypted text to disk, and `PR_SET_DUMPABLE` to 0, which also stops
/// same-user processes from attaching a debugger or reading the process's memory. Returns a
/// warning for each step the operating system refused (the caller shows them and runs on).
pub fn disable_core_dumps() -> Vec<String> {
    let mut warnings = Vec::new();
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{
            DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit,
        };
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if let Err(e) = setrlimit(Resource::Core, none) {
            warnings.push(format!(
                "could not set the core file size limit to 0 ({e}); a crash may write memory, \
                 keys included, to a core file"
            ));
        }
        if let Err(e) = set_dumpable_behavior(DumpableBehavior::NotDumpable) {
            warnings.push(format!(
                "could not mark the process as not dumpable ({e}); a crash may write memory, \
                 keys included, to a core file"
            ));
        }
    }
    #[cfg(not(target_os = "linux"))]
    warnings
        .push("core dumps are left as the system has them: only Linux is hardened here".to_owned());
    warnings
}
