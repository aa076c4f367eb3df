//! The `ombuds` binary: everything it does is in [`ombuds::cli`].

/// mimalloc instead of glibc's allocator: age allocates a 64 KiB chunk buffer for every file it
/// opens or seals, and glibc answered each with a consolidation of its small-block bins
/// (`malloc_consolidate`), about a tenth of a follow-up look-up's time. See BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ombuds::cli::main()
}
