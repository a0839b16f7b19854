//! Release and end-of-support dates of the Kubernetes minor versions, and how the target
//! version stands on a given day: supported, in maintenance mode, past its end of support,
//! or unknown to the data.
//!
//! The dates come from `policies/data/k8s-releases.yaml`: the data behind
//! <https://kubernetes.io/releases/> (kubernetes/website `data/releases/eol.yaml`,
//! `releases.yaml`, `dates.json`, `schedule.yaml`) and the release announcements, each date
//! with its source; a date no source gives is `unknown` there and here, never estimated.
//!
//! The library reads no clock: the caller passes today's date ([`target_support`]); the CLI
//! reads the system date in UTC, or `--today` / `KUBEHARDEN_TODAY`.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::version::KubeVersion;
use crate::yaml::{parse_stream, Limits};

const DATA_FILE: &str = include_str!("../policies/data/k8s-releases.yaml");

/// Where the table is explained and kept current.
pub const RELEASES_URL: &str = "https://kubernetes.io/releases/";

/// A calendar day of the proleptic Gregorian calendar, years 1 to 9999; ordered by time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

fn is_leap(year: u16) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// The day `year-month-day`. Errors: a year outside 1..=9999, a month outside 1..=12,
    /// a day the month does not have (`2023-02-29`), each named.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date, String> {
        if !(1..=9999).contains(&year) {
            return Err(format!("year {year} is outside 1..9999"));
        }
        if !(1..=12).contains(&month) {
            return Err(format!("month {month} is outside 1..12"));
        }
        let last = days_in_month(year, month);
        if !(1..=last).contains(&day) {
            return Err(format!(
                "day {day} is not in {year:04}-{month:02}, which has {last} days"
            ));
        }
        Ok(Date { year, month, day })
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    pub fn month(&self) -> u8 {
        self.month
    }

    pub fn day(&self) -> u8 {
        self.day
    }

    /// The day `days` days after 1970-01-01 (negative: before it), as a Unix timestamp
    /// divided by 86,400 and rounded down names the UTC day. Errors: a day outside years
    /// 1..=9999.
    ///
    /// Howard Hinnant's `civil_from_days` (<https://howardhinnant.github.io/date_algorithms.html>).
    pub fn from_unix_days(days: i64) -> Result<Date, String> {
        let z = days
            .checked_add(719_468)
            .ok_or_else(|| format!("day {days} is out of range"))?;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097); // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365; // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
        let mp = (5 * doy + 2) / 153; // [0, 11], March first
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = u16::try_from(year)
            .map_err(|_| format!("day {days} after 1970-01-01 is outside years 1..9999"))?;
        Date::new(year, month as u8, day as u8)
    }

    /// Days since 1970-01-01 (the inverse of [`Date::from_unix_days`]).
    pub fn unix_days(&self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(&self, later: Date) -> i64 {
        later.unix_days() - self.unix_days()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = String;

    /// Exactly `YYYY-MM-DD` (ISO 8601 calendar date, four-digit year, two-digit month and
    /// day). Errors quote the text and say what is wrong.
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = |why: &str| format!("invalid date {s:?}: {why}expected YYYY-MM-DD");
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) {
            return Err(bad(""));
        }
        if !digits(5..7) || !digits(8..10) {
            return Err(bad(""));
        }
        let n = |r: std::ops::Range<usize>| s[r].parse::<u16>().unwrap_or(0);
        Date::new(n(0..4), n(5..7) as u8, n(8..10) as u8).map_err(|e| bad(&format!("{e}; ")))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The file a date of the table was read from (see the header of the data file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateSource {
    /// `data/releases/eol.yaml`: the recorded end of support and final patch release.
    Eol,
    /// `data/releases/releases.yaml`: planned dates of the supported lines.
    Releases,
    /// `data/releases/dates.json`: the date of the `.0` tag.
    Dates,
    /// `data/releases/schedule.yaml`: release and maintenance-mode dates.
    Schedule,
    /// The release announcement on kubernetes.io/blog.
    Blog,
    /// endoflife.date's `products/kubernetes.md`: the planned maintenance and end-of-support
    /// dates of kubernetes.io/releases/patch-releases, as it recorded them.
    Endoflife,
    /// kubernetes/sig-release `releases/release-1.N/README.md`: the release team's planned
    /// date of the `.0` release.
    Plan,
}

impl DateSource {
    /// Whether the date is a plan (`releases.yaml` and endoflife.date list the planned dates
    /// of the lines still supported, sig-release the planned `.0` release), not a record of
    /// what happened.
    pub fn planned(self) -> bool {
        matches!(
            self,
            DateSource::Releases | DateSource::Endoflife | DateSource::Plan
        )
    }
}

/// A date and where it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dated {
    pub date: Date,
    pub from: DateSource,
}

/// `{date, from}`, or the word `unknown` (`None`). A visitor rather than an untagged enum, so
/// that a bad date inside the map keeps its own message.
fn dated_or_unknown<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Dated>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Option<Dated>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("{date: YYYY-MM-DD, from: SOURCE} or unknown")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v == "unknown" {
                Ok(None)
            } else {
                Err(E::custom(format!(
                    "expected {{date: YYYY-MM-DD, from: SOURCE}} or unknown, not {v:?}"
                )))
            }
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            Dated::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    d.deserialize_any(Visitor)
}

