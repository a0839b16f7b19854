//! CI integration at the command line: the JUnit report (validated against
//! tests/ci/junit.xsd), `--output`, the chart template of `helm template` output
//! (`# Source:` comments, on a real chart's stream), baselines, the documented CI files,
//! and the pre-commit hooks run by the pre-commit tool on a scratch repository.
//!
//! The JUnit schema check and the pre-commit run need the tools of tests/ci/setup.sh
//! (`make ci-tools`); without them they are skipped, unless `KUBEHARDEN_REQUIRE_CI` is
//! set (as `make test` does), when their absence fails.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_kubeharden");

fn run(dir: &Path, args: &[&str], stdin: &str) -> Output {
    common::run_cli(dir, args, stdin)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ci-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The virtual environment of tests/ci/setup.sh, if present.
fn ci_tool(name: &str) -> Option<PathBuf> {
    let p = Path::new(ROOT).join("target/ci-venv/bin").join(name);
    if p.is_file() {
        return Some(p);
    }
    if std::env::var_os("KUBEHARDEN_REQUIRE_CI").is_some() {
        panic!(
            "{} is missing: run `make ci-tools` (KUBEHARDEN_REQUIRE_CI is set)",
            p.display()
        );
    }
    eprintln!("SKIPPED: {} is absent (make ci-tools)", p.display());
    None
}

const INSECURE: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {ignore.kubeharden.io/image-unpinned: \"a <test> & 'quote'\"}}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext: {privileged: true}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\ndata: {a: b}\n";

/// Count the elements and attributes the JUnit report must agree on.
fn count(xml: &str, needle: &str) -> usize {
    xml.matches(needle).count()
}

fn attr(xml: &str, element: &str, name: &str) -> usize {
    let start = xml.find(&format!("<{element} ")).unwrap();
    let tag = &xml[start..start + xml[start..].find('>').unwrap()];
    let key = format!(" {name}=\"");
    let at = tag.find(&key).unwrap() + key.len();
    tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
}

#[test]
fn junit_counts_failures_skips_passes_and_errors() {
    let dir = scratch("junit");
    std::fs::write(dir.join("pod.yaml"), INSECURE).unwrap();
    std::fs::write(dir.join("broken.yaml"), "kind: [\n").unwrap();
    let o = run(
        &dir,
        &[
            "check",
            "--no-config",
            "--format",
            "junit",
            "pod.yaml",
            "broken.yaml",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    let xml = text(&o.stdout);
    let json: serde_json::Value = serde_json::from_slice(
        &run(
            &dir,
            &[
                "check",
                "--no-config",
                "--format",
                "json",
                "pod.yaml",
                "broken.yaml",
            ],
            "",
        )
        .stdout,
    )
    .unwrap();
    let findings = json["findings"].as_array().unwrap();
    let suppressed = findings.iter().filter(|f| f["suppressed"] == true).count();
    assert_eq!(suppressed, 1);
    assert_eq!(count(&xml, "<failure "), findings.len() - suppressed);
    assert_eq!(count(&xml, "<skipped "), 1);
    assert_eq!(count(&xml, "<error "), 1);
    assert_eq!(count(&xml, "<testsuite "), 2);
    // The ConfigMap has no findings: a passing test case.
    assert!(xml.contains("name=\"ConfigMap fine\""), "{xml}");
    assert_eq!(
        attr(&xml, "testsuites", "failures"),
        findings.len() - suppressed
    );
    assert_eq!(attr(&xml, "testsuites", "tests"), findings.len() + 1 + 1);
    assert_eq!(attr(&xml, "testsuites", "errors"), 1);
    // Escaped: the annotation's reason holds < > & and a quote.
    assert!(
        xml.contains("suppressed: a &lt;test&gt; &amp; &apos;quote&apos;"),
        "{xml}"
    );
    assert!(xml.contains(
        "name=\"privileged-container · Pod p · /spec/containers/0/securityContext/privileged\""
    ));

    if let Some(python) = ci_tool("python") {
        // Every report of the fixtures and corpora validates, and so do these.
        std::fs::write(dir.join("small.xml"), &xml).unwrap();
        let big = run(
            Path::new(ROOT),
            &[
                "check",
                "--no-config",
                "--format",
                "junit",
                "--output",
                dir.join("big.xml").to_str().unwrap(),
                "tests/fixtures",
                "tests/data",
            ],
            "",
        );
        assert!(big.status.code().is_some() && dir.join("big.xml").is_file());
        let script = "import sys, xmlschema\ns = xmlschema.XMLSchema(sys.argv[1])\nfor f in sys.argv[2:]:\n    s.validate(f)\n    print('valid', f)\n";
        let v = Command::new(python)
            .args(["-c", script, &format!("{ROOT}/tests/ci/junit.xsd")])
            .arg(dir.join("small.xml"))
            .arg(dir.join("big.xml"))
            .output()
            .unwrap();
        assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
        // The schema is strict enough to fail: a misspelt attribute is refused.
        std::fs::write(
            dir.join("bad.xml"),
            xml.replacen("failures=", "failure=", 1),
        )
        .unwrap();
        let bad = Command::new(target_python())
            .args(["-c", script, &format!("{ROOT}/tests/ci/junit.xsd")])
            .arg(dir.join("bad.xml"))
            .output()
            .unwrap();
        assert!(!bad.status.success());
    }
}

fn target_python() -> PathBuf {
    Path::new(ROOT).join("target/ci-venv/bin/python")
}

#[test]
fn output_writes_the_report_and_the_terminal_gets_the_human_one() {
    let dir = scratch("output");
    let o = run(
        &dir,
        &[
            "check",
            "--no-config",
            "--format",
            "sarif",
            "--output",
            "r.sarif",
            "-",
        ],
        INSECURE,
    );
    assert_eq!(o.status.code(), Some(1));
    let human = text(&o.stdout);
    assert!(
        human.contains("privileged-container") && human.contains("finding"),
        "{human}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.sarif")).unwrap()).unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    // An unwritable path is an error, not a silent loss of the report.
    let bad = run(
        &dir,
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--output",
            "no/such/dir/r.json",
            "-",
        ],
        INSECURE,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("cannot write no/such/dir/r.json"));
}

#[test]
fn sarif_carries_custom_rules_severities_and_exemptions() {
    let dir = scratch("sarif-config");
    std::fs::write(
        dir.join(".kubeharden.yaml"),
        "rules:\n  privileged-container: {severity: low}\ncustom-rules:\n  - {id: our-registry, title: Our registry, severity: high, area: controls, template: image-registry, params: {allowed: [registry.example.com]}, fix: {guidance: mirror it}, rationale: R, remediation: M, references: [\"https://example.com/\"]}\nexemptions:\n  - {rule: our-registry, objects: [{name: p}], reason: a test image}\n",
    )
    .unwrap();
    let o = run(&dir, &["check", "--format", "sarif", "-"], INSECURE);
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = |id: &str| rules.iter().position(|r| r["id"] == id);
    let ours = rule("our-registry").expect("the custom rule is in the metadata");
    assert_eq!(
        rules[rule("privileged-container").unwrap()]["defaultConfiguration"]["level"],
        "note"
    );
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "our-registry")
        .unwrap();
    assert_eq!(r["ruleIndex"], ours);
    assert_eq!(r["suppressions"][0]["kind"], "external");
    assert_eq!(
        r["suppressions"][0]["justification"],
        "exempted by .kubeharden.yaml:6:6: a test image"
    );
}

