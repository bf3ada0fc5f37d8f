//! Small crates of their own that a test builds with cargo, depending on the
//! runtime by path and using the workspace's lock file, so that they build
//! offline. They share one target folder, so only the first build compiles
//! the dependencies.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace folder")
}

/// Returns `<target>/probes/<name>`, beside the target folder of the test.
pub fn probe_folder(name: &str) -> PathBuf {
    let executable = std::env::current_exe().expect("path of the test executable");
    // The executable is `<target>/<profile>/deps/<test>-<hash>`.
    let target = executable.ancestors().nth(3).expect("target folder");
    target.join("probes").join(name)
}

/// Writes a binary crate named `name` with `main` as its `src/main.rs`.
pub fn write_probe_crate(folder: &Path, name: &str, main: &str) {
    let runtime = workspace().join("runtime");
    let manifest = format!(
        "[package]\nname = {name:?}\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nperry-stack = {{ path = {runtime:?} }}\n\n[workspace]\n"
    );
    fs::create_dir_all(folder.join("src")).expect("create the probe crate");
    fs::write(folder.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    fs::copy(workspace().join("Cargo.lock"), folder.join("Cargo.lock")).expect("copy Cargo.lock");
    fs::write(folder.join("src/main.rs"), main).expect("write main.rs");
}

/// Runs `cargo ARGS --offline --quiet` in the probe crate.
pub fn cargo(folder: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let shared_target = folder.parent().expect("probes folder").join("target");
    Command::new(cargo)
        .args(args)
        .args(["--offline", "--quiet"])
        .current_dir(folder)
        .env("CARGO_TARGET_DIR", shared_target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo")
}
