use clap::Parser;

/// Large allocations (argon2's 7 MiB per hash; 19 MiB for older hashes) always come from mmap and go back to the system
/// when freed. Left to glibc's sliding threshold they are kept in the heap after the first one,
/// and every sign-in left ~19 MiB resident (measured: 28 MB idle, 243 MB after 12 logins).
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
