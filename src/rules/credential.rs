//! Whether an environment variable's literal value is a credential, and why (or why not).
//!
//! Used by the `env-literal-secret` template (rule `secret-in-env`). Pure: a function of the
//! variable's name, its value and the rule's [`CredentialRules`] (parsed from
//! `policies/secret-in-env.yaml`), no I/O.
//!
//! [`classify`] applies these steps in order; the first that decides wins:
//!
//! 1. An empty value, or one made only of `$(VAR)` references (expanded by the kubelet from
//!    other variables, see
//!    <https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/>),
//!    is not a credential.
//! 2. Whatever the name, a value is a credential when it has a known token format
//!    ([`CredentialRules::value_prefixes`]: a prefix followed by a given number of characters of
//!    a given set, the whole value), holds a PEM private-key block (`-----BEGIN … PRIVATE
//!    KEY-----`; a certificate or public key is not a credential), is a JSON Web Token
//!    (`eyJ…` in three base64url parts), or is a URL whose user info carries a literal password
//!    (`postgres://user:pass@host/db`; a `$(VAR)` or placeholder password is not literal).
//! 3. Otherwise the name decides whether the value is looked at. The name is upper-cased and
//!    every non-alphanumeric character read as `_`. It is *credential-like* when it contains
//!    one of [`CredentialRules::name_patterns`]. It *denotes a credential* when a pattern ends
//!    it (`DB_PASSWORD`, `MINIO_SECRET_KEY`; a plural `S` or trailing digits are allowed:
//!    `CREDENTIALS`, `TOKEN_2`); otherwise it only *mentions* one (`PASSWORD_MIN_LENGTH`). A
//!    credential-like name that ends with one of [`CredentialRules::reference_suffixes`]
//!    (`_NAME`, `_FILE`, …) names where a credential is, not what it is: not a credential.
//! 4. Values that are not credentials under a credential-like name: booleans (`true`, `off`,
//!    …), Go-style durations (`30s`, `1h30m`), file paths (`/etc/secret/token`), URLs without
//!    a literal password, algorithm names ([`CredentialRules::algorithm_names`]), placeholders
//!    (`<password>`, `{{ .Values.x }}`, `${X}`, one repeated character such as `xxxx`, or a value
//!    starting with one of [`CredentialRules::placeholder_prefixes`] once lower-cased and
//!    stripped of non-alphanumerics: `INSERT_TOKEN`, `yourpassword`), and numbers — unless
//!    the name denotes a credential (`MYSQL_PASSWORD: "1234"` is a PIN-like password).
//! 5. A high-entropy value (see [`EntropyRule`]) under a credential-like name is a credential.
//! 6. Any other literal value under a name that denotes a credential is one
//!    (`MYSQL_ROOT_PASSWORD: supersecret`); under a name that only mentions one it is not
//!    (`TOKEN_AUDIENCE: api`).

use std::fmt;

use serde::Deserialize;

use super::{FieldError, TemplateParams};

/// Parameters of `env-literal-secret`: what makes a name credential-like and a value a
/// credential. `name_patterns` and `value_prefixes` are required (write `[]` to use only
/// the other rules); the other lists default to empty and `entropy` to absent (no entropy
/// rule).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialRules {
    /// Words that make a variable name credential-like (`PASSWORD`, `SECRET_KEY`), matched
    /// anywhere in the normalised name (upper-cased, non-alphanumerics read as `_`;
    /// upper-cased at load).
    pub name_patterns: Vec<String>,
    /// Known token formats, each recognised whatever the variable's name.
    pub value_prefixes: Vec<TokenFormat>,
    /// Name endings (`_NAME`, `_FILE`) that make a credential-like name refer to a credential
    /// kept elsewhere (a Secret's name, a file) rather than hold one (upper-cased at load).
    #[serde(default)]
    pub reference_suffixes: Vec<String>,
    /// Algorithm names (`bcrypt`, `HS256`) that configure how credentials are handled and are
    /// not credentials themselves; compared with the whole value, case-insensitively
    /// (lower-cased at load).
    #[serde(default)]
    pub algorithm_names: Vec<String>,
    /// Starts of placeholder values (`your`, `insert`, `changeme`), compared with the value
    /// lower-cased and stripped of non-alphanumerics (lower-cased at load).
    #[serde(default)]
    pub placeholder_prefixes: Vec<String>,
    /// When a value counts as high-entropy (absent: never).
    #[serde(default)]
    pub entropy: Option<EntropyRule>,
}

