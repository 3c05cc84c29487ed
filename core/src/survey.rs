//! Pre-conversation survey: which fields show, which are required, and validation.
//!
//! Pure: the UI renders [`SurveyConfig::fields`] and shows the [`FieldError`]s that
//! [`validate`] returns; the answers travel to the bot as the `startConversation` value.

use serde::{Deserialize, Serialize};

use crate::i18n::{fill, Lang, Text};

/// Longest value accepted in any field (keeps abuse out of the bot's context).
pub const MAX_LEN: usize = 200;

/// The survey fields the widget knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FieldId {
    FirstName,
    LastName,
    Email,
    CaseNumber,
}

impl FieldId {
    /// Every field, in display order.
    pub const ALL: [FieldId; 4] = [
        FieldId::FirstName,
        FieldId::LastName,
        FieldId::Email,
        FieldId::CaseNumber,
    ];

    /// The visible label.
    pub fn label(self, lang: Lang) -> &'static str {
        lang.t(match self {
            FieldId::FirstName => Text::FirstName,
            FieldId::LastName => Text::LastName,
            FieldId::Email => Text::Email,
            FieldId::CaseNumber => Text::CaseNumber,
        })
    }

    /// The field named `key` (as in [`FieldId::key`]).
    pub fn from_key(key: &str) -> Option<FieldId> {
        FieldId::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Stable identifier used in element ids, config and the bot context.
    pub fn key(self) -> &'static str {
        match self {
            FieldId::FirstName => "firstName",
            FieldId::LastName => "lastName",
            FieldId::Email => "email",
            FieldId::CaseNumber => "caseNumber",
        }
    }

    /// The HTML `autocomplete` token, so browsers can fill the form.
    pub fn autocomplete(self) -> &'static str {
        match self {
            FieldId::FirstName => "given-name",
            FieldId::LastName => "family-name",
            FieldId::Email => "email",
            FieldId::CaseNumber => "off",
        }
    }
}

/// One field as configured: shown and/or required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub id: FieldId,
    pub required: bool,
}

/// Which fields the survey shows, in order; no fields means no survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyConfig {
    pub fields: Vec<FieldSpec>,
    /// The site's case-number pattern (a JavaScript regular expression matched against the
    /// whole value), replacing the built-in letters-digits-dashes check.
    pub case_pattern: Option<String>,
}

impl Default for SurveyConfig {
    /// First name and email required, last name and case number optional.
    fn default() -> Self {
        let spec = |id, required| FieldSpec { id, required };
        Self {
            fields: vec![
                spec(FieldId::FirstName, true),
                spec(FieldId::LastName, false),
                spec(FieldId::Email, true),
                spec(FieldId::CaseNumber, false),
            ],
            case_pattern: None,
        }
    }
}

/// What the visitor typed. Serialised as the `startConversation` value the bot reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SurveyAnswers {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub case_number: String,
}

impl SurveyAnswers {
    /// The answer for one field.
    pub fn get(&self, id: FieldId) -> &str {
        match id {
            FieldId::FirstName => &self.first_name,
            FieldId::LastName => &self.last_name,
            FieldId::Email => &self.email,
            FieldId::CaseNumber => &self.case_number,
        }
    }

    /// Sets one field's answer.
    pub fn set(&mut self, id: FieldId, value: String) {
        match id {
            FieldId::FirstName => self.first_name = value,
            FieldId::LastName => self.last_name = value,
            FieldId::Email => self.email = value,
            FieldId::CaseNumber => self.case_number = value,
        }
    }

    /// The answers as the bot reads them (`{"firstName": ..., ...}`), built directly rather
    /// than through serde: the widget then needs no serializer for this type.
    pub fn to_map(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        for id in FieldId::ALL {
            map.insert(id.key().to_owned(), self.get(id).into());
        }
        map
    }

    /// The same answers with surrounding whitespace removed.
    pub fn trimmed(&self) -> Self {
        Self {
            first_name: self.first_name.trim().to_owned(),
            last_name: self.last_name.trim().to_owned(),
            email: self.email.trim().to_owned(),
            case_number: self.case_number.trim().to_owned(),
        }
    }
}

/// Why a field's answer was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldError {
    Required,
    InvalidEmail,
    InvalidCaseNumber,
    /// The case number does not match the site's pattern.
    CaseNumberFormat,
    TooLong,
}

impl FieldError {
    /// The message shown under the field.
    pub fn message(self, field: FieldId, lang: Lang) -> String {
        let text = match self {
            FieldError::Required => Text::FieldRequired,
            FieldError::InvalidEmail => Text::InvalidEmail,
            FieldError::InvalidCaseNumber => Text::InvalidCaseNumber,
            FieldError::CaseNumberFormat => Text::CaseNumberFormat,
            FieldError::TooLong => Text::TooLong,
        };
        fill(lang.t(text), &[field.label(lang)])
    }
}

/// Matches a case number against the site's pattern (the browser's `RegExp` in the widget).
pub type CasePattern<'a> = Option<&'a dyn Fn(&str) -> bool>;

