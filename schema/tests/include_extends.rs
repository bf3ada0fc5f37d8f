//! `extends` and `include`: services built on other services, and files
//! that bring in other files as projects of their own. Each case writes
//! its files into a fresh folder.

use std::path::{Path, PathBuf};

use perry_stack_schema::diag::messages::code;
use perry_stack_schema::compose::include::MAX_EXTENDS_DEPTH;
use perry_stack_schema::{load_project, Failed, Loaded, Options, Severity};

/// A fresh folder for one test's files, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let path = std::env::temp_dir().join(format!("perry-stack-include-{}-{name}", std::process::id()));
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

fn load(file: &Path) -> Result<Loaded, Failed> {
    let environment = |_: &str| None;
    let options = Options { files: vec![file.to_path_buf()], environment: Some(&environment), ..Options::default() };
    load_project(&options)
}

fn loaded(result: Result<Loaded, Failed>) -> Loaded {
    match result {
        Ok(loaded) => loaded,
        Err(failed) => panic!("expected the project to load, found: {:#?}", failed.diagnostics),
    }
}

fn errors(result: Result<Loaded, Failed>) -> Vec<perry_stack_schema::Diagnostic> {
    match result {
        Ok(loaded) => panic!("expected errors, loaded: {:#?}", loaded.project),
        Err(failed) => failed.diagnostics.0,
    }
}

#[test]
fn extends_same_file_merges() {
    let folder = Folder::new("same-file");
    let file = folder.write(
        "compose.yaml",
        "services:\n  base:\n    image: busybox\n    environment: {A: '1', B: '2'}\n    command: [sleep, '1']\n  web:\n    extends: base\n    environment: {B: three}\n    command: [sleep, '2']\n",
    );
    let project = loaded(load(&file)).project;
    let web = &project.services["web"];
    assert_eq!(web.image.as_deref(), Some("busybox"));
    assert_eq!(web.environment["A"].as_deref(), Some("1"));
    assert_eq!(web.environment["B"].as_deref(), Some("three"));
    assert_eq!(web.command.as_deref(), Some(&["sleep".to_owned(), "2".to_owned()][..]));
    assert!(!web.unsupported.contains_key("extends"));
}

#[test]
fn extends_chain_resolves() {
    let folder = Folder::new("chain");
    let file = folder.write(
        "compose.yaml",
        "services:\n  a:\n    extends: b\n    labels: {a: '1'}\n  b:\n    extends: {service: c}\n    labels: {b: '1'}\n  c:\n    image: busybox\n    labels: {c: '1'}\n",
    );
    let project = loaded(load(&file)).project;
    let labels: Vec<&str> = project.services["a"].labels.keys().map(String::as_str).collect();
    assert_eq!(labels, ["a", "b", "c"]);
    assert_eq!(project.services["a"].image.as_deref(), Some("busybox"));
}

#[test]
fn extends_other_file_paths() {
    let folder = Folder::new("other-file");
    folder.write("common/base.yaml", "services:\n  base:\n    image: busybox\n    volumes: ['./data:/data']\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    extends: {file: common/base.yaml, service: base}\n");
    let project = loaded(load(&file)).project;
    let source = project.services["web"].volumes[0].source.clone().unwrap();
    assert!(source.ends_with("common/data"), "{source}");
}

#[test]
fn extends_cycle_path() {
    let folder = Folder::new("cycle");
    let file = folder.write("compose.yaml", "services:\n  a:\n    extends: b\n  b:\n    extends: a\n");
    let errors = errors(load(&file));
    assert_eq!(errors.iter().filter(|error| error.code == code::EXTENDS_CYCLE).count(), 1, "{errors:#?}");
    let cycle = errors.iter().find(|error| error.code == code::EXTENDS_CYCLE).expect("a cycle error");
    assert!(cycle.message.contains("a -> b -> a") || cycle.message.contains("b -> a -> b"), "{}", cycle.message);
    assert_eq!(cycle.span.line, 3);
    assert!(cycle.path.as_deref().is_some_and(|path| path.ends_with(".extends")));
}

