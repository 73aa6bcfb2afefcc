//! Timestamps and their three wire formats: epoch seconds, RFC 3339 date-time, and HTTP date.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time with nanosecond precision, as AWS models timestamps. The default is the epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    seconds: i64,
    nanos: u32,
}

/// How a timestamp is written; the model chooses per member, or by default per location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    /// `1577934245.5` (JSON bodies).
    EpochSeconds,
    /// `2020-01-02T03:04:05.5Z` (query strings and URI labels).
    DateTime,
    /// `Thu, 02 Jan 2020 03:04:05 GMT` (headers).
    HttpDate,
}

impl DateTime {
    pub fn from_secs(seconds: i64) -> Self {
        DateTime { seconds, nanos: 0 }
    }

    /// Seconds and a sub-second part; `nanos` above a second carries over.
    pub fn from_parts(seconds: i64, nanos: u32) -> Self {
        DateTime { seconds: seconds + i64::from(nanos / 1_000_000_000), nanos: nanos % 1_000_000_000 }
    }

    pub fn from_fractional_secs(value: f64) -> Option<Self> {
        if !value.is_finite() || value.abs() > 1e15 {
            return None;
        }
        let seconds = value.floor();
        let nanos = ((value - seconds) * 1e9).round().min(999_999_999.0) as u32;
        Some(DateTime { seconds: seconds as i64, nanos })
    }

    pub fn secs(&self) -> i64 {
        self.seconds
    }

    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    pub fn as_fractional_secs(&self) -> f64 {
        self.seconds as f64 + f64::from(self.nanos) / 1e9
    }

    pub fn format(&self, format: TimestampFormat) -> String {
        match format {
            TimestampFormat::EpochSeconds if self.nanos == 0 => self.seconds.to_string(),
            TimestampFormat::EpochSeconds => {
                let fraction = format!("{:09}", self.nanos);
                format!("{}.{}", self.seconds_toward_zero(), fraction.trim_end_matches('0'))
            }
            TimestampFormat::DateTime => {
                let (date, (h, m, s)) = civil(self.seconds);
                let fraction = if self.nanos == 0 {
                    String::new()
                } else {
                    format!(".{}", format!("{:09}", self.nanos).trim_end_matches('0'))
                };
                format!("{:04}-{:02}-{:02}T{h:02}:{m:02}:{s:02}{fraction}Z", date.0, date.1, date.2)
            }
            TimestampFormat::HttpDate => {
                let ((year, month, day), (h, m, s)) = civil(self.seconds);
                let weekday = WEEKDAYS[(self.seconds.div_euclid(86_400) + 3).rem_euclid(7) as usize];
                let month = MONTHS[month as usize - 1];
                format!("{weekday}, {day:02} {month} {year:04} {h:02}:{m:02}:{s:02} GMT")
            }
        }
    }

    /// Epoch seconds for a negative time with a fraction: `-1.5`, not `-2.5`.
    fn seconds_toward_zero(&self) -> String {
        if self.seconds < 0 && self.nanos > 0 {
            let whole = self.seconds + 1;
            if whole == 0 {
                "-0".to_owned()
            } else {
                whole.to_string()
            }
        } else {
            self.seconds.to_string()
        }
    }

    /// Parses any of the three formats, whichever `text` is.
    pub fn parse(text: &str, format: TimestampFormat) -> Result<Self, String> {
        let text = text.trim();
        let parsed = match format {
            TimestampFormat::EpochSeconds => text.parse::<f64>().ok().and_then(Self::from_fractional_secs),
            TimestampFormat::DateTime => parse_date_time(text),
            TimestampFormat::HttpDate => parse_http_date(text),
        };
        parsed.ok_or_else(|| format!("{text:?} is not a valid {format:?} timestamp"))
    }

    /// A timestamp a response carries (a header, a text payload, an XML element): the declared
    /// format first, then the other two, as botocore reads them (proxies and S3-compatible
    /// stores send ISO 8601 or epoch seconds where an HTTP date is declared). The error names
    /// the formats tried, not the value.
    pub fn parse_lenient(text: &str, declared: TimestampFormat) -> Result<Self, String> {
        use TimestampFormat::{DateTime as Iso, EpochSeconds, HttpDate};
        let others = [HttpDate, Iso, EpochSeconds].into_iter().filter(|format| *format != declared);
        let order: Vec<TimestampFormat> = std::iter::once(declared).chain(others).collect();
        if let Some(parsed) = order.iter().find_map(|format| Self::parse(text, *format).ok()) {
            return Ok(parsed);
        }
        let names: Vec<&str> = order.iter().map(|format| format.smithy_name()).collect();
        Err(format!("not a timestamp in any format tried ({})", names.join(", ")))
    }
}

