//! Audit lines as JSON, written straight into the line buffer.
//!
//! The per-item [`Record`] is written by hand, byte for byte what
//! `serde_json` writes for it (a test holds the two together): one is
//! written for every batch item, and going through serde's serializer
//! cost about as much as decoding the request it records (callgrind,
//! issue 13). The rarer lines (intent, connection, alert, lifecycle) go
//! through serde as before ([`Serde`]).

use std::io::{self, Write};

use serde::Serialize;

use super::chain::DIGITS;
use super::Record;

/// What can be written as one JSON object.
pub trait Json {
    /// Appends the object to `out`.
    fn write(&self, out: &mut Vec<u8>) -> io::Result<()>;
}

/// A line serialised through serde.
pub struct Serde<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> Json for Serde<'_, T> {
    fn write(&self, out: &mut Vec<u8>) -> io::Result<()> {
        serde_json::to_writer(out, self.0).map_err(io::Error::other)
    }
}

impl Json for Record<'_> {
    fn write(&self, out: &mut Vec<u8>) -> io::Result<()> {
        let texts: [(&[u8], &str); 6] = [
            (b"{\"time\":", self.time),
            (b",\"peer\":", self.peer),
            (b",\"serial\":", self.serial),
            (b",\"subject\":", self.subject),
            (b",\"scope\":", self.scope),
            (b",\"role\":", self.role),
        ];
        for (key, value) in texts {
            out.extend_from_slice(key);
            string(out, value);
        }
        out.extend_from_slice(b",\"operation\":");
        optional(out, self.operation.as_deref());
        out.extend_from_slice(b",\"uids\":[");
        for (n, uid) in self.uids.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            string(out, uid);
        }
        out.extend_from_slice(b"],\"status\":");
        string(out, &self.status);
        out.extend_from_slice(b",\"reason\":");
        optional(out, self.reason.as_deref());
        out.extend_from_slice(b",\"duration_us\":");
        write!(out, "{}}}", self.duration_us)
    }
}

fn optional(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(v) => string(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// A JSON string, escaped as `serde_json` escapes it: quote, backslash and
/// the control characters below 0x20 (short forms where JSON has them).
fn string(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    let bytes = value.as_bytes();
    // Almost every value needs no escape: one branch-free pass (which the
    // compiler vectorises) finds that out, instead of a match per byte.
    let escapes = bytes
        .iter()
        .fold(false, |any, &b| any | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if !escapes {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut plain = 0;
    for (at, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            0x00..=0x1f => b'u',
            _ => continue,
        };
        out.extend_from_slice(bytes.get(plain..at).unwrap_or_default());
        plain = at.saturating_add(1);
        out.push(b'\\');
        out.push(short);
        if short == b'u' {
            out.extend_from_slice(b"00");
            out.push(DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
            out.push(DIGITS.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'));
        }
    }
    out.extend_from_slice(bytes.get(plain..).unwrap_or_default());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn record<'a>(text: &'a str, uids: &'a [String], reason: Option<Cow<'static, str>>) -> Record<'a> {
        Record {
            time: "2026-12-08T01:02:03.456Z",
            peer: "127.0.0.1:5000",
            serial: "0a1b",
            subject: text,
            scope: text,
            role: "admin",
            operation: reason.is_none().then_some(Cow::Borrowed("Get")),
            uids,
            status: Cow::Borrowed("Success"),
            reason,
            duration_us: 18_446_744_073_709_551_615,
        }
    }

    #[test]
    fn a_record_is_written_as_serde_json_writes_it() {
        let awkward = "CN=\"quote\" \\ back\nline\ttab\r\u{8}\u{c}\u{0}\u{1f}\u{7f} é ✓ end";
        let uids = ["a".to_owned(), awkward.to_owned()];
        for r in [
            record("plain", &[], None),
            record(awkward, &uids, Some(Cow::Borrowed("Item Not Found"))),
            record("", &uids[..1], None),
        ] {
            let mut ours = Vec::new();
            r.write(&mut ours).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&r).unwrap());
        }
    }
}
