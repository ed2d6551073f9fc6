//! User and group names, from NSS exactly as util-linux sees them (files, LDAP, sssd ...).
//!
//! Two paths give the same answers, chosen when the crate is compiled:
//! - the dynamic build calls the C library (`getpwuid_r(3)`, `getpwnam_r(3)`, `getgrnam_r(3)`);
//! - a build with `+crt-static` never links those (a static glibc would `dlopen` NSS modules
//!   of another glibc version at run time): it asks `/usr/bin/getent` instead, see
//!   [`crate::getent`].
//!
//! The choice follows `cfg(target_feature = "crt-static")` rather than a cargo feature: it is
//! the static link itself that makes the C library's functions unsafe to use, so any static
//! build (`cargo xtask dist --static`, or a plain `RUSTFLAGS=-Ctarget-feature=+crt-static`
//! build, or the whole test suite compiled that way) gets the getent path without anyone
//! having to remember a feature flag, and a dynamic build can never lose its direct calls by
//! feature unification.
//!
//! # Example
//!
//! ```
//! use nscore::users::{user_name, NameCache};
//!
//! // uid 0 has a name on any ordinary system.
//! if let Some(name) = user_name(0) {
//!     println!("uid 0 is {name}");
//! }
//! // A uid without a name prints as its number, as util-linux prints it.
//! let mut names = NameCache::with_candidates([0, 4_000_000_000]);
//! assert_eq!(names.name(4_000_000_000), "4000000000");
//! ```

pub use crate::getent::Passwd;

#[cfg(not(target_feature = "crt-static"))]
pub use self::libc_nss::{group_id, passwd_by_name, passwd_by_uid};

#[cfg(target_feature = "crt-static")]
pub use crate::getent::{group_id, passwd_by_name, passwd_by_uid};

/// True when this build answers through getent (a `+crt-static` build).
pub const VIA_GETENT: bool = cfg!(target_feature = "crt-static");

/// The C library's NSS functions, for the dynamic build only.
#[cfg(not(target_feature = "crt-static"))]
pub mod libc_nss {
    use super::Passwd;
    use std::ffi::{CStr, CString};

    fn cstr_field(p: *const libc::c_char) -> String {
        if p.is_null() {
            return String::new();
        }
        // SAFETY: getpw*_r filled the passwd struct with pointers into our buffer, NUL-terminated.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    fn with_passwd(
        lookup: impl Fn(*mut libc::passwd, &mut [u8], *mut *mut libc::passwd) -> i32,
    ) -> Option<Passwd> {
        let mut buf = vec![0u8; 4096];
        loop {
            // SAFETY: passwd is plain data; zero is a valid initial value.
            let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = lookup(&mut pw, &mut buf, &mut result);
            if rc == libc::ERANGE && buf.len() < (1 << 20) {
                buf.resize(buf.len() * 2, 0);
                continue;
            }
            if rc != 0 || result.is_null() {
                return None;
            }
            return Some(Passwd {
                name: cstr_field(pw.pw_name),
                uid: pw.pw_uid,
                gid: pw.pw_gid,
                shell: cstr_field(pw.pw_shell),
            });
        }
    }

    /// `getpwuid_r(3)`: the passwd entry of `uid`, if there is one.
    #[doc(alias = "getpwuid_r")]
    pub fn passwd_by_uid(uid: u32) -> Option<Passwd> {
        with_passwd(|pw, buf, res| {
            // SAFETY: every pointer refers to live, correctly sized storage owned by with_passwd.
            unsafe { libc::getpwuid_r(uid, pw, buf.as_mut_ptr().cast(), buf.len(), res) }
        })
    }

    /// `getpwnam_r(3)`: the passwd entry of user `name`, if there is one.
    #[doc(alias = "getpwnam_r")]
    pub fn passwd_by_name(name: &str) -> Option<Passwd> {
        let cname = CString::new(name).ok()?;
        with_passwd(|pw, buf, res| {
            // SAFETY: as above; cname is NUL-terminated and outlives the call.
            unsafe { libc::getpwnam_r(cname.as_ptr(), pw, buf.as_mut_ptr().cast(), buf.len(), res) }
        })
    }

    /// `getgrnam_r(3)`: the gid of group `name`, if there is one.
    #[doc(alias = "getgrnam_r")]
    pub fn group_id(name: &str) -> Option<u32> {
        let cname = CString::new(name).ok()?;
        let mut buf = vec![0u8; 4096];
        loop {
            // SAFETY: group is plain data; zero is a valid initial value.
            let mut gr: libc::group = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::group = std::ptr::null_mut();
            // SAFETY: all pointers refer to live storage of the right size; cname is NUL-terminated.
            let rc = unsafe {
                libc::getgrnam_r(
                    cname.as_ptr(),
                    &mut gr,
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    &mut result,
                )
            };
            if rc == libc::ERANGE && buf.len() < (1 << 20) {
                buf.resize(buf.len() * 2, 0);
                continue;
            }
            if rc != 0 || result.is_null() {
                return None;
            }
            return Some(gr.gr_gid);
        }
    }
}

/// The login name of `uid`, if it has one.
pub fn user_name(uid: u32) -> Option<String> {
    passwd_by_uid(uid).map(|p| p.name)
}