/// The `# Source:` of the document holding each line, read independently of kubeharden:
/// the last such comment since the last `---` line.
fn sources_by_line(text: &str) -> Vec<Option<String>> {
    let mut current = None;
    text.lines()
        .map(|l| {
            if l.starts_with("---") {
                current = None;
            } else if let Some(s) = l.strip_prefix("# Source: ") {
                current = Some(s.trim().to_string());
            }
            current.clone()
        })
        .collect()
}

#[test]
fn helm_template_output_names_the_chart_template_of_each_finding() {
    let Some(dir) = common::corpus("real/longhorn/deploy") else {
        return;
    };
    let file = dir.join("longhorn.yaml");
    let stream = std::fs::read_to_string(&file).unwrap();
    assert!(stream.matches("\n# Source: ").count() > 40);
    // From standard input, as `helm template ./chart | kubeharden check -`.
    let o = run(
        Path::new(ROOT),
        &["check", "--no-config", "--format", "json", "-"],
        &stream,
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let by_line = sources_by_line(&stream);
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() > 20);
    let mut templates = BTreeMap::new();
    for f in findings {
        let line = f["span"]["start"]["line"].as_u64().unwrap() as usize;
        let want = by_line[line - 1].as_deref();
        assert_eq!(f["template"].as_str(), want, "{}", f["id"]);
        *templates
            .entry(want.unwrap_or("-").to_string())
            .or_insert(0) += 1;
    }
    // The stream's first document, a Namespace added by hand after rendering, has no
    // `# Source:` and so no template; every other finding names one.
    assert!(
        templates
            .keys()
            .all(|t| t == "-" || t.starts_with("longhorn/templates/")),
        "{templates:?}"
    );
    assert!(templates.get("-").is_some_and(|n| *n <= 3), "{templates:?}");
    assert!(templates.len() > 5, "{templates:?}");
    // The human output says it under the location.
    let human = text(&run(Path::new(ROOT), &["check", "--no-config", "-"], &stream).stdout);
    assert!(
        human.contains("  = chart template: longhorn/templates/"),
        "{human}"
    );
    // Input without the comments has no template field.
    let plain = run(
        Path::new(ROOT),
        &["check", "--no-config", "--format", "json", "-"],
        INSECURE,
    );
    assert!(!text(&plain.stdout).contains("\"template\""));
}