/// A token format: `prefix` then between `min_length` and `max_length` (characters, both
/// inclusive; no maximum when absent) characters of `chars`, and nothing else (surrounding
/// whitespace is ignored). Matched case-sensitively.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenFormat {
    /// The literal start (`AKIA`, `ghp_`).
    pub prefix: String,
    /// What the value is, for the message: "an AWS access key id".
    pub what: String,
    /// The characters allowed after the prefix.
    pub chars: Charset,
    /// The fewest characters after the prefix.
    pub min_length: usize,
    /// The most characters after the prefix.
    #[serde(default)]
    pub max_length: Option<usize>,
}

/// A set of characters a token body is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Charset {
    /// `A-Z`, `0-9`.
    UpperAlnum,
    /// `A-Z`, `a-z`, `0-9`.
    Alnum,
    /// `A-Z`, `a-z`, `0-9`, `_`.
    Word,
    /// `A-Z`, `a-z`, `0-9`, `_`, `-` (base64url without padding).
    Token,
}

impl Charset {
    fn allows(self, c: char) -> bool {
        match self {
            Charset::UpperAlnum => c.is_ascii_uppercase() || c.is_ascii_digit(),
            Charset::Alnum => c.is_ascii_alphanumeric(),
            Charset::Word => c.is_ascii_alphanumeric() || c == '_',
            Charset::Token => c.is_ascii_alphanumeric() || c == '_' || c == '-',
        }
    }
}

/// When a value is high-entropy: at least `min_length` characters, all from the token alphabet
/// (`A-Z a-z 0-9 + / = _ -`: base64, base64url and hex), with at least one letter and one
/// digit, and a Shannon entropy of the value's own character distribution,
/// `H = −Σ p(c)·log2 p(c)`, of at least `min_bits_per_char` bits per character.
///
/// The letter-and-digit and alphabet conditions keep out words, kebab-case names, image
/// references and host names, whose entropy grows with their length like a random string's.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntropyRule {
    /// The fewest characters (Unicode scalar values).
    pub min_length: usize,
    /// The lowest Shannon entropy, in bits per character (0 < x ≤ 8).
    pub min_bits_per_char: f64,
}

impl TemplateParams for CredentialRules {
    fn validate(&mut self) -> Result<(), FieldError> {
        for (field, list) in [
            ("name_patterns", &self.name_patterns),
            ("reference_suffixes", &self.reference_suffixes),
            ("algorithm_names", &self.algorithm_names),
            ("placeholder_prefixes", &self.placeholder_prefixes),
        ] {
            if let Some(i) = list.iter().position(|p| p.trim().is_empty()) {
                return Err(FieldError::new(&[field], "must not be empty").item(i));
            }
        }
        for (i, f) in self.value_prefixes.iter().enumerate() {
            let at = |key: &str, message: &str| {
                Err(FieldError {
                    path: vec![
                        super::PathSegment::Key("value_prefixes".into()),
                        super::PathSegment::Index(i),
                        super::PathSegment::Key(key.into()),
                    ],
                    message: message.into(),
                })
            };
            if f.prefix.trim().is_empty() {
                return at("prefix", "must not be empty");
            }
            if f.what.trim().is_empty() {
                return at("what", "must not be empty");
            }
            if f.max_length.is_some_and(|max| max < f.min_length) {
                return at("max_length", "must not be less than min_length");
            }
        }
        if let Some(e) = &self.entropy {
            if e.min_length == 0 {
                return Err(FieldError::new(
                    &["entropy", "min_length"],
                    "must be at least 1",
                ));
            }
            if !(e.min_bits_per_char > 0.0 && e.min_bits_per_char <= 8.0) {
                return Err(FieldError::new(
                    &["entropy", "min_bits_per_char"],
                    "must be above 0 and at most 8 (bits per character)",
                ));
            }
        }
        for p in self
            .name_patterns
            .iter_mut()
            .chain(&mut self.reference_suffixes)
        {
            *p = normalise_name(p);
        }
        for p in self
            .algorithm_names
            .iter_mut()
            .chain(&mut self.placeholder_prefixes)
        {
            p.make_ascii_lowercase();
        }
        for (i, p) in self.placeholder_prefixes.iter_mut().enumerate() {
            p.retain(|c| c.is_ascii_alphanumeric());
            if p.is_empty() {
                return Err(FieldError::new(
                    &["placeholder_prefixes"],
                    "must hold a letter or digit (values are compared by those alone)",
                )
                .item(i));
            }
        }
        Ok(())
    }
}