/// One minor version's dates. `None`: no source gives it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinorDates {
    /// The line `1.minor`.
    pub minor: u32,
    /// The `.0` release.
    #[serde(deserialize_with = "dated_or_unknown")]
    pub released: Option<Dated>,
    /// The start of maintenance mode (only critical fixes), where a schedule gives one.
    #[serde(default, deserialize_with = "dated_or_unknown")]
    pub maintenance: Option<Dated>,
    /// The day support ended (or is planned to end).
    #[serde(deserialize_with = "dated_or_unknown")]
    pub end_of_life: Option<Dated>,
    /// The last patch release, `1.minor.final_patch` (eol.yaml's `finalPatchRelease`).
    pub final_patch: Option<u32>,
    /// What the sources say beyond the dates, or why a date is unknown.
    pub note: Option<String>,
}

/// The header of the data file: the sources, at their commits.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSource {
    pub website: String,
    pub eol: String,
    /// An older eol.yaml, which the notes cite where it recorded another end.
    pub eol_older: String,
    pub releases: String,
    pub dates: String,
    pub schedule: Vec<String>,
    pub blog: String,
    /// endoflife.date's record of the planned dates, at its commit.
    pub endoflife: String,
    /// The release team's schedules, at their commits.
    pub plan: Vec<String>,
    /// The newest event the sources record; recorded dates are not after it.
    pub as_of: Date,
}

/// The parsed data file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseTable {
    pub source: TableSource,
    /// Ascending by `minor`, without gaps.
    pub minors: Vec<MinorDates>,
}

impl ReleaseTable {
    /// Parse and validate. Errors name the entry: minors not ascending by one, a table that
    /// stops before [`KubeVersion::LATEST`], a line whose dates are out of order (released
    /// before maintenance before end of life), `.0` releases out of order across lines, a
    /// recorded (not planned) date after `as_of`, an unknown date without a note saying
    /// why, a final patch without a recorded end of life.
    pub fn parse(text: &str) -> Result<ReleaseTable, String> {
        let stream = parse_stream(text, &Limits::default());
        if let Some(e) = stream.errors.first() {
            return Err(format!("{e:?}"));
        }
        let doc = stream.documents.first().ok_or("empty file")?;
        let root = doc.root.ok_or("empty file")?;
        let table: ReleaseTable =
            crate::rules::deserialize(&doc.to_json(root)).map_err(|e| e.to_string())?;
        let as_of = table.source.as_of;
        let mut last_release: Option<(u32, Date)> = None;
        for (i, m) in table.minors.iter().enumerate() {
            let at = format!("minors[{i}] (1.{})", m.minor);
            if i > 0 && m.minor != table.minors[i - 1].minor + 1 {
                return Err(format!(
                    "{at}: follows 1.{}; minors must ascend by one",
                    table.minors[i - 1].minor
                ));
            }
            let order = [
                ("released", m.released),
                ("maintenance", m.maintenance),
                ("end_of_life", m.end_of_life),
            ];
            let known: Vec<(&str, Dated)> = order
                .iter()
                .filter_map(|&(n, d)| d.map(|d| (n, d)))
                .collect();
            for pair in known.windows(2) {
                if pair[0].1.date >= pair[1].1.date {
                    return Err(format!(
                        "{at}: {} {} is not before {} {}",
                        pair[0].0, pair[0].1.date, pair[1].0, pair[1].1.date
                    ));
                }
            }
            for (name, d) in &known {
                if !d.from.planned() && d.date > as_of {
                    return Err(format!(
                        "{at}: {name} {} is after the data's as_of {as_of} but not a plan (from: releases, endoflife or plan)",
                        d.date
                    ));
                }
            }
            if (m.released.is_none() || m.end_of_life.is_none()) && m.note.is_none() {
                return Err(format!("{at}: an unknown date needs a note saying why"));
            }
            if m.final_patch.is_some() && m.end_of_life.is_none_or(|e| e.from != DateSource::Eol) {
                return Err(format!(
                    "{at}: final_patch without an end_of_life from eol.yaml"
                ));
            }
            if let Some(r) = m.released {
                if let Some((minor, prev)) = last_release {
                    if r.date <= prev {
                        return Err(format!(
                            "{at}: released {} is not after 1.{minor}'s {prev}",
                            r.date
                        ));
                    }
                }
                last_release = Some((m.minor, r.date));
            }
        }
        match table.minors.last() {
            Some(m) if m.minor >= KubeVersion::LATEST.minor => Ok(table),
            _ => Err(format!(
                "the table must reach {} (the newest version kubeharden knows)",
                KubeVersion::LATEST
            )),
        }
    }

