//! The hash chain of an audit file's lines: each line's `prev` is the
//! SHA-256 of the line before it, so an edited, removed or reordered line
//! breaks the chain at the line after it.
//!
//! A file's first line starts a chain (`prev` all zeros) or, after a
//! rotation, is an `audit.rotated` line whose `prev` is the hash of the
//! last line of the file rotated away: the chain runs on across files, and
//! [`verify`] checks that link when it is given the file before.

/// The `prev` of a chain's first line.
pub(crate) const GENESIS: [u8; 32] = [0; 32];

/// The `event` of the line that opens a file after a rotation.
pub(crate) const ROTATED: &str = "audit.rotated";

/// The SHA-256 of a line (without its newline).
pub(crate) fn hash(line: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, line);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Lower-case hexadecimal digits.
pub(crate) const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex, without an allocation per byte (this runs per record).
pub(crate) fn hex(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        if let [high, low] = pair {
            *high = DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            *low = DIGITS.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
        }
    }
    out
}

/// The last line of a file (with its newline if it has one), read from
/// the end in blocks; `None` for an empty file.
pub(crate) fn last_line(f: &mut std::fs::File) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::{Read, Seek, SeekFrom};
    const BLOCK: u64 = 64 * 1024;
    let len = f.seek(SeekFrom::End(0))?;
    let mut tail: Vec<u8> = Vec::new();
    let mut from = len;
    while from > 0 {
        let step = from.min(BLOCK);
        from = from.saturating_sub(step);
        f.seek(SeekFrom::Start(from))?;
        let mut block = vec![0u8; usize::try_from(step).unwrap_or(0)];
        f.read_exact(&mut block)?;
        block.extend_from_slice(&tail);
        tail = block;
        // A newline before the final byte starts the last line.
        let body = tail.len().saturating_sub(1);
        if let Some(at) = tail.get(..body).and_then(|b| b.iter().rposition(|&c| c == b'\n')) {
            return Ok(Some(tail.split_off(at.saturating_add(1))));
        }
    }
    Ok((!tail.is_empty()).then_some(tail))
}

/// A file whose chain holds, as [`verify`] found it.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    /// Its lines.
    pub lines: usize,
    /// The hash of its last line, which the next file's first line follows.
    pub last: [u8; 32],
    /// How its first line links it to other files.
    pub start: Start,
}

/// How a file's first line links it to the file before.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Start {
    /// It starts a chain.
    New,
    /// It was rotated into, and follows the file checked before it.
    Follows,
    /// It was rotated into from a file not given, so that link went unchecked.
    Unanchored,
}

/// Checks the hash chain of an audit file's lines. `before` is the last
/// hash of the file rotated away before this one, when it was checked
/// too. Gives the first line that does not follow (1-based) and why.
pub fn verify(mut text: impl std::io::BufRead, before: Option<&[u8; 32]>) -> Result<Verified, (usize, String)> {
    // Line by line: an audit file can be far larger than memory.
    let mut last = GENESIS;
    let mut count = 0usize;
    let mut start = Start::New;
    let mut line = Vec::new();
    loop {
        line.clear();
        let number = count.saturating_add(1);
        match text.read_until(b'\n', &mut line) {
            Ok(0) => {
                return Ok(Verified {
                    lines: count,
                    last,
                    start,
                })
            }
            Ok(_) => {}
            Err(e) => return Err((number, format!("cannot be read: {e}"))),
        }
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        let parsed: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| (number, format!("not a JSON record ({e}): cut short or edited")))?;
        let prev = parsed
            .get("prev")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .as_bytes();
        let rotated = parsed.get("event").and_then(serde_json::Value::as_str) == Some(ROTATED);
        let follows = prev == hex(&last);
        if number == 1 && !follows && rotated {
            // The first line of a file rotated into: it follows the file before.
            match before {
                Some(end) if prev != hex(end) => {
                    return Err((
                        1,
                        "does not follow the last line of the file before it: a rotated file between \
                         them is missing or was edited, or the files are not oldest first"
                            .into(),
                    ))
                }
                Some(_) => start = Start::Follows,
                None => start = Start::Unanchored,
            }
        } else if !follows {
            return Err((
                number,
                "does not follow the line before it: that line was edited, removed or moved".into(),
            ));
        }
        last = hash(body);
        count = number;
    }
}
