//! A step-by-step report of a verification, for people debugging an integration (the CLI's
//! `inspect` command and the in-browser inspector). Runs exactly the checks of
//! [`ServiceProvider::verify_post_response`], in the same order, and records each outcome.

use super::{Expect, ServiceProvider};
use crate::Error;
use crate::dsig::{self, Verified};
use crate::encoding;
use crate::saml::assertion::{self, SignedAssertion};
use crate::saml::checks::Checks;
use crate::saml::{Identity, structure};
use crate::xml::Document;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckResult {
    /// The check passed.
    Passed,
    /// The check does not apply (e.g. the Response is not signed).
    NotApplicable,
    /// The check failed; verification stops here.
    Failed {
        /// The stable error code.
        code: &'static str,
        /// The administrator-facing message.
        message: String,
    },
    /// Not run because an earlier check failed.
    Skipped,
}

/// One named check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// A stable snake_case name.
    pub name: &'static str,
    /// What the check verifies.
    pub description: &'static str,
    /// What happened.
    pub result: CheckResult,
}

/// Every check of one verification, in order, and the identity when all passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The decoded XML, when decoding succeeded (for display).
    pub xml: Option<String>,
    /// The checks in the order they run.
    pub checks: Vec<Check>,
    /// The verified identity, when every check passed.
    pub identity: Option<Identity>,
}

impl Report {
    /// The first failure, if any.
    pub fn failure(&self) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| matches!(c.result, CheckResult::Failed { .. }))
    }
}

const STEPS: [(&str, &str); 7] = [
    (
        "transport",
        "base64 decoding of the SAMLResponse and size limits",
    ),
    (
        "xml",
        "strict XML: UTF-8, no DOCTYPE, one root, declared namespaces, unique IDs, limits",
    ),
    (
        "response_shape",
        "Response root, Status Success, exactly one Assertion directly inside the Response, \
         signatures only right after an Issuer, at least one signature",
    ),
    (
        "response_signature",
        "Response signature: shape, algorithms, Reference to the Response, RSA with a trusted \
         certificate, digest",
    ),
    (
        "assertion_signature",
        "Assertion signature: shape, algorithms, Reference to the Assertion, RSA with a trusted \
         certificate, digest (an EncryptedAssertion is decrypted first, with the SP keys)",
    ),
    (
        "response_fields",
        "Response Version, Issuer, Destination and InResponseTo",
    ),
    (
        "assertion",
        "Assertion Issuer, Subject NameID, bearer SubjectConfirmation (Recipient, NotOnOrAfter, \
         InResponseTo), Conditions time window and Audience, AuthnStatement, attributes",
    ),
];

struct Recorder {
    checks: Vec<Check>,
}

impl Recorder {
    fn record<T>(&mut self, result: Result<T, Error>) -> Option<T> {
        let index = self.checks.len();
        let (name, description) = STEPS.get(index).copied().unwrap_or(("unknown", ""));
        let (outcome, value) = match result {
            Ok(value) => (CheckResult::Passed, Some(value)),
            Err(e) => (
                CheckResult::Failed {
                    code: e.code(),
                    message: e.to_string(),
                },
                None,
            ),
        };
        self.checks.push(Check {
            name,
            description,
            result: outcome,
        });
        value
    }

    fn not_applicable(&mut self) {
        let index = self.checks.len();
        let (name, description) = STEPS.get(index).copied().unwrap_or(("unknown", ""));
        self.checks.push(Check {
            name,
            description,
            result: CheckResult::NotApplicable,
        });
    }

    fn finish(mut self, xml: Option<String>, identity: Option<Identity>) -> Report {
        for (name, description) in STEPS.iter().skip(self.checks.len()) {
            self.checks.push(Check {
                name,
                description,
                result: CheckResult::Skipped,
            });
        }
        Report {
            xml,
            checks: self.checks,
            identity,
        }
    }
}