    /// The dates of the line `1.minor`, if the table lists it.
    pub fn minor(&self, minor: u32) -> Option<&MinorDates> {
        let first = self.minors.first()?.minor;
        self.minors
            .get(usize::try_from(minor.checked_sub(first)?).ok()?)
    }
}

/// The compiled-in data, parsed once. Errors: see [`ReleaseTable::parse`].
pub fn release_table() -> Result<&'static ReleaseTable, &'static str> {
    static TABLE: OnceLock<Result<ReleaseTable, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| ReleaseTable::parse(DATA_FILE))
        .as_ref()
        .map_err(String::as_str)
}

/// A line of unknown end of support is mentioned once it is a year old: a minor version is
/// supported for 14 months since 1.19 (12, then 2 in maintenance mode; KEP-2572,
/// kubernetes/enhancements keps/sig-release/2572-release-cadence), so its end may be near.
/// Not an estimate of the end: the note still says the data does not know it.
pub const UNKNOWN_END_WORTH_SAYING_DAYS: i64 = 365;

/// How a target version stands on the day given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Released and before its maintenance mode (or no maintenance date is known).
    Supported,
    /// In maintenance mode: only critical and security fixes until the end of support.
    Maintenance,
    /// After its end of support: no more patch releases, security fixes included.
    EndOfLife,
    /// Its `.0` release is after the day given.
    NotReleased,
    /// The data does not say (an unknown end of support, a version it does not list).
    Unknown,
}

impl Status {
    /// `supported`, `maintenance`, `end-of-life`, `not-released`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Supported => "supported",
            Status::Maintenance => "maintenance",
            Status::EndOfLife => "end-of-life",
            Status::NotReleased => "not-released",
            Status::Unknown => "unknown",
        }
    }
}

/// The support status of a target version on a day: what `summary.target` of the JSON
/// report holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetSupport {
    pub version: KubeVersion,
    /// The day the status is for (the caller's today).
    pub today: Date,
    pub released: Option<Dated>,
    pub maintenance: Option<Dated>,
    pub end_of_life: Option<Dated>,
    /// The last patch release of the line, when it has ended.
    pub final_patch: Option<u32>,
    pub status: Status,
    /// The data's snapshot ([`TableSource::as_of`]).
    pub data_as_of: Date,
    /// The data's note on this line.
    pub data_note: Option<&'static str>,
    /// The oldest minor version the data lists (2: 1.0 and 1.1 predate the schedule).
    pub first_listed: u32,
}

/// How `version` stands on `today`, from the compiled-in table. A version the table does
/// not list (1.0, 1.1) is [`Status::Unknown`]. Errors: the data file does not parse
/// (tested never to happen).
pub fn target_support(version: KubeVersion, today: Date) -> Result<TargetSupport, &'static str> {
    Ok(support_in(release_table()?, version, today))
}