#[test]
fn a_baseline_fails_only_new_findings() {
    let dir = scratch("baseline");
    std::fs::write(dir.join("pod.yaml"), INSECURE).unwrap();
    let w = run(
        &dir,
        &[
            "check",
            "--no-config",
            "--write-baseline",
            "base.json",
            "pod.yaml",
        ],
        "",
    );
    assert_eq!(w.status.code(), Some(0), "{}", text(&w.stderr));
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("base.json")).unwrap()).unwrap();
    let recorded = base["findings"].as_array().unwrap().len();
    assert!(recorded > 3);
    // Nothing new: exit 0, all suppressed.
    let same = run(
        &dir,
        &[
            "check",
            "--no-config",
            "--baseline",
            "base.json",
            "pod.yaml",
        ],
        "",
    );
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stdout));
    assert!(text(&same.stderr).contains(&format!("{recorded} known findings suppressed")));
    // A new finding fails, and only it is reported.
    let worse = INSECURE.replace(
        "image: nginx\n",
        "image: nginx\n    ports: [{containerPort: 80, hostPort: 80}]\n",
    );
    std::fs::write(dir.join("pod.yaml"), &worse).unwrap();
    let o = run(
        &dir,
        &[
            "check",
            "--no-config",
            "--baseline",
            "base.json",
            "--format",
            "json",
            "pod.yaml",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let open: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["host-ports"]);
    // A fixed finding is reported as gone from the baseline.
    let better = INSECURE.replace(
        "securityContext: {privileged: true}",
        "securityContext: {privileged: false}",
    );
    std::fs::write(dir.join("pod.yaml"), better).unwrap();
    let o = run(
        &dir,
        &[
            "check",
            "--no-config",
            "--baseline",
            "base.json",
            "pod.yaml",
        ],
        "",
    );
    let note = text(&o.stderr);
    assert!(
        note.contains("recorded findings are no longer found"),
        "{note}"
    );
    // (NET_RAW is now reported at the missing `drop` instead of at `privileged`: a new id.)
    // A file that is not a baseline is an error with its place.
    std::fs::write(dir.join("bad.json"), "{\"version\": 1, \"findings\": 3}").unwrap();
    let bad = run(
        &dir,
        &["check", "--no-config", "--baseline", "bad.json", "pod.yaml"],
        "",
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("bad.json:1:"),
        "{}",
        text(&bad.stderr)
    );
}

/// The ```yaml blocks of a Markdown file.
fn yaml_blocks(md: &str) -> Vec<&str> {
    md.split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect()
}

#[test]
fn the_documented_ci_files_are_in_the_docs_parse_and_use_real_flags() {
    let ci = std::fs::read_to_string(Path::new(ROOT).join("docs/ci.md")).unwrap();
    let blocks = yaml_blocks(&ci);
    for name in [
        "github-workflow.yml",
        "gitlab-ci.yml",
        "pre-commit-config.yaml",
    ] {
        let file = std::fs::read_to_string(Path::new(ROOT).join("docs/ci").join(name)).unwrap();
        assert!(
            blocks.contains(&file.as_str()),
            "docs/ci.md does not show docs/ci/{name} as it is"
        );
        let stream = kubeharden::yaml::parse_stream(&file, &Default::default());
        assert!(stream.errors.is_empty(), "{name}: {:?}", stream.errors);
        // Each kubeharden command of a run step, run on the repository's test data with
        // its paths replaced: every flag exists and the exit status is 0 or 1, never 2.
        let dir = scratch(&format!("docs-{name}"));
        std::fs::create_dir_all(dir.join("deploy")).unwrap();
        std::fs::copy(
            Path::new(ROOT).join("tests/data/hardened.yaml"),
            dir.join("deploy/app.yaml"),
        )
        .unwrap();
        for line in file.lines() {
            let Some(cmd) = line
                .trim()
                .trim_start_matches("- ")
                .strip_prefix("run: ")
                .or_else(|| line.trim().strip_prefix("- "))
                .filter(|c| c.starts_with("kubeharden "))
            else {
                continue;
            };
            let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
            let o = run(&dir, &args, "");
            assert!(
                matches!(o.status.code(), Some(0 | 1)),
                "{name}: {cmd}: {}",
                text(&o.stderr)
            );
            if let Some(i) = args.iter().position(|a| *a == "--output") {
                assert!(dir.join(args[i + 1]).is_file(), "{name}: {cmd}");
            }
        }
    }
    let github =
        std::fs::read_to_string(Path::new(ROOT).join("docs/ci/github-workflow.yml")).unwrap();
    assert!(github.contains("upload-sarif") && github.contains("--format sarif"));
    let gitlab = std::fs::read_to_string(Path::new(ROOT).join("docs/ci/gitlab-ci.yml")).unwrap();
    assert!(
        gitlab.contains("junit: kubeharden-junit.xml")
            && gitlab.contains("--output kubeharden-junit.xml")
    );
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", text(&o.stderr));
}

