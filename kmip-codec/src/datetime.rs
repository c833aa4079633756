//! ISO 8601 text for KMIP Date-Time values (POSIX seconds, UTC).
//!
//! The OASIS XML test cases write `1970-01-01T00:00:06+00:00`; the writer
//! produces that form and the reader also accepts `Z` and other offsets.
//! Civil-date arithmetic follows H. Hinnant's `days_from_civil`, valid for
//! the whole proleptic Gregorian calendar.

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The first and last instants with a four-digit year (0000-01-01 and
/// 9999-12-31T23:59:59): ISO 8601 without extensions covers only these.
pub const RANGE: std::ops::RangeInclusive<i64> = -62_167_219_200..=253_402_300_799;

/// Formats POSIX seconds as `YYYY-MM-DDThh:mm:ss+00:00`, or `None` outside
/// [`RANGE`].
pub fn format(secs: i64) -> Option<String> {
    if !RANGE.contains(&secs) {
        return None;
    }
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        s / 3600,
        s / 60 % 60,
        s % 60
    ))
}

/// Parses `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)` into POSIX seconds.
pub fn parse(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = text.get(from..from + len)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && (sep(10, b'T') || sep(10, b't')) && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, mi, s) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = text.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = frac.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes().get(3) != Some(&b':') {
                return None;
            }
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(format(6).as_deref(), Some("1970-01-01T00:00:06+00:00"));
        assert_eq!(parse("1970-01-01T00:00:06+00:00"), Some(6));
        // 2017-11-22, the date KMIP 1.4 became an OASIS Standard.
        assert_eq!(parse("2017-11-22T12:00:00Z"), Some(1_511_352_000));
        assert_eq!(parse("2017-11-22T13:00:00+01:00"), Some(1_511_352_000));
        assert_eq!(format(-1).as_deref(), Some("1969-12-31T23:59:59+00:00"));
        assert_eq!(format(i64::MAX), None);
        assert_eq!(parse("2017-13-22T12:00:00Z"), None);
        assert_eq!(parse("garbage"), None);
    }

    #[test]
    fn round_trip_range() {
        for secs in RANGE.step_by(99_991_117).chain([*RANGE.start(), *RANGE.end()]) {
            assert_eq!(format(secs).and_then(|t| parse(&t)), Some(secs));
        }
    }
}