#[test]
fn extends_undefined_service() {
    let folder = Folder::new("undefined");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: busybox\n    extends: nothere\n");
    let errors = errors(load(&file));
    assert_eq!(errors[0].code, code::EXTENDS_UNDEFINED);
    assert!(errors[0].message.contains("`nothere`"));
    assert_eq!((errors[0].span.line, errors[0].path.as_deref()), (4, Some("services.web.extends")));
}

#[test]
fn include_own_folder_and_env() {
    let folder = Folder::new("include");
    folder.write("db/.env", "DB_IMAGE=postgres:16\n");
    folder.write("db/compose.yaml", "services:\n  db:\n    image: ${DB_IMAGE}\n    volumes: ['./init:/init']\n    secrets: [key]\nsecrets:\n  key: {file: ./key.txt}\n");
    let file = folder.write("compose.yaml", "include:\n  - db/compose.yaml\nservices:\n  web:\n    image: busybox\n    depends_on: [db]\n");
    let project = loaded(load(&file)).project;
    let db = &project.services["db"];
    assert_eq!(db.image.as_deref(), Some("postgres:16"));
    assert!(db.volumes[0].source.as_deref().unwrap().ends_with("db/init"));
    assert!(project.services["web"].depends_on.contains_key("db"));
    let secret = project.unsupported["secrets"].get("key").and_then(|key| key.get("file")).and_then(|file| file.as_str()).unwrap();
    assert!(secret.ends_with("db/key.txt"), "{secret}");
}

#[test]
fn include_long_form_env_file() {
    let folder = Folder::new("include-long");
    folder.write("sub/values.env", "TAG=3\n");
    folder.write("sub/compose.yaml", "services:\n  cache:\n    image: redis:${TAG}\n");
    let file = folder.write("compose.yaml", "include:\n  - path: sub/compose.yaml\n    env_file: sub/values.env\nservices: {}\n");
    let project = loaded(load(&file)).project;
    assert_eq!(project.services["cache"].image.as_deref(), Some("redis:3"));
}

#[test]
fn include_conflict_error() {
    let folder = Folder::new("include-conflict");
    folder.write("other.yaml", "services:\n  web:\n    image: nginx\n");
    let file = folder.write("compose.yaml", "include: [other.yaml]\nservices:\n  web:\n    image: busybox\n");
    let errors = errors(load(&file));
    assert_eq!(errors[0].code, code::INCLUDE_CONFLICT);
    assert_eq!(errors[0].path.as_deref(), Some("services.web"));
    assert_eq!(errors[0].span.line, 3);
}

#[test]
fn include_missing_file() {
    let folder = Folder::new("include-missing");
    let file = folder.write("compose.yaml", "include: [absent.yaml]\nservices: {}\n");
    let errors = errors(load(&file));
    assert_eq!(errors[0].code, code::FILE_UNREADABLE);
    assert!(errors[0].message.contains("absent.yaml"));
    assert_eq!(errors[0].file, file);
    assert_eq!((errors[0].span.line, errors[0].span.column, errors[0].path.as_deref()), (1, 11, Some("include[0]")));
}

#[test]
fn extends_missing_file() {
    let folder = Folder::new("extends-missing");
    let file = folder.write("compose.yaml", "services:\n  web:\n    extends:\n      file: absent.yaml\n      service: base\n");
    let errors = errors(load(&file));
    assert_eq!(errors[0].code, code::FILE_UNREADABLE);
    assert_eq!((errors[0].span.line, errors[0].span.column), (4, 13));
    assert_eq!(errors[0].path.as_deref(), Some("services.web.extends.file"));
}

#[test]
fn extends_chain_across_files() {
    let folder = Folder::new("chain-files");
    folder.write("base/root.yaml", "services:\n  root:\n    image: busybox\n    labels: {root: '1'}\n");
    folder.write("base/common.yaml", "include: [root.yaml]\nservices:\n  common:\n    extends: root\n    labels: {common: '1'}\n");
    let file = folder.write("compose.yaml", "services:\n  web:\n    extends: {file: base/common.yaml, service: common}\n");
    let project = loaded(load(&file)).project;
    let labels: Vec<&str> = project.services["web"].labels.keys().map(String::as_str).collect();
    assert_eq!(labels, ["common", "root"]);
    assert_eq!(project.services["web"].image.as_deref(), Some("busybox"));
}

