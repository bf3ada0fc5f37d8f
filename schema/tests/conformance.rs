//! Conformance with docker compose: every file of the shared corpus loads
//! with this loader and with `docker-compose config` (1.29, which needs no
//! daemon), and both results, brought into one comparable form, agree.
//!
//! The corpus is copied to a fresh folder first. Its projects do not ship
//! their build folders and some env files. When docker-compose stops at one
//! of those, an empty stand-in is created in the copy and both tools run
//! again, so that the rest of the file is still compared. A file that both
//! tools reject counts as agreement.
//!
//! The comparable form is a `serde_json::Value` in which representation
//! choices that do not change the model are made one way: short and long
//! syntaxes, numbers written as strings, defaults written out or left out.
//! Where docker-compose 1.29 follows an older rule than the current Compose
//! Specification, `DIFFERENCES` names the rule and the comparison leaves
//! that value out on both sides.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use perry_stack_schema::compose::emit::to_yaml;
use perry_stack_schema::compose::parse::{parse_duration, parse_port};
use perry_stack_schema::compose::short_forms::parse_bytes;
use perry_stack_schema::Span;
use perry_stack_schema::{load_project, Options};
use serde_json::{json, Map, Value as Json};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

/// Corpus files that their project merges with `-f`, compared merged as well.
const MERGED: &[&[&str]] = &[&[
    "realworld/frappe__frappe_docker/compose.yaml",
    "realworld/frappe__frappe_docker/overrides/compose.mariadb.yaml",
    "realworld/frappe__frappe_docker/overrides/compose.redis.yaml",
]];

/// Hand-made files compared like the corpus, for short forms the corpus
/// hardly uses: (folder under the copied corpus, file text).
const FIXTURES: &[(&str, &str)] = &[(
    "fixtures/short-forms",
    "\
services:
  web:
    image: web
    ulimits:
      nproc: 65535
      nofile: {soft: 20000, hard: 40000}
    extra_hosts:
      - somehost:162.242.195.82
      - otherhost=50.31.209.229
    sysctls:
      - net.core.somaxconn=1024
    tmpfs: /run
    dns: 8.8.8.8
    dns_search: example.com
    expose: [80, \"3000-3005\"]
    devices:
      - /dev/ttyUSB0:/dev/ttyUSB1:rw
      - /dev/sda
    logging:
      driver: syslog
      options: {max-size: 10m, max-file: 3}
    group_add: [100, mail]
    mem_limit: 512m
    shm_size: 64m
  db:
    image: db
    extra_hosts: {somehost: 162.242.195.82}
    sysctls: {net.core.somaxconn: 1024}
    tmpfs: [/run, /tmp]
    dns: [8.8.8.8, 1.1.1.1]
",
)];

/// Where docker-compose 1.29 diverges from the current specification:
/// (file, dotted path with `*` for any key, the rule that decides it).
/// A difference at a matching path of a matching file is not counted. The
/// file `*` matches every file; a plain file also matches the merged
/// projects that start with it, and `A + B` only that merge.
const DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "*",
        "x-*",
        "Extension: top-level `x-*` keys are kept in the model for tools that read them; docker-compose 1.29 drops them from its output",
    ),
    (
        "realworld/frappe__frappe_docker/compose.yaml",
        "services.*.image",
        "Interpolation: a default is itself interpolated, so `${CUSTOM_TAG:-$ERPNEXT_VERSION}` reads ERPNEXT_VERSION; docker-compose 1.29 keeps `$ERPNEXT_VERSION` literally",
    ),
    (
        "realworld/frappe__frappe_docker/compose.yaml",
        "services.frontend.environment.FRAPPE_SITE_NAME_HEADER",
        "Interpolation: a default is itself interpolated, so `$$` in `${VAR:-$$host}` is one `$`; docker-compose 1.29 keeps both",
    ),
    (
        "realworld/frappe__frappe_docker/compose.yaml + realworld/frappe__frappe_docker/overrides/compose.mariadb.yaml + realworld/frappe__frappe_docker/overrides/compose.redis.yaml",
        "services.*.pull_policy",
        "Merge: a service key that a later file does not set keeps its earlier value; docker-compose 1.29 merges only the keys it lists and drops `pull_policy`",
    ),
];

fn excused(file: &str, path: &str) -> Option<&'static str> {
    DIFFERENCES
        .iter()
        .find(|(pattern_file, pattern, _)| {
            let files_match = *pattern_file == "*" || file.split(" + ").next() == Some(*pattern_file) || file == *pattern_file;
            files_match && matches_path(pattern, path)
        })
        .map(|(_, _, rule)| *rule)
}

