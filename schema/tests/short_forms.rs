//! Short forms of the service keys that the model keeps as written, each
//! rewritten to the long form that `docker compose config` prints, and the
//! short forms that fit no syntax rejected with their position.

use std::path::Path;

use perry_stack_schema::diag::messages::code;
use perry_stack_schema::{check, Diagnostic, Project};
use serde_json::{json, Value as Json};

const FILE: &str = "/srv/app/compose.yaml";

fn checked(source: &str) -> Project {
    match check(source, Path::new(FILE)) {
        Ok(checked) => checked.project,
        Err(diagnostics) => panic!("expected the file to load, found: {diagnostics:#?}"),
    }
}

/// Returns the value of `key` of service `web` as JSON.
fn web_key(source: &str, key: &str) -> Json {
    let project = checked(source);
    let node = project.services["web"].unsupported.get(key).unwrap_or_else(|| panic!("`{key}` is kept"));
    serde_json::to_value(node).expect("a node serializes")
}

/// Returns the one error of `source`, checked to have `code`.
fn only_error(source: &str, code: &str) -> Diagnostic {
    let diagnostics = match check(source, Path::new(FILE)) {
        Ok(checked) => panic!("expected an error, loaded: {:#?}", checked.project),
        Err(diagnostics) => diagnostics.0,
    };
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|diagnostic| diagnostic.code == code).collect();
    assert_eq!(errors.len(), 1, "{diagnostics:#?}");
    errors[0].clone()
}

fn web(lines: &str) -> String {
    format!("services:\n  web:\n    image: web\n{lines}")
}

#[test]
fn ulimits_number_to_soft_hard() {
    let ulimits = web_key(&web("    ulimits:\n      nproc: 65535\n      nofile: {soft: 1, hard: 2}\n"), "ulimits");
    assert_eq!(ulimits, json!({"nproc": {"soft": 65535, "hard": 65535}, "nofile": {"soft": 1, "hard": 2}}));
}

#[test]
fn extra_hosts_list_sorted() {
    let hosts = web_key(&web("    extra_hosts: [\"b:10.0.0.2\", \"a=10.0.0.1\", \"v6:::1\", \"w=[::2]\"]\n"), "extra_hosts");
    assert_eq!(hosts, json!(["a=10.0.0.1", "b=10.0.0.2", "v6=::1", "w=::2"]));
}

#[test]
fn extra_hosts_mapping_to_list() {
    let hosts = web_key(&web("    extra_hosts:\n      b: 10.0.0.2\n      a: [10.0.0.1, 10.0.0.3]\n"), "extra_hosts");
    assert_eq!(hosts, json!(["a=10.0.0.1", "a=10.0.0.3", "b=10.0.0.2"]));
}

#[test]
fn extra_hosts_missing_address() {
    let error = only_error(&web("    extra_hosts: [somehost]\n"), code::INVALID_VALUE);
    assert_eq!(error.message, "invalid value `somehost` for `services.web.extra_hosts[0]`: expected `HOST=IP` or `HOST:IP`");
    assert_eq!(error.file, Path::new(FILE));
    assert_eq!((error.span.line, error.span.column), (4, 19));
    assert_eq!(error.path.as_deref(), Some("services.web.extra_hosts[0]"));
}

#[test]
fn sysctls_list_to_mapping() {
    let sysctls = web_key(&web("    sysctls: [net.core.somaxconn=1024, kernel.shmmax=1]\n"), "sysctls");
    assert_eq!(sysctls, json!({"net.core.somaxconn": "1024", "kernel.shmmax": "1"}));
    let sysctls = web_key(&web("    sysctls: {net.core.somaxconn: 1024}\n"), "sysctls");
    assert_eq!(sysctls, json!({"net.core.somaxconn": "1024"}));
}

#[test]
fn string_to_one_item_list() {
    let source = web("    tmpfs: /run\n    dns: 8.8.8.8\n    dns_search: example.com\n");
    assert_eq!(web_key(&source, "tmpfs"), json!(["/run"]));
    assert_eq!(web_key(&source, "dns"), json!(["8.8.8.8"]));
    assert_eq!(web_key(&source, "dns_search"), json!(["example.com"]));
    assert_eq!(web_key(&web("    dns: [1.1.1.1, 8.8.8.8]\n"), "dns"), json!(["1.1.1.1", "8.8.8.8"]));
}

#[test]
fn expose_numbers_to_strings() {
    assert_eq!(web_key(&web("    expose: [80, \"3000-3005\"]\n"), "expose"), json!(["80", "3000-3005"]));
    assert_eq!(web_key(&web("    group_add: [100, mail]\n"), "group_add"), json!(["100", "mail"]));
}

#[test]
fn devices_to_long_form() {
    let devices = web_key(&web("    devices: [\"/dev/a:/dev/b:rw\", /dev/c, \"/dev/d:/dev/e\"]\n"), "devices");
    assert_eq!(
        devices,
        json!([
            {"source": "/dev/a", "target": "/dev/b", "permissions": "rw"},
            {"source": "/dev/c", "target": "/dev/c", "permissions": "rwm"},
            {"source": "/dev/d", "target": "/dev/e", "permissions": "rwm"},
        ])
    );
}

