//! The adapter's results as plain JavaScript arrays, for the engine's worker
//! (src/web/worker.rs) to post to the page: `postMessage` copies them (the browser's
//! structured clone), and the page reads them back into the same Rust values. Arrays of
//! strings, numbers, booleans and `null`, in the order of the structs' fields, rather than
//! serde and JSON: serde's derived readers cost about 9 KiB of the playground's first
//! download, which it has no room for (README "Budgets"); these are a tenth of that.
//!
//! Shapes (every offset, line and column a number):
//! - `Checked`: `[findings, errors, notes, holds_secret, objects]`;
//! - a finding: `[id, rule, title, severity, area, message, object, path, from, to, line,
//!   column, related, pss, fix, suppressed, rationale, remediation, references]`, `related`
//!   an array of `[message, path, from, to, line, column]`, `fix` `null` or
//!   `[applicability, title, unavailable]`, `pss`, `suppressed` and `unavailable` a string or
//!   `null`, `references` an array of strings;
//! - an error or note: `[message, unchecked, document, from, to, line, column]`;
//! - an object: `[document, object, kind, group, pods, from, to, line, column,
//!   role_elsewhere]`;
//! - `Hardened`: `[text, applied, skipped]`, `skipped` an array of `[id, rule, reason]` (no
//!   diff: the Diff tab asks the extras for it).
//!
//! Reading fails (`None`) on anything else: the same build wrote it, so that is a bug.

use std::borrow::Cow;

use js_sys::Array;
use kubeharden::adapter::{
    self, Checked, EditorFinding, EditorFix, EditorMessage, EditorObject, EditorRange,
    EditorRelated, Hardened,
};
use kubeharden::{Area, Severity};
use wasm_bindgen::JsValue;

/// Builds one array, field by field.
struct Writer(Array);

impl Writer {
    fn new() -> Self {
        Writer(Array::new())
    }
    fn s(self, v: &str) -> Self {
        self.0.push(&JsValue::from_str(v));
        self
    }
    fn n(self, v: usize) -> Self {
        self.0.push(&JsValue::from_f64(v as f64));
        self
    }
    fn b(self, v: bool) -> Self {
        self.0.push(&JsValue::from_bool(v));
        self
    }
    fn opt(self, v: Option<&str>) -> Self {
        self.0.push(&v.map_or(JsValue::NULL, JsValue::from_str));
        self
    }
    fn v(self, v: impl Into<JsValue>) -> Self {
        self.0.push(&v.into());
        self
    }
    fn range(self, r: &EditorRange) -> Self {
        self.n(r.from).n(r.to).n(r.line).n(r.column)
    }
}

fn all<T>(items: &[T], one: impl Fn(&T) -> Writer) -> Array {
    items.iter().map(|x| JsValue::from(one(x).0)).collect()
}

/// Reads one array, field by field.
struct Reader {
    a: Array,
    i: u32,
}

impl Reader {
    fn of(v: JsValue) -> Option<Self> {
        Array::is_array(&v).then(|| Reader { a: v.into(), i: 0 })
    }
    fn next(&mut self) -> JsValue {
        self.i += 1;
        self.a.get(self.i - 1)
    }
    fn s(&mut self) -> Option<String> {
        self.next().as_string()
    }
    fn n(&mut self) -> Option<usize> {
        self.next()
            .as_f64()
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as usize)
    }
    fn b(&mut self) -> Option<bool> {
        self.next().as_bool()
    }
    /// A string or `null`.
    fn opt(&mut self) -> Option<Option<String>> {
        let v = self.next();
        if v.is_null() {
            Some(None)
        } else {
            v.as_string().map(Some)
        }
    }
    fn range(&mut self) -> Option<EditorRange> {
        Some(EditorRange {
            from: self.n()?,
            to: self.n()?,
            line: self.n()?,
            column: self.n()?,
        })
    }
    /// An array, each item read by `one`.
    fn all<T>(&mut self, one: impl Fn(Reader) -> Option<T>) -> Option<Vec<T>> {
        let v = self.next();
        if !Array::is_array(&v) {
            return None;
        }
        Array::from(&v)
            .iter()
            .map(|x| Reader::of(x).and_then(&one))
            .collect()
    }
}

fn message_to(m: &EditorMessage) -> Writer {
    Writer::new()
        .s(&m.message)
        .b(m.unchecked)
        .n(m.document)
        .n(m.from)
        .n(m.to)
        .n(m.line)
        .n(m.column)
}

fn message_from(mut r: Reader) -> Option<EditorMessage> {
    Some(EditorMessage {
        message: r.s()?,
        unchecked: r.b()?,
        document: r.n()?,
        from: r.n()?,
        to: r.n()?,
        line: r.n()?,
        column: r.n()?,
    })
}