/// The classifier's decision about one value.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict<'r> {
    Credential(Why<'r>),
    NotCredential(WhyNot<'r>),
}

impl Verdict<'_> {
    pub fn is_credential(&self) -> bool {
        matches!(self, Verdict::Credential(_))
    }
}

/// Why a value is a credential. `Display` gives the clause of the finding's message.
#[derive(Clone, Debug, PartialEq)]
pub enum Why<'r> {
    /// One of the token formats; the string is its `what`.
    Format(&'r str),
    PrivateKey,
    Jwt,
    UrlPassword,
    HighEntropy {
        bits_per_char: f64,
        chars: usize,
    },
    /// Under a name that ends with this pattern.
    CredentialName(&'r str),
}

impl fmt::Display for Why<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Format(what) => write!(f, "value looks like {what}"),
            Why::PrivateKey => f.write_str("value holds a private key block"),
            Why::Jwt => f.write_str("value looks like a JSON Web Token"),
            Why::UrlPassword => f.write_str("URL carries a password in its user info"),
            Why::HighEntropy {
                bits_per_char,
                chars,
            } => write!(
                f,
                "high-entropy value under a credential-like name \
                 ({bits_per_char:.1} bits per character over {chars} characters)"
            ),
            Why::CredentialName(word) => {
                write!(
                    f,
                    "literal value under a credential name (ends with {word})"
                )
            }
        }
    }
}

/// Why a value is not a credential.
#[derive(Clone, Debug, PartialEq)]
pub enum WhyNot<'r> {
    Empty,
    VariableReference,
    /// The name contains no credential pattern.
    NameNotCredential,
    /// The name ends with this reference suffix.
    NamesAnotherObject(&'r str),
    /// A PEM block that is not a private key (a certificate, a public key).
    PublicPem,
    Boolean,
    Number,
    Duration,
    Path,
    /// A URL whose user info holds no literal password.
    Url,
    Algorithm,
    Placeholder,
    /// Not high-entropy, under a name that only mentions a credential.
    LowEntropy,
}

impl fmt::Display for WhyNot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WhyNot::Empty => "the value is empty",
            WhyNot::VariableReference => "the value only references other variables",
            WhyNot::NameNotCredential => "the name is not credential-like",
            WhyNot::NamesAnotherObject(suffix) => {
                return write!(
                    f,
                    "the name ends with {suffix}: the value names another object"
                )
            }
            WhyNot::PublicPem => "the PEM block holds no private key",
            WhyNot::Boolean => "the value is a boolean",
            WhyNot::Number => "the value is a number",
            WhyNot::Duration => "the value is a duration",
            WhyNot::Path => "the value is a file path",
            WhyNot::Url => "the value is a URL without a literal password",
            WhyNot::Algorithm => "the value is an algorithm name",
            WhyNot::Placeholder => "the value is a placeholder",
            WhyNot::LowEntropy => {
                "the value is not high-entropy and the name only mentions a credential"
            }
        })
    }
}

/// How a name relates to credentials (see the module documentation, step 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameRole<'r> {
    None,
    Reference(&'r str),
    Mentions,
    Denotes(&'r str),
}

/// The name upper-cased, every non-alphanumeric character replaced by `_`.
fn normalise_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn name_role<'r>(rules: &'r CredentialRules, name: &str) -> NameRole<'r> {
    let name = normalise_name(name);
    if !rules
        .name_patterns
        .iter()
        .any(|p| name.contains(p.as_str()))
    {
        return NameRole::None;
    }
    if let Some(s) = rules
        .reference_suffixes
        .iter()
        .find(|s| name.ends_with(s.as_str()))
    {
        return NameRole::Reference(s);
    }
    let ends_it = |p: &String| {
        name.rfind(p.as_str()).is_some_and(|i| {
            let tail = &name[i + p.len()..];
            let tail = tail.strip_prefix('S').unwrap_or(tail);
            tail.chars().all(|c| c == '_' || c.is_ascii_digit())
        })
    };
    match rules.name_patterns.iter().find(|p| ends_it(p)) {
        Some(p) => NameRole::Denotes(p),
        None => NameRole::Mentions,
    }
}

