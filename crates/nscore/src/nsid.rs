//! Network namespace ids over rtnetlink: `RTM_GETNSID` (by fd, by id, or as a dump) and
//! `RTM_NEWNSID` (assign one).
//!
//! An nsid is a label that the *current* network namespace gives a peer namespace; see
//! ip-netns(8). Messages are built with netlink-packet-route and sent on a blocking
//! netlink-sys socket. Kernel errors keep their extended-ack text, because `ip` prints it
//! (`Error: Peer netns already has a nsid assigned.`).
//!
//! # Example
//!
//! ```
//! use nscore::create::{run_in_child, unshare, ChildStatus};
//! use nscore::kind::{NsKind, NsKinds};
//! use nscore::nsid::NsidSocket;
//! use std::fs::File;
//!
//! // `ip netns set`, in a child: network namespace A, then B, where A is given the nsid 7.
//! let status = run_in_child(|| {
//!     if unshare(NsKinds::from_iter([NsKind::User, NsKind::Net])).is_err() {
//!         return 77; // user namespaces are switched off here
//!     }
//!     let Ok(a) = File::open("/proc/self/ns/net") else { return 1 };
//!     if unshare(NsKinds::from_iter([NsKind::Net])).is_err() {
//!         return 2;
//!     }
//!     let Ok(mut sock) = NsidSocket::open(false) else { return 3 };
//!     if !matches!(sock.get_by_fd(&a), Ok(None)) {
//!         return 4; // no nsid yet
//!     }
//!     if sock.set(&a, Some(7)).is_err() {
//!         return 5;
//!     }
//!     if matches!(sock.get_by_fd(&a), Ok(Some(7))) { 0 } else { 6 }
//! })
//! .unwrap();
//! assert!(matches!(status, ChildStatus::Exited(0 | 77)), "{status:?}");
//! ```

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_CAPPED, NLM_F_DUMP,
    NLM_F_REQUEST,
};
use netlink_packet_route::nsid::{NsidAttribute, NsidMessage};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use rustix::io::Errno;

use crate::error::SysErr;

/// A netlink failure: the errno, the kernel's extended-ack text if it sent one, and whether it
/// ended a dump.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NetlinkError {
    /// The errno from `NLMSG_ERROR` (or from the socket call).
    pub errno: Errno,
    /// `NLMSGERR_ATTR_MSG`, when the kernel explained itself.
    pub extack: Option<String>,
    /// True when the error came inside a dump (ip adds `Dump terminated`).
    pub in_dump: bool,
    /// True when the socket call itself failed (`sendto`, `recvmsg`), not the kernel's answer
    /// to one request: every request on the socket then fails the same way, so a caller says
    /// it once.
    pub local: bool,
}

impl std::fmt::Display for NetlinkError {
    /// As iproute2 prints it: `Error: <text>.` with the kernel's text, else
    /// `RTNETLINK answers: <strerror>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.extack {
            Some(msg) if msg.ends_with('.') => write!(f, "Error: {msg}"),
            Some(msg) => write!(f, "Error: {msg}."),
            None => write!(f, "RTNETLINK answers: {}", SysErr(self.errno)),
        }
    }
}

fn io_err(e: std::io::Error) -> NetlinkError {
    NetlinkError {
        errno: Errno::from_io_error(&e).unwrap_or(Errno::IO),
        extack: None,
        in_dump: false,
        local: true,
    }
}

/// One nsid as the kernel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NsidEntry {
    /// The nsid (`NETNSA_NSID`); `None` for "not assigned" (-1).
    pub nsid: Option<i32>,
    /// With a target nsid: the id the target gives the same peer (`NETNSA_CURRENT_NSID`).
    pub current: Option<i32>,
    /// Whether the kernel sent `NETNSA_CURRENT_NSID` at all (ip prints
    /// `current-nsid unassigned` when it did, with -1).
    pub has_current: bool,
}

/// A NETLINK_ROUTE socket for nsid requests.
pub struct NsidSocket {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
}