/// Every field's error, in field order.
pub fn validate(
    config: &SurveyConfig,
    answers: &SurveyAnswers,
    pattern: CasePattern<'_>,
) -> Vec<(FieldId, FieldError)> {
    config
        .fields
        .iter()
        .filter_map(|spec| {
            check_field(*spec, answers.get(spec.id).trim(), pattern).map(|e| (spec.id, e))
        })
        .collect()
}

/// Checks one field's trimmed value.
pub fn check_field(spec: FieldSpec, value: &str, pattern: CasePattern<'_>) -> Option<FieldError> {
    if value.is_empty() {
        return spec.required.then_some(FieldError::Required);
    }
    if value.chars().count() > MAX_LEN {
        return Some(FieldError::TooLong);
    }
    match spec.id {
        FieldId::Email if !is_email(value) => Some(FieldError::InvalidEmail),
        FieldId::CaseNumber => match pattern {
            Some(matches) => (!matches(value)).then_some(FieldError::CaseNumberFormat),
            None => (!is_case_number(value)).then_some(FieldError::InvalidCaseNumber),
        },
        _ => None,
    }
}

/// A pragmatic email check: one `@`, a non-empty local part, a dotted domain of
/// letters/digits/hyphens, no whitespace. Deliverability is the server's business.
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| letter_or_digit(c) || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| letter_or_digit(c) || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2);
    local_ok && domain_ok
}

/// ASCII letters and digits, and any non-ASCII character (internationalised addresses);
/// not `char::is_alphanumeric`, whose Unicode tables would cost the wasm kilobytes.
fn letter_or_digit(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii()
}

fn is_case_number(value: &str) -> bool {
    (3..=32).contains(&value.len()) && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(first: &str, email: &str, case: &str) -> SurveyAnswers {
        SurveyAnswers {
            first_name: first.into(),
            last_name: String::new(),
            email: email.into(),
            case_number: case.into(),
        }
    }

    #[test]
    fn valid_answers_have_no_errors() {
        let errors = validate(
            &SurveyConfig::default(),
            &answers("Ada", "ada@example.com", "CAS-01234"),
            None,
        );
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn missing_required_fields_are_reported_in_order() {
        let errors = validate(&SurveyConfig::default(), &answers("  ", "", ""), None);
        assert_eq!(
            errors,
            vec![
                (FieldId::FirstName, FieldError::Required),
                (FieldId::Email, FieldError::Required)
            ]
        );
    }

    #[test]
    fn optional_empty_fields_pass() {
        assert_eq!(
            check_field(
                FieldSpec {
                    id: FieldId::CaseNumber,
                    required: false
                },
                "",
                None
            ),
            None
        );
    }

    #[test]
    fn a_site_pattern_replaces_the_built_in_case_check() {
        let spec = FieldSpec {
            id: FieldId::CaseNumber,
            required: true,
        };
        let only_cas = |v: &str| v.starts_with("CAS-");
        assert_eq!(check_field(spec, "CAS-7", Some(&only_cas)), None);
        assert_eq!(
            check_field(spec, "12345", Some(&only_cas)),
            Some(FieldError::CaseNumberFormat)
        );
        assert_eq!(
            check_field(spec, "", Some(&only_cas)),
            Some(FieldError::Required)
        );
    }

    #[test]
    fn emails_are_checked() {
        for good in [
            "ada@example.com",
            "a.b+tag@sub.example.co.uk",
            "o'neil@example.ie",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@example.c",
            "ada@-example.com",
            ".ada@example.com",
            "ada..l@example.com",
            "<img src=x>@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn case_numbers_are_checked() {
        let spec = FieldSpec {
            id: FieldId::CaseNumber,
            required: false,
        };
        assert_eq!(check_field(spec, "CAS-1234", None), None);
        assert_eq!(
            check_field(spec, "12", None),
            Some(FieldError::InvalidCaseNumber)
        );
        assert_eq!(
            check_field(spec, "CAS 1234", None),
            Some(FieldError::InvalidCaseNumber)
        );
    }

    #[test]
    fn overlong_values_are_refused() {
        let spec = FieldSpec {
            id: FieldId::FirstName,
            required: true,
        };
        assert_eq!(
            check_field(spec, &"x".repeat(MAX_LEN + 1), None),
            Some(FieldError::TooLong)
        );
    }

    #[test]
    fn messages_name_the_field() {
        assert_eq!(
            FieldError::Required.message(FieldId::FirstName, Lang::En),
            "First name is required."
        );
        assert_eq!(
            FieldError::TooLong.message(FieldId::Email, Lang::De),
            "E-Mail darf höchstens 200 Zeichen lang sein."
        );
    }

    #[test]
    fn answers_serialise_in_camel_case_for_the_bot() {
        let value = serde_json::to_value(answers("Ada", "ada@example.com", "")).unwrap();
        assert_eq!(value["firstName"], "Ada");
        assert_eq!(value["caseNumber"], "");
    }
}
