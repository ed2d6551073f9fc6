//! `cargo xtask`'s command line, declared with clap's derive: one enum variant per subcommand,
//! one field per option. clap writes each subcommand's `--help` from the doc comments below,
//! rejects an unknown option or a missing value with its usual message (exit 2), and hands
//! `main` typed values. Options that belong to one task live with it (`bench::Options`,
//! `oracle::Options`) and are flattened in here.
//!
//! To add a subcommand: a variant here (its doc comment is the one-line summary `cargo xtask
//! --help` lists, then the longer text of its own `--help`), and its arm in `main.rs`.

use crate::{bench, debsrc, fuzz, kernels, oracle, rpm, suite};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// nsutils developer tasks.
#[derive(Parser, Debug)]
#[command(
    name = "xtask",
    bin_name = "cargo xtask",
    version,
    after_help = "--from DIR uses binaries already built in DIR instead of building release \
                  binaries (as root: sudo target/release/xtask install --from target/release)."
)]
pub struct Cli {
    /// The task; without one, this help.
    #[command(subcommand)]
    pub command: Option<Task>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Task {
    /// Time every tool against the original (needs root)
    ///
    /// Every tool runs side by side with the released original of the oracle (target/oracle,
    /// see `cargo xtask oracle`) and the host's installed original; the report gives the median
    /// per-round ratio ours/original (see xtask/src/bench/mod.rs and docs/BENCHMARKS.md).
    Bench(bench::Options),
    /// Install binaries, the drop-in directory, man pages, completions and docs
    ///
    /// Binaries go to PREFIX/bin, the drop-in directory PREFIX/lib/nsutils/bin (unshare,
    /// nsenter, lsns and ip under the original names), man pages, bash/zsh/fish completions and
    /// docs under PREFIX/share, and a manifest that `uninstall` reads. Never replaces a file it
    /// did not install.
    Install {
        #[command(flatten)]
        place: Place,
        /// Also install the original names (bin/unshare, bin/nsenter, bin/lsns and their man
        /// pages) as symlinks to ours
        #[arg(long)]
        drop_in: bool,
        /// Take the binaries already built in DIR (e.g. target/release) instead of building
        /// release binaries
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// Write no manifest, for a package build (the package manager tracks the files);
        /// needs --destdir
        #[arg(long)]
        no_manifest: bool,
    },
    /// Remove what install recorded in its manifest
    Uninstall {
        #[command(flatten)]
        place: Place,
        /// Accepted for symmetry with install; the manifest already lists the drop-in links
        #[arg(long)]
        drop_in: bool,
    },
    /// Write the man pages (default target/man)
    Man {
        /// Where to write them
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write bash, zsh and fish completions (default target/completions)
    Completions {
        /// Where to write them (bash/, zsh/ and fish/ under it)
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Build the release tarball and the .deb under target/dist
    ///
    /// target/dist/nsutils-VERSION-CPU-linux.tar.gz and nsutils_VERSION_ARCH.deb; with
    /// --static, target/dist/nsutils-VERSION-CPU-linux-static.tar.gz alone (no .deb).
    Dist {
        /// Take the binaries already built in DIR instead of building release binaries
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// Pack the static binaries: target/dist/nsutils-VERSION-CPU-linux-static.tar.gz
        #[arg(long = "static")]
        static_crt: bool,
    },
    /// Build the static binaries into target/static and check their link
    StaticBuild,
    /// static-build, then the whole test suite against those binaries
    StaticSuite {
        /// Passed on to `cargo test` (e.g. `-p lsns-rs -- --nocapture`)
        #[arg(
            value_name = "ARGS",
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        args: Vec<String>,
    },
    /// The README's test command: deps, the suite against the dynamic and the static
    /// binaries, and the kernel core on the oldest and the newest kernel
    ///
    /// Every stage runs even when an earlier one failed (deps aside: without the packages and
    /// the oracle nothing can be compared); the end lists each stage's result, and the status
    /// is 0 only when all passed. This is what .ci/run runs.
    Test(suite::Options),
    /// Install the Debian packages the tests use (as root), then oracle
    Deps,
    /// Fetch the released util-linux and iproute2 the tests compare against
    ///
    /// Into target/oracle (cached; NSUTILS_ORACLE names another directory), then print their
    /// versions.
    Oracle(oracle::Options),
    /// Which behaviours changed between the previous and the current oracle
    ///
    /// Runs oracle-corpus.txt through the oracle `oracle --refresh` replaced and the current
    /// one, and lists the command lines whose behaviour changed.
    OracleDiff,
    /// cargo vendor + an --offline build from the vendored tree
    VendorCheck,
    /// Boot Debian's kernels (5.10, 6.1, 6.12, 7.2) and run the differential core in each
    ///
    /// The kernels are fetched from the Debian mirror into target/kernels (cached) and booted
    /// one at a time under virtme-ng; see xtask/src/kernels/ and docs/KERNELS.md.
    Kernels(kernels::Opts),
    /// Differential fuzzing of the four tools against the oracle (needs root)
    ///
    /// Generated command lines (from each tool's own option table), lsns -Q expressions and ip
    /// -batch files run through the oracle and ours in throwaway namespaces; any difference
    /// docs/COMPATIBILITY.md does not list, any crash or hang of ours fails the run, and is
    /// minimised to a short command line. See docs/TESTING.md.
    Fuzz(fuzz::Options),
    /// Write the Debian source package under target/debsrc
    ///
    /// nsutils_VERSION.orig.tar.xz (the git tree without debian/, plus every crate of
    /// Cargo.lock in vendor/ and a .cargo/config.toml naming it), the .debian.tar.xz (debian/,
    /// with debian/copyright written from vendor/) and the .dsc; `dpkg-buildpackage -us -uc`
    /// in target/debsrc/nsutils-VERSION builds it offline. See xtask/README.md.
    Debsrc(debsrc::Opts),
    /// Build the RPM from nsutils.spec under target/rpm (offline), then rpmlint
    ///
    /// Writes the vendored source tarball to target/rpm/SOURCES and the spec to
    /// target/rpm/SPECS, then runs rpmbuild -bb --nodeps there (in a new network namespace as
    /// root) and rpmlint on the result when it is installed (an error fails).
    Rpm(rpm::Opts),
}

/// Where install and uninstall work.
#[derive(Args, Debug)]
pub struct Place {
    /// The installation prefix (absolute)
    #[arg(long, value_name = "DIR", env = "PREFIX", default_value = "/usr/local")]
    pub prefix: String,
    /// Stage everything under DIR (for building a package); empty means none
    #[arg(long, value_name = "DIR", env = "DESTDIR")]
    pub destdir: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;
    use clap::CommandFactory;

    fn parse(words: &[&str]) -> Result<Option<Task>, clap::Error> {
        Cli::try_parse_from(std::iter::once("xtask").chain(words.iter().copied()))
            .map(|c| c.command)
    }

    #[test]
    fn the_declaration_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bench_options_are_typed() {
        let Ok(Some(Task::Bench(o))) = parse(&["bench", "--quick", "--only=lsns", "--static"])
        else {
            panic!("bench did not parse");
        };
        assert!(o.quick && o.static_too && !o.write_doc && !o.skip_build);
        assert_eq!(o.only.as_deref(), Some("lsns"));
        let e = parse(&["bench", "--only"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
    }

    #[test]
    fn test_passes_cargo_test_arguments_on() {
        let Ok(Some(Task::Test(o))) = parse(&["test", "-p", "lsns-rs", "--", "--nocapture"]) else {
            panic!("test did not parse");
        };
        assert!(!o.no_kernels);
        assert_eq!(o.args, ["-p", "lsns-rs", "--", "--nocapture"]);
        let Ok(Some(Task::Test(o))) = parse(&["test", "--no-kernels", "--workspace"]) else {
            panic!("test --no-kernels did not parse");
        };
        assert!(o.no_kernels);
        assert_eq!(o.args, ["--workspace"]);
    }

    #[test]
    fn a_wrong_option_is_clap_usage_error() {
        for words in [
            &["bench", "--bogus"][..],
            &["install", "--prefx", "/usr"],
            &["nosuch"],
            &["man", "a", "b"],
        ] {
            let e = parse(words).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{words:?}: {e}");
            assert!(e.use_stderr(), "{words:?}");
        }
    }

    #[test]
    fn static_suite_passes_every_word_on() {
        let Ok(Some(Task::StaticSuite { args })) = parse(&[
            "static-suite",
            "-p",
            "lsns-rs",
            "--test",
            "lsns",
            "--",
            "--nocapture",
        ]) else {
            panic!("static-suite did not parse");
        };
        assert_eq!(
            args,
            ["-p", "lsns-rs", "--test", "lsns", "--", "--nocapture"]
        );
    }

    #[test]
    fn dist_and_install_options() {
        let Ok(Some(Task::Dist { from, static_crt })) =
            parse(&["dist", "--static", "--from", "target/debug"])
        else {
            panic!("dist did not parse");
        };
        assert!(static_crt);
        assert_eq!(from, Some(PathBuf::from("target/debug")));
        let Ok(Some(Task::Install {
            place,
            drop_in,
            from,
            no_manifest,
        })) = parse(&["install", "--drop-in", "--prefix=/opt/x", "--destdir", "d"])
        else {
            panic!("install did not parse");
        };
        assert!(drop_in && from.is_none() && !no_manifest);
        assert_eq!(place.prefix, "/opt/x");
        assert_eq!(place.destdir.as_deref(), Some("d"));
        assert!(matches!(parse(&[]), Ok(None)));
        assert!(matches!(
            parse(&["install", "--no-manifest", "--destdir", "d"]),
            Ok(Some(Task::Install {
                no_manifest: true,
                ..
            }))
        ));
        assert!(matches!(
            parse(&["rpm", "--source-only"]),
            Ok(Some(Task::Rpm(rpm::Opts { source_only: true })))
        ));
        assert!(matches!(parse(&["debsrc"]), Ok(Some(Task::Debsrc(_)))));
    }
}