/// The credential word that ends `name` (`DB_PASSWORD` → `PASSWORD`), when the name
/// *denotes* a credential (step 3 of the module documentation): for keys whose value is
/// not at hand, such as an environment variable taken from a ConfigMap key.
pub fn name_denotes_credential<'r>(rules: &'r CredentialRules, name: &str) -> Option<&'r str> {
    match name_role(rules, name) {
        NameRole::Denotes(word) => Some(word),
        _ => None,
    }
}

/// Classify the literal `value` of the environment variable `name` (see the module
/// documentation for the steps). `rules` must have been validated
/// ([`TemplateParams::validate`]), which normalises its lists.
pub fn classify<'r>(rules: &'r CredentialRules, name: &str, value: &str) -> Verdict<'r> {
    use Verdict::{Credential, NotCredential};
    let value = value.trim();
    if value.is_empty() {
        return NotCredential(WhyNot::Empty);
    }
    if only_references(value) {
        return NotCredential(WhyNot::VariableReference);
    }
    if let Some(f) = rules.value_prefixes.iter().find(|f| has_format(f, value)) {
        return Credential(Why::Format(&f.what));
    }
    if let Some(label) = pem_label(value) {
        return if label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK") {
            Credential(Why::PrivateKey)
        } else {
            NotCredential(WhyNot::PublicPem)
        };
    }
    if is_jwt(value) {
        return Credential(Why::Jwt);
    }
    let url = parse_url(value);
    if let Some(Some(password)) = url {
        if !only_references(password) && !is_placeholder(rules, password) {
            return Credential(Why::UrlPassword);
        }
    }
    let role = name_role(rules, name);
    match role {
        NameRole::None => return NotCredential(WhyNot::NameNotCredential),
        NameRole::Reference(s) => return NotCredential(WhyNot::NamesAnotherObject(s)),
        NameRole::Mentions | NameRole::Denotes(_) => {}
    }
    let lower = value.to_ascii_lowercase();
    let excluded = if is_boolean(&lower) {
        Some(WhyNot::Boolean)
    } else if is_duration(value) {
        Some(WhyNot::Duration)
    } else if is_number(value) && !matches!(role, NameRole::Denotes(_)) {
        Some(WhyNot::Number)
    } else if url.is_some() {
        Some(WhyNot::Url)
    } else if is_path(value) {
        Some(WhyNot::Path)
    } else if rules.algorithm_names.contains(&lower) {
        Some(WhyNot::Algorithm)
    } else if is_placeholder(rules, value) {
        Some(WhyNot::Placeholder)
    } else {
        None
    };
    if let Some(why_not) = excluded {
        return NotCredential(why_not);
    }
    if let Some(rule) = &rules.entropy {
        if let Some((bits_per_char, chars)) = high_entropy(rule, value) {
            return Credential(Why::HighEntropy {
                bits_per_char,
                chars,
            });
        }
    }
    match role {
        NameRole::Denotes(p) => Credential(Why::CredentialName(p)),
        _ => NotCredential(WhyNot::LowEntropy),
    }
}