#[test]
fn devices_too_many_parts() {
    let error = only_error(&web("    devices:\n      - /dev/a:/dev/b:rw:x\n"), code::INVALID_VALUE);
    assert_eq!(
        error.message,
        "invalid value `/dev/a:/dev/b:rw:x` for `services.web.devices[0]`: expected `HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]`"
    );
    assert_eq!(error.file, Path::new(FILE));
    assert_eq!((error.span.line, error.span.column), (5, 9));
}

#[test]
fn logging_options_to_strings() {
    let logging = web_key(&web("    logging:\n      driver: syslog\n      options: {max-size: 10m, max-file: 3}\n"), "logging");
    assert_eq!(logging, json!({"driver": "syslog", "options": {"max-size": "10m", "max-file": "3"}}));
}

#[test]
fn labels_lists_to_mappings() {
    let source = web("    annotations: [a=1, b]\n    deploy:\n      labels: [c=2]\n");
    assert_eq!(web_key(&source, "annotations"), json!({"a": "1", "b": null}));
    assert_eq!(web_key(&source, "deploy"), json!({"labels": {"c": "2"}}));
}

#[test]
fn sizes_to_bytes() {
    let source = web("    mem_limit: 512m\n    shm_size: 1.5GiB\n    memswap_limit: -1\n    mem_reservation: 100 kb\n");
    assert_eq!(web_key(&source, "mem_limit"), json!(512 * 1024 * 1024));
    assert_eq!(web_key(&source, "shm_size"), json!(1536 * 1024 * 1024));
    assert_eq!(web_key(&source, "memswap_limit"), json!(-1));
    assert_eq!(web_key(&source, "mem_reservation"), json!(100 * 1024));
}

#[test]
fn size_without_number() {
    let error = only_error(&web("    mem_limit: lots\n"), code::INVALID_VALUE);
    assert_eq!(error.message, "invalid value `lots` for `services.web.mem_limit`: expected a size in bytes such as `512m` or `1g`");
    assert_eq!(error.file, Path::new(FILE));
    assert_eq!((error.span.line, error.span.column), (4, 16));
}

#[test]
fn size_parse_cases() {
    use perry_stack_schema::compose::short_forms::parse_bytes;
    assert_eq!(parse_bytes("1024"), Some(1024));
    assert_eq!(parse_bytes("1b"), Some(1));
    assert_eq!(parse_bytes("2k"), Some(2048));
    assert_eq!(parse_bytes("1g"), Some(1 << 30));
    assert_eq!(parse_bytes("1.g"), None);
    assert_eq!(parse_bytes("1x"), None);
    assert_eq!(parse_bytes("1mbb"), None);
    assert_eq!(parse_bytes(""), None);
}

#[test]
fn merged_forms_append() {
    let source = "\
services:
  web:
    image: web
    dns: 8.8.8.8
    tmpfs: [/run]
    extra_hosts: {a: 10.0.0.1}
---
services:
  web:
    dns: [1.1.1.1]
    tmpfs: /tmp
    extra_hosts: [\"b:10.0.0.2\", \"a=10.0.0.1\"]
";
    assert_eq!(web_key(source, "dns"), json!(["8.8.8.8", "1.1.1.1"]));
    assert_eq!(web_key(source, "tmpfs"), json!(["/run", "/tmp"]));
    assert_eq!(web_key(source, "extra_hosts"), json!(["a=10.0.0.1", "b=10.0.0.2"]));
}

#[test]
fn logging_driver_change_replaces() {
    let source = "\
services:
  web:
    image: web
    logging: {driver: syslog, options: {syslog-address: \"udp://1.2.3.4:514\"}}
---
services:
  web:
    logging: {driver: json-file, options: {max-size: 10m}}
";
    assert_eq!(web_key(source, "logging"), json!({"driver": "json-file", "options": {"max-size": "10m"}}));
    let same_driver = source.replace("json-file", "syslog");
    let merged = json!({"driver": "syslog", "options": {"syslog-address": "udp://1.2.3.4:514", "max-size": "10m"}});
    assert_eq!(web_key(&same_driver, "logging"), merged);
}

#[test]
fn short_bind_mount_creates_host_path() {
    let project = checked(&web(
        "    volumes:\n      - ./data:/data\n      - type: bind\n        source: ./long\n        target: /long\n      - type: bind\n        source: ./made\n        target: /made\n        bind: {create_host_path: true}\n      - cache:/cache\nvolumes:\n  cache: {}\n",
    ));
    let flags: Vec<(&str, bool)> = project.services["web"].volumes.iter().map(|mount| (mount.target.as_str(), mount.create_host_path)).collect();
    assert_eq!(flags, [("/data", true), ("/long", false), ("/made", true), ("/cache", false)]);
}
