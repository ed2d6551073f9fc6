//! User and group names through the C library (`getpwuid_r(3)`, `getpwnam_r(3)`, `getgrnam_r(3)`),
//! so names come from NSS exactly as util-linux sees them (files, LDAP, sssd ...).

use std::ffi::{CStr, CString};

/// A passwd entry: the fields the tools use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passwd {
    /// Login name.
    pub name: String,
    /// User ID.
    pub uid: u32,
    /// Primary group ID.
    pub gid: u32,
    /// Login shell (may be empty).
    pub shell: String,
}

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

/// The login name of `uid`, if it has one.
pub fn user_name(uid: u32) -> Option<String> {
    passwd_by_uid(uid).map(|p| p.name)
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

/// A small uid → name cache for tools that print many rows (lsns's USER column).
#[derive(Default)]
pub struct NameCache {
    map: std::collections::HashMap<u32, Option<String>>,
}

impl NameCache {
    /// The name of `uid`, or its number as text when it has none (as util-linux prints it).
    pub fn name(&mut self, uid: u32) -> String {
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
        for bad in ["", "no such user", "a\0b", &"x".repeat(100_000)] {
            assert!(passwd_by_name(bad).is_none());
            assert!(group_id(bad).is_none());
        }
        let mut c = NameCache::default();
        assert_eq!(c.name(4_000_000_000), "4000000000");
    }
}