#[test]
fn the_pre_commit_hooks_run_on_a_scratch_repository() {
    let Some(pre_commit) = ci_tool("pre-commit") else {
        return;
    };
    let manifest = Command::new(&pre_commit)
        .args([
            "validate-manifest",
            &format!("{ROOT}/.pre-commit-hooks.yaml"),
        ])
        .output()
        .unwrap();
    assert!(manifest.status.success(), "{}", text(&manifest.stdout));
    let dir = scratch("pre-commit");
    let home = dir.join("cache");
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join("deploy")).unwrap();
    std::fs::create_dir_all(repo.join("charts/web/templates")).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["config", "user.email", "test@example.invalid"]);
    git(&repo, &["config", "user.name", "test"]);
    // The hooks' repository: this one's hook file in a git repository of its own (try-repo
    // reads a repository), with the kubeharden under test on PATH.
    let hooks = dir.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::copy(
        format!("{ROOT}/.pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["add", "."]);
    git(
        &hooks,
        &[
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "user.name=t",
            "commit",
            "-qm",
            "hooks",
        ],
    );
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let try_repo = |hook: &str| {
        Command::new(&pre_commit)
            .args(["try-repo", hooks.to_str().unwrap(), hook, "--verbose"])
            .current_dir(&repo)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", &home)
            .env_remove("GIT_DIR")
            .output()
            .unwrap()
    };
    // A clean manifest, a CI file that is not a Kubernetes object, and a chart template
    // the configuration excludes (it is not YAML before rendering): the check passes.
    std::fs::copy(
        format!("{ROOT}/tests/data/hardened.yaml"),
        repo.join("deploy/app.yaml"),
    )
    .unwrap();
    std::fs::write(repo.join("ci.yml"), "stages: [test]\n").unwrap();
    std::fs::write(
        repo.join("charts/web/templates/d.yaml"),
        "metadata:\n  name: {{ .Release.Name }}\n  {{- include \"x\" . }}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join(".kubeharden.yaml"),
        "exclude: [\"charts/*/templates/**\"]\n",
    )
    .unwrap();
    git(&repo, &["add", "."]);
    let ok = try_repo("kubeharden-system");
    assert!(
        ok.status.success(),
        "{}{}",
        text(&ok.stdout),
        text(&ok.stderr)
    );
    // A staged insecure manifest fails the hook, and the output names the finding.
    std::fs::write(repo.join("deploy/bad.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n").unwrap();
    git(&repo, &["add", "."]);
    let failed = try_repo("kubeharden-system");
    let out = text(&failed.stdout);
    assert!(!failed.status.success(), "{out}");
    assert!(
        out.contains("privileged-container") && out.contains("deploy/bad.yaml"),
        "{out}"
    );
    // The fix hook rewrites the staged file with the safe fixes, so the commit stops.
    std::fs::write(repo.join("deploy/bad.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - name: c\n    image: k8s.gcr.io/pause:3.9\n").unwrap();
    git(&repo, &["add", "."]);
    let fixed = try_repo("kubeharden-fix-system");
    assert!(!fixed.status.success());
    let after = std::fs::read_to_string(repo.join("deploy/bad.yaml")).unwrap();
    assert!(
        after.contains("image: registry.k8s.io/pause:3.9"),
        "{after}\n{}",
        text(&fixed.stdout)
    );
}

#[test]
fn the_human_report_gives_a_custom_rules_help() {
    let dir = scratch("human-custom");
    std::fs::write(
        dir.join(".kubeharden.yaml"),
        "custom-rules:\n  - {id: our-registry, title: Our registry, severity: high, area: controls, template: image-registry, params: {allowed: [registry.example.com]}, fix: {guidance: mirror it}, rationale: R, remediation: Mirror the image into registry.example.com., references: [\"https://example.com/\"]}\n",
    )
    .unwrap();
    let o = run(&dir, &["check", "--color", "never", "-"], INSECURE);
    let human = text(&o.stdout);
    assert!(
        human.contains("high our-registry: container \"c\" runs image \"nginx\" from docker.io"),
        "{human}"
    );
    assert!(
        human.contains("  = help: Mirror the image into registry.example.com."),
        "{human}"
    );
}
