//! What the API server, the controllers and the kubelet do with an object, where no rule
//! of the catalogue says it (a rule finds what is insecure; these find what does not
//! run at all): the checks every lesson applies, whatever its conditions.
//!
//! - [`rejections`]: validation the API server applies to a pod spec or an Ingress
//!   (k8s.io/kubernetes pkg/apis/core/validation/validation.go, pkg/apis/networking/
//!   validation/validation.go), beyond the types the `invalid-field-type` rule checks.
//! - [`not_running`]: a workload that is accepted but runs nothing, or runs somewhere
//!   else than it did: scaled to zero, suspended, paused, moved to other nodes or another
//!   OS, or with an image reference the kubelet cannot pull (`InvalidImageName`).

use serde_json::Value as Json;

use super::check::pod_specs;

/// The rules whose findings mean the API server rejects the manifest (a repeated key, a
/// field of the wrong type or of no type, an object defined twice): a lesson fails on
/// them whatever its `no_new_findings` threshold.
pub const REJECTED_BY_API_SERVER: [&str; 4] = [
    "duplicate-key",
    "duplicate-object",
    "invalid-field-type",
    "unknown-field",
];

/// The containers of a pod spec, of every kind, with where they are (`containers[0]`).
fn containers(spec: &Json) -> Vec<(String, &Json)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(|key| {
            spec.get(key)
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, c)| (format!("{key}[{i}]"), c))
        })
        .collect()
}

fn name_of(c: &Json) -> String {
    c.get("name")
        .and_then(Json::as_str)
        .map_or_else(|| "(unnamed)".to_string(), |n| format!("{n:?}"))
}

/// `IsValidUserID` / `IsValidGroupID` (k8s.io/apimachinery pkg/util/validation): 0 to
/// 2147483647 (`math.MaxInt32`). A value that is not a whole number is the type rule's.
fn id_out_of_range(v: &Json) -> bool {
    match v {
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => !(0..=i64::from(i32::MAX)).contains(&i),
            (None, Some(_)) => true,
            (None, None) => false,
        },
        _ => false,
    }
}

// The pod-level and container-level `securityContext` fields the API server refuses on a
// pod with `spec.os.name: windows` (`validateWindows`): the lists of the fixer's validity
// check (`crate::fix::valid`), not a copy of them.
use crate::fix::valid::{
    WINDOWS_FORBIDDEN_CONTAINER_FIELDS as WINDOWS_FORBIDS_ON_CONTAINER,
    WINDOWS_FORBIDDEN_POD_FIELDS as WINDOWS_FORBIDS_ON_POD,
};

