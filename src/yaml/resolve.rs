//! Plain-scalar resolution the way the Kubernetes API machinery reads YAML.
//!
//! kubectl and the API server convert YAML to JSON with `sigs.k8s.io/yaml`, which uses
//! a go-yaml v2 fork: a YAML 1.1 resolver. `yes`, `on`, `Y` are booleans, `0644` is an
//! octal integer, `0x1F` hexadecimal, `1_000` an integer. This module mirrors that
//! resolver (`resolve.go`) for plain scalars; quoted and block scalars are strings.

/// The JSON-level value of a scalar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Integers beyond `i64` (Go's `ParseUint` range) resolve to [`Value::Float`].
    Int(i64),
    Float(f64),
    Str,
}

impl Value {
    /// A short name of the type, for messages.
    pub fn type_name(self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str => "string",
        }
    }
}

/// Resolve a plain (unquoted, untagged) scalar.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::Str;
    }
    let plain: std::borrow::Cow<str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    if let Some(v) = parse_go_int(&plain) {
        return i64::try_from(v).map_or(Value::Float(v as f64), Value::Int);
    }
    if is_yaml_float(&plain) {
        if let Ok(f) = plain.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str
}

/// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint(s, 0, 64)`: optional sign, then
/// `0x`/`0o`/`0b` prefixes or a leading `0` for octal.
fn parse_go_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, rest)
    } else if let Some(rest) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, rest)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let value = i128::from(magnitude);
    if neg {
        // ParseInt accepts down to i64::MIN; ParseUint rejects any negative.
        (value <= i128::from(i64::MAX) + 1).then_some(-value)
    } else {
        Some(value)
    }
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_booleans_and_nulls() {
        for t in ["yes", "Yes", "on", "ON", "y", "True", "true"] {
            assert_eq!(resolve_plain(t), Value::Bool(true), "{t}");
        }
        for t in ["no", "off", "N", "FALSE"] {
            assert_eq!(resolve_plain(t), Value::Bool(false), "{t}");
        }
        for t in ["", "~", "null", "NULL"] {
            assert_eq!(resolve_plain(t), Value::Null, "{t}");
        }
        assert_eq!(resolve_plain("yEs"), Value::Str);
        assert_eq!(resolve_plain("nginx"), Value::Str);
    }

    #[test]
    fn go_integer_syntax() {
        assert_eq!(resolve_plain("0644"), Value::Int(420));
        assert_eq!(resolve_plain("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain("0b101"), Value::Int(5));
        assert_eq!(resolve_plain("1_000"), Value::Int(1000));
        assert_eq!(resolve_plain("-0"), Value::Int(0));
        assert_eq!(resolve_plain("+7"), Value::Int(7));
        assert_eq!(resolve_plain("0"), Value::Int(0));
        assert_eq!(resolve_plain("08"), Value::Float(8.0));
        assert_eq!(resolve_plain("1.5"), Value::Float(1.5));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain("1.2.3"), Value::Str);
        assert_eq!(resolve_plain("-"), Value::Str);
        assert_eq!(resolve_plain("100m"), Value::Str);
    }
}