/// Shannon entropy of the distribution of `s`'s characters, in bits per character (0 for
/// an empty string). A string of `n` distinct characters has `log2 n`.
pub fn shannon_bits_per_char(s: &str) -> f64 {
    let mut counts: Vec<(char, usize)> = Vec::new();
    let mut n = 0usize;
    for c in s.chars() {
        n += 1;
        match counts.iter_mut().find(|(d, _)| *d == c) {
            Some((_, k)) => *k += 1,
            None => counts.push((c, 1)),
        }
    }
    let n = n as f64;
    counts
        .iter()
        .map(|&(_, k)| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// `Some((bits per char, length))` when `value` is high-entropy under `rule`.
fn high_entropy(rule: &EntropyRule, value: &str) -> Option<(f64, usize)> {
    let chars = value.chars().count();
    let token_alphabet = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-'));
    let letter = value.chars().any(|c| c.is_ascii_alphabetic());
    let digit = value.chars().any(|c| c.is_ascii_digit());
    if chars < rule.min_length || !token_alphabet || !letter || !digit {
        return None;
    }
    let bits = shannon_bits_per_char(value);
    (bits >= rule.min_bits_per_char).then_some((bits, chars))
}

/// Whether `value` is made only of `$(VAR)` references and punctuation.
fn only_references(value: &str) -> bool {
    let mut rest = value;
    let mut any = false;
    let mut literal = String::new();
    while let Some(i) = rest.find("$(") {
        let Some(j) = rest[i..].find(')') else { break };
        literal.push_str(&rest[..i]);
        rest = &rest[i + j + 1..];
        any = true;
    }
    literal.push_str(rest);
    any && !literal.chars().any(|c| c.is_alphanumeric())
}

fn has_format(f: &TokenFormat, value: &str) -> bool {
    let Some(body) = value.strip_prefix(f.prefix.as_str()) else {
        return false;
    };
    let n = body.chars().count();
    body.chars().all(|c| f.chars.allows(c))
        && n >= f.min_length
        && f.max_length.is_none_or(|max| n <= max)
}

/// The label of a PEM block the value starts with (`RSA PRIVATE KEY`, `CERTIFICATE`).
fn pem_label(value: &str) -> Option<&str> {
    let rest = value.strip_prefix("-----BEGIN ")?;
    let end = rest.find("-----")?;
    Some(rest[..end].trim())
}

/// Three non-empty base64url parts separated by dots, the first (the header) starting with
/// `eyJ` (`{"` in base64).
fn is_jwt(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 3
        && value.starts_with("eyJ")
        && parts[..2].iter().all(|p| p.len() >= 4)
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// `None` when `value` is not a URL (`scheme://…`); `Some(password)` when it is, with the
/// password of its user info if it has a non-empty one.
fn parse_url(value: &str) -> Option<Option<&str>> {
    let (scheme, rest) = value.split_once("://")?;
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        || value.chars().any(char::is_whitespace)
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let password = authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, password)| password)
        .filter(|p| !p.is_empty());
    Some(password)
}

fn is_boolean(lower: &str) -> bool {
    matches!(
        lower,
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "enabled"
            | "disabled"
            | "enable"
            | "disable"
    )
}

/// An optionally signed decimal number: `12`, `-1`, `0.5`.
fn is_number(value: &str) -> bool {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
}

/// A Go-style duration (`time.ParseDuration`) plus days and weeks: `30s`, `1h30m`, `1.5h`,
/// `7d`.
fn is_duration(value: &str) -> bool {
    let mut rest = value;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if n == 0 || rest[..n].starts_with('.') || rest[..n].ends_with('.') {
            return false;
        }
        rest = &rest[n..];
        let Some(unit) = ["ns", "us", "µs", "ms", "s", "m", "h", "d", "w"]
            .into_iter()
            .find(|u| rest.starts_with(u))
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

/// An absolute, relative (`./`, `../`) or home (`~/`) path of path characters; `+` and `=`
/// (base64) are not path characters here.
fn is_path(value: &str) -> bool {
    ["/", "./", "../", "~/"]
        .iter()
        .any(|p| value.starts_with(p))
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '~' | '@' | ':'))
}

