//! Certificate expiry, reported the way Entra ID warns about it: 60, 30 and 7 days ahead.
//!
//! saml-edge does not refuse an expired IdP certificate (IdPs keep signing with expired
//! self-signed certificates, and Entra does until a new one is activated), but an administrator
//! needs to know before a rollover: [`certificate_expiry`] says, for each certificate, how many
//! days are left and how urgent it is.

use crate::time::UnixTime;
use crate::x509::Certificate;

/// Milliseconds in a day.
const DAY_MILLIS: i64 = 86_400_000;

/// How close a certificate is to its `notAfter` date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExpiryLevel {
    /// More than 60 days left.
    Ok,
    /// At most 60 days left (Entra's first notification).
    Within60Days,
    /// At most 30 days left.
    Within30Days,
    /// At most 7 days left (Entra's last notification).
    Within7Days,
    /// Expired (`notAfter` is not after `now`).
    Expired,
}

impl ExpiryLevel {
    /// A stable snake_case name: `ok`, `within_60_days`, `within_30_days`, `within_7_days`,
    /// `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpiryLevel::Ok => "ok",
            ExpiryLevel::Within60Days => "within_60_days",
            ExpiryLevel::Within30Days => "within_30_days",
            ExpiryLevel::Within7Days => "within_7_days",
            ExpiryLevel::Expired => "expired",
        }
    }

    /// The level for a certificate that ends at `not_after`, at `now`.
    pub fn at(not_after: UnixTime, now: UnixTime) -> ExpiryLevel {
        let left = not_after.as_millis().saturating_sub(now.as_millis());
        if left <= 0 {
            ExpiryLevel::Expired
        } else if left <= 7 * DAY_MILLIS {
            ExpiryLevel::Within7Days
        } else if left <= 30 * DAY_MILLIS {
            ExpiryLevel::Within30Days
        } else if left <= 60 * DAY_MILLIS {
            ExpiryLevel::Within60Days
        } else {
            ExpiryLevel::Ok
        }
    }
}

/// The expiry status of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateExpiry {
    /// The subject, e.g. `CN=Microsoft Azure Federated SSO Certificate`.
    pub subject: String,
    /// The SHA-256 fingerprint (`AB:CD:…`), to tell certificates with the same subject apart.
    pub sha256_fingerprint: String,
    /// Start of validity.
    pub not_before: UnixTime,
    /// End of validity.
    pub not_after: UnixTime,
    /// Whole days from `now` until `not_after`, rounded down; negative once expired.
    pub days_remaining: i64,
    /// How urgent a rollover is.
    pub level: ExpiryLevel,
}

/// The expiry status of each certificate at `now`, in the given order.
pub fn certificate_expiry(certificates: &[Certificate], now: UnixTime) -> Vec<CertificateExpiry> {
    certificates
        .iter()
        .map(|certificate| {
            let not_after = certificate.not_after();
            let left = not_after.as_millis().saturating_sub(now.as_millis());
            CertificateExpiry {
                subject: certificate.subject().to_owned(),
                sha256_fingerprint: certificate.sha256_fingerprint_hex(),
                not_before: certificate.not_before(),
                not_after,
                days_remaining: left.div_euclid(DAY_MILLIS),
                level: ExpiryLevel::at(not_after, now),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_entra_notifications() {
        let end = UnixTime::from_secs(1_000_000_000);
        let days_before = |days: i64| end.minus_secs(days * 86_400);
        assert_eq!(ExpiryLevel::at(end, days_before(61)), ExpiryLevel::Ok);
        assert_eq!(
            ExpiryLevel::at(end, days_before(60)),
            ExpiryLevel::Within60Days
        );
        assert_eq!(
            ExpiryLevel::at(end, days_before(31)),
            ExpiryLevel::Within60Days
        );
        assert_eq!(
            ExpiryLevel::at(end, days_before(30)),
            ExpiryLevel::Within30Days
        );
        assert_eq!(
            ExpiryLevel::at(end, days_before(8)),
            ExpiryLevel::Within30Days
        );
        assert_eq!(
            ExpiryLevel::at(end, days_before(7)),
            ExpiryLevel::Within7Days
        );
        assert_eq!(
            ExpiryLevel::at(end, end.minus_secs(1)),
            ExpiryLevel::Within7Days
        );
        assert_eq!(ExpiryLevel::at(end, end), ExpiryLevel::Expired);
        assert_eq!(ExpiryLevel::at(end, end.plus_secs(1)), ExpiryLevel::Expired);
        assert!(ExpiryLevel::Expired > ExpiryLevel::Within7Days);
        assert_eq!(ExpiryLevel::Within30Days.as_str(), "within_30_days");
    }

    #[test]
    fn reports_days_for_a_real_certificate() {
        let pem = include_str!("testdata/sp-test-cert.pem");
        let certificates = Certificate::from_pem_or_base64(pem).unwrap_or_default();
        let not_after = certificates
            .first()
            .map(Certificate::not_after)
            .unwrap_or(UnixTime::from_secs(0));
        let report = certificate_expiry(&certificates, not_after.minus_secs(45 * 86_400 + 1));
        assert_eq!(report.len(), 1);
        assert_eq!(report.first().map(|r| r.days_remaining), Some(45));
        assert_eq!(
            report.first().map(|r| r.level),
            Some(ExpiryLevel::Within60Days)
        );
        let expired = certificate_expiry(&certificates, not_after.plus_secs(86_400));
        assert_eq!(expired.first().map(|r| r.days_remaining), Some(-1));
        assert_eq!(expired.first().map(|r| r.level), Some(ExpiryLevel::Expired));
    }
}
