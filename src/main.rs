use clap::Parser;

/// Rust's allocations go to mimalloc: a request's many short-lived strings and buffers (rows,
/// views, JSON) cost a quarter less CPU than with glibc's malloc, whose consolidation and
/// arena locking showed as ~12 % of the server's CPU in a profile of scenario (b); measured
/// with tests/bench: (b) +13–20 % requests/s in alternating runs. mimalloc returns freed
/// memory to the system on its own (the benchmark's soak checks that RSS does not grow).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What C libraries (libpq, OpenSSL, SQLite) allocate still goes through glibc: large blocks
/// always from mmap, back to the system when freed, not kept in the heap by glibc's sliding
/// threshold (which once kept ~19 MiB per sign-in: 28 MB idle, 243 MB after 12 logins).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_allocations() {
    // SAFETY: mallopt only sets an allocator parameter; it is called before any other thread
    // exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_allocations() {}

fn main() {
    return_large_allocations();
    let cli = mend::cli::Cli::parse();
    std::process::exit(mend::cli::run(cli));
}
