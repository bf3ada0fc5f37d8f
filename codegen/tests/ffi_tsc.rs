//! `tsc --strict --noEmit` over the committed declarations, a usage file
//! that calls every function and a misuse file whose errors are expected.
//!
//! TypeScript is installed from npm into `types/node_modules` with `npm ci`
//! from the committed lock file. The test fails, not skips, without node.

use std::path::{Path, PathBuf};
use std::process::Command;

fn types_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("types")
}

fn run(command: &mut Command, what: &str) -> String {
    let output = match command.output() {
        Ok(output) => output,
        Err(error) => panic!("{what} could not start ({error}); install Node.js 18 or later with npm, e.g. `apt-get install nodejs npm`"),
    };
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{what} failed with {}:\n{text}", output.status);
    text
}

#[test]
fn declarations_pass_tsc_strict() {
    let dir = types_dir();
    run(Command::new("node").arg("--version"), "node");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir), "npm ci in types/");

    let tsc = dir.join("node_modules/typescript/bin/tsc");
    run(Command::new("node").arg(&tsc).args(["-p", "tsconfig.json", "--strict", "--noEmit"]).current_dir(&dir), "tsc --strict --noEmit");
}