impl TimestampFormat {
    /// Smithy's name for the format (`http-date`).
    pub fn smithy_name(self) -> &'static str {
        match self {
            TimestampFormat::EpochSeconds => "epoch-seconds",
            TimestampFormat::DateTime => "date-time",
            TimestampFormat::HttpDate => "http-date",
        }
    }
}

impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => DateTime { seconds: after.as_secs() as i64, nanos: after.subsec_nanos() },
            Err(before) => {
                let before = before.duration();
                let (secs, nanos) = (before.as_secs() as i64, before.subsec_nanos());
                if nanos == 0 {
                    DateTime { seconds: -secs, nanos: 0 }
                } else {
                    DateTime { seconds: -secs - 1, nanos: 1_000_000_000 - nanos }
                }
            }
        }
    }
}

impl From<DateTime> for SystemTime {
    fn from(time: DateTime) -> Self {
        let nanos = Duration::from_nanos(u64::from(time.nanos));
        if time.seconds >= 0 {
            UNIX_EPOCH + Duration::from_secs(time.seconds as u64) + nanos
        } else {
            UNIX_EPOCH - Duration::from_secs(time.seconds.unsigned_abs()) + nanos
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(TimestampFormat::DateTime))
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Seconds since the epoch -> ((year, month, day), (hour, minute, second)), proleptic Gregorian.
fn civil(seconds: i64) -> ((i64, u32, u32), (u32, u32, u32)) {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400) as u32;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    ((year, month, day), (rest / 3600, rest / 60 % 60, rest % 60))
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Years a written date may carry: the four digits of RFC 3339 and HTTP dates. Bounding them
/// keeps the day arithmetic far from overflow whatever a response says (`99999999999999`).
const YEARS: std::ops::RangeInclusive<i64> = -9999..=9999;

fn from_civil(year: i64, month: u32, day: u32, h: u32, m: u32, s: u32, nanos: u32) -> Option<DateTime> {
    let valid =
        YEARS.contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day) && h < 24 && m < 60 && s < 61;
    valid.then(|| {
        let seconds = days_from_civil(year, month, day) * 86_400 + i64::from(h * 3600 + m * 60 + s.min(59));
        DateTime { seconds, nanos }
    })
}

/// `2020-01-02T03:04:05.123Z`, also with a `+hh:mm` offset or lowercase `t`/`z`.
fn parse_date_time(text: &str) -> Option<DateTime> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (h, m, s) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let mut rest = &text[19..];
    let mut nanos = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.find(|c: char| !c.is_ascii_digit()).unwrap_or(fraction.len());
        if digits == 0 {
            return None;
        }
        let padded: String = fraction[..digits].chars().chain(std::iter::repeat('0')).take(9).collect();
        nanos = padded.parse().ok()?;
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = rest[1..].split_once(':')?;
            let (oh, om) = (oh.parse::<i64>().ok().filter(|h| *h < 24)?, om.parse::<i64>().ok().filter(|m| *m < 60)?);
            sign * (oh * 3600 + om * 60)
        }
    };
    let time = from_civil(i64::from(year), month, day, h, m, s, nanos)?;
    Some(DateTime { seconds: time.seconds - offset, nanos })
}

