//! The target version's support status (issue 11, "The target version itself"): the data
//! in policies/data/k8s-releases.yaml and what `kubeharden check` says with a fixed
//! `--today`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use kubeharden::support::{release_table, support_in, target_support, Date, DateSource, Status};
use kubeharden::KubeVersion;

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  containers:\n  - {name: c, image: nginx, securityContext: {privileged: true}}\n";

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// Runs the CLI on `stdin` without a configuration file; `env` is added to (or, with
/// `None`, removed from) the environment.
fn kubeharden(args: &[&str], env: Option<&str>, stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubeharden"));
    cmd.arg("check")
        .arg("--no-config")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match env {
        Some(v) => cmd.env("KUBEHARDEN_TODAY", v),
        None => cmd.env_remove("KUBEHARDEN_TODAY"),
    };
    let mut child = cmd.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    match pipe.write_all(stdin.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn target(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    all.push("-");
    let o = kubeharden(&all, None, POD);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["summary"]["target"].clone()
}

#[test]
fn the_table_is_ordered_and_covers_every_minor_from_1_8() {
    let table = release_table().expect("policies/data/k8s-releases.yaml parses");
    let minors: Vec<u32> = table.minors.iter().map(|m| m.minor).collect();
    assert!(
        minors.windows(2).all(|w| w[1] == w[0] + 1),
        "ascending by one: {minors:?}"
    );
    for minor in 8..=KubeVersion::LATEST.minor {
        let m = table
            .minor(minor)
            .unwrap_or_else(|| panic!("1.{minor} is listed (with `unknown` dates if need be)"));
        assert_eq!(m.minor, minor);
        if let (Some(r), Some(e)) = (m.released, m.end_of_life) {
            assert!(r.date < e.date, "1.{minor}: released before its end");
        }
        if let Some(mm) = m.maintenance {
            assert!(
                m.released.is_some_and(|r| r.date < mm.date)
                    && m.end_of_life.is_some_and(|e| mm.date < e.date),
                "1.{minor}: maintenance between release and end"
            );
        }
        if m.released.is_none() || m.end_of_life.is_none() {
            assert!(m.note.is_some(), "1.{minor}: an unknown date says why");
        }
        // A recorded date is not after the snapshot; only the plans of releases.yaml are.
        for x in [m.released, m.maintenance, m.end_of_life]
            .into_iter()
            .flatten()
        {
            assert!(
                x.from.planned() || x.date <= table.source.as_of,
                "1.{minor}: {} after as_of",
                x.date
            );
        }
    }
    let released: Vec<Date> = table
        .minors
        .iter()
        .filter_map(|m| m.released.map(|r| r.date))
        .collect();
    assert!(
        released.windows(2).all(|w| w[0] < w[1]),
        "releases in order"
    );
    // Known from 1.3 to 1.37 (1.37 a plan); what the sources do not give stays unknown.
    for minor in 3..=37 {
        assert!(table.minor(minor).unwrap().released.is_some(), "1.{minor}");
    }
    for minor in [36, 37] {
        assert!(
            table.minor(minor).unwrap().end_of_life.is_none(),
            "1.{minor}: no source gives its end of support"
        );
    }
    assert_eq!(table.source.as_of, d("2026-04-22"));
}

#[test]
fn the_dates_match_their_sources() {
    let table = release_table().unwrap();
    let at = |minor: u32| table.minor(minor).unwrap();
    // (minor, released, end of life, final patch, source of the release date), read from
    // kubernetes/website data/releases/{eol.yaml, schedule.yaml, dates.json, releases.yaml}
    // and the release announcements.
    for (minor, released, eol, last, from) in [
        (
            8,
            "2017-09-29",
            Some("2018-07-12"),
            Some(15),
            DateSource::Dates,
        ),
        (
            12,
            "2018-09-27",
            Some("2019-07-08"),
            Some(10),
            DateSource::Dates,
        ),
        (
            19,
            "2020-08-26",
            Some("2021-10-28"),
            Some(16),
            DateSource::Dates,
        ),
        (
            20,
            "2020-12-08",
            Some("2022-02-28"),
            Some(15),
            DateSource::Blog,
        ),
        (
            22,
            "2021-08-04",
            Some("2022-12-08"),
            Some(17),
            DateSource::Blog,
        ),
        (
            25,
            "2022-08-23",
            Some("2023-10-28"),
            Some(16),
            DateSource::Schedule,
        ),
        (
            27,
            "2023-04-11",
            Some("2024-07-16"),
            Some(16),
            DateSource::Schedule,
        ),
        (
            29,
            "2023-12-13",
            Some("2025-02-28"),
            Some(14),
            DateSource::Schedule,
        ),
        (
            31,
            "2024-08-13",
            Some("2025-11-11"),
            Some(14),
            DateSource::Schedule,
        ),
        (32, "2024-12-11", Some("2026-02-28"), None, DateSource::Blog),
        (33, "2025-04-23", Some("2026-06-28"), None, DateSource::Blog),
        (
            34,
            "2025-08-27",
            Some("2026-10-27"),
            None,
            DateSource::Releases,
        ),
        (
            35,
            "2025-12-17",
            Some("2027-02-28"),
            None,
            DateSource::Releases,
        ),
        (36, "2026-04-22", None, None, DateSource::Blog),
        (37, "2026-08-26", None, None, DateSource::Plan),
    ] {
        let m = at(minor);
        let r = m.released.unwrap();
        assert_eq!((r.date, r.from), (d(released), from), "1.{minor} released");
        assert_eq!(m.end_of_life.map(|e| e.date), eol.map(d), "1.{minor} end");
        assert_eq!(m.final_patch, last, "1.{minor} final patch");
    }
    assert_eq!(at(35).maintenance.unwrap().date, d("2026-12-28"));
    assert!(at(34).end_of_life.unwrap().from.planned());
    assert_eq!(at(31).end_of_life.unwrap().from, DateSource::Eol);
    // endoflife.date's plans for the lines the website's data in reach does not date.
    for (minor, maintenance) in [(32, "2025-12-28"), (33, "2026-04-28")] {
        assert_eq!(at(minor).maintenance.unwrap().date, d(maintenance));
        assert_eq!(at(minor).end_of_life.unwrap().from, DateSource::Endoflife);
        assert!(at(minor).end_of_life.unwrap().from.planned());
    }
    assert!(at(37).released.unwrap().from.planned());
}

#[test]
fn the_status_is_judged_on_the_day_given() {
    let table = release_table().unwrap();
    let s = |v: &str, today: &str| support_in(table, v.parse().unwrap(), d(today));
    // The day after the end is the first day past it.
    assert_eq!(s("1.29", "2025-02-28").status, Status::Maintenance);
    assert_eq!(s("1.29", "2025-03-01").status, Status::EndOfLife);
    assert_eq!(s("1.29", "2024-12-27").status, Status::Supported);
    assert_eq!(s("1.29", "2024-12-28").status, Status::Maintenance);
    assert_eq!(s("1.29", "2023-12-12").status, Status::NotReleased);
    // The support status is the line's, whatever the patch.
    let (p, line) = (s("1.29.3", "2026-12-01"), s("1.29", "2026-12-01"));
    assert_eq!((p.status, p.note()), (line.status, line.note()));
    assert_eq!(
        target_support(KubeVersion::new(29), d("2026-12-01"))
            .unwrap()
            .supported(),
        Some(false)
    );
}

#[test]
fn json_carries_summary_target_for_each_status() {
    let t = target(&["--kube-version", "1.25.3", "--today", "2026-12-01"]);
    assert_eq!(t["version"], "v1.25");
    assert_eq!(t["released"], "2022-08-23");
    assert_eq!(t["maintenance"], "2023-08-28");
    assert_eq!(t["end_of_life"], "2023-10-28");
    assert_eq!(t["end_of_life_planned"], false);
    assert_eq!(t["final_patch"], "v1.25.16");
    assert_eq!(t["today"], "2026-12-01");
    assert_eq!(t["supported"], false);
    assert_eq!(t["status"], "end-of-life");
    assert_eq!(t["data_as_of"], "2026-04-22");
    let note = t["note"].as_str().unwrap();
    assert!(
        note.contains("reached its end of support on 2023-10-28 (1130 days before 2026-12-01)"),
        "{note}"
    );
    assert!(t["data_note"].as_str().unwrap().contains("CVE-2023-5528"));

    let t = target(&["--kube-version", "1.35", "--today", "2026-12-01"]);
    assert_eq!(
        (&t["status"], &t["supported"]),
        (&"supported".into(), &true.into())
    );
    assert_eq!(t["note"], "v1.35 is supported until 2027-02-28 (planned)");
    let t = target(&["--kube-version", "1.34", "--today", "2026-12-01"]);
    assert_eq!(t["status"], "end-of-life");
    assert_eq!(t["end_of_life_planned"], true);
    assert_eq!(t["final_patch"], serde_json::Value::Null);
    let t = target(&["--kube-version", "1.33", "--today", "2026-12-01"]);
    assert_eq!(t["end_of_life"], "2026-06-28");
    assert_eq!(t["end_of_life_planned"], true);
    assert_eq!(t["status"], "end-of-life");
    let t = target(&["--kube-version", "1.36", "--today", "2026-12-01"]);
    assert_eq!(t["end_of_life"], "unknown");
    assert_eq!(t["maintenance"], "unknown");
    assert_eq!(t["supported"], serde_json::Value::Null);
    assert_eq!(t["status"], "unknown");
    // The default target, the newest version kubeharden knows: released as planned.
    let t = target(&["--today", "2026-12-01"]);
    assert_eq!(t["version"], "v1.37");
    assert_eq!(t["released"], "2026-08-26");
    assert_eq!(t["status"], "unknown");
    let t = target(&["--today", "2026-08-01"]);
    assert_eq!(t["status"], "not-released");
    let t = target(&["--kube-version", "1.25", "--today", "2023-09-01"]);
    assert_eq!(
        (&t["status"], &t["supported"]),
        (&"maintenance".into(), &true.into())
    );
}

#[test]
fn the_human_output_says_it_once_per_run_and_only_when_worth_saying() {
    let dir = std::env::temp_dir().join(format!("kubeharden-target-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.yaml"), dir.join("b.yaml"));
    std::fs::write(&a, POD).unwrap();
    std::fs::write(&b, POD.replace("name: p,", "name: q,")).unwrap();
    let files = [a.to_str().unwrap(), b.to_str().unwrap()];
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&files);
        let o = kubeharden(&all, None, "");
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        text(&o.stdout)
    };
    let out = run(&[
        "--color",
        "never",
        "--kube-version",
        "1.25",
        "--today",
        "2026-12-01",
    ]);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("target v1.")).collect();
    assert_eq!(
        lines,
        ["warning: target v1.25 reached its end of support on 2023-10-28 (1130 days before 2026-12-01); its last patch release is v1.25.16: it gets no more fixes, security fixes included; upgrade to a supported minor version (https://kubernetes.io/releases/)"],
        "{out}"
    );
    assert!(
        out.trim_end().ends_with(lines[0]),
        "after the summary line: {out}"
    );
    let out = run(&[
        "--color",
        "never",
        "--kube-version",
        "1.35",
        "--today",
        "2026-12-01",
    ]);
    assert!(
        !out.contains("target v1."),
        "supported: nothing to say: {out}"
    );
    let out = run(&[
        "--color",
        "never",
        "--kube-version",
        "1.35",
        "--today",
        "2027-01-05",
    ]);
    assert!(
        out.contains("note: target v1.35 is in maintenance mode since 2026-12-28 (planned): only critical and security fixes until its end of support on 2027-02-28 (planned)"),
        "{out}"
    );
    let out = run(&[
        "--color",
        "never",
        "--kube-version",
        "1.36",
        "--today",
        "2027-05-01",
    ]);
    assert!(
        out.contains("note: target v1.36 was released on 2026-04-22; its end of support is not in kubeharden's data (as of 2026-04-22)"),
        "{out}"
    );
    let out = run(&[
        "--color",
        "never",
        "--kube-version",
        "1.36",
        "--today",
        "2026-12-01",
    ]);
    assert!(
        !out.contains("target v1."),
        "a young line of unknown end: {out}"
    );
    let out = run(&["--color", "never", "--today", "2026-12-01"]);
    assert!(!out.contains("target v1."), "the default target: {out}");
    let out = run(&[
        "--color",
        "always",
        "--kube-version",
        "1.25",
        "--today",
        "2026-12-01",
    ]);
    assert!(
        out.contains("\x1b[1;33mwarning\x1b[0m: target v1.25"),
        "{out}"
    );
    // JUnit is unchanged; the terminal still gets the line with --output.
    let report = dir.join("report.xml");
    let out = run(&[
        "--format",
        "junit",
        "--output",
        report.to_str().unwrap(),
        "--color",
        "never",
        "--kube-version",
        "1.25",
        "--today",
        "2026-12-01",
    ]);
    assert!(out.contains("warning: target v1.25"), "{out}");
    assert!(!std::fs::read_to_string(&report)
        .unwrap()
        .contains("end of support"));
    // SARIF: one tool execution notification of the invocation, none while supported.
    let notes = |version: &str| {
        let o = kubeharden(
            &[
                "--format",
                "sarif",
                "--kube-version",
                version,
                "--today",
                "2026-12-01",
                files[0],
            ],
            None,
            "",
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .clone()
    };
    let n = notes("1.25");
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0]["level"], "warning");
    assert_eq!(n[0]["descriptor"]["id"], "target-version-support");
    assert!(n[0]["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("v1.25 reached its end of support"));
    assert_eq!(notes("1.33")[0]["level"], "warning");
    assert!(notes("1.35").is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn today_comes_from_the_flag_the_environment_or_the_clock() {
    let args = ["--format", "json", "--kube-version", "1.25", "-"];
    let today = |o: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["summary"]["target"]["today"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        today(&kubeharden(&args, Some("2024-01-02"), POD)),
        "2024-01-02"
    );
    let mut flag = vec!["--today", "2025-03-04"];
    flag.extend_from_slice(&args);
    assert_eq!(
        today(&kubeharden(&flag, Some("2024-01-02"), POD)),
        "2025-03-04",
        "the flag wins"
    );
    let day = || {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        Date::from_unix_days((secs / 86_400) as i64).unwrap()
    };
    let before = day();
    let clock: Date = today(&kubeharden(&args, None, POD)).parse().unwrap();
    assert!(
        before <= clock && clock <= day(),
        "the system date in UTC: {clock}, not {before}"
    );

    let o = kubeharden(&args, Some("01/02/2024"), POD);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("KUBEHARDEN_TODAY: invalid date \"01/02/2024\": expected YYYY-MM-DD"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    let o = kubeharden(&["--today", "2025-02-29", "-"], None, POD);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("invalid value '2025-02-29' for '--today <YYYY-MM-DD>'")
            && err.contains("which has 28 days"),
        "{err}"
    );
}
