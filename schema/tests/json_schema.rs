//! The loader against the Compose Specification's JSON Schema: on every
//! corpus file and on hand-made files, both must accept or both reject,
//! except for the deliberate differences listed here. The model's own
//! schema must accept the model of every corpus file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use perry_stack_schema::compose::merge::merge_files;
use perry_stack_schema::compose::model::json_schema;
use perry_stack_schema::interpolate::{self, Source};
use perry_stack_schema::yaml;

/// Files where the loader deliberately rejects what the schema accepts,
/// by the file's path under the corpus (or the hand-made case's name), with
/// the reason.
const LOADER_STRICTER: &[(&str, &str)] = &[
    ("hand-made/dependency-cycle", "a cycle in `depends_on` is a rule between services, which a schema cannot state"),
    ("hand-made/missing-image", "a service needs `image` (or `build`) to run; the schema leaves it optional for override files"),
    ("hand-made/undefined-dependency", "a reference to an undefined service is a rule between services, which a schema cannot state"),
    ("realworld/frappe__frappe_docker/overrides/compose.mariadb-secrets.yaml", "an override file read alone: its services lack `image`, which the base file sets"),
    ("realworld/frappe__frappe_docker/overrides/compose.mariadb.yaml", "an override file read alone: its services lack `image`, which the base file sets"),
    ("realworld/frappe__frappe_docker/overrides/compose.redis.yaml", "an override file read alone: its services lack `image`, which the base file sets"),
];

/// Files where the loader deliberately accepts what the schema rejects.
const LOADER_LAXER: &[(&str, &str)] = &[];

/// Hand-made files: a name and the file's text.
const HAND_MADE: &[(&str, &str)] = &[
    ("valid-long-forms", "services:\n  web:\n    image: nginx\n    ports: [{target: 80, published: '8080'}]\n    depends_on: {db: {condition: service_healthy}}\n  db:\n    image: postgres\n"),
    ("unknown-top-level-key", "servces:\n  web:\n    image: nginx\n"),
    ("unknown-service-key", "services:\n  web:\n    imagee: nginx\n"),
    ("ports-not-a-list", "services:\n  web:\n    image: nginx\n    ports: {a: 80}\n"),
    ("invalid-service-name", "services:\n  \"web app\":\n    image: nginx\n"),
    ("bad-condition", "services:\n  web:\n    image: nginx\n    depends_on: {db: {condition: maybe}}\n  db:\n    image: postgres\n"),
    ("env-file-without-path", "services:\n  web:\n    image: nginx\n    env_file: [{required: false}]\n"),
    ("networks-a-number", "services:\n  web:\n    image: nginx\nnetworks: 5\n"),
    ("environment-nested", "services:\n  web:\n    image: nginx\n    environment: {A: {B: c}}\n"),
    ("unknown-port-key", "services:\n  web:\n    image: nginx\n    ports: [{target: 80, publish: 8080}]\n"),
    ("extension-keys", "x-common: {a: 1}\nservices:\n  web:\n    image: nginx\n    x-note: anything\n"),
    ("undefined-dependency", "services:\n  web:\n    image: nginx\n    depends_on: [db]\n"),
    ("missing-image", "services:\n  web:\n    command: [sleep, '1']\n"),
    ("dependency-cycle", "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n"),
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn official_schema() -> serde_json::Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("compose-spec.json")).expect("bundled schema");
    serde_json::from_str(&text).expect("the bundled schema is JSON")
}

