//! Compose files of several YAML documents: each document merges onto the
//! ones before it with the rules of consecutive `-f` files, empty documents
//! are left out, and every diagnostic points into the document that wrote
//! the value.

use std::path::{Path, PathBuf};

use perry_stack_schema::diag::messages::code;
use perry_stack_schema::{check, load_project, yaml, Diagnostic, Options, Project};

const FILE: &str = "/project/app/compose.yaml";

fn checked(source: &str) -> Project {
    match check(source, Path::new(FILE)) {
        Ok(checked) => checked.project,
        Err(diagnostics) => panic!("expected the file to load, found: {diagnostics:#?}"),
    }
}

/// Returns the one error with `code` of a file that fails to load.
fn only_error(source: &str, code: &str) -> Diagnostic {
    let diagnostics = match check(source, Path::new(FILE)) {
        Ok(checked) => panic!("expected an error, loaded: {:#?}", checked.project),
        Err(diagnostics) => diagnostics.0,
    };
    let matching: Vec<&Diagnostic> = diagnostics.iter().filter(|diagnostic| diagnostic.code == code).collect();
    assert_eq!(matching.len(), 1, "expected one `{code}` error, found: {diagnostics:#?}");
    matching[0].clone()
}

fn position(diagnostic: &Diagnostic) -> (u32, u32) {
    (diagnostic.span.line, diagnostic.span.column)
}

#[test]
fn documents_merge_in_order() {
    let project = checked(
        "\
services:
  web:
    image: web:1
    command: [serve, --old]
    environment: {A: one, B: two}
---
services:
  web:
    image: web:2
    command: [serve]
    environment: {B: three}
  db:
    image: db
",
    );
    let web = &project.services["web"];
    assert_eq!(web.image.as_deref(), Some("web:2"));
    assert_eq!(web.command, Some(vec!["serve".to_owned()]));
    assert_eq!(web.environment.get("A"), Some(&Some("one".to_owned())));
    assert_eq!(web.environment.get("B"), Some(&Some("three".to_owned())));
    assert!(project.services.contains_key("db"));
}

#[test]
fn documents_keep_positions() {
    let project = checked("services:\n  web:\n    image: web\n---\nservices:\n  db:\n    image: db\n    ports: [\"5432\"]\n");
    let db = &project.services["db"];
    assert_eq!((db.span.line, db.span.column), (6, 3));
    assert_eq!((db.ports[0].span.line, db.ports[0].span.column), (8, 13));
}

#[test]
fn documents_empty_skipped() {
    let project = checked("---\n---\nservices:\n  web:\n    image: web\n---\n# nothing here\n---\nservices:\n  db:\n    image: db\n...\n");
    assert_eq!(project.services.keys().collect::<Vec<_>>(), ["db", "web"]);
}

#[test]
fn documents_reset_earlier_value() {
    let project = checked("services:\n  web:\n    image: web\n    ports: [\"80\"]\n---\nservices:\n  web:\n    ports: !reset []\n");
    assert!(project.services["web"].ports.is_empty());
}

#[test]
fn documents_anchor_per_document() {
    let diagnostic = only_error("x-a: &a {image: web}\nservices:\n  web: *a\n---\nservices:\n  db: *a\n", code::YAML_SYNTAX);
    assert_eq!(diagnostic.file, Path::new(FILE));
    assert_eq!(position(&diagnostic), (6, 7));
}

#[test]
fn documents_error_in_second() {
    let diagnostic = only_error(
        "services:\n  web:\n    image: web\n---\nservices:\n  db:\n    image: db\n    depends_on: [cache]\n",
        code::UNDEFINED_SERVICE,
    );
    assert_eq!(diagnostic.message, "service `db` depends on undefined service `cache`");
    assert_eq!(diagnostic.file, Path::new(FILE));
    assert_eq!(position(&diagnostic), (8, 18));
}

#[test]
fn documents_null_rejected() {
    let diagnostic = only_error("services:\n  web:\n    image: web\n---\nnull\n", code::EMPTY_FILE);
    assert_eq!(diagnostic.message, "empty compose file");
    assert_eq!(position(&diagnostic), (5, 1));
}

#[test]
fn documents_all_empty_rejected() {
    let diagnostic = only_error("---\n---\n# only comments\n", code::EMPTY_FILE);
    assert_eq!(diagnostic.message, "empty compose file");
    assert_eq!(position(&diagnostic), (1, 1));
}

