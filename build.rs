//! Embeds every `policies/*.yaml` rule file into the library, so the catalogue needs no
//! filesystem at run time (the same binary data serves the CLI and the browser).

use std::fmt::Write;
use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=policies");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("policies");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("policies/ folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut out = String::from("pub static POLICY_FILES: &[(&str, &str)] = &[\n");
    for name in &names {
        println!("cargo:rerun-if-changed=policies/{name}");
        let path = dir.join(name);
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("policies.rs"),
        out,
    )
    .unwrap();
}