/// Tells whether `path` is `pattern` or below it. A `*` in the pattern
/// matches one key, and a trailing `*` within a key matches its rest (`x-*`).
fn matches_path(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let path: Vec<&str> = path.split('.').collect();
    path.len() >= pattern.len()
        && pattern.iter().zip(&path).all(|(pattern, key)| match pattern.strip_suffix('*') {
            Some(prefix) => key.starts_with(prefix),
            None => pattern == key,
        })
}

fn corpus_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read corpus folder") {
            let path = entry.expect("corpus entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "yml" || extension == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Runs `docker-compose config` on `files`, merged, in a clean environment. Returns
/// the printed configuration, or the error text.
fn docker_compose(files: &[PathBuf]) -> Result<String, String> {
    let mut command = Command::new("docker-compose");
    for file in files {
        command.arg("-f").arg(file);
    }
    let output = command
        .arg("config")
        .current_dir(files[0].parent().unwrap())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap_or_else(|error| panic!("docker-compose cannot run ({error}); install it with scripts/setup-peers.sh"));
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Creates the missing build folder or env file that `error` names, if it
/// lies inside `root`. Returns whether it created one.
fn create_stand_in(error: &str, root: &Path) -> bool {
    let build = error.split("build path ").nth(1).and_then(|rest| rest.split(" either does not exist").next());
    if let Some(path) = build.map(PathBuf::from).filter(|path| path.starts_with(root)) {
        return std::fs::create_dir_all(path).is_ok();
    }
    let env_file = error.split("Couldn't find env file: ").nth(1).map(|rest| rest.trim());
    if let Some(path) = env_file.map(PathBuf::from).filter(|path| path.starts_with(root)) {
        std::fs::create_dir_all(path.parent().unwrap()).ok();
        return std::fs::write(path, "").is_ok();
    }
    false
}

/// Loads `files`, merged, with this loader and prints them as `perry-stack config` does.
fn perry_stack(files: &[PathBuf]) -> Result<String, String> {
    let environment = |_: &str| None;
    let options = Options { files: files.to_vec(), environment: Some(&environment), ..Options::default() };
    match load_project(&options) {
        Ok(mut loaded) => {
            loaded.project.name = Some(loaded.project_name(None, Some(&environment)).map_err(|diagnostic| diagnostic.message)?);
            Ok(to_yaml(&loaded.project))
        }
        Err(failed) => Err(failed.diagnostics.iter().map(|diagnostic| diagnostic.message.clone()).collect::<Vec<_>>().join("\n")),
    }
}

fn parse_yaml(text: &str) -> Json {
    let node = perry_stack_schema::yaml::parse(text, Path::new("config.yaml")).expect("config output is YAML");
    serde_json::to_value(&node).expect("a node serializes")
}

/// Brings a printed configuration into the comparable form, removing
/// representation differences:
/// - `version` and `name` at the top level: 1.29 prints its own schema version and no
///   name, while `perry-stack config` prints the resolved project name as docker compose
///   v2 does;
/// - services that no enabled profile selects: the specification leaves them out of the
///   model, 1.29 prints them;
/// - the `default` network, implied for services without `networks`: the model declares
///   it, 1.29 does not print it;
/// - `env_file`: both read the files into `environment`, 1.29 then drops the key;
/// - `depends_on` `required: true` and `restart: false`, `external: false`,
///   `read_only: false`, `protocol: tcp`, `mode: ingress`: defaults that one side writes;
/// - short syntaxes that 1.29 prints as written and the model in their long syntax:
///   ports, volumes, commands, healthcheck tests, `ulimits`, `extra_hosts`, `devices`
///   and sizes with a unit;
/// - numbers written as strings, durations in different units, trailing `/` of paths;
/// - `bind.create_host_path`, which the model writes for short bind mounts as docker
///   compose v2 does, and 1.29 does not.
fn comparable(mut config: Json) -> Json {
    let Some(root) = config.as_object_mut() else { return config };
    root.remove("version");
    root.remove("name");
    if let Some(Json::Object(services)) = root.get_mut("services") {
        services.retain(|_, service| service.get("profiles").is_none());
    }
    for section in ["networks", "volumes"] {
        if let Some(Json::Object(definitions)) = root.get_mut(section) {
            for definition in definitions.values_mut() {
                if let Json::Object(definition) = definition {
                    if definition.get("external") == Some(&json!(false)) {
                        definition.remove("external");
                    }
                }
            }
        }
    }
    if let Some(Json::Object(networks)) = root.get_mut("networks") {
        if networks.get("default").is_some_and(|network| network.as_object().is_none_or(Map::is_empty)) {
            networks.remove("default");
        }
        if networks.is_empty() {
            root.remove("networks");
        }
    }
    if let Some(Json::Object(services)) = root.get_mut("services") {
        for service in services.values_mut() {
            if let Json::Object(service) = service {
                comparable_service(service);
            }
        }
    }
    stringify(&mut config);
    config
}

fn comparable_service(service: &mut Map<String, Json>) {
    service.remove("env_file");
    service.retain(|_, value| value.as_object().is_none_or(|entries| !entries.is_empty()));
    for key in ["command", "entrypoint"] {
        if let Some(Json::String(text)) = service.get(key) {
            let words = shlex::split(text).unwrap_or_default();
            service.insert(key.to_owned(), json!(words));
        }
    }
    for key in ["environment", "labels"] {
        if let Some(Json::Array(items)) = service.get(key) {
            let mapping: Map<String, Json> = items
                .iter()
                .filter_map(Json::as_str)
                .map(|item| match item.split_once('=') {
                    Some((name, value)) => (name.to_owned(), json!(value)),
                    None => (item.to_owned(), Json::Null),
                })
                .collect();
            service.insert(key.to_owned(), Json::Object(mapping));
        }
    }
    if let Some(Json::Object(networks)) = service.get_mut("networks") {
        for network in networks.values_mut() {
            if network.is_null() {
                *network = json!({});
            }
        }
    }
    if let Some(Json::Array(networks)) = service.get("networks") {
        let mapping: Map<String, Json> = networks.iter().filter_map(Json::as_str).map(|name| (name.to_owned(), json!({}))).collect();
        service.insert("networks".to_owned(), Json::Object(mapping));
    }
    if service.get("networks") == Some(&json!({"default": {}})) {
        service.remove("networks");
    }
    if let Some(Json::Object(dependencies)) = service.get_mut("depends_on") {
        for dependency in dependencies.values_mut() {
            if let Json::Object(dependency) = dependency {
                dependency.remove("required");
                dependency.remove("restart");
            }
        }
    }
    if let Some(Json::Object(healthcheck)) = service.get_mut("healthcheck") {
        if let Some(Json::String(script)) = healthcheck.get("test") {
            let test = json!(["CMD-SHELL", script]);
            healthcheck.insert("test".to_owned(), test);
        }
        for key in ["interval", "timeout", "start_period", "start_interval"] {
            if let Some(Json::String(text)) = healthcheck.get(key) {
                let nanos = parse_duration(text).map(|duration| duration.as_nanos().to_string()).unwrap_or_else(|| text.clone());
                healthcheck.insert(key.to_owned(), json!(nanos));
            }
        }
    }
    if let Some(Json::Array(ports)) = service.get_mut("ports") {
        let expanded: Vec<Json> = ports
            .drain(..)
            .flat_map(|port| match &port {
                Json::String(text) => parse_port(text, Span::default())
                    .map(|long| long.iter().map(|port| serde_json::to_value(port).expect("a port serializes")).collect())
                    .unwrap_or_else(|_| vec![port.clone()]),
                _ => vec![port],
            })
            .collect();
        *ports = expanded;
        for port in ports.iter_mut() {
            if let Json::Object(port) = port {
                port.entry("protocol").or_insert(json!("tcp"));
                port.entry("mode").or_insert(json!("ingress"));
            }
        }
        ports.sort_by_key(|port| port.to_string());
    }
    for key in ["mem_limit", "mem_reservation", "memswap_limit", "shm_size"] {
        if let Some(Json::String(text)) = service.get(key) {
            let bytes = parse_bytes(text).map_or_else(|| json!(text), |bytes| json!(bytes));
            service.insert(key.to_owned(), bytes);
        }
    }
    if let Some(Json::Object(ulimits)) = service.get_mut("ulimits") {
        for limit in ulimits.values_mut() {
            if limit.is_number() {
                *limit = json!({"soft": limit.clone(), "hard": limit.clone()});
            }
        }
    }
    let hosts = match service.get("extra_hosts") {
        Some(Json::Array(items)) => Some(items.iter().filter_map(Json::as_str).map(|item| item.replacen(':', "=", 1)).collect::<Vec<_>>()),
        Some(Json::Object(entries)) => Some(entries.iter().map(|(host, address)| format!("{host}={}", address.as_str().unwrap_or_default())).collect()),
        _ => None,
    };
    if let Some(mut hosts) = hosts {
        hosts.sort();
        service.insert("extra_hosts".to_owned(), json!(hosts));
    }
    if let Some(Json::Array(devices)) = service.get_mut("devices") {
        for device in devices.iter_mut() {
            if let Some(text) = device.as_str() {
                let parts: Vec<&str> = text.split(':').collect();
                let target = parts.get(1).unwrap_or(&parts[0]);
                *device = json!({"source": parts[0], "target": target, "permissions": parts.get(2).unwrap_or(&"rwm")});
            }
        }
    }
    if let Some(Json::Array(volumes)) = service.get_mut("volumes") {
        for volume in volumes.iter_mut() {
            if let Json::String(text) = volume {
                *volume = long_volume(text);
            }
            if let Json::Object(volume) = volume {
                if volume.get("read_only") == Some(&json!(false)) {
                    volume.remove("read_only");
                }
                if let Some(Json::Object(bind)) = volume.get_mut("bind") {
                    bind.remove("create_host_path");
                    if bind.is_empty() {
                        volume.remove("bind");
                    }
                }
                for key in ["source", "target"] {
                    if let Some(Json::String(path)) = volume.get_mut(key) {
                        if path.len() > 1 {
                            *path = path.trim_end_matches('/').to_owned();
                        }
                    }
                }
            }
        }
    }
}

/// `SOURCE:TARGET[:MODE]` as docker-compose 1.29 prints it (sources already
/// absolute), in the long syntax.
fn long_volume(text: &str) -> Json {
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, *target, ""),
        [source, target] => (Some(*source), *target, ""),
        [source, target, mode, ..] => (Some(*source), *target, *mode),
        [] => (None, "", ""),
    };
    let kind = if source.is_some_and(|source| source.starts_with('/')) { "bind" } else { "volume" };
    let mut long = json!({"type": kind, "target": target});
    if let Some(source) = source {
        long["source"] = json!(source);
    }
    for option in mode.split(',') {
        match option {
            "ro" => long["read_only"] = json!(true),
            "z" | "Z" => long["bind"] = json!({"selinux": option}),
            "nocopy" => long["volume"] = json!({"nocopy": true}),
            _ => {}
        }
    }
    long
}

