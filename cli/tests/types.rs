//! `perry-stack types --out DIR` writes the committed declarations.

use std::path::Path;
use std::process::Command;

#[test]
fn types_writes_committed_declarations() {
    let out = std::env::temp_dir().join(format!("perry-stack-cli-{}-types", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);

    let output = Command::new(env!("CARGO_BIN_EXE_perry-stack")).arg("types").arg("--out").arg(&out).output().expect("perry-stack runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("types");
    for module in ["container", "compose", "workloads"] {
        let relative = format!("perry/{module}/index.d.ts");
        let written = std::fs::read_to_string(out.join(&relative)).expect("declaration written");
        let expected = std::fs::read_to_string(committed.join(&relative)).expect("declaration committed");
        assert_eq!(written, expected, "{relative}");
    }
    let _ = std::fs::remove_dir_all(&out);
}