#[test]
fn include_cycle_reports_chain() {
    let folder = Folder::new("include-cycle");
    let first = folder.write("one.yaml", "include: [two.yaml]\nservices:\n  a:\n    image: busybox\n");
    folder.write("two.yaml", "include: [one.yaml]\nservices:\n  b:\n    image: busybox\n");
    let root = std::fs::canonicalize(&folder.0).expect("canonical folder");

    let errors = errors(load(&first));

    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, code::INCLUDE_CYCLE);
    let chain = format!("{0}/one.yaml -> {0}/two.yaml -> {0}/one.yaml", root.display());
    assert_eq!(errors[0].message, format!("include cycle: {chain}"));
    assert!(errors[0].file.ends_with("two.yaml"), "{}", errors[0].file.display());
    assert_eq!((errors[0].span.line, errors[0].span.column), (1, 11));
}

#[test]
fn include_depth_limit() {
    let folder = Folder::new("include-depth");
    let depth = perry_stack_schema::compose::include::MAX_INCLUDE_DEPTH;
    for level in 0..=depth + 1 {
        let next = format!("include: [level{}.yaml]\n", level + 1);
        let include = if level <= depth { next.as_str() } else { "" };
        folder.write(&format!("level{level}.yaml"), &format!("{include}services:\n  s{level}:\n    image: busybox\n"));
    }
    let within = folder.write("within.yaml", "include: [level2.yaml]\nservices:\n  top:\n    image: busybox\n");

    let errors = errors(load(&folder.0.join("level0.yaml")));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, code::INCLUDE_DEPTH_LIMIT);
    let last = format!("level{}.yaml", depth + 1);
    assert!(errors[0].message.contains(&last), "{}", errors[0].message);
    assert!(errors[0].file.ends_with(format!("level{depth}.yaml")), "{}", errors[0].file.display());

    // Two levels less is within the limit.
    let project = loaded(load(&within)).project;
    assert_eq!(project.services.len(), depth + 1, "top and s2 to s{}", depth + 1);
}

#[test]
fn include_of_itself_is_a_cycle() {
    let folder = Folder::new("include-self");
    let file = folder.write("self.yaml", "include:\n  - path: self.yaml\nservices:\n  c:\n    image: busybox\n");

    let errors = errors(load(&file));

    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, code::INCLUDE_CYCLE);
    assert_eq!((errors[0].span.line, errors[0].span.column), (2, 5));
}

/// As in docker compose v2, `include` and `extends.file` of every `-f` file
/// are relative to the project folder, the first file's folder, while a file
/// that `extends.file` names resolves its own from its folder. docker-compose
/// 1.29, which has no `include`, resolves `extends.file` the same way.
#[test]
fn override_file_paths_from_project_folder() {
    let folder = Folder::new("override-paths");
    folder.write("common.yaml", "services:\n  base:\n    image: from-project\n");
    folder.write("overrides/common.yaml", "services:\n  base:\n    image: from-override-folder\n");
    folder.write("extra.yaml", "services:\n  extra:\n    image: from-project\n");
    folder.write("overrides/extra.yaml", "services:\n  extra:\n    image: from-override-folder\n");
    folder.write("shared/chain.yaml", "services:\n  chained:\n    extends: {file: common.yaml, service: base}\n");
    folder.write("shared/common.yaml", "services:\n  base:\n    image: from-shared-folder\n");
    let base = folder.write("compose.yaml", "services:\n  web:\n    image: web\n");
    let overlay = folder.write(
        "overrides/compose.more.yaml",
        "include: [extra.yaml]\nservices:\n  api:\n    extends: {file: common.yaml, service: base}\n  worker:\n    extends: {file: shared/chain.yaml, service: chained}\n",
    );

    let environment = |_: &str| None;
    let options = Options { files: vec![base, overlay], environment: Some(&environment), ..Options::default() };
    let project = loaded(load_project(&options)).project;

    assert_eq!(project.services["api"].image.as_deref(), Some("from-project"));
    assert_eq!(project.services["extra"].image.as_deref(), Some("from-project"));
    assert_eq!(project.services["worker"].image.as_deref(), Some("from-shared-folder"));
}