/// Numbers and booleans as strings: both tools write some values one way
/// or the other (`published: 8000` and `published: "8000"`).
fn stringify(value: &mut Json) {
    match value {
        Json::Number(number) => *value = Json::String(number.to_string()),
        Json::Bool(flag) => *value = Json::String(flag.to_string()),
        Json::Array(items) => items.iter_mut().for_each(stringify),
        Json::Object(entries) => entries.values_mut().for_each(stringify),
        _ => {}
    }
}

/// Collects the paths where two comparable forms differ, with both values.
fn differences(path: &str, ours: &Json, theirs: &Json, found: &mut Vec<String>) {
    match (ours, theirs) {
        (Json::Object(ours), Json::Object(theirs)) => {
            let keys: std::collections::BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
            for key in keys {
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match (ours.get(key), theirs.get(key)) {
                    (Some(ours), Some(theirs)) => differences(&child, ours, theirs, found),
                    (ours, theirs) => found.push(format!("{child}: ours {} / docker-compose {}", show(ours), show(theirs))),
                }
            }
        }
        _ if ours != theirs => found.push(format!("{path}: ours {ours} / docker-compose {theirs}")),
        _ => {}
    }
}

fn show(value: Option<&Json>) -> String {
    value.map_or_else(|| "absent".to_owned(), Json::to_string)
}

