//! Projects of several files: env files, `-f` merging, default file names,
//! `!reset` and `!override`, services' `env_file` and profiles. Each case
//! writes its files into a fresh folder and checks values or the
//! diagnostic's code, message, file, line and column.

use std::path::{Path, PathBuf};

use perry_stack_schema::diag::messages::code;
use perry_stack_schema::{load_project, Diagnostic, Failed, Loaded, Options};

/// A fresh folder for one test's files, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let path = std::env::temp_dir().join(format!("perry-stack-project-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temporary folder");
        Folder(path)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).expect("folder");
        std::fs::write(&path, text).expect("write file");
        path
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn process(variables: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name: &str| variables.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string())
}

fn load(files: &[&Path], env_files: &[&Path], environment: &dyn perry_stack_schema::Environment) -> Result<Loaded, Failed> {
    let options = Options {
        files: files.iter().map(|file| file.to_path_buf()).collect(),
        env_files: env_files.iter().map(|file| file.to_path_buf()).collect(),
        environment: Some(environment),
        ..Options::default()
    };
    load_project(&options)
}

fn loaded(result: Result<Loaded, Failed>) -> Loaded {
    match result {
        Ok(loaded) => loaded,
        Err(failed) => panic!("expected the project to load, found: {:#?}", failed.diagnostics),
    }
}

/// The one error of a failed load with `code`.
fn only_error(result: Result<Loaded, Failed>, code: &str) -> Diagnostic {
    let failed = match result {
        Ok(loaded) => panic!("expected an error, loaded: {:#?}", loaded.project),
        Err(failed) => failed,
    };
    let matching: Vec<&Diagnostic> = failed.diagnostics.iter().filter(|diagnostic| diagnostic.code == code).collect();
    assert_eq!(matching.len(), 1, "expected one `{code}`, found: {:#?}", failed.diagnostics);
    matching[0].clone()
}

fn position(diagnostic: &Diagnostic) -> (u32, u32) {
    (diagnostic.span.line, diagnostic.span.column)
}

fn environment(loaded: &Loaded, service: &str, name: &str) -> Option<String> {
    loaded.project.services[service].environment.get(name).cloned().flatten()
}

const NOTHING: &[(&str, &str)] = &[];

#[test]
fn dotenv_in_project_folder() {
    let folder = Folder::new("dotenv");
    folder.write(".env", "# settings\nexport TAG=1.2\nNAME='web $x'\nGREETING=\"hi\\tthere ${TAG}\"\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n    environment: [\"A=${NAME}\", \"B=${GREETING}\"]\n");
    let loaded = loaded(load(&[&file], &[], &process(NOTHING)));
    assert_eq!(loaded.project.services["web"].image.as_deref(), Some("nginx:1.2"));
    assert_eq!(environment(&loaded, "web", "A").as_deref(), Some("web $x"));
    assert_eq!(environment(&loaded, "web", "B").as_deref(), Some("hi\tthere 1.2"));
}

#[test]
fn env_file_option_replaces_dotenv() {
    let folder = Folder::new("env-file-option");
    folder.write(".env", "TAG=from-dotenv\nONLY=dotenv\n");
    let first = folder.write("first.env", "TAG=first\nOTHER=first\n");
    let second = folder.write("second.env", "TAG=second\nDERIVED=${OTHER}-2\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n    environment: [\"D=${DERIVED}\", \"O=${ONLY:-unset}\"]\n");
    let loaded = loaded(load(&[&file], &[&first, &second], &process(NOTHING)));
    assert_eq!(loaded.project.services["web"].image.as_deref(), Some("nginx:second"));
    assert_eq!(environment(&loaded, "web", "D").as_deref(), Some("first-2"));
    assert_eq!(environment(&loaded, "web", "O").as_deref(), Some("unset"));
}

