//! The corpus of real compose files that several test files read.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Returns the corpus folder beside the repository, with `awesome-compose` in it.
pub fn corpus() -> PathBuf {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    assert!(
        folder.join("awesome-compose").is_dir(),
        "the compose corpus was expected at {} (a folder `awesome-compose` with one compose file per sample)",
        folder.display()
    );
    folder
}

/// Lists every `compose.yaml`, `compose.yml`, `docker-compose.yaml` and
/// `docker-compose.yml` under `folder` (and other names starting so), sorted.
pub fn compose_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("corpus folder is readable") {
            let path = entry.expect("corpus entry is readable").path();
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_owned();
            if path.is_dir() {
                pending.push(path);
            } else if (name.starts_with("compose") || name.starts_with("docker-compose")) && (name.ends_with(".yaml") || name.ends_with(".yml")) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