#[test]
fn corpus_agrees_with_docker_compose() {
    let corpus = Path::new(CORPUS).canonicalize().expect("the shared corpus exists");
    let root = std::env::temp_dir().join(format!("perry-stack-conformance-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    copy_tree(&corpus, &root);
    for (folder, text) in FIXTURES {
        std::fs::create_dir_all(root.join(folder)).expect("fixture folder");
        std::fs::write(root.join(folder).join("compose.yaml"), text).expect("write fixture");
    }

    let files = corpus_files(&root);
    assert!(files.len() >= 20, "expected the corpus, found {} files", files.len());
    let mut projects: Vec<Vec<PathBuf>> = files.iter().map(|file| vec![file.clone()]).collect();
    projects.extend(MERGED.iter().map(|group| group.iter().map(|file| root.join(file)).collect()));
    let mut report: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut compared = 0;
    for project in &projects {
        let name = project.iter().map(|file| file.strip_prefix(&root).unwrap().display().to_string()).collect::<Vec<_>>().join(" + ");
        let mut theirs = docker_compose(project);
        for _ in 0..10 {
            match &theirs {
                Err(error) if create_stand_in(error, &root) => theirs = docker_compose(project),
                _ => break,
            }
        }
        let ours = perry_stack(project);
        match (ours, theirs) {
            (Ok(ours), Ok(theirs)) => {
                compared += 1;
                let mut found = Vec::new();
                differences("", &comparable(parse_yaml(&ours)), &comparable(parse_yaml(&theirs)), &mut found);
                found.retain(|difference| excused(&name, difference.split(':').next().unwrap_or_default()).is_none());
                if !found.is_empty() {
                    report.insert(name, found);
                }
            }
            (Err(ours), Err(theirs)) => {
                eprintln!("{name}: rejected by both\n  here: {ours}\n  docker-compose: {}", theirs.trim());
            }
            (Ok(_), Err(error)) => {
                report.insert(name, vec![format!("loads here, docker-compose rejects it: {}", error.trim())]);
            }
            (Err(error), Ok(_)) => {
                report.insert(name, vec![format!("docker-compose loads it, rejected here: {error}")]);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    eprintln!("{compared} of {} projects compared, {} differ", projects.len(), report.len());
    let text: String = report.iter().map(|(file, found)| format!("{file}:\n  {}\n", found.join("\n  "))).collect();
    assert!(report.is_empty(), "{} of {} projects differ ({compared} compared):\n{text}", report.len(), projects.len());
}

/// Hand-made invalid files: (name, file, whether docker-compose 1.29 rejects
/// it, and where it does not, the rule of the current specification that
/// does). This loader must reject every one.
const INVALID: &[(&str, &str, bool, &str)] = &[
    ("undefined-dependency", "services:\n  web:\n    image: a\n    depends_on: [db]\n", true, ""),
    ("undefined-link", "services:\n  web:\n    image: a\n    links: [db]\n", true, ""),
    ("undefined-volume", "services:\n  web:\n    image: a\n    volumes: ['data:/data']\n", true, ""),
    ("dependency-cycle", "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n", true, ""),
    ("extends-cycle", "services:\n  a:\n    extends: b\n  b:\n    image: x\n    extends: a\n", true, ""),
    ("extends-undefined", "services:\n  a:\n    image: x\n    extends: nothere\n", true, ""),
    ("mount-conflict", "services:\n  web:\n    image: a\n    volumes: ['/a:/data', '/b:/data']\n", true, ""),
    ("unknown-key", "services:\n  web:\n    imagee: a\n", true, ""),
    ("invalid-port", "services:\n  web:\n    image: a\n    ports: ['abc']\n", true, ""),
    ("invalid-duration", "services:\n  web:\n    image: a\n    healthcheck: {test: [CMD, x], interval: 10}\n", true, ""),
    ("interpolation-syntax", "services:\n  web:\n    image: \"${}\"\n", true, ""),
    ("cast-replicas", "services:\n  web:\n    image: a\n    deploy: {replicas: \"${BAD:-three}\"}\n", true, ""),
    (
        "undefined-network",
        "services:\n  web:\n    image: a\n    networks: [back]\n",
        false,
        "networks: a service network must be declared in the top-level `networks`",
    ),
    (
        "undefined-secret",
        "services:\n  web:\n    image: a\n    secrets: [token]\n",
        false,
        "secrets: a service secret must be declared in the top-level `secrets`",
    ),
    (
        "container-name-replicas",
        "services:\n  web:\n    image: a\n    container_name: web\n    scale: 2\n",
        false,
        "container_name: a service with a custom container name cannot scale beyond one container",
    ),
    (
        "scale-replicas",
        "services:\n  web:\n    image: a\n    scale: 2\n    deploy: {replicas: 3}\n",
        false,
        "scale: if both `scale` and `deploy.replicas` are set, they must be consistent",
    ),
    (
        "yaml-1-1-boolean",
        "services:\n  web:\n    image: a\n    privileged: \"${P:-yes}\"\n",
        false,
        "interpolation: typed values are cast with YAML 1.2 rules, where `yes` is a string",
    ),
];

#[test]
fn invalid_files_rejected_as_strictly() {
    let root = std::env::temp_dir().join(format!("perry-stack-conformance-invalid-{}", std::process::id()));
    let mut failures = Vec::new();
    for (name, source, rejected_by_docker_compose, rule) in INVALID {
        let folder = root.join(name);
        std::fs::create_dir_all(&folder).expect("fixture folder");
        let file = folder.join("compose.yaml");
        std::fs::write(&file, source).expect("write fixture");
        let file = vec![file];
        if perry_stack(&file).is_ok() {
            failures.push(format!("{name}: loads here"));
        }
        let theirs = docker_compose(&file);
        if theirs.is_err() != *rejected_by_docker_compose {
            failures.push(format!("{name}: docker-compose {} it, expected otherwise ({rule})", if theirs.is_err() { "rejects" } else { "accepts" }));
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
