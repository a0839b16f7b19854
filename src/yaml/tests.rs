use super::*;
use crate::source::Span;

fn parse(text: &str) -> Stream<'_> {
    parse_stream(text, &Limits::default())
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn nodes_keep_byte_spans_and_pointers() {
    let text =
        "kind: Pod\nspec:\n  containers:\n  - name: é\n    securityContext: {privileged: yes}\n";
    let stream = parse(text);
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let doc = &stream.documents[0];
    let root = doc.root.unwrap();
    let c0 = doc
        .get_path(root, &["spec", "containers"])
        .map(|s| doc.items(s)[0])
        .unwrap();
    let sc = doc.get(c0, "securityContext").unwrap();
    let privileged = doc.get(sc, "privileged").unwrap();
    assert_eq!(doc.value(privileged), Some(Value::Bool(true)));
    assert_eq!(
        doc.pointer(privileged),
        "/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(slice(text, doc.entry_span(privileged)), "privileged: yes");
    assert_eq!(slice(text, doc.node(sc).span()), "{privileged: yes}");
    assert_eq!(
        slice(text, doc.entry_span(sc)),
        "securityContext: {privileged: yes}"
    );
    assert_eq!(
        slice(text, doc.node(c0).span()),
        "name: é\n    securityContext: {privileged: yes}"
    );
    assert_eq!(slice(text, doc.anchor_span(c0)), "name");
}

#[test]
fn multi_document_streams_recover_after_a_broken_document() {
    let text = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
    let stream = parse(text);
    assert_eq!(stream.errors.len(), 1, "{:?}", stream.errors);
    assert_eq!(stream.errors[0].document, 1);
    let indexes: Vec<usize> = stream.documents.iter().map(|d| d.index).collect();
    assert_eq!(indexes, vec![0, 2]);
    let last = &stream.documents[1];
    assert_eq!(
        last.text(last.get(last.root.unwrap(), "c").unwrap()),
        Some("3")
    );
}

#[test]
fn aliases_and_merge_keys_expand_and_are_marked_shared() {
    let text = "base: &b {runAsNonRoot: true}\nsc:\n  <<: *b\n  runAsUser: 1000\nalias: *b\n";
    let stream = parse(text);
    let doc = &stream.documents[0];
    let root = doc.root.unwrap();
    let sc = doc.get(root, "sc").unwrap();
    let merged = doc.get(sc, "runAsNonRoot").unwrap();
    assert!(doc.node(merged).shared());
    assert_eq!(doc.pointer(merged), "/sc/runAsNonRoot");
    assert!(doc.get(sc, "<<").is_none());
    let alias = doc.get(root, "alias").unwrap();
    assert!(doc.node(alias).shared());
    assert_eq!(slice(text, doc.node(alias).span()), "*b");
    assert_eq!(
        doc.value(doc.get(alias, "runAsNonRoot").unwrap()),
        Some(Value::Bool(true))
    );
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let stream = parse(&text);
    assert!(stream.documents.is_empty());
    assert_eq!(stream.errors.len(), 1);
    assert!(
        stream.errors[0].message.contains("billion laughs"),
        "{}",
        stream.errors[0].message
    );
}

/// Many documents each just under a budget of their own add up: the budget is the file's,
/// so a stream of small bombs is refused after the first few, not held in memory whole.
#[test]
fn alias_expansion_is_budgeted_per_file_not_per_document() {
    let one = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
    let alone = parse(one);
    assert!(alone.errors.is_empty(), "one document is within budget");
    let text = vec![one; 100].join("---\n");
    let stream = parse(&text);
    assert!(
        stream.documents.len() < 5,
        "{} documents kept",
        stream.documents.len()
    );
    assert!(stream.errors.len() > 95);
    assert!(
        stream.errors[0].message.contains("in this file"),
        "{}",
        stream.errors[0].message
    );
    // Ordinary reuse of anchors across documents stays within budget.
    let reuse = "base: &base {app: web, team: shop}\nlabels: {<<: *base, tier: front}\n";
    let many = vec![reuse; 1000].join("---\n");
    let stream = parse(&many);
    assert!(stream.errors.is_empty(), "{:?}", stream.errors.first());
}

#[test]
fn nesting_and_size_limits() {
    let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
    let stream = parse(&deep);
    assert_eq!(stream.errors.len(), 1);
    let small = Limits {
        max_input_bytes: 4,
        ..Limits::default()
    };
    let stream = parse_stream("a: 1\nb: 2\n", &small);
    assert!(stream.errors[0].message.contains("limit"));
}

#[test]
fn duplicate_keys_are_recorded_in_source_order() {
    let text = "a: 1\nb: 2\na: 3\n";
    let stream = parse(text);
    let doc = &stream.documents[0];
    assert_eq!(doc.duplicate_keys.len(), 1);
    let (first, dup) = doc.duplicate_keys[0];
    assert!(doc.node(first).span().start < doc.node(dup).span().start);
    // The last value wins, as in a JSON decoder.
    assert_eq!(
        doc.text(doc.get(doc.root.unwrap(), "a").unwrap()),
        Some("3")
    );
}

#[test]
fn empty_documents_have_no_root() {
    let stream = parse("---\n# only a comment\n---\n");
    assert!(stream.errors.is_empty());
    assert!(stream.documents.iter().all(|d| d.root.is_none()));
    assert!(parse("").documents.iter().all(|d| d.root.is_none()));
}

#[test]
fn tags_and_quotes_decide_types() {
    let text = "a: '0644'\nb: 0644\nc: !!str yes\nd: |\n  text\n";
    let stream = parse(text);
    let doc = &stream.documents[0];
    let root = doc.root.unwrap();
    let v = |k| doc.value(doc.get(root, k).unwrap()).unwrap();
    assert_eq!(v("a"), Value::Str);
    assert_eq!(v("b"), Value::Int(420));
    assert_eq!(v("c"), Value::Str);
    assert_eq!(v("d"), Value::Str);
}

/// kubectl and the API server decode YAML with sigs.k8s.io/yaml, whose `Unmarshal` and
/// `YAMLToJSON` call go-yaml v2 (`go.yaml.in/yaml/v2`, forked from v2.4.0 as
/// sigs.k8s.io/yaml `goyaml.v2/decode.go`). Its `decoder.mapping` walks the keys in
/// document order and a `<<` key calls `decoder.merge`, which unmarshals the merged
/// mapping into the same map: a merge written after a key overrides it, and a key
/// written after the merge overrides the merged one.
#[test]
fn a_merge_key_overrides_the_keys_written_before_it_as_go_yaml_v2_does() {
    let text = "sc:\n  privileged: false\n  <<: {privileged: true}\n";
    let stream = parse(text);
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let doc = &stream.documents[0];
    let sc = doc.get(doc.root.unwrap(), "sc").unwrap();
    let privileged = doc.get(sc, "privileged").unwrap();
    assert_eq!(doc.value(privileged), Some(Value::Bool(true)));
    // The span is the text that supplies the effective value.
    assert_eq!(slice(text, doc.node(privileged).span()), "true");
    assert_eq!(doc.pointer(privileged), "/sc/privileged");
    assert_eq!(
        doc.to_json(sc),
        serde_json::json!({"privileged": true}),
        "the JSON sent to the API server"
    );
    // The written key the merge overrides is a repeated key.
    assert_eq!(doc.duplicate_keys.len(), 1, "{:?}", doc.duplicate_keys);
    let (first, dup) = doc.duplicate_keys[0];
    assert_eq!(slice(text, doc.node(first).span()), "privileged");
    assert_eq!(doc.node(first).span().start, 6);
    assert!(doc.node(dup).shared());
}

#[test]
fn a_key_written_after_a_merge_overrides_the_merged_one() {
    let text = "base: &b {privileged: true, runAsUser: 0}\nsc:\n  <<: *b\n  privileged: false\n";
    let stream = parse(text);
    let doc = &stream.documents[0];
    let sc = doc.get(doc.root.unwrap(), "sc").unwrap();
    let privileged = doc.get(sc, "privileged").unwrap();
    assert_eq!(doc.value(privileged), Some(Value::Bool(false)));
    assert!(!doc.node(privileged).shared());
    assert_eq!(
        doc.to_json(sc),
        serde_json::json!({"privileged": false, "runAsUser": 0})
    );
    // Overriding a merged key is what merge keys are for: not a repeated key.
    assert!(doc.duplicate_keys.is_empty(), "{:?}", doc.duplicate_keys);
}

/// go-yaml v2 `decoder.merge` on a sequence: "Step backwards as earlier nodes take
/// precedence" — the first mapping of `<<: [*a, *b]` wins among them, and all of them
/// override the keys written before the `<<`.
#[test]
fn in_a_sequence_of_merges_the_earlier_mapping_wins() {
    let text = "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  y: 0\n  z: 0\n  <<: [*a, *b]\n";
    let stream = parse(text);
    let doc = &stream.documents[0];
    let m = doc.get(doc.root.unwrap(), "m").unwrap();
    assert_eq!(doc.to_json(m), serde_json::json!({"x": 1, "y": 2, "z": 0}));
    let x = doc.get(m, "x").unwrap();
    assert_eq!(slice(text, doc.node(x).span()), "1");
    let y = doc.get(m, "y").unwrap();
    assert_eq!(doc.node(y).span().start, text.find("y: 2").unwrap() + 3);
    assert_eq!(doc.duplicate_keys.len(), 1, "{:?}", doc.duplicate_keys);
}

/// Two `<<` keys in one mapping are applied in order, like any keys: the later wins.
#[test]
fn a_later_merge_key_overrides_an_earlier_one() {
    let text = "m:\n  <<: {x: 1}\n  <<: {x: 2}\n";
    let stream = parse(text);
    let doc = &stream.documents[0];
    let m = doc.get(doc.root.unwrap(), "m").unwrap();
    assert_eq!(doc.to_json(m), serde_json::json!({"x": 2}));
    assert_eq!(doc.entries(m).len(), 1);
}

/// A block mapping runs to the end of its last written entry, a `<<` merge key or an
/// alias included: text inserted at its end must not land before them.
#[test]
fn a_block_mapping_ends_after_a_trailing_merge_key_or_alias() {
    let text =
        "base: &b {x: 1}\nm:\n  y: 2\n  <<: *b\nn:\n  y: 2\n  z: *b\no:\n  y: 2\n  <<: {x: 1}\n";
    let stream = parse(text);
    let doc = &stream.documents[0];
    let root = doc.root.unwrap();
    let m = doc.get(root, "m").unwrap();
    assert_eq!(slice(text, doc.node(m).span()), "y: 2\n  <<: *b");
    let n = doc.get(root, "n").unwrap();
    assert_eq!(slice(text, doc.node(n).span()), "y: 2\n  z: *b");
    let o = doc.get(root, "o").unwrap();
    assert_eq!(slice(text, doc.node(o).span()), "y: 2\n  <<: {x: 1}");
}

/// The written entries come first, so that a mapping's first entry is its own text (the
/// fixer indents new keys like it), whatever the place of the `<<`.
#[test]
fn written_entries_come_before_merged_ones() {
    let text = "base: &b {runAsNonRoot: true}\nsc:\n  <<: *b\n  runAsUser: 1000\n";
    let stream = parse(text);
    let doc = &stream.documents[0];
    let sc = doc.get(doc.root.unwrap(), "sc").unwrap();
    let first = doc.entries(sc)[0].0;
    assert_eq!(doc.text(first), Some("runAsUser"));
    assert!(!doc.node(first).shared());
}