/// [`target_support`] with another table.
pub fn support_in(
    table: &'static ReleaseTable,
    version: KubeVersion,
    today: Date,
) -> TargetSupport {
    let line = table.minor(version.minor);
    let released = line.and_then(|m| m.released);
    let maintenance = line.and_then(|m| m.maintenance);
    let end_of_life = line.and_then(|m| m.end_of_life);
    let status = match (released, end_of_life) {
        (Some(r), _) if today < r.date => Status::NotReleased,
        (_, Some(e)) if today > e.date => Status::EndOfLife,
        (_, Some(_)) if maintenance.is_some_and(|m| today >= m.date) => Status::Maintenance,
        (Some(_), Some(_)) => Status::Supported,
        _ => Status::Unknown,
    };
    TargetSupport {
        version,
        today,
        released,
        maintenance,
        end_of_life,
        final_patch: line.and_then(|m| m.final_patch),
        status,
        data_as_of: table.source.as_of,
        data_note: line.and_then(|m| m.note.as_deref()),
        first_listed: table.minors.first().map_or(0, |m| m.minor),
    }
}

impl TargetSupport {
    /// Whether the line is supported on `today` (maintenance mode included); `None` when
    /// the data does not say.
    pub fn supported(&self) -> Option<bool> {
        match self.status {
            Status::Supported | Status::Maintenance => Some(true),
            Status::EndOfLife | Status::NotReleased => Some(false),
            Status::Unknown => None,
        }
    }

    /// The minor version, `v1.25` (the support status is the line's, whatever the patch).
    pub fn line(&self) -> KubeVersion {
        KubeVersion::new(self.version.minor)
    }

    /// The last patch release, `v1.25.16`.
    pub fn final_release(&self) -> Option<KubeVersion> {
        self.final_patch
            .map(|p| KubeVersion::with_patch(self.version.minor, p))
    }

    /// Whether the status should be said in a report: past its end of support, in
    /// maintenance mode, not yet released, or a line released more than
    /// [`UNKNOWN_END_WORTH_SAYING_DAYS`] before today whose end the data does not know. A
    /// younger line of unknown end, or a version the data knows nothing of, stays quiet:
    /// the JSON still carries it.
    pub fn worth_saying(&self) -> bool {
        if self.not_a_release().is_some() {
            return true;
        }
        match self.status {
            Status::Supported => false,
            Status::Unknown => match self.released {
                Some(r) => r.date.days_until(self.today) > UNKNOWN_END_WORTH_SAYING_DAYS,
                // A line older than the table (1.0, 1.1): long past any support.
                None => self.version.minor < self.first_listed,
            },
            _ => true,
        }
    }

    /// The last patch release of the line when the target names a later one (`1.29.15`
    /// when 1.29 ended with 1.29.14): no such release exists.
    pub fn not_a_release(&self) -> Option<KubeVersion> {
        let last = self.final_release()?;
        (self.version.patch? > last.patch?).then_some(last)
    }

    /// One sentence for a person: what the status is and what to do; a target patch
    /// release past the line's last one says so first.
    pub fn note(&self) -> String {
        let status = self.status_note();
        match self.not_a_release() {
            Some(last) if status.is_empty() => {
                format!(
                    "{} is not a release: the last patch release of {} is {last}",
                    self.version,
                    self.line()
                )
            }
            Some(last) => format!(
                "{} is not a release (the last patch release of {} is {last}); {status}",
                self.version,
                self.line()
            ),
            None => status,
        }
    }