const NLMSGERR_ATTR_MSG: u16 = 1;

/// Datagrams [`NsidSocket::recv_many`] takes per call.
const RECV_SLOTS: usize = 16;
/// Bytes per datagram slot; `RECV_SLOTS * RECV_SLOT` is the receive buffer's size.
const RECV_SLOT: usize = 2048;

impl NsidSocket {
    /// Open and bind a route netlink socket with extended acks on. `strict` sets
    /// `NETLINK_GET_STRICT_CHK`, which dumps need so the kernel honours their filters.
    pub fn open(strict: bool) -> Result<NsidSocket, NetlinkError> {
        let mut sock = Socket::new(NETLINK_ROUTE).map_err(io_err)?;
        sock.bind_auto().map_err(io_err)?;
        // Old kernels lack these options; ip carries on without them too.
        let _ = sock.set_ext_ack(true);
        if strict {
            let _ = sock.set_netlink_get_strict_chk(true);
        }
        Ok(NsidSocket {
            sock,
            seq: 0,
            buf: vec![0u8; RECV_SLOTS * RECV_SLOT],
        })
    }

    fn send(
        &mut self,
        msg: NsidMessage,
        kind: fn(NsidMessage) -> RouteNetlinkMessage,
        flags: u16,
    ) -> Result<u32, NetlinkError> {
        self.seq = self.seq.wrapping_add(1);
        let mut header = NetlinkHeader::default();
        header.flags = flags;
        header.sequence_number = self.seq;
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(kind(msg)));
        packet.finalize();
        let mut out = vec![0u8; packet.buffer_len()];
        packet.serialize(&mut out);
        self.sock
            .send_to(&out, &SocketAddr::new(0, 0), 0)
            .map_err(io_err)?;
        Ok(self.seq)
    }

    /// Receive replies to `seq` until the exchange ends; collect `RTM_NEWNSID` bodies.
    fn collect(&mut self, seq: u32, dump: bool) -> Result<Vec<NsidMessage>, NetlinkError> {
        let mut found = Vec::new();
        loop {
            let n = loop {
                match self.sock.recv(&mut &mut self.buf[..], 0) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(io_err(e)),
                }
            };
            let mut off = 0;
            while off + 16 <= n {
                let len = u32::from_ne_bytes([
                    self.buf[off],
                    self.buf[off + 1],
                    self.buf[off + 2],
                    self.buf[off + 3],
                ]) as usize;
                if len < 16 || off + len > n {
                    break;
                }
                let chunk = &self.buf[off..off + len];
                off += (len + 3) & !3;
                let Ok(msg) = NetlinkMessage::<RouteNetlinkMessage>::deserialize(chunk) else {
                    continue;
                };
                if msg.header.sequence_number != seq {
                    continue;
                }
                match msg.payload {
                    NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewNsId(m)) => {
                        found.push(m);
                        if !dump {
                            return Ok(found);
                        }
                    }
                    NetlinkPayload::Done(d) if d.code < 0 => {
                        return Err(NetlinkError {
                            errno: Errno::from_raw_os_error(-d.code),
                            extack: tlv_text(&d.extended_ack),
                            in_dump: dump,
                            local: false,
                        });
                    }
                    NetlinkPayload::Done(_) => return Ok(found),
                    NetlinkPayload::Error(e) => {
                        let code = e.raw_code();
                        if code == 0 {
                            return Ok(found);
                        }
                        return Err(NetlinkError {
                            errno: Errno::from_raw_os_error(-code),
                            extack: extack_text(&e.header, msg.header.flags),
                            in_dump: dump,
                            local: false,
                        });
                    }
                    _ => {}
                }
            }
        }
    }

    /// `RTM_GETNSID` with `NETNSA_FD`: the nsid the current netns gives the namespace `fd` refers
    /// to; `Ok(None)` when it has none.
    pub fn get_by_fd(&mut self, fd: impl AsFd) -> Result<Option<i32>, NetlinkError> {
        let mut msg = NsidMessage::default();
        msg.attributes
            .push(NsidAttribute::Fd(fd.as_fd().as_raw_fd() as u32));
        let seq = self.send(msg, RouteNetlinkMessage::GetNsId, NLM_F_REQUEST)?;
        let replies = self.collect(seq, false)?;
        Ok(replies.first().and_then(|m| entry_of(m).nsid))
    }

    /// `RTM_GETNSID` with `NETNSA_FD` for many namespaces at once: the requests go out in
    /// batches (one `sendmsg(2)` per batch; the kernel answers each in order, and resolves the
    /// fds while sending, so they may be closed as soon as this returns), and each answer is
    /// matched to its request by sequence number. One result per fd, in order: the nsid, `None`
    /// when none is assigned, or the kernel's error (a file that is not a network namespace
    /// gives EINVAL, "Peer netns reference is invalid").
    pub fn get_by_fds(&mut self, fds: &[BorrowedFd<'_>]) -> Vec<Result<Option<i32>, NetlinkError>> {
        // Small enough that the answers fit the default receive buffer (unanswered replies
        // would be dropped, not queued).
        const BATCH: usize = 64;
        let mut out = Vec::with_capacity(fds.len());
        for chunk in fds.chunks(BATCH) {
            let first = self.seq.wrapping_add(1);
            let mut wire = Vec::with_capacity(chunk.len() * 28);
            for fd in chunk {
                self.seq = self.seq.wrapping_add(1);
                let mut msg = NsidMessage::default();
                msg.attributes
                    .push(NsidAttribute::Fd(fd.as_raw_fd() as u32));
                let mut header = NetlinkHeader::default();
                header.flags = NLM_F_REQUEST;
                header.sequence_number = self.seq;
                let mut packet = NetlinkMessage::new(
                    header,
                    NetlinkPayload::InnerMessage(RouteNetlinkMessage::GetNsId(msg)),
                );
                packet.finalize();
                let at = wire.len();
                wire.resize(at + packet.buffer_len(), 0);
                packet.serialize(&mut wire[at..]);
            }
            let mut results: Vec<Option<Result<Option<i32>, NetlinkError>>> =
                vec![None; chunk.len()];
            if let Err(e) = self
                .sock
                .send_to(&wire, &SocketAddr::new(0, 0), 0)
                .map_err(io_err)
            {
                out.extend(chunk.iter().map(|_| Err(e.clone())));
                continue;
            }
            let mut pending = chunk.len();
            while pending > 0 {
                let lens = match self.recv_many() {
                    Ok(lens) => lens,
                    Err(e) => {
                        for r in results.iter_mut().filter(|r| r.is_none()) {
                            *r = Some(Err(e.clone()));
                        }
                        break;
                    }
                };
                for (slot_no, n) in lens.into_iter().enumerate() {
                    let base = slot_no * RECV_SLOT;
                    let datagram = &self.buf[base..base + n.min(RECV_SLOT)];
                    let mut off = 0;
                    while off + 16 <= datagram.len() {
                        let len = u32::from_ne_bytes([
                            datagram[off],
                            datagram[off + 1],
                            datagram[off + 2],
                            datagram[off + 3],
                        ]) as usize;
                        if len < 16 || off + len > datagram.len() {
                            break;
                        }
                        let bytes = &datagram[off..off + len];
                        off += (len + 3) & !3;
                        let Ok(msg) = NetlinkMessage::<RouteNetlinkMessage>::deserialize(bytes)
                        else {
                            continue;
                        };
                        let idx = msg.header.sequence_number.wrapping_sub(first) as usize;
                        let Some(slot) = results.get_mut(idx) else {
                            continue;
                        };
                        if slot.is_some() {
                            continue;
                        }
                        let answer = match msg.payload {
                            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewNsId(m)) => {
                                Ok(entry_of(&m).nsid)
                            }
                            NetlinkPayload::Error(e) if e.raw_code() != 0 => Err(NetlinkError {
                                errno: Errno::from_raw_os_error(-e.raw_code()),
                                extack: extack_text(&e.header, msg.header.flags),
                                in_dump: false,
                                local: false,
                            }),
                            _ => continue,
                        };
                        *slot = Some(answer);
                        pending -= 1;
                    }
                }
            }
            out.extend(results.into_iter().map(|r| r.unwrap_or(Ok(None))));
        }
        out
    }

    /// `recvmmsg(2)` with `MSG_WAITFORONE`: block for one datagram, then take whatever else is
    /// queued, up to [`RECV_SLOTS`], each into its own [`RECV_SLOT`]-byte part of the buffer.
    /// Returns each datagram's length (at most the slot size; nsid answers are under 200 bytes).
    #[doc(alias = "recvmmsg")]
    fn recv_many(&mut self) -> Result<Vec<usize>, NetlinkError> {
        let base = self.buf.as_mut_ptr();
        let mut iovs: Vec<libc::iovec> = (0..RECV_SLOTS)
            .map(|i| libc::iovec {
                // In bounds: open() sizes the buffer RECV_SLOTS * RECV_SLOT bytes.
                iov_base: base.wrapping_add(i * RECV_SLOT).cast(),
                iov_len: RECV_SLOT,
            })
            .collect();
        // SAFETY: mmsghdr is plain old data; all-zero is a valid (empty) value.
        let mut msgs: Vec<libc::mmsghdr> = (0..RECV_SLOTS)
            .map(|_| unsafe { std::mem::zeroed() })
            .collect();
        for (m, iov) in msgs.iter_mut().zip(iovs.iter_mut()) {
            m.msg_hdr.msg_iov = iov;
            m.msg_hdr.msg_iovlen = 1;
        }
        loop {
            // SAFETY: the socket fd is open for the call; each mmsghdr points at one iovec that
            // covers its own disjoint RECV_SLOT-byte part of self.buf, and iovs, msgs and the
            // buffer all outlive the call. No name or control buffers are passed.
            let n = unsafe {
                libc::recvmmsg(
                    self.sock.as_raw_fd(),
                    msgs.as_mut_ptr(),
                    RECV_SLOTS as libc::c_uint,
                    libc::MSG_WAITFORONE,
                    std::ptr::null_mut(),
                )
            };
            if n < 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(io_err(e));
            }
            return Ok(msgs[..n as usize]
                .iter()
                .map(|m| m.msg_len as usize)
                .collect());
        }
    }

    /// `RTM_GETNSID` with `NETNSA_NSID` (and `NETNSA_TARGET_NSID`): one nsid's entry.
    pub fn get_by_nsid(
        &mut self,
        nsid: i32,
        target: Option<i32>,
    ) -> Result<NsidEntry, NetlinkError> {
        let mut msg = NsidMessage::default();
        msg.attributes.push(NsidAttribute::Id(nsid));
        if let Some(t) = target {
            msg.attributes.push(NsidAttribute::TargetNsid(t));
        }
        let seq = self.send(msg, RouteNetlinkMessage::GetNsId, NLM_F_REQUEST)?;
        let replies = self.collect(seq, false)?;
        Ok(replies.first().map(entry_of).unwrap_or(NsidEntry {
            nsid: Some(nsid),
            current: None,
            has_current: false,
        }))
    }

    /// `RTM_GETNSID` dump: every nsid the current netns has assigned, in kernel order.
    pub fn dump(&mut self, target: Option<i32>) -> Result<Vec<NsidEntry>, NetlinkError> {
        let mut msg = NsidMessage::default();
        if let Some(t) = target {
            msg.attributes.push(NsidAttribute::TargetNsid(t));
        }
        let seq = self.send(
            msg,
            RouteNetlinkMessage::GetNsId,
            NLM_F_REQUEST | NLM_F_DUMP,
        )?;
        Ok(self.collect(seq, true)?.iter().map(entry_of).collect())
    }

    /// `RTM_NEWNSID`: give the namespace `fd` refers to the nsid `nsid` (`None`: let the kernel
    /// pick the lowest free one). Needs CAP_NET_ADMIN.
    pub fn set(&mut self, fd: impl AsFd, nsid: Option<i32>) -> Result<(), NetlinkError> {
        let mut msg = NsidMessage::default();
        msg.attributes
            .push(NsidAttribute::Fd(fd.as_fd().as_raw_fd() as u32));
        msg.attributes.push(NsidAttribute::Id(nsid.unwrap_or(-1)));
        let seq = self.send(msg, RouteNetlinkMessage::NewNsId, NLM_F_REQUEST | NLM_F_ACK)?;
        self.collect(seq, false).map(|_| ())
    }
}

