//! Normalization and the cross-reference rules: implicit dependencies, the
//! default network, values cast after interpolation, secrets and configs,
//! container names with replicas, mounts on one target, scale and replicas.

use std::path::Path;

use perry_stack_schema::diag::messages::code;
use perry_stack_schema::{load, Condition, Diagnostic, Severity};

fn environment(name: &str) -> Option<String> {
    match name {
        "REPLICAS" => Some("3".to_owned()),
        "HEX" => Some("0x10".to_owned()),
        "FLAG" => Some("True".to_owned()),
        "BAD" => Some("three".to_owned()),
        "YES" => Some("yes".to_owned()),
        _ => None,
    }
}

fn load_ok(source: &str) -> perry_stack_schema::Project {
    match load(source, Path::new("/srv/app/compose.yaml"), &environment) {
        Ok((project, _)) => project,
        Err(diagnostics) => panic!("expected the file to load, found: {diagnostics:#?}"),
    }
}

fn errors(source: &str) -> Vec<Diagnostic> {
    match load(source, Path::new("/srv/app/compose.yaml"), &environment) {
        Ok((project, _)) => panic!("expected errors, loaded: {project:#?}"),
        Err(diagnostics) => diagnostics.0.into_iter().filter(|diagnostic| diagnostic.severity == Severity::Error).collect(),
    }
}

/// The one error of `source`, checked to have `code`.
fn only(source: &str, code: &str) -> Diagnostic {
    let mut errors = errors(source);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let error = errors.remove(0);
    assert_eq!(error.code, code, "{error:#?}");
    error
}

fn at(diagnostic: &Diagnostic) -> (u32, u32, Option<&str>) {
    (diagnostic.span.line, diagnostic.span.column, diagnostic.path.as_deref())
}

#[test]
fn implicit_dependencies_added() {
    let project = load_ok(
        "services:\n  db: {image: a}\n  cache: {image: a}\n  data: {image: a}\n  web:\n    image: a\n    links: ['db:database']\n    volumes_from: ['data:ro', 'container:other']\n  side:\n    image: a\n    network_mode: service:cache\n",
    );
    let web: Vec<&str> = project.services["web"].depends_on.keys().map(String::as_str).collect();
    assert_eq!(web, ["data", "db"]);
    assert_eq!(project.services["web"].depends_on["db"].condition, Condition::ServiceStarted);
    assert!(project.services["side"].depends_on.contains_key("cache"));
}

#[test]
fn explicit_dependency_keeps_its_condition() {
    let project = load_ok("services:\n  db: {image: a, healthcheck: {test: [CMD, pg_isready]}}\n  web:\n    image: a\n    links: [db]\n    depends_on: {db: {condition: service_healthy}}\n");
    assert_eq!(project.services["web"].depends_on["db"].condition, Condition::ServiceHealthy);
}

#[test]
fn implied_dependency_undefined() {
    let error = only("services:\n  web:\n    image: a\n    links: [db]\n", code::UNDEFINED_SERVICE);
    assert_eq!((error.span.line, error.span.column), (4, 13));
}

#[test]
fn default_network_declared() {
    let project = load_ok("services:\n  web: {image: a}\n");
    assert!(project.networks.contains_key("default"));
    let own_mode = load_ok("services:\n  web: {image: a, network_mode: host}\n");
    assert!(!own_mode.networks.contains_key("default"));
}

#[test]
fn typed_values_cast() {
    let project = load_ok(
        "services:\n  web:\n    image: a\n    scale: ${REPLICAS}\n    tty: ${FLAG}\n    cpu_shares: ${HEX}\n    deploy: {replicas: '${REPLICAS}'}\n",
    );
    let web = &project.services["web"];
    assert_eq!(web.unsupported["scale"].value, perry_stack_schema::yaml::Value::Int(3));
    assert_eq!(web.unsupported["tty"].value, perry_stack_schema::yaml::Value::Bool(true));
    assert_eq!(web.unsupported["cpu_shares"].value, perry_stack_schema::yaml::Value::Int(16));
}

#[test]
fn bad_typed_value_error() {
    let error = only("services:\n  web:\n    image: a\n    deploy:\n      replicas: ${BAD}\n", code::INVALID_VALUE);
    assert_eq!(at(&error), (5, 17, Some("services.web.deploy.replicas")));
    assert_eq!(error.message, "invalid value `three` for `services.web.deploy.replicas`: expected a whole number from 0 to 4294967295");
}

#[test]
fn yaml_1_1_boolean_rejected() {
    let error = only("services:\n  web:\n    image: a\n    privileged: ${YES}\n", code::INVALID_VALUE);
    assert_eq!(at(&error), (4, 17, Some("services.web.privileged")));
}

#[test]
fn bad_duration_is_an_error() {
    let error = only("services:\n  web:\n    image: a\n    stop_grace_period: 10\n", code::INVALID_DURATION);
    assert_eq!(at(&error), (4, 24, Some("services.web.stop_grace_period")));
}

#[test]
fn undefined_secret_and_config() {
    let source = "services:\n  web:\n    image: a\n    secrets: [token, {source: key}]\n    configs: [site]\nsecrets:\n  token: {file: ./token}\n";
    let errors = errors(source);
    let found: Vec<(&str, u32, Option<&str>)> = errors.iter().map(|error| (error.code, error.span.line, error.path.as_deref())).collect();
    assert_eq!(
        found,
        [(code::UNDEFINED_SECRET, 4, Some("services.web.secrets[1]")), (code::UNDEFINED_CONFIG, 5, Some("services.web.configs[0]"))]
    );
}

#[test]
fn container_name_with_replicas() {
    let error = only("services:\n  web:\n    image: a\n    container_name: web\n    deploy: {replicas: 2}\n", code::CONTAINER_NAME_REPLICAS);
    assert_eq!(at(&error), (5, 24, Some("services.web.container_name")));
    let one = load_ok("services:\n  web:\n    image: a\n    container_name: web\n    scale: 1\n");
    assert!(one.services["web"].container_name.is_some());
}

#[test]
fn two_mounts_on_one_target() {
    let error = only("services:\n  web:\n    image: a\n    volumes: ['./a:/data', {type: tmpfs, target: /data/}]\n", code::MOUNT_CONFLICT);
    assert_eq!(at(&error), (4, 28, Some("services.web.volumes[1]")));
    assert_eq!(error.labels.len(), 1);
}

#[test]
fn scale_and_replicas_disagree() {
    let error = only("services:\n  web:\n    image: a\n    scale: 2\n    deploy: {replicas: 3}\n", code::SCALE_REPLICAS);
    assert_eq!(at(&error), (4, 12, Some("services.web.scale")));
    load_ok("services:\n  web:\n    image: a\n    scale: 3\n    deploy: {replicas: '${REPLICAS}'}\n");
}

#[test]
fn project_name_not_normalized() {
    let error = only("name: Shop\nservices: {}\n", code::INVALID_VALUE);
    assert_eq!(at(&error), (1, 7, Some("name")));
}