/// `<password>`, `{{ .Values.x }}`, `${X}`, one character repeated (`xxxx`, `****`), or a
/// start listed in `placeholder_prefixes`.
fn is_placeholder(rules: &CredentialRules, value: &str) -> bool {
    let wrapped = [("<", ">"), ("{{", "}}"), ("${", "}")]
        .iter()
        .any(|(a, b)| {
            value.starts_with(a) && value.ends_with(b) && value.len() > a.len() + b.len()
        });
    let mut chars = value.chars();
    let first = chars.next();
    let repeated = value.chars().count() >= 3 && chars.all(|c| Some(c) == first);
    let alnum: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    wrapped
        || repeated
        || rules
            .placeholder_prefixes
            .iter()
            .any(|p| alnum.starts_with(p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    /// The rules of the built-in `secret-in-env` policy.
    fn builtin() -> CredentialRules {
        let catalogue = Catalogue::builtin();
        let rule = catalogue.get("secret-in-env").expect("built-in rule");
        rule.typed_params
            .downcast::<CredentialRules>()
            .expect("credential rules")
            .clone()
    }

    /// `(name, value, expected verdict as text)`: `Why`/`WhyNot` debug forms.
    const CASES: &[(&str, &str, &str)] = &[
        // The brief's false positives.
        ("ENABLE_SECRET_ROTATION", "true", "not Boolean"),
        ("PASSWORD_MIN_LENGTH", "12", "not Number"),
        ("PASSWORD_HASH_ALGO", "bcrypt", "not Algorithm"),
        ("METALLB_ML_SECRET_NAME", "memberlist", "not NamesAnotherObject(\"_NAME\")"),
        ("METALLB_ML_SECRET_KEY_PATH", "/etc/ml_secret_key", "not NamesAnotherObject(\"_PATH\")"),
        ("DB_PASSWORD_FILE", "/run/secrets/db", "not NamesAnotherObject(\"_FILE\")"),
        ("TLS_SECRET_REF", "app-tls-7g9kd2m4bt8c", "not NamesAnotherObject(\"_REF\")"),
        ("TOKEN_TTL", "30s", "not Duration"),
        ("API_TOKEN", "1h30m", "not Duration"),
        ("TOKEN_PATH", "/etc/secret/token", "not NamesAnotherObject(\"_PATH\")"),
        ("API_TOKEN", "/etc/secret/token", "not Path"),
        ("OAUTH_TOKEN_ENDPOINT", "https://auth.example.com/oauth/token", "not Url"),
        ("JWT_SECRET_ALGORITHM", "HS256", "not Algorithm"),
        ("JWT_SIGNING_KEY_ALG", "RS256", "not Algorithm"),
        ("PASSWORD_HASHER", "argon2id", "not Algorithm"),
        ("PGPASSWORD", "$(DB_PASSWORD)", "not VariableReference"),
        ("LEGACY_SECRET", "", "not Empty"),
        ("LEGACY_SECRET", "   ", "not Empty"),
        ("ETCD_DISCOVERY_TOKEN", "INSERT_ETCD_DISCOVERY_TOKEN", "not Placeholder"),
        ("MYSQL_ROOT_PASSWORD", "yourpassword", "not Placeholder"),
        ("DB_PASSWORD", "<password>", "not Placeholder"),
        ("DB_PASSWORD", "{{ .Values.db.password }}", "not Placeholder"),
        ("DB_PASSWORD", "********", "not Placeholder"),
        ("API_KEY", "CHANGE_ME", "not Placeholder"),
        ("TOKEN_AUDIENCE", "api", "not LowEntropy"),
        ("SECRET_STORE_BACKEND", "vault", "not LowEntropy"),
        ("DB_HOST", "postgres.db.svc", "not NameNotCredential"),
        ("GREETING", "hello world", "not NameNotCredential"),
        ("TLS_CA_SECRET", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "not PublicPem"),
        ("DATABASE_URL", "postgres://app@db:5432/app", "not NameNotCredential"),
        ("DB_PASSWORD_URL", "postgres://app:$(DB_PASSWORD)@db/app", "not Url"),
        ("DB_PASSWORD", "no", "not Boolean"),
        // Credentials whatever the name.
        ("AWS_KEY", "AKIAIOSFODNN7EXAMPLE", "Format(\"an AWS access key id\")"),
        ("X", "ASIAIOSFODNN7EXAMPLE", "Format(\"an AWS temporary access key id\")"),
        ("GIT_AUTH", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "Format(\"a GitHub personal access token\")"),
        ("CI", "glpat-xYz12AbCdEfGhIjKlMnO", "Format(\"a GitLab personal access token\")"),
        ("HOOK", "xoxb-123456789012-abcdefABCDEF", "Format(\"a Slack bot token\")"),
        ("BILLING", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Format(\"a Stripe secret key\")"),
        ("METALLB_ML_SECRET_NAME", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "Format(\"a GitHub personal access token\")"),
        ("TLS_KEY", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "PrivateKey"),
        ("SIGNER", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----", "PrivateKey"),
        ("DATABASE_URL", "postgres://user:pass@host/db", "UrlPassword"),
        ("CACHE", "redis://:s3cr3tpw@redis:6379/0", "UrlPassword"),
        ("AUTH", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "Jwt"),
        // Credentials by name and value.
        ("SECRET_KEY_BASE", "a8f5f167f44f4964e6c998dee827110c", "HighEntropy"),
        ("MINIO_SECRET_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "HighEntropy"),
        ("DB_PASSWORD", "s3cr3t-Passw0rd", "CredentialName(\"PASSWORD\")"),
        ("MYSQL_PASSWORD", "1234", "CredentialName(\"PASSWORD\")"),
        ("MYSQL_ROOT_PASSWORD", "supersecret", "CredentialName(\"PASSWORD\")"),
        ("api_key", "0f9c2a7b5e", "CredentialName(\"API_KEY\")"),
        ("dbPassword", "hunter2", "CredentialName(\"PASSWORD\")"),
        ("GOOGLE_CREDENTIALS", "letmein", "CredentialName(\"CREDENTIAL\")"),
        ("MINIO_SECRET_KEY", "minio123", "CredentialName(\"SECRET_KEY\")"),
    ];

    fn short(v: &Verdict) -> String {
        match v {
            Verdict::Credential(Why::HighEntropy { .. }) => "HighEntropy".into(),
            Verdict::Credential(w) => format!("{w:?}"),
            Verdict::NotCredential(w) => format!("not {w:?}"),
        }
    }

    #[test]
    fn table_of_values() {
        let rules = builtin();
        let failures: Vec<String> = CASES
            .iter()
            .filter_map(|&(name, value, want)| {
                let got = short(&classify(&rules, name, value));
                (got != want).then(|| format!("{name}={value:?}: want {want}, got {got}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(CASES.len() >= 25);
    }

    #[test]
    fn messages_say_why() {
        let rules = builtin();
        let text = |n, v| match classify(&rules, n, v) {
            Verdict::Credential(w) => w.to_string(),
            Verdict::NotCredential(w) => w.to_string(),
        };
        assert_eq!(
            text("X", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
            "value looks like a GitHub personal access token"
        );
        assert_eq!(
            text("DATABASE_URL", "postgres://user:pass@host/db"),
            "URL carries a password in its user info"
        );
        assert_eq!(
            text("SECRET_KEY_BASE", "a8f5f167f44f4964e6c998dee827110c"),
            "high-entropy value under a credential-like name (3.6 bits per character over 32 characters)"
        );
        assert_eq!(
            text("METALLB_ML_SECRET_NAME", "memberlist"),
            "the name ends with _NAME: the value names another object"
        );
    }

    #[test]
    fn entropy_measure() {
        assert_eq!(shannon_bits_per_char(""), 0.0);
        assert_eq!(shannon_bits_per_char("aaaa"), 0.0);
        assert!((shannon_bits_per_char("abcd") - 2.0).abs() < 1e-12);
        assert!((shannon_bits_per_char("0123456789abcdef") - 4.0).abs() < 1e-12);
        let rule = EntropyRule {
            min_length: 16,
            min_bits_per_char: 3.0,
        };
        // Words and names have no digit; short values are never high-entropy.
        assert_eq!(high_entropy(&rule, "kubernetes-dashboard-csrf"), None);
        assert_eq!(high_entropy(&rule, "a8f5f167f44f"), None);
        assert_eq!(high_entropy(&rule, "registry.k8s.io/app:v1.2.3"), None);
        assert!(high_entropy(&rule, "a8f5f167f44f4964e6c998dee827110c").is_some());
    }

    #[test]
    fn shapes() {
        assert!(is_duration("30s") && is_duration("1h30m") && is_duration("1.5h"));
        assert!(!is_duration("s") && !is_duration("30") && !is_duration("sst"));
        assert!(is_number("12") && is_number("-1") && is_number("0.5"));
        assert!(!is_number("1.") && !is_number("") && !is_number("12a"));
        assert_eq!(parse_url("postgres://u:p@h/db"), Some(Some("p")));
        assert_eq!(parse_url("https://h/p?a=b:c@d"), Some(None));
        assert_eq!(parse_url("not a url"), None);
        assert!(only_references("$(A):$(B)") && !only_references("$(A)x"));
    }

    #[test]
    fn validation_names_the_field() {
        let mut rules = builtin();
        rules.value_prefixes[0].max_length = Some(1);
        let e = rules.validate().unwrap_err();
        assert_eq!(e.path_text(), "value_prefixes[0].max_length");
        let mut rules = builtin();
        rules.entropy = Some(EntropyRule {
            min_length: 16,
            min_bits_per_char: 9.0,
        });
        assert_eq!(
            rules.validate().unwrap_err().path_text(),
            "entropy.min_bits_per_char"
        );
    }
}