/// A small uid → name cache for tools that print many rows (lsns's USER column).
///
/// [`NameCache::with_candidates`] names the uids that may be asked: the getent path then looks
/// them all up in one run at the first question (the C library path still asks one uid at a
/// time, only those actually shown).
#[derive(Default)]
pub struct NameCache {
    map: crate::map::Map<u32, Option<String>>,
    candidates: Vec<u32>,
}

impl NameCache {
    /// A cache that may be asked about `uids` (duplicates are fine; only the getent path keeps
    /// them).
    pub fn with_candidates(uids: impl IntoIterator<Item = u32>) -> NameCache {
        if !VIA_GETENT {
            return NameCache::default();
        }
        let mut candidates: Vec<u32> = uids.into_iter().collect();
        candidates.sort_unstable();
        candidates.dedup();
        NameCache {
            map: Default::default(),
            candidates,
        }
    }

    /// The name of `uid`, or its number as text when it has none (as util-linux prints it).
    pub fn name(&mut self, uid: u32) -> String {
        if VIA_GETENT && !self.map.contains_key(&uid) && !self.candidates.is_empty() {
            let mut keys: Vec<crate::getent::Key> = std::mem::take(&mut self.candidates)
                .into_iter()
                .map(crate::getent::Key::Id)
                .collect();
            keys.push(crate::getent::Key::Id(uid));
            for (k, p) in keys.iter().zip(crate::getent::passwds(&keys)) {
                if let crate::getent::Key::Id(n) = k {
                    self.map.insert(*n, p.map(|p| p.name));
                }
            }
        }
        self.map
            .entry(uid)
            .or_insert_with(|| user_name(uid))
            .clone()
            .unwrap_or_else(|| uid.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_root() {
        let p = passwd_by_uid(0).unwrap();
        assert_eq!(p.name, "root");
        assert_eq!(passwd_by_name("root").unwrap().uid, 0);
        assert_eq!(group_id("root"), Some(0));
    }

    #[test]
    fn garbage_names_find_nothing() {
        for bad in [
            "",
            "no such user",
            "a\0b",
            &"x".repeat(100_000),
            "-x",
            " 5",
            "+0",
        ] {
            assert!(passwd_by_name(bad).is_none(), "{bad:?}");
            assert!(group_id(bad).is_none(), "{bad:?}");
        }
        let mut c = NameCache::default();
        assert_eq!(c.name(4_000_000_000), "4000000000");
        let mut c = NameCache::with_candidates([0, 4_000_000_000, 0]);
        assert_eq!(c.name(4_000_000_000), "4000000000");
        assert_eq!(c.name(0), "root");
    }

    /// Every user and group of the files, a few that do not exist, and garbage: the getent path
    /// (one run per database) answers exactly as the C library does, and so do the files alone.
    #[cfg(not(target_feature = "crt-static"))]
    #[test]
    fn getent_and_files_answer_as_the_c_library() {
        use crate::getent::{lookup_uncached, Db, Key, Source, GETENT};
        let ids = |f: &str| -> Vec<(String, u32)> {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .filter_map(|l| {
                    let v: Vec<&str> = l.split(':').collect();
                    Some((v.first()?.to_string(), v.get(2)?.parse().ok()?))
                })
                .collect()
        };
        let users = ids("/etc/passwd");
        let groups = ids("/etc/group");
        assert!(users.len() > 3 && groups.len() > 3);
        let odd = [
            "",
            "no such user",
            "-x",
            " 5",
            "+0",
            "root ",
            "ROOT",
            "r\u{e9}",
        ];
        let mut pkeys: Vec<Key> = users.iter().map(|u| Key::Id(u.1)).collect();
        pkeys.extend(users.iter().map(|u| Key::Name(u.0.clone())));
        pkeys.extend([
            Key::Id(4_000_000_000),
            Key::Id(u32::MAX - 1),
            Key::Id(12345),
        ]);
        pkeys.extend(odd.iter().map(|s| Key::Name(s.to_string())));
        let mut gkeys: Vec<Key> = groups.iter().map(|g| Key::Name(g.0.clone())).collect();
        gkeys.extend(odd.iter().map(|s| Key::Name(s.to_string())));
        let c_passwd = |k: &Key| {
            match k {
                Key::Id(n) => libc_nss::passwd_by_uid(*n),
                Key::Name(s) => libc_nss::passwd_by_name(s),
            }
            .map(|p| (p.name, p.uid, p.shell))
        };
        for path in [GETENT, "/nonexistent/getent"] {
            let (got, src) = lookup_uncached(path, Db::Passwd, &pkeys);
            assert_eq!(src == Source::Getent, path == GETENT);
            for (k, g) in pkeys.iter().zip(got) {
                assert_eq!(g, c_passwd(k), "passwd {k:?} via {path}");
            }
            let (got, _) = lookup_uncached(path, Db::Group, &gkeys);
            for (k, g) in gkeys.iter().zip(got) {
                let Key::Name(s) = k else { unreachable!() };
                assert_eq!(
                    g.map(|g| g.1),
                    libc_nss::group_id(s),
                    "group {k:?} via {path}"
                );
            }
        }
        // The cached front answers the same.
        for u in &users {
            assert_eq!(
                crate::getent::passwd_by_uid(u.1),
                libc_nss::passwd_by_uid(u.1)
            );
        }
    }
}