fn finding_to(f: &EditorFinding) -> Writer {
    let fix = f.fix.as_ref().map_or(JsValue::NULL, |x| {
        Writer::new()
            .s(x.applicability)
            .s(&x.title)
            .opt(x.unavailable.as_deref())
            .0
            .into()
    });
    let related = all(&f.related, |x| {
        Writer::new().s(&x.message).s(&x.path).range(&x.range)
    });
    let references: Array = f.references.iter().map(|x| JsValue::from_str(x)).collect();
    Writer::new()
        .s(&f.id)
        .s(f.rule)
        .s(&f.title)
        .s(f.severity.as_str())
        .s(f.area)
        .s(&f.message)
        .s(&f.object)
        .s(&f.path)
        .n(f.from)
        .n(f.to)
        .n(f.line)
        .n(f.column)
        .v(related)
        .opt(f.pss.as_deref())
        .v(fix)
        .opt(f.suppressed.as_deref())
        .s(&f.rationale)
        .s(&f.remediation)
        .v(references)
}

fn finding_from(mut r: Reader) -> Option<EditorFinding> {
    Some(EditorFinding {
        id: r.s()?,
        rule: adapter::rule_id(&r.s()?),
        title: Cow::Owned(r.s()?),
        severity: r.s()?.parse::<Severity>().ok()?,
        area: r.s()?.parse::<Area>().ok()?.as_str(),
        message: r.s()?,
        object: r.s()?,
        path: r.s()?,
        from: r.n()?,
        to: r.n()?,
        line: r.n()?,
        column: r.n()?,
        related: r.all(|mut x| {
            Some(EditorRelated {
                message: x.s()?,
                path: x.s()?,
                range: x.range()?,
            })
        })?,
        pss: r.opt()?,
        fix: {
            let v = r.next();
            if v.is_null() {
                None
            } else {
                let mut x = Reader::of(v)?;
                Some(EditorFix {
                    applicability: match x.s()?.as_str() {
                        "safe" => "safe",
                        "unsafe" => "unsafe",
                        _ => return None,
                    },
                    title: x.s()?,
                    unavailable: x.opt()?,
                })
            }
        },
        suppressed: r.opt()?,
        rationale: Cow::Owned(r.s()?),
        remediation: Cow::Owned(r.s()?),
        references: {
            let v = r.next();
            if !Array::is_array(&v) {
                return None;
            }
            Cow::Owned(
                Array::from(&v)
                    .iter()
                    .map(|x| x.as_string())
                    .collect::<Option<_>>()?,
            )
        },
    })
}

/// `checked` as an array (the module's shapes).
pub fn checked_to(checked: &Checked) -> JsValue {
    let objects = all(&checked.objects, |o| {
        Writer::new()
            .n(o.document)
            .s(&o.object)
            .s(&o.kind)
            .s(&o.group)
            .n(o.pods)
            .range(&o.range)
            .opt(o.role_elsewhere.as_deref())
    });
    Writer::new()
        .v(all(&checked.findings, finding_to))
        .v(all(&checked.errors, message_to))
        .v(all(&checked.notes, message_to))
        .b(checked.holds_secret)
        .v(objects)
        .0
        .into()
}

/// A [`Checked`] read back from [`checked_to`]'s array; `None` for anything else.
pub fn checked_from(v: JsValue) -> Option<Checked> {
    let mut r = Reader::of(v)?;
    Some(Checked {
        findings: r.all(finding_from)?,
        errors: r.all(message_from)?,
        notes: r.all(message_from)?,
        holds_secret: r.b()?,
        objects: r.all(|mut o| {
            Some(EditorObject {
                document: o.n()?,
                object: o.s()?,
                kind: o.s()?,
                group: o.s()?,
                pods: o.n()?,
                range: o.range()?,
                role_elsewhere: o.opt()?,
            })
        })?,
    })
}

/// `hardened` as an array, without its diff (written by the extras, src/web/extras_main.rs;
/// the playground only reads it).
#[allow(dead_code)]
pub fn hardened_to(hardened: &Hardened) -> JsValue {
    let skipped = all(&hardened.skipped, |(id, rule, reason)| {
        Writer::new().s(id).s(rule).s(reason)
    });
    Writer::new()
        .s(&hardened.text)
        .n(hardened.applied)
        .v(skipped)
        .0
        .into()
}

/// A [`Hardened`] read back from [`hardened_to`]'s array; `None` for anything else.
pub fn hardened_from(v: JsValue) -> Option<Hardened> {
    let mut r = Reader::of(v)?;
    Some(Hardened {
        text: r.s()?,
        diff: String::new(),
        applied: r.n()?,
        skipped: r.all(|mut x| Some((x.s()?, x.s()?, x.s()?)))?,
    })
}
