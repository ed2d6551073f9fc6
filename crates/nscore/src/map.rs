//! Hash maps with a fixed seed.
//!
//! std's `HashMap::new()` seeds its hasher with random bytes from the kernel (`getrandom(2)`)
//! the first time a process builds one, and panics when the kernel cannot give them (seen under
//! fault injection, and possible early in boot or under a seccomp filter). The keys here are
//! numbers the kernel hands out (inodes, PIDs, IDs), not strings an attacker chooses, so a
//! fixed-key SipHash serves as well and cannot fail.
//!
//! # Example
//!
//! ```
//! use nscore::map::Map;
//!
//! let mut by_inode: Map<u64, &str> = Map::default();
//! by_inode.insert(4026531840, "net");
//! assert_eq!(by_inode.get(&4026531840), Some(&"net"));
//! ```

use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

/// A `HashMap` whose hasher needs no random seed; build one with `Map::default()`.
pub type Map<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<DefaultHasher>>;