/// Lists every compose file under `folder`, sorted.
fn compose_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("corpus folder is readable") {
            let path = entry.expect("corpus entry").path();
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

/// Returns whether the official schema accepts the file after interpolation with
/// every variable unset, as the loader's check reads it.
fn schema_accepts(validator: &jsonschema::Validator, source: &str, file: &Path) -> bool {
    let Ok(mut root) = yaml::parse(source, file) else { return false };
    if interpolate::apply(&mut root, file, Source::Unset).has_errors() {
        return false;
    }
    let (root, diagnostics) = merge_files(vec![root], &[file.to_path_buf()]);
    if diagnostics.has_errors() {
        return false;
    }
    match serde_json::to_value(&root) {
        Ok(value) => validator.is_valid(&value),
        Err(_) => false,
    }
}

#[test]
fn loader_agrees_with_official_schema() {
    let validator = jsonschema::draft7::new(&official_schema()).expect("the official schema compiles");
    let mut cases: Vec<(String, PathBuf, String)> = Vec::new();
    for file in compose_files(&corpus()) {
        let name = file.strip_prefix(corpus()).unwrap().display().to_string();
        let source = std::fs::read_to_string(&file).expect("corpus file");
        cases.push((name, file, source));
    }
    assert!(cases.len() >= 30, "expected the corpus at {}, found {} files", corpus().display(), cases.len());
    for (name, source) in HAND_MADE {
        cases.push((format!("hand-made/{name}"), PathBuf::from("/project/compose.yaml"), source.to_string()));
    }

    let mut stricter = BTreeMap::new();
    let mut laxer = BTreeMap::new();
    for (name, file, source) in &cases {
        let loader = perry_stack_schema::check(source, file).is_ok();
        let schema = schema_accepts(&validator, source, file);
        if schema && !loader {
            stricter.insert(name.clone(), ());
        } else if loader && !schema {
            laxer.insert(name.clone(), ());
        }
    }

    let documented = |list: &[(&str, &str)]| list.iter().map(|(name, _)| name.to_string()).collect::<Vec<_>>();
    assert_eq!(stricter.keys().cloned().collect::<Vec<_>>(), documented(LOADER_STRICTER), "files only the loader rejects");
    assert_eq!(laxer.keys().cloned().collect::<Vec<_>>(), documented(LOADER_LAXER), "files only the schema rejects");
}

#[test]
fn hand_made_invalid_files_rejected() {
    let validator = jsonschema::draft7::new(&official_schema()).expect("the official schema compiles");
    for (name, source) in HAND_MADE {
        let file = Path::new("/project/compose.yaml");
        let valid = name.starts_with("valid") || name.starts_with("extension");
        assert_eq!(perry_stack_schema::check(source, file).is_ok(), valid, "loader on {name}");
        let deliberate = LOADER_STRICTER.iter().any(|(case, _)| case.strip_prefix("hand-made/") == Some(name));
        assert_eq!(schema_accepts(&validator, source, file), valid || deliberate, "official schema on {name}");
    }
}

#[test]
fn model_schema_accepts_corpus_models() {
    let validator = jsonschema::draft7::new(&json_schema()).expect("the model's schema compiles");
    let mut checked = 0;
    for file in compose_files(&corpus()) {
        let source = std::fs::read_to_string(&file).expect("corpus file");
        let Ok(checked_file) = perry_stack_schema::check(&source, &file) else { continue };
        let value = serde_json::to_value(&checked_file.project).expect("the model serializes");
        let errors: Vec<String> = validator.iter_errors(&value).map(|error| format!("{} at {}", error, error.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
        checked += 1;
    }
    assert!(checked >= 20, "checked {checked} files");
}

#[test]
fn model_schema_rejects_wrong_types() {
    let validator = jsonschema::draft7::new(&json_schema()).expect("the model's schema compiles");
    let valid = serde_json::json!({"services": {"web": {"image": "nginx", "networks": {"default": {}}}}});
    assert!(validator.is_valid(&valid));
    let wrong_port = serde_json::json!({"services": {"web": {"networks": {}, "ports": [{"target": "http", "protocol": "tcp", "mode": "ingress"}]}}});
    assert!(!validator.is_valid(&wrong_port));
    let wrong_condition = serde_json::json!({"services": {"web": {"networks": {}, "depends_on": {"db": {"condition": "maybe", "restart": false, "required": true}}}}});
    assert!(!validator.is_valid(&wrong_condition));
}
