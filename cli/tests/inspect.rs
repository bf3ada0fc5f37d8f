//! `perry-stack check` and `perry-stack config` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn perry_stack(args: &[&str]) -> Output {
    perry_stack_with(args, &[])
}

/// Runs the binary with `variables` set and no TAG or COMPOSE_PROJECT_NAME
/// from the environment of the test run.
fn perry_stack_with(args: &[&str], variables: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_perry-stack"));
    command.args(args).env_remove("TAG").env_remove("COMPOSE_PROJECT_NAME");
    for (name, value) in variables {
        command.env(name, value);
    }
    command.output().expect("perry-stack runs")
}

/// Returns the top-level `name` that `config` printed, if any.
fn printed_name(output: &Output) -> Option<String> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout.lines().find_map(|line| line.strip_prefix("name: ")).map(str::to_owned)
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
    let file = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx\n    domainname: example.com\n");
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
        "name: {}
services:
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
        bind:
          create_host_path: true
    networks:
      default: {{}}
networks:
  default: {{}}
",
        folder.file_name().unwrap().to_string_lossy(),
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
    let base = write(&folder, "compose.yaml", "name: from-file\nservices:\n  web:\n    image: nginx:${TAG}\n    environment: [A=1]\n");
    let overlay = write(&folder, "compose.prod.yaml", "services:\n  web:\n    environment: {B: '2'}\n  debug:\n    image: busybox\n    profiles: [debug]\n");
    let env_file = write(&folder, "prod.env", "TAG=1.25\n");
    let output = perry_stack(&["config", "-f", &base, "-f", &overlay, "--env-file", &env_file]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = "name: from-file
services:
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

#[test]
fn config_name_precedence() {
    let folder = folder("config-name");
    let named = write(&folder, "compose.yaml", "name: from-file\nservices:\n  web:\n    image: nginx\n");
    let unnamed = write(&folder, "unnamed.yaml", "services:\n  web:\n    image: nginx\n");

    let from_option = perry_stack_with(&["-p", "from-option", "config", &named], &[("COMPOSE_PROJECT_NAME", "from-process")]);
    assert_eq!(printed_name(&from_option).as_deref(), Some("from-option"));
    let from_process = perry_stack_with(&["config", &named], &[("COMPOSE_PROJECT_NAME", "from-process")]);
    assert_eq!(printed_name(&from_process).as_deref(), Some("from-process"));
    assert_eq!(printed_name(&perry_stack(&["config", &named])).as_deref(), Some("from-file"));

    let from_folder = perry_stack(&["config", &unnamed]);
    assert_eq!(from_folder.status.code(), Some(0), "{}", String::from_utf8_lossy(&from_folder.stderr));
    let folder_name = folder.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(printed_name(&from_folder), Some(folder_name));
}

#[test]
fn config_name_from_dotenv() {
    let folder = folder("config-name-dotenv");
    let file = write(&folder, "compose.yaml", "name: from-file\nservices:\n  web:\n    image: nginx\n");
    write(&folder, ".env", "COMPOSE_PROJECT_NAME=from-dotenv\n");

    let output = perry_stack(&["config", &file]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(printed_name(&output).as_deref(), Some("from-dotenv"));

    let process_wins = perry_stack_with(&["config", &file], &[("COMPOSE_PROJECT_NAME", "from-process")]);
    assert_eq!(printed_name(&process_wins).as_deref(), Some("from-process"));
    let option_wins = perry_stack(&["-p", "from-option", "config", &file]);
    assert_eq!(printed_name(&option_wins).as_deref(), Some("from-option"));
}

#[test]
fn config_name_from_env_file_option() {
    let folder = folder("config-name-env-file");
    let file = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx\n");
    write(&folder, ".env", "COMPOSE_PROJECT_NAME=from-dotenv\n");
    let env_file = write(&folder, "prod.env", "COMPOSE_PROJECT_NAME=from-env-file\n");

    let output = perry_stack(&["config", "--env-file", &env_file, &file]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(printed_name(&output).as_deref(), Some("from-env-file"));
}

#[test]
fn invalid_name_in_dotenv_rejected() {
    let folder = folder("config-name-invalid");
    let file = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx\n");
    write(&folder, ".env", "COMPOSE_PROJECT_NAME=My App\n");

    for command in ["config", "check"] {
        let output = perry_stack(&[command, &file]);
        assert_eq!(output.status.code(), Some(1), "{command}");
        assert!(output.stdout.is_empty(), "{command}: {}", String::from_utf8_lossy(&output.stdout));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("error[invalid-project-name]: invalid project name `My App` from COMPOSE_PROJECT_NAME"), "{command}: {stderr}");
        assert!(stderr.contains("help: use `myapp`"), "{command}: {stderr}");
    }
}

#[test]
fn config_output_loads_as_same_project() {
    let folder = folder("config-reload");
    let file = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx\n");
    let first = perry_stack_with(&["config", &file], &[("COMPOSE_PROJECT_NAME", "chosen")]);
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let printed = write(&folder, "printed.yaml", &String::from_utf8_lossy(&first.stdout));

    let second = perry_stack(&["config", &printed]);
    assert_eq!(second.status.code(), Some(0), "{}", String::from_utf8_lossy(&second.stderr));
    assert_eq!(printed_name(&second).as_deref(), Some("chosen"));
    assert_eq!(second.stdout, first.stdout);
}

/// Runs the binary in `folder` with `input` on standard input.
fn perry_stack_in_with_stdin(folder: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_perry-stack"))
        .args(args)
        .current_dir(folder)
        .env_remove("COMPOSE_PROJECT_NAME")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("perry-stack runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn compose_file_from_stdin() {
    let folder = folder("stdin");
    write(&folder, ".env", "PORT=8080\n");
    let output = perry_stack_in_with_stdin(&folder, &["config", "-f", "-"], "services:\n  web:\n    image: nginx\n    ports: [\"${PORT}:80\"]\n");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("published: \"8080\""), "the working folder's .env applies: {stdout}");
    let folder_name = folder.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(printed_name(&output), Some(folder_name), "the working folder names the project");

    let output = perry_stack_in_with_stdin(&folder, &["check", "-f", "-"], "services:\n  web:\n    imagee: nginx\n");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(" --> <stdin>:3:5\n"), "{stderr}");
}

/// A reader that goes away ends the command quietly, as with other tools,
/// instead of a panic on the failed write (exit code 101).
#[test]
fn closed_output_pipe_is_no_panic() {
    let folder = folder("closed-pipe");
    let file = write(&folder, "compose.yaml", "services:\n  web:\n    imagee: nginx\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_perry-stack"))
        .args(["check", &file])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("perry-stack runs");
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_ne!(status.code(), Some(101), "{status}");
}

#[test]
fn config_merges_positional_files_after_global_ones() {
    let folder = folder("config-order");
    let base = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx:base\n");
    let overlay = write(&folder, "over.yaml", "services:\n  web:\n    image: nginx:over\n");
    let output = perry_stack(&["-f", &base, "config", &overlay]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("    image: nginx:over\n"), "{stdout}");
}

#[test]
fn config_resolves_bare_environment_references() {
    let folder = folder("config-bare-environment");
    write(&folder, ".env", "FROM_DOTENV=dotenv\n");
    let file = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx\n    environment: [FROM_SHELL, FROM_DOTENV, UNSET_HERE]\n");
    let output = perry_stack_with(&["config", &file], &[("FROM_SHELL", "shell")]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("      FROM_DOTENV: dotenv\n      FROM_SHELL: shell\n      UNSET_HERE: null\n"), "{stdout}");
}

#[test]
fn check_rejects_mixed_file_options() {
    let folder = folder("check-mixed");
    let base = write(&folder, "compose.yaml", "services:\n  web:\n    image: nginx\n");
    let other = write(&folder, "other.yaml", "services:\n  db:\n    image: postgres\n");
    let output = perry_stack(&["-f", &base, "check", &other]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("either with -f"), "{stderr}");
}