#[test]
fn process_environment_wins_over_env_files() {
    let folder = Folder::new("process-wins");
    folder.write(".env", "TAG=from-dotenv\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n");
    let loaded = loaded(load(&[&file], &[], &process(&[("TAG", "from-process")])));
    assert_eq!(loaded.project.services["web"].image.as_deref(), Some("nginx:from-process"));
}

#[test]
fn dotenv_syntax_error_position() {
    let folder = Folder::new("dotenv-error");
    let dotenv = folder.write(".env", "A=1\nB=\"never closed\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    let diagnostic = only_error(load(&[&file], &[], &process(NOTHING)), code::ENV_FILE_SYNTAX);
    assert_eq!(diagnostic.message, "unterminated quote in the value of `B`");
    assert_eq!(diagnostic.file, dotenv);
    assert_eq!(position(&diagnostic), (2, 3));
}

#[test]
fn dotenv_invalid_name() {
    let folder = Folder::new("dotenv-name");
    let dotenv = folder.write(".env", "OK=1\nNOT OK=2\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    let diagnostic = only_error(load(&[&file], &[], &process(NOTHING)), code::ENV_FILE_SYNTAX);
    assert_eq!(diagnostic.message, "expected `=` after the variable name `NOT`");
    assert_eq!(diagnostic.file, dotenv);
    assert_eq!(position(&diagnostic), (2, 5));
}

#[test]
fn dotenv_error_stops_before_interpolation() {
    let folder = Folder::new("dotenv-error-only");
    let dotenv = folder.write(".env", "TAG=latest\n=novalue\nB=2\n");
    let file = folder.write("compose.yaml", "services:\n  a:\n    image: busybox:${TAG}\n    environment:\n      B: ${B}\n");
    let failed = load(&[&file], &[], &process(NOTHING)).expect_err("an invalid .env");
    let codes: Vec<&str> = failed.diagnostics.iter().map(|diagnostic| diagnostic.code).collect();
    assert_eq!(codes, [code::ENV_FILE_SYNTAX], "{:#?}", failed.diagnostics);
    let diagnostic = &failed.diagnostics.0[0];
    assert_eq!(diagnostic.message, "missing variable name before `=`");
    assert_eq!(diagnostic.file, dotenv);
    assert_eq!(position(diagnostic), (2, 1));
}

#[test]
fn service_env_file_forms() {
    let folder = Folder::new("service-env-file");
    folder.write("common.env", "A=common\nB=common\nC=common\n");
    folder.write("web.env", "B=web\nQUOTED='$literal'\n");
    folder.write("raw.env", "RAW='kept' # as is\n");
    let file = folder.write(
        "compose.yaml",
        "services:
  web:
    image: nginx
    env_file:
      - common.env
      - path: ./web.env
        required: true
      - path: missing.env
        required: false
      - path: raw.env
        format: raw
    environment:
      C: explicit
  one:
    image: nginx
    env_file: common.env
",
    );
    let loaded = loaded(load(&[&file], &[], &process(NOTHING)));
    assert_eq!(environment(&loaded, "web", "A").as_deref(), Some("common"));
    assert_eq!(environment(&loaded, "web", "B").as_deref(), Some("web"));
    assert_eq!(environment(&loaded, "web", "C").as_deref(), Some("explicit"));
    assert_eq!(environment(&loaded, "web", "QUOTED").as_deref(), Some("$literal"));
    assert_eq!(environment(&loaded, "web", "RAW").as_deref(), Some("'kept' # as is"));
    assert_eq!(environment(&loaded, "one", "A").as_deref(), Some("common"));
    assert_eq!(loaded.project.services["web"].env_file.len(), 4);
}

#[test]
fn service_env_file_interpolates_with_project_environment() {
    let folder = Folder::new("service-env-file-interpolation");
    folder.write(".env", "DOMAIN=example.org\n");
    folder.write("web.env", "URL=https://${DOMAIN}/\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n    env_file: web.env\n");
    let loaded = loaded(load(&[&file], &[], &process(NOTHING)));
    assert_eq!(environment(&loaded, "web", "URL").as_deref(), Some("https://example.org/"));
}

#[test]
fn bare_environment_references_take_the_project_environment() {
    let folder = Folder::new("bare-references");
    folder.write(".env", "FROM_DOTENV=dotenv\nSHADOWED=dotenv\n");
    folder.write("web.env", "IN_ENV_FILE=file\nFROM_DOTENV=file\n");
    let file = folder.write(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    env_file: web.env\n    environment: [FROM_SHELL, FROM_DOTENV, SHADOWED, IN_ENV_FILE, UNSET]\n  map:\n    image: nginx\n    environment:\n      FROM_SHELL:\n      EMPTY: ''\n",
    );
    let loaded = loaded(load(&[&file], &[], &process(&[("FROM_SHELL", "shell"), ("SHADOWED", "shell")])));
    let web = &loaded.project.services["web"].environment;
    assert_eq!(web["FROM_SHELL"].as_deref(), Some("shell"));
    assert_eq!(web["FROM_DOTENV"].as_deref(), Some("dotenv"));
    assert_eq!(web["SHADOWED"].as_deref(), Some("shell"));
    // As in docker compose v2, a bare reference is not read from the
    // service's env files: it stays without a value and hides theirs.
    assert_eq!(web["IN_ENV_FILE"], None);
    assert_eq!(web["UNSET"], None);
    let map = &loaded.project.services["map"].environment;
    assert_eq!(map["FROM_SHELL"].as_deref(), Some("shell"));
    assert_eq!(map["EMPTY"].as_deref(), Some(""));
}

#[test]
fn bind_sources_expand_home() {
    let folder = Folder::new("home");
    let file = folder.write(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    volumes:\n      - ~/cache:/cache\n      - ~:/home\n      - {type: bind, source: ~/long, target: /long}\n      - ./~/kept:/kept\n      - ~other/x:/other\n",
    );
    let expanded = loaded(load(&[&file], &[], &process(&[("HOME", "/home/dev/")])));
    let sources: Vec<String> = expanded.project.services["web"].volumes.iter().map(|mount| mount.source.clone().unwrap()).collect();
    let kept = folder.0.join("~/kept").to_string_lossy().into_owned();
    assert_eq!(sources, ["/home/dev/cache", "/home/dev", "/home/dev/long", kept.as_str(), "~other/x"]);

    // A check reads no environment and keeps `~` as written.
    let options = Options { files: vec![file], ..Options::default() };
    let checked = loaded(load_project(&options));
    assert_eq!(checked.project.services["web"].volumes[0].source.as_deref(), Some("~/cache"));
}

#[test]
fn service_env_file_missing() {
    let folder = Folder::new("service-env-file-missing");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n    env_file:\n      - absent.env\n");
    let diagnostic = only_error(load(&[&file], &[], &process(NOTHING)), code::ENV_FILE_MISSING);
    let absent = folder.0.join("absent.env");
    assert!(diagnostic.message.starts_with(&format!("cannot read env file `{}`: ", absent.display())), "{}", diagnostic.message);
    assert_eq!(diagnostic.file, file);
    assert_eq!(position(&diagnostic), (5, 9));
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.env_file[0]"));
}

#[test]
fn service_env_file_unknown_format() {
    let folder = Folder::new("service-env-file-format");
    folder.write("web.env", "A=1\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n    env_file:\n      - path: web.env\n        format: toml\n");
    let diagnostic = only_error(load(&[&file], &[], &process(NOTHING)), code::ENV_FILE_FORMAT);
    assert_eq!(diagnostic.message, "unsupported env_file format `toml`");
    assert_eq!(diagnostic.file, file);
    assert_eq!(position(&diagnostic), (5, 9));
}

#[test]
fn service_env_file_syntax_error_in_env_file() {
    let folder = Folder::new("service-env-file-syntax");
    let env_file = folder.write("web.env", "A=1\nB='open\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n    env_file: web.env\n");
    let diagnostic = only_error(load(&[&file], &[], &process(NOTHING)), code::ENV_FILE_SYNTAX);
    assert_eq!(diagnostic.file, env_file);
    assert_eq!(position(&diagnostic), (2, 3));
}

/// Relative paths of every `-f` file resolve against the project folder,
/// the first file's folder, in docker compose v2 and 1.29 alike.
#[test]
fn env_file_relative_to_project_folder() {
    let folder = Folder::new("env-file-relative");
    folder.write("extra.env", "WHERE=project\n");
    folder.write("overrides/extra.env", "WHERE=override\n");
    let base = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    let overlay = folder.write("overrides/compose.extra.yaml", "services:\n  web:\n    env_file: extra.env\n    volumes: [./data:/data]\n");
    let loaded = loaded(load(&[&base, &overlay], &[], &process(NOTHING)));
    assert_eq!(environment(&loaded, "web", "WHERE").as_deref(), Some("project"));
    assert_eq!(loaded.project.services["web"].env_file[0].path, folder.0.join("extra.env"));
    assert_eq!(loaded.project.services["web"].volumes[0].source.as_deref(), Some(folder.0.join("data").to_str().unwrap()));
}

#[test]
fn check_reads_env_files_but_not_service_env_files() {
    let folder = Folder::new("check-env");
    let env = folder.write("build.env", "TAG=9\n");
    folder.write("secret.env", "PASSWORD=hunter2\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n    env_file: secret.env\n");
    let options = Options { files: vec![file], env_files: vec![env], ..Options::default() };
    let loaded = loaded(load_project(&options));
    let web = &loaded.project.services["web"];
    assert_eq!(web.image.as_deref(), Some("nginx:9"));
    assert!(web.environment.is_empty(), "{:?}", web.environment);
    assert!(loaded.warnings.is_empty(), "{:#?}", loaded.warnings);
}

#[test]
fn merge_rules() {
    let folder = Folder::new("merge");
    let base = folder.write(
        "compose.yaml",
        "services:
  web:
    image: nginx
    command: [nginx, -g, daemon off;]
    environment: [A=1, B=2]
    labels: {tier: front}
    ports: [\"8080:80\", \"8443:443\"]
    volumes: [./a:/data, ./logs:/logs]
    dns: [1.1.1.1]
    healthcheck:
      test: [CMD, true]
      retries: 5
    depends_on: [db]
  db:
    image: postgres
    healthcheck:
      test: [CMD, pg_isready]
",
    );
    let overlay = folder.write(
        "compose.override.yaml",
        "services:
  web:
    image: nginx:2
    command: serve
    environment: {B: two, C: '3'}
    labels: [owner=ops]
    ports: [\"8080:80\", \"9000:9000\"]
    volumes: [{type: bind, source: ./b, target: /data}]
    dns: [1.1.1.1, 8.8.8.8]
    healthcheck:
      test: [CMD-SHELL, exit 0]
    depends_on:
      db: {condition: service_healthy}
",
    );
    let loaded = loaded(load(&[&base, &overlay], &[], &process(NOTHING)));
    let web = &loaded.project.services["web"];
    assert_eq!(web.image.as_deref(), Some("nginx:2"));
    assert_eq!(web.command.as_deref(), Some(&["serve".to_owned()][..]));
    assert_eq!(environment(&loaded, "web", "A").as_deref(), Some("1"));
    assert_eq!(environment(&loaded, "web", "B").as_deref(), Some("two"));
    assert_eq!(environment(&loaded, "web", "C").as_deref(), Some("3"));
    assert_eq!(web.labels.len(), 2);
    let ports: Vec<(u16, Option<&str>)> = web.ports.iter().map(|port| (port.target, port.published.as_deref())).collect();
    assert_eq!(ports, [(80, Some("8080")), (443, Some("8443")), (9000, Some("9000"))]);
    let mounts: Vec<(&str, &str)> = web.volumes.iter().map(|mount| (mount.source.as_deref().unwrap(), mount.target.as_str())).collect();
    let folder_text = folder.0.display().to_string();
    assert_eq!(mounts, [(format!("{folder_text}/b").as_str(), "/data"), (format!("{folder_text}/logs").as_str(), "/logs")]);
    assert_eq!(web.unsupported["dns"].as_sequence_texts(), ["1.1.1.1", "8.8.8.8"]);
    let healthcheck = web.healthcheck.as_ref().unwrap();
    assert_eq!(healthcheck.test, ["CMD-SHELL", "exit 0"]);
    assert_eq!(healthcheck.retries, Some(5));
    assert_eq!(web.depends_on["db"].condition, perry_stack_schema::Condition::ServiceHealthy);
}

/// Lists the scalar texts of a sequence node, for comparing kept values.
trait SequenceTexts {
    fn as_sequence_texts(&self) -> Vec<String>;
}

impl SequenceTexts for perry_stack_schema::yaml::Node {
    fn as_sequence_texts(&self) -> Vec<String> {
        match &self.value {
            perry_stack_schema::yaml::Value::Sequence(items) => items.iter().filter_map(|item| item.scalar_text()).collect(),
            _ => Vec::new(),
        }
    }
}

#[test]
fn reset_and_override_tags() {
    let folder = Folder::new("reset");
    let base = folder.write(
        "compose.yaml",
        "services:
  web:
    image: nginx
    ports: [\"8080:80\"]
    environment: {A: '1', B: '2'}
    labels: {keep: 'yes'}
  old:
    image: busybox
",
    );
    let overlay = folder.write(
        "compose.override.yaml",
        "services:
  web:
    ports: !reset []
    environment: !override {C: '3'}
    labels:
      keep: !reset
  old: !reset
",
    );
    let loaded = loaded(load(&[&base, &overlay], &[], &process(NOTHING)));
    let web = &loaded.project.services["web"];
    assert!(web.ports.is_empty());
    assert_eq!(web.environment.keys().collect::<Vec<_>>(), ["C"]);
    assert!(web.labels.is_empty());
    assert!(!loaded.project.services.contains_key("old"));
}

#[test]
fn errors_point_into_the_second_file() {
    let folder = Folder::new("merge-error");
    let base = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    let overlay = folder.write("compose.ports.yaml", "services:\n  web:\n    ports:\n      - \"80\"\n      - \"99999:80\"\n");
    let diagnostic = only_error(load(&[&base, &overlay], &[], &process(NOTHING)), code::INVALID_PORT);
    assert_eq!(diagnostic.file, overlay);
    assert_eq!(position(&diagnostic), (5, 9));
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.ports[1]"));
}

#[test]
fn undefined_dependency_in_override_file() {
    let folder = Folder::new("merge-undefined");
    let base = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    let overlay = folder.write("extra.yaml", "services:\n  web:\n    depends_on: [cache]\n");
    let diagnostic = only_error(load(&[&base, &overlay], &[], &process(NOTHING)), code::UNDEFINED_SERVICE);
    assert_eq!(diagnostic.message, "service `web` depends on undefined service `cache`");
    assert_eq!(diagnostic.file, overlay);
    assert_eq!(position(&diagnostic), (3, 18));
}

#[test]
fn unknown_tag_rejected() {
    let folder = Folder::new("unknown-tag");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: !include nginx\n");
    let diagnostic = only_error(load(&[&file], &[], &process(NOTHING)), code::MERGE_TAG);
    assert_eq!(diagnostic.message, "tag `!include` on `services.web.image` is not supported");
    assert_eq!(diagnostic.file, file);
    assert_eq!(position(&diagnostic), (3, 12));
}

#[test]
fn default_file_and_override() {
    let folder = Folder::new("defaults");
    folder.write("docker-compose.yml", "services:\n  web:\n    image: nginx\n");
    folder.write("docker-compose.override.yml", "services:\n  web:\n    image: nginx:override\n");
    folder.write("nested/deeper/.keep", "");
    let environment = process(NOTHING);
    let options = Options { working_dir: folder.0.join("nested/deeper"), environment: Some(&environment), ..Options::default() };
    let loaded = loaded(load_project(&options));
    assert_eq!(loaded.project.services["web"].image.as_deref(), Some("nginx:override"));
    assert_eq!(loaded.project.files, [folder.0.join("docker-compose.yml"), folder.0.join("docker-compose.override.yml")]);
}

#[test]
fn compose_file_from_dotenv() {
    let folder = Folder::new("compose-file-dotenv");
    folder.write(".env", "COMPOSE_FILE=base.yaml:more/extra.yaml\n");
    folder.write("compose.yaml", "services:\n  ignored:\n    image: nginx\n");
    let base = folder.write("base.yaml", "services:\n  web:\n    image: nginx\n");
    let extra = folder.write("more/extra.yaml", "services:\n  web:\n    image: nginx:extra\n");
    let environment = process(NOTHING);
    let options = Options { working_dir: folder.0.clone(), environment: Some(&environment), ..Options::default() };

    let from_dotenv = loaded(load_project(&options));
    assert_eq!(from_dotenv.project.files, [base.clone(), extra]);
    assert_eq!(from_dotenv.project.services["web"].image.as_deref(), Some("nginx:extra"));

    // COMPOSE_PATH_SEPARATOR splits it, from `.env` too.
    folder.write(".env", "COMPOSE_FILE=base.yaml,more/extra.yaml\nCOMPOSE_PATH_SEPARATOR=,\n");
    assert_eq!(loaded(load_project(&options)).project.files, [base.clone(), folder.0.join("more/extra.yaml")]);

    // The process environment wins over `.env`.
    let environment = process(&[("COMPOSE_FILE", "base.yaml")]);
    let options = Options { working_dir: folder.0.clone(), environment: Some(&environment), ..Options::default() };
    assert_eq!(loaded(load_project(&options)).project.files, [base]);
}

#[test]
fn compose_yaml_preferred_over_docker_compose() {
    let folder = Folder::new("defaults-order");
    folder.write("compose.yaml", "services:\n  web:\n    image: first\n");
    folder.write("docker-compose.yml", "services:\n  web:\n    image: second\n");
    let options = Options { working_dir: folder.0.clone(), ..Options::default() };
    let loaded = loaded(load_project(&options));
    assert_eq!(loaded.project.services["web"].image.as_deref(), Some("first"));
}

#[test]
fn no_default_file() {
    let folder = Folder::new("no-default");
    let options = Options { working_dir: folder.0.clone(), ..Options::default() };
    let diagnostic = only_error(load_project(&options), code::FILE_NOT_FOUND);
    assert!(diagnostic.message.starts_with("no compose file found in "), "{}", diagnostic.message);
}

const PROFILED: &str = "services:
  web:
    image: nginx
    depends_on:
      cache: {condition: service_started, required: false}
  debug:
    image: busybox
    profiles: [debug, all]
  cache:
    image: redis
    profiles: [cache]
";

#[test]
fn profiles_disable_services() {
    let folder = Folder::new("profiles");
    let file = folder.write("compose.yaml", PROFILED);
    let loaded = loaded(load(&[&file], &[], &process(NOTHING)));
    assert_eq!(loaded.project.services.keys().collect::<Vec<_>>(), ["web"]);
    assert_eq!(loaded.disabled_services.keys().collect::<Vec<_>>(), ["cache", "debug"]);
    assert!(loaded.project.services["web"].depends_on.is_empty());
}

#[test]
fn profiles_enabled_by_option_and_variable() {
    let folder = Folder::new("profiles-enabled");
    let file = folder.write("compose.yaml", PROFILED);
    let environment = process(&[("COMPOSE_PROFILES", "cache, other")]);
    let options = Options { files: vec![file.clone()], profiles: vec!["debug".to_owned()], environment: Some(&environment), ..Options::default() };
    let loaded = loaded(load_project(&options));
    assert_eq!(loaded.project.services.keys().collect::<Vec<_>>(), ["cache", "debug", "web"]);
    assert!(loaded.project.services["web"].depends_on.contains_key("cache"));

    let every = process(&[("COMPOSE_PROFILES", "*")]);
    let loaded = self::loaded(load(&[&file], &[], &every));
    assert_eq!(loaded.project.services.len(), 3);
}

#[test]
fn healthy_dependency_only_when_enabled() {
    let folder = Folder::new("profiles-healthy");
    let source = "services:\n  web:\n    image: nginx\n  debug:\n    image: busybox\n    profiles: [debug]\n    depends_on: {web: {condition: service_healthy}}\n";
    let file = folder.write("compose.yaml", source);
    let loaded = loaded(load(&[&file], &[], &process(NOTHING)));
    assert_eq!(loaded.project.services.keys().collect::<Vec<_>>(), ["web"]);

    let enabled = process(&[("COMPOSE_PROFILES", "debug")]);
    let diagnostic = only_error(load(&[&file], &[], &enabled), code::HEALTHY_WITHOUT_HEALTHCHECK);
    assert_eq!(diagnostic.message, "service `debug` waits for `web` to be healthy, but `web` has no healthcheck");
    assert_eq!((diagnostic.span.line, diagnostic.span.column), (7, 35));
}

#[test]
fn profiles_from_dotenv() {
    let folder = Folder::new("profiles-dotenv");
    folder.write(".env", "COMPOSE_PROFILES=debug\n");
    let file = folder.write("compose.yaml", PROFILED);
    let loaded = loaded(load(&[&file], &[], &process(NOTHING)));
    assert!(loaded.project.services.contains_key("debug"));
}

#[test]
fn project_name_from_env_files() {
    let folder = Folder::new("project-name");
    folder.write(".env", "COMPOSE_PROJECT_NAME=from-dotenv\n");
    let file = folder.write("compose.yaml", "name: from-file\nservices:\n  web:\n    image: nginx\n");
    let loaded = loaded(load(&[&file], &[], &process(NOTHING)));
    assert_eq!(loaded.project.name.as_deref(), Some("from-file"));
    assert_eq!(loaded.env_file_variables.get("COMPOSE_PROJECT_NAME").map(String::as_str), Some("from-dotenv"));

    assert_eq!(loaded.project_name(None, Some(&process(NOTHING))).unwrap(), "from-dotenv");
    assert_eq!(loaded.project_name(None, None).unwrap(), "from-dotenv");
    assert_eq!(loaded.project_name(None, Some(&process(&[("COMPOSE_PROJECT_NAME", "from-process")]))).unwrap(), "from-process");
    assert_eq!(loaded.project_name(Some("from-option"), Some(&process(&[("COMPOSE_PROJECT_NAME", "from-process")]))).unwrap(), "from-option");
}

#[test]
fn project_name_from_env_files_checked() {
    let folder = Folder::new("project-name-invalid");
    folder.write(".env", "COMPOSE_PROJECT_NAME=_web\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    let loaded = loaded(load(&[&file], &[], &process(NOTHING)));
    let error = loaded.project_name(None, None).expect_err("an invalid name");
    assert_eq!(error.code, code::INVALID_PROJECT_NAME);
    assert!(error.message.starts_with("invalid project name `_web` from COMPOSE_PROJECT_NAME: "), "{}", error.message);
    assert_eq!(error.help.as_deref(), Some("use `web`"));
}

#[test]
fn dependency_on_disabled_service() {
    let folder = Folder::new("profiles-dependency");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: nginx\n    depends_on: [db]\n  db:\n    image: postgres\n    profiles: [data]\n");
    let diagnostic = only_error(load(&[&file], &[], &process(NOTHING)), code::DISABLED_DEPENDENCY);
    assert_eq!(diagnostic.message, "service `web` depends on `db`, which is disabled by its profiles");
    assert_eq!(diagnostic.help.as_deref(), Some("enable a profile of it (`--profile data` or COMPOSE_PROFILES), or mark the dependency `required: false`"));
    assert_eq!(diagnostic.file, file);
    assert_eq!(position(&diagnostic), (4, 18));
}

#[test]
fn disabled_dependency_is_not_also_undefined() {
    let folder = Folder::new("profiles-dependency-once");
    let source = "services:\n  a:\n    image: x\n  dbg:\n    image: x\n    profiles: [debug]\n  needsdbg:\n    image: x\n    depends_on: [dbg]\n";
    let file = folder.write("compose.yaml", source);
    let failed = load(&[&file], &[], &process(NOTHING)).expect_err("a required dependency on a disabled service");
    let codes: Vec<&str> = failed.diagnostics.iter().map(|diagnostic| diagnostic.code).collect();
    assert_eq!(codes, [code::DISABLED_DEPENDENCY], "{:#?}", failed.diagnostics);
    let diagnostic = &failed.diagnostics.0[0];
    assert_eq!(diagnostic.message, "service `needsdbg` depends on `dbg`, which is disabled by its profiles");
    assert_eq!(diagnostic.file, file);
    assert_eq!(position(diagnostic), (9, 18));
}

#[test]
fn stdin_diagnostics_name_stdin() {
    let folder = Folder::new("stdin-name");
    let environment = process(NOTHING);
    let options = Options {
        files: vec![PathBuf::from("-")],
        working_dir: folder.0.clone(),
        environment: Some(&environment),
        stdin: Some("services:\n  web:\n    image: a\n    ports: [\"x:y\"]\n".to_string()),
        ..Options::default()
    };
    let failed = load_project(&options).expect_err("an invalid port");
    let diagnostic = failed.diagnostics.iter().find(|diagnostic| diagnostic.code == code::INVALID_PORT).expect("invalid-port");
    assert_eq!(position(diagnostic), (4, 13));
    // The path keeps the working folder, which relative paths resolve against.
    assert_eq!(diagnostic.file, folder.0.join("<stdin>"));
    assert_eq!(diagnostic.file_display(), "<stdin>");
    assert!(diagnostic.to_string().starts_with("<stdin>:4:13: "), "{diagnostic}");
    let rendered = diagnostic.render(&failed.sources[&diagnostic.file], false);
    assert!(rendered.contains(" --> <stdin>:4:13\n"), "{rendered}");

    let options = Options { stdin: Some("services:\n  web:\n    image: a\n    volumes: [\"./data:/data\"]\n".to_string()), ..options };
    let project = loaded(load_project(&options)).project;
    let source = project.services["web"].volumes[0].source.clone().expect("a bind mount source");
    assert_eq!(PathBuf::from(source), folder.0.join("data"));
}

#[test]
fn stdin_file_needs_its_text() {
    let environment = process(&[]);
    let result = load(&[Path::new("-")], &[], &environment);
    let error = only_error(result, code::FILE_UNREADABLE);
    assert_eq!(error.message, "cannot read `-`: standard input was not read");

    let options = Options {
        files: vec![PathBuf::from("-")],
        environment: Some(&environment),
        stdin: Some("services:\n  web:\n    image: nginx\n".to_string()),
        ..Options::default()
    };
    let project = loaded(load_project(&options)).project;
    assert_eq!(project.services["web"].image.as_deref(), Some("nginx"));
    assert!(project.file.ends_with(perry_stack_schema::compose::load::STDIN_FILE_NAME), "{}", project.file.display());
}
