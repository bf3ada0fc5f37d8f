//! `perry-stack check` and `perry-stack config` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn perry_stack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perry-stack")).args(args).env_remove("TAG").output().expect("perry-stack runs")
}

/// A fresh folder for one test's compose files, removed when dropped.
struct Folder(PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for Folder {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

fn folder(name: &str) -> Folder {
    let folder = std::env::temp_dir().join(format!("perry-stack-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temporary folder");
    Folder(folder)
}

fn write(folder: &Path, name: &str, source: &str) -> String {
    let path = folder.join(name);
    std::fs::write(&path, source).expect("write compose file");
    path.to_string_lossy().into_owned()
}

#[test]
fn check_valid_file_exits_0() {
    let folder = folder("valid");
    let file = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx\n    expose: [80]\n");
    let output = perry_stack(&["check", &file]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning[unsupported-key]"), "{stderr}");
}

#[test]
fn check_invalid_file_exits_1() {
    let folder = folder("invalid");
    let valid = write(&folder, "valid.yaml", "services:\n  web:\n    image: nginx\n");
    let invalid = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx\n    depends_on: [db]\n");
    let output = perry_stack(&["check", &valid, &invalid]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[undefined-service]: service `web` depends on undefined service `db`"), "{stderr}");
    assert!(stderr.contains(&format!("--> {invalid}:4:18")), "{stderr}");
}

#[test]
fn check_missing_file_exits_2() {
    let folder = folder("missing");
    let missing = folder.join("absent.yaml").to_string_lossy().into_owned();
    let output = perry_stack(&["check", &missing]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("error: cannot read `{missing}`: No such file or directory")), "{stderr}");
}

#[test]
fn config_prints_long_forms() {
    let folder = folder("config");
    let file = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx:${TAG:-latest}\n    ports: [\"8080:80\"]\n    volumes: [./html:/usr/share/nginx/html:ro]\n");
    let output = perry_stack(&["config", &file]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = format!(
        "services:
  web:
    image: nginx:latest
    ports:
      - target: 80
        published: \"8080\"
        protocol: tcp
        mode: ingress
    volumes:
      - type: bind
        source: {}/html
        target: /usr/share/nginx/html
        read_only: true
    networks:
      default: {{}}
networks:
  default: {{}}
",
        folder.display()
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
}

#[test]
fn config_invalid_file_exits_1() {
    let folder = folder("config-invalid");
    let file = write(&folder, "compose.yaml", "services:\n  web:\n    imagee: nginx\n");
    let output = perry_stack(&["config", &file]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
}

#[test]
fn config_merges_files_with_env_file() {
    let folder = folder("config-merge");
    let base = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n    environment: [A=1]\n");
    let overlay = write(&folder, "compose.prod.yaml", "services:\n  web:\n    environment: {B: '2'}\n  debug:\n    image: busybox\n    profiles: [debug]\n");
    let env_file = write(&folder, "prod.env", "TAG=1.25\n");
    let output = perry_stack(&["config", "-f", &base, "-f", &overlay, "--env-file", &env_file]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = "services:
  web:
    image: nginx:1.25
    environment:
      A: \"1\"
      B: \"2\"
    networks:
      default: {}
networks:
  default: {}
";
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);

    let output = perry_stack(&["config", "-f", &base, "-f", &overlay, "--env-file", &env_file, "--profile", "debug"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("  debug:\n    image: busybox\n"), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn check_reports_error_in_second_file() {
    let folder = folder("check-merge");
    let base = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx\n");
    let overlay = write(&folder, "compose.override.yaml", "services:\n  web:\n    depends_on: [db]\n");
    let output = perry_stack(&["check", "-f", &base, "-f", &overlay]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("--> {overlay}:3:18")), "{stderr}");
    assert!(stderr.contains("3 |     depends_on: [db]"), "{stderr}");
}

#[test]
fn schema_prints_committed_file_schema() {
    let output = perry_stack(&["schema"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/compose.schema.json");
    let committed = std::fs::read_to_string(&committed).expect("generated/compose.schema.json is readable");
    assert!(String::from_utf8_lossy(&output.stdout) == committed, "`perry-stack schema` differs from generated/compose.schema.json");
}

#[test]
fn schema_normalized_prints_model_schema() {
    let output = perry_stack(&["schema", "--normalized"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("the output is JSON");
    assert_eq!(printed, perry_stack::schema::compose::model::json_schema());
    let required = &printed["definitions"]["Service"]["required"];
    assert!(required.as_array().is_some_and(|keys| keys.contains(&"networks".into())), "the normalized service requires `networks`: {required}");
}

#[test]
fn schema_help_tells_the_schemas_apart() {
    let output = perry_stack(&["schema", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("as written"), "{help}");
    assert!(help.contains("--normalized"), "{help}");
    assert!(help.contains("`config` prints"), "{help}");
}