impl ServiceProvider {
    /// Verifies like [`ServiceProvider::verify_post_response`] (or, when `input` starts with `<`,
    /// like [`ServiceProvider::verify_xml`]) and reports every check with its outcome.
    pub fn inspect(&self, input: &str, expect: &Expect<'_>) -> Report {
        let mut recorder = Recorder { checks: Vec::new() };
        let trimmed = input.trim_start();
        let decoded = if trimmed.starts_with('<') || trimmed.starts_with('\u{feff}') {
            if input.len() > self.limits.max_input_bytes {
                Err(Error::LimitExceeded {
                    limit: "max_input_bytes",
                    max: self.limits.max_input_bytes,
                })
            } else {
                Ok(input.as_bytes().to_vec())
            }
        } else {
            encoding::decode_post_field(input, &self.limits)
        };
        let Some(bytes) = recorder.record(decoded) else {
            return recorder.finish(None, None);
        };
        let xml = Some(String::from_utf8_lossy(&bytes).into_owned());
        let Some(doc) = recorder.record(Document::parse(&bytes, &self.limits)) else {
            return recorder.finish(xml, None);
        };
        let identity = self.inspect_document(&doc, expect, &mut recorder);
        recorder.finish(xml, identity)
    }

    fn inspect_document(
        &self,
        doc: &Document,
        expect: &Expect<'_>,
        recorder: &mut Recorder,
    ) -> Option<Identity> {
        let shape = recorder.record(structure::check(doc))?;
        if shape.encrypted {
            return self.inspect_encrypted(doc, &shape, expect, recorder);
        }
        let trusted = self.idp.certificates();
        let mut verify = |signature: Option<_>| -> Option<Option<Verified>> {
            match signature {
                None => {
                    recorder.not_applicable();
                    Some(None)
                }
                Some(s) => recorder
                    .record(dsig::verify_enveloped(doc, s, trusted, &self.policy))
                    .map(Some),
            }
        };
        let response = verify(shape.response_signature)?;
        let assertion = verify(shape.assertion_signature)?;
        let signed = SignedAssertion::new(response.as_ref(), assertion.as_ref())?;
        let checks = self.checks(expect);
        recorder.record(structure::check_response(doc, shape.response, &checks))?;
        recorder.record(assertion::validate(&signed, &checks))
    }

    /// The same steps for a Response with an EncryptedAssertion (see `verify_encrypted`):
    /// decryption is part of the assertion signature's step.
    fn inspect_encrypted(
        &self,
        doc: &Document,
        shape: &structure::Shape,
        expect: &Expect<'_>,
        recorder: &mut Recorder,
    ) -> Option<Identity> {
        let response = if shape.response_signature.is_some() {
            recorder.record(self.verify_response_signature(doc, shape))?
        } else {
            recorder.not_applicable();
            None
        };
        // Decryption and the decrypted assertion's signature are one step.
        let unwrap = crate::xmlenc::ContentKey::Unwrap;
        let decrypted = match self.decrypt(doc, shape, response.as_ref(), unwrap) {
            Ok(decrypted) => decrypted,
            Err(e) => {
                recorder.record::<()>(Err(e));
                return None;
            }
        };
        let signed = recorder.record(self.signed_decrypted(&decrypted, response.as_ref()))?;
        let checks = self.checks(expect);
        recorder.record(structure::check_response(doc, shape.response, &checks))?;
        recorder.record(assertion::validate(&signed, &checks))
    }

    pub(super) fn checks<'a>(&'a self, expect: &Expect<'a>) -> Checks<'a> {
        Checks {
            idp_entity_id: &self.idp.entity_id,
            sp_entity_id: &self.entity_id,
            extra_audiences: &self.extra_audiences,
            acs_url: &self.acs_url,
            request_id: expect.request_id,
            allow_unsolicited: self.allow_unsolicited,
            now: expect.now,
            skew_secs: self.clock_skew_secs,
        }
    }
}