#[test]
fn unknown_key_in_include_item() {
    let folder = Folder::new("include-unknown-key");
    folder.write("sub/compose.yaml", "services:\n  cache:\n    image: redis\n");
    let file = folder.write("compose.yaml", "include:\n  - path: sub/compose.yaml\n    env_fille: sub/values.env\nservices: {}\n");
    let errors = errors(load(&file));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, code::UNKNOWN_KEY);
    assert_eq!(errors[0].message, "unknown key `env_fille` in `include[0]`");
    assert_eq!(errors[0].path.as_deref(), Some("include[0].env_fille"));
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `env_file`?"));
    assert_eq!(errors[0].file, file);
    assert_eq!((errors[0].span.line, errors[0].span.column), (3, 5));
}

#[test]
fn unknown_key_in_extends() {
    let folder = Folder::new("extends-unknown-key");
    let file = folder.write("compose.yaml", "services:\n  base:\n    image: busybox\n  web:\n    extends:\n      service: base\n      fille: other.yaml\n");
    let errors = errors(load(&file));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, code::UNKNOWN_KEY);
    assert_eq!(errors[0].message, "unknown key `fille` in `services.web.extends`");
    assert_eq!(errors[0].path.as_deref(), Some("services.web.extends.fille"));
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `file`?"));
    assert_eq!((errors[0].span.line, errors[0].span.column), (7, 7));
}

#[test]
fn unknown_key_in_included_file() {
    let folder = Folder::new("included-unknown-key");
    let included = folder.write("sub/compose.yaml", "services:\n  cache:\n    image: redis\n    logging: {drivr: syslog}\n");
    let file = folder.write("compose.yaml", "include: [sub/compose.yaml]\nservices: {}\n");
    let errors: Vec<_> = errors(load(&file)).into_iter().filter(|diagnostic| diagnostic.severity == Severity::Error).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].path.as_deref(), Some("services.cache.logging.drivr"));
    assert_eq!(errors[0].file, included);
    assert_eq!((errors[0].span.line, errors[0].span.column), (4, 15));
}

/// Writes a chain of `links` services that each extend the next, the last
/// one with an image. `reversed` lists the services from the end of the chain.
fn extends_chain(links: usize, reversed: bool) -> String {
    let mut services: Vec<String> = (0..links).map(|index| format!("  s{index:04}:\n    extends: s{:04}\n", index + 1)).collect();
    services.push(format!("  s{links:04}:\n    image: busybox\n"));
    if reversed {
        services.reverse();
    }
    format!("services:\n{}", services.concat())
}

#[test]
fn extends_chain_at_depth_limit() {
    let folder = Folder::new("extends-at-limit");
    for reversed in [false, true] {
        let file = folder.write("compose.yaml", &extends_chain(MAX_EXTENDS_DEPTH, reversed));
        let loaded = loaded(load(&file));
        assert_eq!(loaded.project.services["s0000"].image.as_deref(), Some("busybox"), "reversed: {reversed}");
    }
}

#[test]
fn extends_chain_beyond_depth_limit() {
    let folder = Folder::new("extends-beyond-limit");
    let file = folder.write("compose.yaml", &extends_chain(2_000, false));
    let errors = errors(load(&file));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, code::EXTENDS_DEPTH_LIMIT);
    assert_eq!(errors[0].message, "the `extends` chain of service `s0000` is longer than the limit of 256 `extends`");
    assert_eq!(errors[0].path.as_deref(), Some("services.s0256.extends"));
    assert_eq!((errors[0].span.line, errors[0].span.column), (3 + 2 * 256, 14));
}

#[test]
fn extends_chain_beyond_limit_reversed() {
    let folder = Folder::new("extends-beyond-limit-reversed");
    let file = folder.write("compose.yaml", &extends_chain(MAX_EXTENDS_DEPTH + 1, true));
    let errors = errors(load(&file));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, code::EXTENDS_DEPTH_LIMIT);
    assert_eq!(errors[0].message, "the `extends` chain of service `s0000` is longer than the limit of 256 `extends`");
    assert_eq!(errors[0].path.as_deref(), Some("services.s0000.extends"));
}