/// Why the API server would reject this object, one line each (empty: nothing found).
pub fn rejections(kind: &str, api_version: Option<&str>, json: &Json) -> Vec<String> {
    let mut out = Vec::new();
    for spec in pod_specs(json) {
        let pod_sc = spec.get("securityContext");
        for key in ["runAsUser", "runAsGroup", "fsGroup"] {
            if let Some(v) = pod_sc
                .and_then(|s| s.get(key))
                .filter(|v| id_out_of_range(v))
            {
                out.push(format!(
                    "the pod's securityContext.{key} is {v}: the API server accepts 0 to 2147483647"
                ));
            }
        }
        for v in pod_sc
            .and_then(|s| s.get("supplementalGroups"))
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter(|v| id_out_of_range(v))
        {
            out.push(format!(
                "the pod's securityContext.supplementalGroups holds {v}: the API server accepts 0 to 2147483647"
            ));
        }
        for (_, c) in containers(spec) {
            let sc = c.get("securityContext");
            for key in ["runAsUser", "runAsGroup"] {
                if let Some(v) = sc.and_then(|s| s.get(key)).filter(|v| id_out_of_range(v)) {
                    out.push(format!(
                        "container {}: securityContext.{key} is {v}: the API server accepts 0 to 2147483647",
                        name_of(c)
                    ));
                }
            }
        }
        let os = spec
            .get("os")
            .and_then(|o| o.get("name"))
            .filter(|v| !v.is_null());
        match os.map(|v| v.as_str()) {
            None => {}
            Some(Some("linux")) => {
                let set = |sc: Option<&Json>| sc.and_then(|s| s.get("windowsOptions")).is_some();
                if set(pod_sc)
                    || containers(spec)
                        .iter()
                        .any(|(_, c)| set(c.get("securityContext")))
                {
                    out.push("spec.os.name is linux: the API server refuses windowsOptions".into());
                }
            }
            Some(Some("windows")) => {
                for key in WINDOWS_FORBIDS_ON_POD {
                    if pod_sc
                        .and_then(|s| s.get(key))
                        .is_some_and(|v| !v.is_null())
                    {
                        out.push(format!(
                            "spec.os.name is windows: the API server refuses the pod's securityContext.{key} on a Windows pod"
                        ));
                    }
                }
                if spec.get("hostUsers").is_some_and(|v| !v.is_null()) {
                    out.push("spec.os.name is windows: the API server refuses hostUsers on a Windows pod".into());
                }
                for (_, c) in containers(spec) {
                    for key in WINDOWS_FORBIDS_ON_CONTAINER {
                        if c.get("securityContext")
                            .and_then(|s| s.get(key))
                            .is_some_and(|v| !v.is_null())
                        {
                            out.push(format!(
                                "spec.os.name is windows: the API server refuses securityContext.{key} of container {} on a Windows pod",
                                name_of(c)
                            ));
                        }
                    }
                }
            }
            Some(_) => out.push(format!(
                "spec.os.name is {}: the API server accepts linux or windows",
                os.map(Json::to_string).unwrap_or_default()
            )),
        }
    }
    // networking.k8s.io/v1 requires a pathType (v1beta1 defaulted it): "pathType must be
    // specified"; the supported values are Exact, Prefix and ImplementationSpecific.
    if kind == "Ingress" && api_version == Some("networking.k8s.io/v1") {
        let rules = json
            .pointer("/spec/rules")
            .and_then(Json::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (r, rule) in rules.iter().enumerate() {
            let paths = rule
                .pointer("/http/paths")
                .and_then(Json::as_array)
                .map_or(&[][..], Vec::as_slice);
            for (p, path) in paths.iter().enumerate() {
                let at = format!("spec.rules[{r}].http.paths[{p}].pathType");
                match path.get("pathType").filter(|v| !v.is_null()) {
                    None => out.push(format!(
                        "{at}: networking.k8s.io/v1 requires it (Required value: pathType must be specified)"
                    )),
                    Some(Json::String(t))
                        if ["Exact", "Prefix", "ImplementationSpecific"].contains(&t.as_str()) => {}
                    Some(v) => out.push(format!(
                        "{at} is {v}: the API server accepts Exact, Prefix or ImplementationSpecific"
                    )),
                }
            }
        }
    }
    out
}

/// Why an image reference is not one the kubelet can pull: the grammar of
/// distribution/reference (lower-case repository path components, a tag of at most 128
/// word characters, dots and dashes, and a digest `algorithm:hex` where a `sha256` digest
/// is 64 lower-case hex digits, as the OCI image spec requires). `None`: it parses.
fn bad_image(image: &str) -> Option<String> {
    if image.is_empty() {
        return Some("the image is empty".into());
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        let Some((alg, hex)) = d.split_once(':') else {
            return Some(format!("digest {d:?} is not algorithm:hex"));
        };
        let sha256 = alg == "sha256";
        let ok = if sha256 {
            hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        } else {
            !alg.is_empty()
                && hex.len() >= 32
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b))
        };
        if !ok {
            return Some(format!(
                "digest {d:?} is not {}",
                if sha256 {
                    "sha256: and 64 lower-case hex digits"
                } else {
                    "algorithm:hex"
                }
            ));
        }
    }
    let (path, tag) = match name.rfind(':') {
        Some(i) if !name[i..].contains('/') => (&name[..i], Some(&name[i + 1..])),
        _ => (name, None),
    };
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && !t.starts_with(['.', '-'])
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !ok {
            return Some(format!("tag {t:?} is not a valid tag"));
        }
    }
    let mut parts = path.split('/').collect::<Vec<_>>();
    if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
        parts.remove(0);
    }
    for part in parts {
        let ok = !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
            && part.starts_with(|c: char| c.is_ascii_alphanumeric())
            && part.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !ok {
            return Some(format!(
                "repository path component {part:?} is not lower-case letters, digits and separators"
            ));
        }
    }
    None
}

