//! Editing the compose file rebuilds the crate that includes it: the
//! expansion embeds the file with `include_str!`, which Cargo tracks.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const MAIN: &str = r#"mod stack {
    perry_stack::include_stack!("stack.yaml");
}

fn main() {
    for service in stack::Service::ALL {
        println!("{service}");
    }
}
"#;

const BEFORE: &str = "services:\n  web:\n    image: nginx:alpine\n";

const AFTER: &str = "services:\n  web:\n    image: nginx:alpine\n  api:\n    image: busybox:latest\n";

/// Writes a crate of its own under `<target>/rebuild-on-edit` that depends on the
/// runtime by path and uses the workspace's lock file, so that it builds offline.
fn write_probe_crate(folder: &Path) {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace folder");
    let runtime = workspace.join("runtime");
    let manifest = format!(
        "[package]\nname = \"rebuild-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nperry-stack = {{ path = {runtime:?} }}\n\n[workspace]\n"
    );
    fs::create_dir_all(folder.join("src")).expect("create the probe crate");
    fs::write(folder.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    fs::copy(workspace.join("Cargo.lock"), folder.join("Cargo.lock")).expect("copy Cargo.lock");
    fs::write(folder.join("src/main.rs"), MAIN).expect("write main.rs");
}

/// Builds and runs the probe crate, returning what it printed.
fn run_probe(folder: &Path) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["run", "--offline", "--quiet"])
        .current_dir(folder)
        .env("CARGO_TARGET_DIR", folder.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the probe crate failed to build or run:\n{stderr}");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn yaml_edit_rebuilds_crate() {
    let executable = std::env::current_exe().expect("path of the test executable");
    // The executable is `<target>/<profile>/deps/rebuild_on_edit-<hash>`.
    let target = executable.ancestors().nth(3).expect("target folder");
    let folder: PathBuf = target.join("rebuild-on-edit");
    write_probe_crate(&folder);

    fs::write(folder.join("stack.yaml"), BEFORE).expect("write stack.yaml");
    assert_eq!(run_probe(&folder), "web\n");

    // Cargo compares modification times; a pause keeps them distinct on
    // file systems with one-second resolution.
    std::thread::sleep(std::time::Duration::from_secs(1));
    fs::write(folder.join("stack.yaml"), AFTER).expect("edit stack.yaml");
    assert_eq!(run_probe(&folder), "api\nweb\n");
}
