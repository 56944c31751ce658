//! Instants written in profiles: dates, RFC 3339 date-times, or times relative to now.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parses `+30d`, `-1d`, `+12h`, `+90m`, `2027-01-31` or an RFC 3339 date-time into Unix
/// seconds; relative forms resolve against `now`.
pub fn parse_instant(text: &str, now: i64) -> Option<i64> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('+') {
        return relative(rest).and_then(|d| now.checked_add(d));
    }
    if let Some(rest) = text.strip_prefix('-') {
        return relative(rest).and_then(|d| now.checked_sub(d));
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).ok().map(|d| d.midnight().assume_utc().unix_timestamp())
}

fn relative(text: &str) -> Option<i64> {
    let unit = text.chars().last()?;
    let number: i64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let seconds = match unit {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return None,
    };
    number.checked_mul(seconds)
}

/// Formats Unix seconds as RFC 3339 (UTC), for explanations and JSON.
pub fn format_instant(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_forms() {
        let now = 1_800_000_000;
        assert_eq!(parse_instant("+1d", now), Some(now + 86_400));
        assert_eq!(parse_instant("-1d", now), Some(now - 86_400));
        assert_eq!(parse_instant("+12h", now), Some(now + 43_200));
        assert_eq!(parse_instant("2027-01-31", now), Some(1_801_353_600));
        assert_eq!(parse_instant("2027-01-31T00:00:00Z", now), Some(1_801_353_600));
        for bad in ["", "+", "+1y", "tomorrow", "+d", "2027-13-01"] {
            assert_eq!(parse_instant(bad, now), None, "{bad}");
        }
        assert_eq!(format_instant(1_801_353_600), "2027-01-31T00:00:00Z");
    }
}