/// The pod spec fields that decide which nodes, and which OS, the pods may run on.
const PLACEMENT: [&str; 3] = ["/nodeSelector", "/nodeName", "/os"];

fn number_at(json: &Json, pointer: &str) -> Option<i64> {
    json.pointer(pointer).and_then(Json::as_i64)
}

/// Why a workload of the learner's files runs nothing, or not where it ran (`start`:
/// the object in the starting files), one line each (empty: it runs). The lesson's
/// workload must keep running: scaling it to zero is not securing it.
pub fn not_running(kind: &str, json: &Json, start: Option<&Json>) -> Vec<String> {
    let mut out = Vec::new();
    let scaled = [
        "Deployment",
        "StatefulSet",
        "ReplicaSet",
        "ReplicationController",
    ];
    if scaled.contains(&kind) && number_at(json, "/spec/replicas") == Some(0) {
        out.push("spec.replicas is 0: it runs no pod".into());
    }
    // A paused Deployment creates no ReplicaSet for its template (the deployment
    // controller syncs a paused Deployment without creating one).
    if kind == "Deployment" && json.pointer("/spec/paused") == Some(&Json::Bool(true)) {
        out.push("spec.paused is true: the new template is never rolled out".into());
    }
    let job_spec = match kind {
        "Job" => Some(("spec", json.get("spec"))),
        "CronJob" => {
            if json.pointer("/spec/suspend") == Some(&Json::Bool(true)) {
                out.push("spec.suspend is true: it schedules no Job".into());
            }
            Some((
                "spec.jobTemplate.spec",
                json.pointer("/spec/jobTemplate/spec"),
            ))
        }
        _ => None,
    };
    if let Some((at, Some(spec))) = job_spec {
        if spec.get("suspend") == Some(&Json::Bool(true)) {
            out.push(format!("{at}.suspend is true: its Jobs start no pod"));
        }
        for key in ["parallelism", "completions"] {
            if spec.get(key).and_then(Json::as_i64) == Some(0) {
                out.push(format!("{at}.{key} is 0: its Jobs run no pod"));
            }
        }
    }
    let specs = pod_specs(json);
    for spec in &specs {
        for (_, c) in containers(spec) {
            let image = c.get("image").and_then(Json::as_str).unwrap_or("");
            if let Some(why) = bad_image(image) {
                out.push(format!(
                    "container {}: image {image:?} cannot be pulled ({why}: InvalidImageName)",
                    name_of(c)
                ));
            }
        }
    }
    if let Some(start) = start {
        let before = pod_specs(start);
        for (spec, was) in specs.iter().zip(&before) {
            let mut fields: Vec<(String, Option<&Json>, Option<&Json>)> = PLACEMENT
                .iter()
                .map(|p| (p[1..].to_string(), spec.pointer(p), was.pointer(p)))
                .collect();
            fields.push((
                "affinity.nodeAffinity".into(),
                spec.pointer("/affinity/nodeAffinity"),
                was.pointer("/affinity/nodeAffinity"),
            ));
            for (field, now, then) in fields {
                let now = now.filter(|v| !v.is_null());
                let then = then.filter(|v| !v.is_null());
                if now != then {
                    let show =
                        |v: Option<&Json>| v.map_or_else(|| "not set".into(), Json::to_string);
                    out.push(format!(
                        "the pods' {field} changed from {} to {}: they must run on the nodes they ran on",
                        show(then),
                        show(now)
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{bad_image, not_running, rejections};
    use serde_json::json;

    #[test]
    fn images_the_kubelet_cannot_pull() {
        let hex = "2140dad235c130ac861018a4e13a6bc8aea3a35f3a40e20c1b060d51a7efd250";
        for ok in [
            "nginx".to_string(),
            "nginx:1.27.2".into(),
            format!("nginx:1.27.2@sha256:{hex}"),
            format!("docker.io/library/nginx@sha256:{hex}"),
            "localhost:5000/team/app:1".into(),
            "registry.k8s.io/pause:3.10".into(),
            "My.Registry.example.com/app:v1".into(),
        ] {
            assert_eq!(bad_image(&ok), None, "{ok}");
        }
        for bad in [
            format!("nginx:1.27.2@sha256:{}", hex.to_uppercase()),
            format!("nginx@sha256:{}", &hex[1..]),
            "nginx@sha256".into(),
            "Nginx:1.27".into(),
            "nginx:".into(),
            "nginx:-x".into(),
            String::new(),
        ] {
            assert!(bad_image(&bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn ids_out_of_range_windows_fields_and_path_types_are_rejected() {
        let pod = |sc: serde_json::Value, c: serde_json::Value| json!({"spec": {"securityContext": sc, "containers": [c]}});
        let c = json!({"name": "a"});
        assert!(rejections(
            "Pod",
            Some("v1"),
            &pod(json!({"runAsUser": 1000}), c.clone())
        )
        .is_empty());
        assert!(rejections(
            "Pod",
            Some("v1"),
            &pod(json!({"runAsUser": 2147483647}), c.clone())
        )
        .is_empty());
        for bad in [
            json!(-5),
            json!(4294967296_u64),
            json!(2147483648_u64),
            json!(u64::MAX),
        ] {
            assert_eq!(
                rejections(
                    "Pod",
                    Some("v1"),
                    &pod(json!({"runAsUser": bad}), c.clone())
                )
                .len(),
                1
            );
            let own = json!({"name": "a", "securityContext": {"runAsGroup": bad}});
            assert_eq!(rejections("Pod", Some("v1"), &pod(json!({}), own)).len(), 1);
        }
        let windows = json!({"spec": {"os": {"name": "windows"}, "securityContext": {"runAsUser": 1000},
            "containers": [{"name": "a", "securityContext": {"readOnlyRootFilesystem": true}}]}});
        assert_eq!(rejections("Pod", Some("v1"), &windows).len(), 2);
        let plain_windows =
            json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}});
        assert!(rejections("Pod", Some("v1"), &plain_windows).is_empty());
        let ingress =
            |path: serde_json::Value| json!({"spec": {"rules": [{"http": {"paths": [path]}}]}});
        let v1 = Some("networking.k8s.io/v1");
        assert!(rejections(
            "Ingress",
            v1,
            &ingress(json!({"path": "/", "pathType": "Prefix"}))
        )
        .is_empty());
        assert_eq!(
            rejections("Ingress", v1, &ingress(json!({"path": "/"}))).len(),
            1
        );
        assert_eq!(
            rejections(
                "Ingress",
                v1,
                &ingress(json!({"path": "/", "pathType": "Regex"}))
            )
            .len(),
            1
        );
        assert!(rejections(
            "Ingress",
            Some("extensions/v1beta1"),
            &ingress(json!({"path": "/"}))
        )
        .is_empty());
    }

    #[test]
    fn workloads_that_run_nothing_or_elsewhere() {
        let t = |spec: serde_json::Value| json!({"spec": spec});
        let tpl = json!({"spec": {"containers": [{"name": "a", "image": "nginx"}]}});
        let deploy = t(json!({"replicas": 2, "template": tpl}));
        assert!(not_running("Deployment", &deploy, Some(&deploy)).is_empty());
        let zero = t(json!({"replicas": 0, "template": tpl}));
        assert_eq!(not_running("Deployment", &zero, Some(&deploy)).len(), 1);
        let paused = t(json!({"paused": true, "template": tpl}));
        assert_eq!(not_running("Deployment", &paused, None).len(), 1);
        let cron = |job: serde_json::Value| t(json!({"jobTemplate": {"spec": job}}));
        let job = json!({"template": tpl});
        assert!(not_running("CronJob", &cron(job.clone()), None).is_empty());
        for bad in [
            json!({"suspend": true}),
            json!({"parallelism": 0}),
            json!({"completions": 0}),
        ] {
            let mut j = job.clone();
            j.as_object_mut()
                .unwrap()
                .extend(bad.as_object().unwrap().clone());
            assert_eq!(
                not_running("CronJob", &cron(j.clone()), None).len(),
                1,
                "{j}"
            );
            assert_eq!(not_running("Job", &t(j), None).len(), 1);
        }
        let nowhere = t(
            json!({"template": {"spec": {"nodeSelector": {"nowhere": "true"},
            "containers": [{"name": "a", "image": "nginx"}]}}}),
        );
        let ds = t(json!({"template": tpl}));
        assert_eq!(not_running("DaemonSet", &nowhere, Some(&ds)).len(), 1);
        assert!(not_running("DaemonSet", &nowhere, Some(&nowhere)).is_empty());
    }
}