fn entry_of(m: &NsidMessage) -> NsidEntry {
    let mut e = NsidEntry {
        nsid: None,
        current: None,
        has_current: false,
    };
    for a in &m.attributes {
        match a {
            NsidAttribute::Id(id) if *id >= 0 => e.nsid = Some(*id),
            NsidAttribute::CurrentNsid(id) => {
                e.has_current = true;
                if *id >= 0 {
                    e.current = Some(*id);
                }
            }
            _ => {}
        }
    }
    e
}

/// Find `NLMSGERR_ATTR_MSG` in an error payload (after the 4-byte code): the echoed request
/// (its header only when the kernel capped it), then TLVs.
fn extack_text(payload: &[u8], outer_flags: u16) -> Option<String> {
    if payload.len() < 16 {
        return None;
    }
    let echoed = u32::from_ne_bytes([payload[0], payload[1], payload[2], payload[3]]) as usize;
    let skip = if outer_flags & NLM_F_CAPPED != 0 {
        16
    } else {
        (echoed + 3) & !3
    };
    tlv_text(payload.get(skip..)?)
}

/// The `NLMSGERR_ATTR_MSG` string among extended-ack TLVs.
fn tlv_text(mut tlvs: &[u8]) -> Option<String> {
    while tlvs.len() >= 4 {
        let len = u16::from_ne_bytes([tlvs[0], tlvs[1]]) as usize;
        let kind = u16::from_ne_bytes([tlvs[2], tlvs[3]]) & 0x3fff;
        if len < 4 || len > tlvs.len() {
            return None;
        }
        if kind == NLMSGERR_ATTR_MSG {
            let text = &tlvs[4..len];
            let text = text.split(|&b| b == 0).next().unwrap_or_default();
            return Some(String::from_utf8_lossy(text).into_owned());
        }
        tlvs = tlvs.get((len + 3) & !3..).unwrap_or_default();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_print_as_iproute2_does() {
        let e = NetlinkError {
            errno: Errno::EXIST,
            extack: Some("Peer netns already has a nsid assigned".into()),
            in_dump: false,
            local: false,
        };
        assert_eq!(
            e.to_string(),
            "Error: Peer netns already has a nsid assigned."
        );
        let e = NetlinkError {
            errno: Errno::PERM,
            extack: None,
            in_dump: false,
            local: false,
        };
        assert_eq!(e.to_string(), "RTNETLINK answers: Operation not permitted");
    }

    #[test]
    fn extack_parsing_tolerates_garbage() {
        assert_eq!(extack_text(&[], 0), None);
        assert_eq!(extack_text(&[0xff; 64], 0), None);
        let mut p = vec![0u8; 16];
        p[0] = 16; // echoed header only
        p.extend_from_slice(&[8, 0, 1, 0, b'h', b'i', 0, 0]);
        assert_eq!(extack_text(&p, 0).as_deref(), Some("hi"));
    }

    #[test]
    fn own_netns_has_no_nsid_for_itself_or_answers() {
        // Asking about our own netns works unprivileged; the answer may be None or an id.
        let mut s = NsidSocket::open(false).unwrap();
        let f = std::fs::File::open("/proc/self/ns/net").unwrap();
        assert!(s.get_by_fd(&f).is_ok());
    }
}
