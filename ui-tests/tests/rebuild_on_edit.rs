//! Editing the compose file rebuilds the crate that includes it: the
//! expansion embeds the file with `include_str!`, which Cargo tracks.

mod support;

use std::fs;

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

/// Builds and runs the probe crate, returning what it printed.
fn run_probe(folder: &std::path::Path) -> String {
    let output = support::cargo(folder, &["run"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the probe crate failed to build or run:\n{stderr}");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn yaml_edit_rebuilds_crate() {
    let folder = support::probe_folder("rebuild-on-edit");
    support::write_probe_crate(&folder, "rebuild-probe", MAIN);

    fs::write(folder.join("stack.yaml"), BEFORE).expect("write stack.yaml");
    assert_eq!(run_probe(&folder), "web\n");

    // Cargo compares modification times; a pause keeps them distinct on
    // file systems with one-second resolution.
    std::thread::sleep(std::time::Duration::from_secs(1));
    fs::write(folder.join("stack.yaml"), AFTER).expect("edit stack.yaml");
    assert_eq!(run_probe(&folder), "api\nweb\n");
}