#[test]
fn single_document_parse_rejects_second() {
    let diagnostics = yaml::parse("a: 1\n---\nb: 2\n", Path::new(FILE)).expect_err("a second document");
    assert_eq!(diagnostics.0.len(), 1);
    assert_eq!(diagnostics.0[0].code, code::YAML_MULTIPLE_DOCUMENTS);
    assert_eq!(position(&diagnostics.0[0]), (2, 1));
}

/// A fresh folder for one test's files, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let path = std::env::temp_dir().join(format!("perry-stack-documents-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temporary folder");
        Folder(path)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn documents_between_files() {
    let folder = Folder::new("between-files");
    let first = folder.write("compose.yaml", "services:\n  web:\n    image: web:1\n---\nservices:\n  web:\n    image: web:2\n    ports: [\"80\"]\n");
    let second = folder.write("override.yaml", "services:\n  web:\n    image: web:3\n---\nservices:\n  web:\n    ports: !override [\"81\"]\n");
    let no_variables = |_: &str| None;
    let options = Options { files: vec![first, second.clone()], environment: Some(&no_variables), ..Options::default() };
    let loaded = match load_project(&options) {
        Ok(loaded) => loaded,
        Err(failed) => panic!("expected the project to load, found: {:#?}", failed.diagnostics),
    };
    let web = &loaded.project.services["web"];
    assert_eq!(web.image.as_deref(), Some("web:3"));
    assert_eq!(web.ports.len(), 1);
    assert_eq!(web.ports[0].target, 81);
    assert_eq!(loaded.project.file_of(web.ports[0].span), second);
    assert_eq!((web.ports[0].span.line, web.ports[0].span.column), (7, 23));
}

fn load_file(file: PathBuf) -> Result<perry_stack_schema::Loaded, perry_stack_schema::Failed> {
    let no_variables = |_: &str| None;
    let options = Options { files: vec![file], environment: Some(&no_variables), ..Options::default() };
    load_project(&options)
}

#[test]
fn documents_include_in_second() {
    let folder = Folder::new("include");
    folder.write("db.yaml", "services:\n  db:\n    image: db\n---\nservices:\n  db:\n    environment: {MODE: second}\n");
    let file = folder.write(
        "compose.yaml",
        "services:\n  base:\n    image: base\n---\ninclude: [db.yaml]\nservices:\n  base:\n    image: base\n  web:\n    extends: base\n    depends_on: [db]\n",
    );
    let loaded = match load_file(file) {
        Ok(loaded) => loaded,
        Err(failed) => panic!("expected the project to load, found: {:#?}", failed.diagnostics),
    };
    let services = &loaded.project.services;
    assert_eq!(services["web"].image.as_deref(), Some("base"));
    assert_eq!(services["db"].image.as_deref(), Some("db"));
    assert_eq!(services["db"].environment.get("MODE"), Some(&Some("second".to_owned())));
}

/// As in docker compose, `extends` reads the services of its own document,
/// as it reads those of its own file when several files merge.
#[test]
fn documents_extends_own_document() {
    let folder = Folder::new("extends");
    let file = folder.write("compose.yaml", "services:\n  base:\n    image: base\n---\nservices:\n  web:\n    extends: base\n");
    let failed = match load_file(file.clone()) {
        Ok(loaded) => panic!("expected an error, loaded: {:#?}", loaded.project),
        Err(failed) => failed,
    };
    let errors: Vec<&Diagnostic> = failed.diagnostics.iter().filter(|diagnostic| diagnostic.code == code::EXTENDS_UNDEFINED).collect();
    assert_eq!(errors.len(), 1, "{:#?}", failed.diagnostics);
    assert_eq!(errors[0].message, format!("service `web` extends `base`, which `{}` does not define", file.display()));
    assert_eq!(errors[0].file, file);
    assert_eq!(position(errors[0]), (7, 14));
}

#[test]
fn nul_character_named_at_its_position() {
    let diagnostic = only_error("services:\n  web:\n    image: \"ab\0c\"\n", code::YAML_SYNTAX);
    assert_eq!(diagnostic.message, "invalid YAML: a NUL character (U+0000) is not allowed");
    assert_eq!(position(&diagnostic), (3, 15));
}

#[test]
fn unknown_anchor_help_names_anchors() {
    let diagnostic = only_error("services:\n  web:\n    image: *nope\n", code::YAML_SYNTAX);
    assert!(diagnostic.message.ends_with("found unknown anchor"), "{}", diagnostic.message);
    assert_eq!(diagnostic.help.as_deref(), Some("define the anchor with `&name` on a value above this alias, which then repeats it as `*name`"));
}
