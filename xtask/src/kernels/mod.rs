//! `cargo xtask kernels`: nsutils on other kernels than the host's. Debian's kernels of four
//! releases ([`fetch`]) are booted one at a time under virtme-ng ([`vm`]), with the host's
//! filesystem as a read-only root, and the differential core (`tests/kernel_core.rs`, built on
//! the host) runs inside against the oracle on the same kernel; [`matrix`] turns the results
//! into docs/KERNELS.md's table.

pub mod fetch;

use crate::Fail;

/// What `cargo xtask kernels` was asked to do.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Opts {
    /// Only fetch (and unpack) the kernels and virtme-ng, boot nothing
    #[arg(long = "fetch")]
    pub fetch_only: bool,
    /// Fetch again even when cached
    #[arg(long)]
    pub refresh: bool,
    /// A kernel to use: its version's start (5.10, 6.1, 6.12, 7.2), its Debian release
    /// (bullseye, bookworm, trixie, sid), oldest or newest; repeat for more; default: all
    #[arg(long = "kernel", value_name = "K")]
    pub kernels: Vec<String>,
}

/// The kernels `opts` names, oldest first.
pub fn chosen(opts: &Opts) -> Result<Vec<fetch::Kernel>, Fail> {
    if opts.kernels.is_empty() {
        return Ok(fetch::KERNELS.to_vec());
    }
    let mut v = Vec::new();
    for n in &opts.kernels {
        let k = fetch::by_name(n)?;
        if !v.iter().any(|x: &fetch::Kernel| x.id == k.id) {
            v.push(k);
        }
    }
    v.sort_by_key(|k| fetch::KERNELS.iter().position(|x| x.id == k.id));
    Ok(v)
}

/// Run `cargo xtask kernels` with `opts`.
pub fn run(opts: &Opts) -> Result<(), Fail> {
    for k in chosen(opts)? {
        let f = fetch::fetch(k, opts.refresh)?;
        println!("{} {} {}", k.id, f.release, f.vmlinuz.display());
    }
    Ok(())
}