/// `Thu, 02 Jan 2020 03:04:05 GMT` (fractional seconds accepted).
fn parse_http_date(text: &str) -> Option<DateTime> {
    let (_, rest) = text.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u32 = parts.next()?.parse().ok()?;
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as u32 + 1;
    let year: i64 = parts.next()?.parse().ok()?;
    let clock = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    let (whole, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms = whole.split(':').map(|n| n.parse::<u32>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let nanos = if fraction.is_empty() {
        0
    } else {
        fraction.chars().chain(std::iter::repeat('0')).take(9).collect::<String>().parse().ok()?
    };
    from_civil(year, month, day, h, m, s, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TimestampFormat::{DateTime as Rfc3339, EpochSeconds, HttpDate};

    #[test]
    fn a_timestamp_outside_the_body_is_read_in_any_format_the_declared_one_first() {
        let t = DateTime::from_secs(1_577_934_245);
        for text in ["Thu, 02 Jan 2020 03:04:05 GMT", "2020-01-02T03:04:05Z", "1577934245"] {
            for declared in [EpochSeconds, Rfc3339, HttpDate] {
                assert_eq!(DateTime::parse_lenient(text, declared), Ok(t), "{text} declared {declared:?}");
            }
        }
        // In no format: the error lists the formats in the order tried.
        let error = DateTime::parse_lenient("next tuesday", EpochSeconds).unwrap_err();
        assert_eq!(error, "not a timestamp in any format tried (epoch-seconds, http-date, date-time)");
        assert!(!error.contains("tuesday"), "the value is not repeated");
    }

    #[test]
    fn formats_as_aws_expects() {
        let t = DateTime::from_secs(1_577_934_245);
        assert_eq!(t.format(EpochSeconds), "1577934245");
        assert_eq!(t.format(Rfc3339), "2020-01-02T03:04:05Z");
        assert_eq!(t.format(HttpDate), "Thu, 02 Jan 2020 03:04:05 GMT");
        let frac = DateTime::from_parts(1_577_934_245, 123_000_000);
        assert_eq!(frac.format(EpochSeconds), "1577934245.123");
        assert_eq!(frac.format(Rfc3339), "2020-01-02T03:04:05.123Z");
        assert_eq!(DateTime::from_secs(0).format(HttpDate), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn absurd_dates_are_errors_not_overflows() {
        for text in [
            "Sat, 01 Jan 99999999999999 00:00:00 GMT",
            "Sat, 01 Jan -9999999999999 00:00:00 GMT",
            "Tue, 02 Jan 298832965251630024 03:04:05 GMT",
            "Tue, 02 Jan 10000 03:04:05 GMT",
        ] {
            assert!(DateTime::parse(text, HttpDate).is_err(), "{text}");
        }
        for text in
            ["2020-01-02T03:04:05+99999999999999999:00", "2020-01-02T03:04:05+24:00", "2020-01-02T03:04:05+01:60"]
        {
            assert!(DateTime::parse(text, Rfc3339).is_err(), "{text}");
        }
        for text in ["1e300", "-1e300", "NaN", "inf", "9223372036854775808"] {
            assert!(DateTime::parse(text, EpochSeconds).is_err(), "{text}");
        }
        assert!(DateTime::parse("Fri, 31 Dec 9999 23:59:59 GMT", HttpDate).is_ok());
    }

    #[test]
    fn parses_every_format() {
        let t = DateTime::from_parts(1_577_934_245, 500_000_000);
        assert_eq!(DateTime::parse("1577934245.5", EpochSeconds), Ok(t));
        assert_eq!(DateTime::parse("2020-01-02T03:04:05.5Z", Rfc3339), Ok(t));
        assert_eq!(DateTime::parse("2020-01-02T05:04:05.5+02:00", Rfc3339), Ok(t));
        assert_eq!(DateTime::parse("Thu, 02 Jan 2020 03:04:05.5 GMT", HttpDate), Ok(t));
        assert!(DateTime::parse("2020-13-02T03:04:05Z", Rfc3339).is_err());
        assert!(DateTime::parse("yesterday", HttpDate).is_err());
        assert!(DateTime::parse("NaN", EpochSeconds).is_err());
        for seconds in [-86_401, -1, 0, 951_782_400, 4_102_444_800] {
            let t = DateTime::from_secs(seconds);
            for format in [EpochSeconds, Rfc3339, HttpDate] {
                assert_eq!(DateTime::parse(&t.format(format), format), Ok(t), "{seconds} {format:?}");
            }
        }
    }

    #[test]
    fn converts_with_system_time() {
        let t = DateTime::from_parts(-2, 250_000_000);
        assert_eq!(DateTime::from(SystemTime::from(t)), t);
    }
}

/// The clock used to sign requests; tests fix it.
pub trait TimeSource: Send + Sync + fmt::Debug {
    fn now(&self) -> SystemTime;
}

/// The machine's clock.
#[derive(Debug)]
pub(crate) struct SystemClock;

impl TimeSource for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedTime(pub SystemTime);

impl TimeSource for FixedTime {
    fn now(&self) -> SystemTime {
        self.0
    }
}
