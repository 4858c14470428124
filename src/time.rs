//! Time as the core sees it: a point given by the caller, and strict xs:dateTime parsing.
//!
//! The core never reads a clock (`SystemTime::now()` panics on `wasm32-unknown-unknown`); the
//! caller passes [`UnixTime`]. SAML requires UTC timestamps (SAML core §1.3.3), so only the form
//! `YYYY-MM-DDThh:mm:ss[.fraction]Z` (or the zero offset `+00:00`) is accepted; other offsets, missing zones, lowercase `z`, leap
//! seconds and years outside 0001–9999 are refused rather than guessed.

use core::fmt;

/// A point in time, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(i64);

impl UnixTime {
    /// From whole seconds since the Unix epoch.
    pub const fn from_secs(secs: i64) -> Self {
        UnixTime(secs.saturating_mul(1000))
    }

    /// From milliseconds since the Unix epoch (what JavaScript's `Date.now()` returns).
    pub const fn from_millis(millis: i64) -> Self {
        UnixTime(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the Unix epoch (rounded towards negative infinity).
    pub const fn as_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This time plus `secs` seconds (saturating).
    pub const fn plus_secs(self, secs: i64) -> Self {
        UnixTime(self.0.saturating_add(secs.saturating_mul(1000)))
    }

    /// This time minus `secs` seconds (saturating).
    pub const fn minus_secs(self, secs: i64) -> Self {
        UnixTime(self.0.saturating_sub(secs.saturating_mul(1000)))
    }

    /// Parses a strict UTC xs:dateTime (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.123Z`).
    /// Fractions beyond milliseconds are truncated. Returns `None` for anything else.
    pub fn parse_rfc3339_utc(value: &str) -> Option<UnixTime> {
        let b = value.as_bytes();
        if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        if b.get(10) != Some(&b'T') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
            return None;
        }
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let rest = b.get(19..)?;
        let (fraction, zone) = match rest.first() {
            Some(b'.') => {
                let frac_digits = rest
                    .iter()
                    .skip(1)
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                if frac_digits == 0 || frac_digits > 9 {
                    return None;
                }
                let frac = rest.get(1..1 + frac_digits)?;
                let mut millis: i64 = 0;
                for i in 0..3 {
                    millis = millis * 10 + frac.get(i).map_or(0, |d| i64::from(d - b'0'));
                }
                (millis, rest.get(1 + frac_digits..)?)
            }
            _ => (0, rest),
        };
        // `Z`, or the explicit zero offset `+00:00` (the same instant; some IdPs write it).
        if zone != b"Z" && zone != b"+00:00" {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second;
        Some(UnixTime(secs * 1000 + fraction))
    }

    /// Formats as `YYYY-MM-DDThh:mm:ss[.mmm]Z` (milliseconds only when not zero).
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            (sod / 60) % 60,
            sod % 60
        )?;
        if millis != 0 {
            write!(f, ".{millis:03}")?;
        }
        f.write_str("Z")
    }
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
    let slice = b.get(start..start + len)?;
    let mut value = 0i64;
    for &d in slice {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(d - b'0');
    }
    Some(value)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_round_trip() {
        let t = UnixTime::parse_rfc3339_utc("2022-02-23T17:49:18.872Z").unwrap();
        assert_eq!(t.as_millis(), 1_645_638_558_872);
        assert_eq!(t.to_string(), "2022-02-23T17:49:18.872Z");
        let t = UnixTime::parse_rfc3339_utc("1970-01-01T00:00:00Z").unwrap();
        assert_eq!(t.as_millis(), 0);
        assert_eq!(t.to_string(), "1970-01-01T00:00:00Z");
        let t = UnixTime::parse_rfc3339_utc("2024-02-29T23:59:59.123456789Z").unwrap();
        assert_eq!(t.to_string(), "2024-02-29T23:59:59.123Z");
        let zero = UnixTime::parse_rfc3339_utc("2015-08-31T08:54:06+00:00").unwrap();
        assert_eq!(
            zero,
            UnixTime::parse_rfc3339_utc("2015-08-31T08:54:06Z").unwrap()
        );
    }

    #[test]
    fn refuses_non_utc_and_odd_forms() {
        for bad in [
            "2030-01-01T00:00:00+01:00",
            "2030-01-01T00:00:00-00:00",
            "2030-01-01T00:00:00+00:00Z",
            "2030-01-01T00:00:00",
            "2030-01-01T00:00:60Z",
            "2030-01-01T00:00:00z",
            "2030-01-01 00:00:00Z",
            "10000-01-01T00:00:00Z",
            "-0001-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2030-01-01T00:00:00.Z",
            "2030-01-01T00:00:00.1234567890Z",
            "2030-13-01T00:00:00Z",
            "2030-01-01T24:00:00Z",
            "",
        ] {
            assert_eq!(UnixTime::parse_rfc3339_utc(bad), None, "{bad}");
        }
    }
}