    fn status_note(&self) -> String {
        let line = self.line();
        let planned = |d: &Dated| if d.from.planned() { " (planned)" } else { "" };
        match self.status {
            Status::EndOfLife => {
                let Some(e) = self.end_of_life else {
                    return String::new();
                };
                let last = self
                    .final_release()
                    .map(|r| format!("; its last patch release is {r}"))
                    .unwrap_or_default();
                format!(
                    "{line} reached its end of support on {} ({}{} days before {}){last}: it gets no more fixes, security fixes included; upgrade to a supported minor version ({RELEASES_URL})",
                    e.date,
                    if e.from.planned() { "planned; " } else { "" },
                    e.date.days_until(self.today),
                    self.today
                )
            }
            Status::Maintenance => match (self.maintenance, self.end_of_life) {
                (Some(m), Some(e)) => format!(
                    "{line} is in maintenance mode since {}{}: only critical and security fixes until its end of support on {}{}; plan the upgrade",
                    m.date,
                    planned(&m),
                    e.date,
                    planned(&e)
                ),
                _ => String::new(),
            },
            Status::Supported => match self.end_of_life {
                Some(e) => format!(
                    "{line} is supported until {}{}",
                    e.date,
                    planned(&e)
                ),
                None => String::new(),
            },
            Status::NotReleased => match self.released {
                Some(r) if r.from.planned() => format!(
                    "{line} is planned for release on {} (the day checked is {}; kubeharden's data is as of {})",
                    r.date, self.today, self.data_as_of
                ),
                Some(r) => format!(
                    "{line} is not released until {} (the day checked is {})",
                    r.date, self.today
                ),
                None => String::new(),
            },
            Status::Unknown => match self.released {
                Some(r) => format!(
                    "{line} was released on {}{}; its end of support is not in kubeharden's data (as of {}): see {RELEASES_URL}",
                    r.date,
                    planned(&r),
                    self.data_as_of
                ),
                None if self.version.minor < self.first_listed => format!(
                    "{line} predates kubeharden's release data (which starts at v1.{}): it has long been out of support; upgrade to a supported minor version ({RELEASES_URL})",
                    self.first_listed
                ),
                None => format!(
                    "kubeharden's data (as of {}) has no release or end-of-support date for {line}: see {RELEASES_URL}",
                    self.data_as_of
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn dates_parse_strictly_and_order_by_time() {
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        assert!(d("2023-12-31") < d("2024-01-01"));
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-01T00:00:00Z",
            "",
            "0000-01-01",
            "２０２４-01-01",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad} parsed");
        }
        assert!("2000-02-29".parse::<Date>().is_ok());
        let e = "2023-02-29".parse::<Date>().unwrap_err();
        assert!(e.contains("which has 28 days"), "{e}");
    }

    #[test]
    fn unix_days_round_trip() {
        assert_eq!(Date::from_unix_days(0).unwrap(), d("1970-01-01"));
        assert_eq!(Date::from_unix_days(-1).unwrap(), d("1969-12-31"));
        // 2026-12-01T00:00:00Z is 1,796,083,200 s after the epoch.
        assert_eq!(
            Date::from_unix_days(1_796_083_200 / 86_400).unwrap(),
            d("2026-12-01")
        );
        assert_eq!(Date::from_unix_days(19_782).unwrap(), d("2024-02-29"));
        for days in (-719_162..2_932_896).step_by(997) {
            assert_eq!(Date::from_unix_days(days).unwrap().unix_days(), days);
        }
        assert!(Date::from_unix_days(-719_163).is_err(), "year 0");
        assert!(Date::from_unix_days(2_932_897).is_err(), "year 10000");
        assert!(Date::from_unix_days(i64::MAX).is_err());
        assert_eq!(d("2023-10-28").days_until(d("2026-12-01")), 1130);
    }

    #[test]
    fn the_status_follows_the_dates() {
        let table = release_table().unwrap();
        let at = |v: &str, today: &str| support_in(table, v.parse().unwrap(), d(today));
        assert_eq!(at("1.25", "2026-12-01").status, Status::EndOfLife);
        assert_eq!(at("1.25.3", "2023-10-28").status, Status::Maintenance);
        assert_eq!(at("1.25", "2023-10-29").status, Status::EndOfLife);
        assert_eq!(at("1.25", "2023-08-27").status, Status::Supported);
        assert_eq!(at("1.25", "2022-08-22").status, Status::NotReleased);
        assert_eq!(at("1.20", "2021-06-01").status, Status::Supported);
        assert_eq!(at("1.32", "2026-12-01").status, Status::EndOfLife);
        assert_eq!(at("1.36", "2026-12-01").status, Status::Unknown);
        assert_eq!(at("1.37", "2026-12-01").status, Status::Unknown);
        assert_eq!(at("1.37", "2026-08-25").status, Status::NotReleased);
        assert_eq!(at("1.0", "2026-12-01").status, Status::Unknown);
        assert_eq!(at("1.35", "2026-12-01").supported(), Some(true));
        assert_eq!(at("1.34", "2026-12-01").supported(), Some(false));
        assert_eq!(at("1.33", "2026-12-01").supported(), Some(false));
        assert_eq!(at("1.36", "2026-12-01").supported(), None);
        let n = at("1.25.3", "2026-12-01").note();
        assert!(
            n.starts_with("v1.25 reached its end of support on 2023-10-28 (1130 days before 2026-12-01); its last patch release is v1.25.16"),
            "{n}"
        );
        assert!(at("1.34", "2026-12-01")
            .note()
            .contains("2026-10-27 (planned; "));
        assert!(!at("1.37", "2026-12-01").worth_saying());
        assert!(
            !at("1.36", "2026-12-01").worth_saying(),
            "7 months old, end unknown"
        );
        assert!(
            at("1.36", "2027-05-01").worth_saying(),
            "a year old, end unknown"
        );
        assert!(at("1.33", "2026-12-01").worth_saying());
        // A planned date reads as a plan; a line older than the data is said to be out.
        assert_eq!(
            at("1.37", "2026-05-01").note(),
            "v1.37 is planned for release on 2026-08-26 (the day checked is 2026-05-01; kubeharden's data is as of 2026-04-22)"
        );
        assert!(at("1.37", "2027-09-01")
            .note()
            .starts_with("v1.37 was released on 2026-08-26 (planned);"));
        assert!(at("1.0", "2026-12-01").worth_saying());
        // A patch release past the line's last one does not exist.
        let n = at("1.29.15", "2026-12-01").note();
        assert!(
            n.starts_with("v1.29.15 is not a release (the last patch release of v1.29 is v1.29.14); v1.29 reached"),
            "{n}"
        );
        assert_eq!(at("1.29.14", "2026-12-01").not_a_release(), None);
        assert!(at("1.29.15", "2024-06-01").worth_saying());
        assert!(at("1.1", "2026-12-01")
            .note()
            .starts_with("v1.1 predates kubeharden's release data (which starts at v1.2)"));
        assert!(!at("1.29", "2024-06-01").worth_saying());
    }

    #[test]
    fn the_table_refuses_what_it_cannot_stand_behind() {
        let head = "source: {website: w, eol: e, eol_older: o, releases: r, dates: d, schedule: [s], blog: b, endoflife: l, plan: [p], as_of: \"2025-01-01\"}\nminors:\n";
        let ok = "  - {minor: 37, released: {date: \"2024-01-01\", from: blog}, end_of_life: {date: \"2024-06-01\", from: eol}, final_patch: 3}\n";
        assert!(ReleaseTable::parse(&format!("{head}{ok}")).is_ok());
        for (entries, why) in [
            ("  - {minor: 36, released: unknown, end_of_life: unknown, note: why}\n  - {minor: 38, released: unknown, end_of_life: unknown, note: why}\n", "ascend by one"),
            ("  - {minor: 37, released: unknown, end_of_life: unknown}\n", "needs a note"),
            ("  - {minor: 37, released: {date: \"2024-07-01\", from: blog}, end_of_life: {date: \"2024-06-01\", from: eol}}\n", "is not before"),
            ("  - {minor: 37, released: {date: \"2024-01-01\", from: blog}, end_of_life: {date: \"2025-06-01\", from: eol}}\n", "after the data's as_of"),
            ("  - {minor: 37, released: {date: \"2024-01-01\", from: blog}, end_of_life: unknown, final_patch: 2, note: why}\n", "final_patch without"),
            ("  - {minor: 36, released: unknown, end_of_life: unknown, note: why}\n", "must reach v1.37"),
            ("  - {minor: 37, released: soon, end_of_life: unknown, note: why}\n", "or unknown"),
            ("  - {minor: 37, released: {date: \"2024-02-30\", from: blog}, end_of_life: unknown, note: why}\n", "which has 29 days"),
        ] {
            let e = ReleaseTable::parse(&format!("{head}{entries}")).unwrap_err();
            assert!(e.contains(why), "{why}: {e}");
        }
        let e = ReleaseTable::parse(&format!(
            "{head}  - {{minor: 36, released: {{date: \"2024-02-01\", from: blog}}, end_of_life: unknown, note: why}}\n  - {{minor: 37, released: {{date: \"2024-01-01\", from: blog}}, end_of_life: unknown, note: why}}\n"
        ))
        .unwrap_err();
        assert!(e.contains("is not after 1.36's"), "{e}");
    }
}
