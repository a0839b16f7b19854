#!/usr/bin/env python3
"""Extract the API server's prerelease-lifecycle data from git directories of kubernetes/api,
kubernetes/kube-aggregator and kubernetes/apiextensions-apiserver.

Each `zz_generated.prerelease-lifecycle.go` is generated from the
`+k8s:prerelease-lifecycle-gen:{introduced,deprecated,removed,replacement}` tags of its package's
types.go; the API server stops serving a type at its APILifecycleRemoved() release
(k8s.io/apiserver/pkg/server/deleted_kinds.go). Every `release-1.N` branch and `master` is read;
the newest branch that still has a type gives its values (groups deleted from k8s.io/api, such as
autoscaling/v2beta1, come from their last branch).

Usage: scripts/prerelease-lifecycle.py API_GIT_DIR [MORE_GIT_DIRS...] > tests/data/prerelease-lifecycle.json
"""
import json
import re
import subprocess
import sys

FUNC = re.compile(r"func \(in \*(\w+)\) APILifecycle(\w+)\(\) [^{]*\{\s*return ([^\n]+)\n")
# Not resources a manifest creates: subresources, review payloads, options.
SKIP = {"Scale", "DeploymentRollback", "Eviction", "AdmissionReview", "JobTemplate",
        "ConversionReview", "ImageReview", "TokenRequest", "PodStatusResult",
        "SerializedReference", "RangeAllocation", "APIGroupDiscovery"}


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", repo, *args], capture_output=True,
                          text=True, check=False).stdout


def branches(repo):
    names = git(repo, "branch", "--format=%(refname:short)").split()
    rel = sorted((b for b in names if b.startswith("release-1.")), key=lambda b: int(b.split(".")[1]))
    return rel + ["master"]


def main():
    out = {}
    heads = {}
    for repo in sys.argv[1:]:
        heads[repo.split("/")[-2].replace("+", "/")] = git(repo, "rev-parse", "master").strip()
        for b in branches(repo):
            files = [f for f in git(repo, "ls-tree", "-r", "--name-only", b).split()
                     if f.endswith("zz_generated.prerelease-lifecycle.go")]
            for f in files:
                parts = f.split("/")
                version = parts[-2]
                doc = git(repo, "show", f"{b}:{'/'.join(parts[:-1])}/doc.go")
                m = re.search(r"\+groupName=([\w.\-]*)", doc)
                group = m.group(1) if m else parts[-3]
                types = {}
                for fm in FUNC.finditer(git(repo, "show", f"{b}:{f}")):
                    name, what, ret = fm.groups()
                    entry = types.setdefault(name, {})
                    if what == "Replacement":
                        g = re.search(r'Group: "([^"]*)", Version: "([^"]*)", Kind: "([^"]*)"', ret)
                        if g:
                            gv = f"{g.group(1)}/{g.group(2)}" if g.group(1) else g.group(2)
                            entry["replacement"] = f"{gv} {g.group(3)}"
                    else:
                        mm = re.match(r"(\d+), (\d+)", ret)
                        entry[what.lower()] = f"{mm.group(1)}.{mm.group(2)}"
                for name, entry in types.items():
                    if name.endswith("List") or name.endswith("Options") or name in SKIP:
                        continue
                    gv = f"{group}/{version}" if group else version
                    entry["branch"] = b
                    out[f"{gv} {name}"] = entry
    json.dump({"source": "k8s:prerelease-lifecycle-gen output (zz_generated.prerelease-lifecycle.go), "
                         "newest release-1.N branch or master that has the type",
               "heads": heads, "types": out}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
