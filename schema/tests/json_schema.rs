//! Three readers of a compose file against each other: the loader, the
//! Compose Specification's JSON Schema and our file schema (the one editors
//! use, `file_schema::json_schema`). On every corpus file and every
//! hand-made file they must accept or reject alike, except for the
//! deliberate differences listed here with their reasons. The model's own
//! schema must accept the model of every corpus file.

use std::collections::BTreeMap;
use std::path::Path;

use perry_stack_schema::compose::file_schema;
use perry_stack_schema::compose::merge::merge_files;
use perry_stack_schema::compose::model::json_schema;
use perry_stack_schema::interpolate::{self, Source};
use perry_stack_schema::yaml;

/// Which of the three readers accept a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Verdicts {
    loader: bool,
    official: bool,
    file_schema: bool,
}

impl Verdicts {
    const fn all(accepted: bool) -> Verdicts {
        Verdicts { loader: accepted, official: accepted, file_schema: accepted }
    }
}

const ONLY_LOADER_REJECTS: Verdicts = Verdicts { loader: false, official: true, file_schema: true };
const ONLY_OFFICIAL_ACCEPTS: Verdicts = Verdicts { loader: false, official: true, file_schema: false };

/// Files on which the readers deliberately differ, by the file's path under
/// the corpus (or `hand-made/` and the case's name), with the verdicts and
/// the reason. A hand-made case that is not listed must get its expected
/// verdict from all three. A corpus file that is not listed must get the
/// same verdict from all three.
const DIFFERENCES: &[(&str, Verdicts, &str)] = &[
    ("hand-made/dependency-cycle", ONLY_LOADER_REJECTS, "a cycle in `depends_on` is a rule between services, which a schema cannot state"),
    ("hand-made/missing-image", ONLY_LOADER_REJECTS, "a service needs `image` (or `build`) to run; the schemas leave it optional for override files"),
    ("hand-made/healthy-without-healthcheck", ONLY_LOADER_REJECTS, "a `service_healthy` dependency needs a healthcheck on the other service, a rule between services that a schema cannot state"),
    ("hand-made/undefined-dependency", ONLY_LOADER_REJECTS, "a reference to an undefined service is a rule between services, which a schema cannot state"),
    ("realworld/frappe__frappe_docker/overrides/compose.mariadb-secrets.yaml", ONLY_LOADER_REJECTS, "an override file read alone: its services lack `image`, which the base file sets"),
    ("realworld/frappe__frappe_docker/overrides/compose.mariadb.yaml", ONLY_LOADER_REJECTS, "an override file read alone: its services lack `image`, which the base file sets"),
    ("realworld/frappe__frappe_docker/overrides/compose.redis.yaml", ONLY_LOADER_REJECTS, "an override file read alone: its services lack `image`, which the base file sets"),
    // The official schema takes any string where `${VAR}` may give a typed
    // value. The loader casts the value as docker compose does, and the file
    // schema checks the string's syntax.
    ("hand-made/duration-in-words", ONLY_OFFICIAL_ACCEPTS, "`10 seconds` is no duration; the official schema takes any string"),
    ("hand-made/memory-in-words", ONLY_OFFICIAL_ACCEPTS, "`lots` is no size in bytes; the official schema takes any string"),
    ("hand-made/port-target-zero", ONLY_OFFICIAL_ACCEPTS, "0 is no port number; the official schema sets no range"),
    ("hand-made/privileged-yes", ONLY_OFFICIAL_ACCEPTS, "YAML 1.2 reads `yes` as a string, which is no boolean; the official schema takes any string"),
    ("hand-made/relative-mount-target", ONLY_OFFICIAL_ACCEPTS, "a mount's container path must be absolute; the official schema takes any string"),
    ("hand-made/replicas-a-word", ONLY_OFFICIAL_ACCEPTS, "`two` is no count; the official schema takes any string"),
    ("hand-made/short-port-not-a-number", ONLY_OFFICIAL_ACCEPTS, "`80:http` fits no port syntax; the official schema takes any string"),
    ("hand-made/unknown-restart-policy", ONLY_OFFICIAL_ACCEPTS, "`sometimes` is no restart policy; the official schema takes any string"),
    ("hand-made/unset-boolean-variable", ONLY_OFFICIAL_ACCEPTS, "an unset variable leaves an empty string, which is no boolean"),
    ("hand-made/unset-port-variable", ONLY_OFFICIAL_ACCEPTS, "an unset variable leaves an empty string, which is no port"),
];

/// Whether a hand-made file is a valid compose file, as docker compose
/// reads it with every variable unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    Valid,
    Invalid,
}

use Expected::{Invalid, Valid};

mod support;
use support::{compose_files, corpus};

/// Hand-made files: a name, whether the file is valid, and its text.
const HAND_MADE: &[(&str, Expected, &str)] = &[
    ("valid-long-forms", Valid, "services:\n  web:\n    image: nginx\n    ports: [{target: 80, published: '8080'}]\n    depends_on: {db: {condition: service_healthy}}\n  db:\n    image: postgres\n    healthcheck: {test: [CMD, pg_isready]}\n"),
    ("healthy-without-healthcheck", Invalid, "services:\n  web:\n    image: nginx\n    depends_on: {db: {condition: service_healthy}}\n  db:\n    image: postgres\n"),
    ("unknown-top-level-key", Invalid, "servces:\n  web:\n    image: nginx\n"),
    ("unknown-service-key", Invalid, "services:\n  web:\n    imagee: nginx\n"),
    ("ports-not-a-list", Invalid, "services:\n  web:\n    image: nginx\n    ports: {a: 80}\n"),
    ("invalid-service-name", Invalid, "services:\n  \"web app\":\n    image: nginx\n"),
    ("bad-condition", Invalid, "services:\n  web:\n    image: nginx\n    depends_on: {db: {condition: maybe}}\n  db:\n    image: postgres\n"),
    ("env-file-without-path", Invalid, "services:\n  web:\n    image: nginx\n    env_file: [{required: false}]\n"),
    ("networks-a-number", Invalid, "services:\n  web:\n    image: nginx\nnetworks: 5\n"),
    ("environment-nested", Invalid, "services:\n  web:\n    image: nginx\n    environment: {A: {B: c}}\n"),
    ("unknown-port-key", Invalid, "services:\n  web:\n    image: nginx\n    ports: [{target: 80, publish: 8080}]\n"),
    ("extension-keys", Valid, "x-common: {a: 1}\nservices:\n  web:\n    image: nginx\n    x-note: anything\n"),
    ("undefined-dependency", Invalid, "services:\n  web:\n    image: nginx\n    depends_on: [db]\n"),
    ("missing-image", Invalid, "services:\n  web:\n    command: [sleep, '1']\n"),
    ("dependency-cycle", Invalid, "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n"),
    // Short forms of every kind.
    ("valid-short-ports", Valid, "services:\n  web:\n    image: nginx\n    ports: ['8080:80', '127.0.0.1:5432:5432/tcp', 9090, '[::1]:53:53/udp', '8000-8002:9000-9002', '127.0.0.1::81', '7000-7010:82']\n"),
    ("valid-short-depends-on", Valid, "services:\n  web:\n    image: nginx\n    depends_on: [db]\n  db:\n    image: postgres\n"),
    ("valid-short-environment", Valid, "services:\n  web:\n    image: nginx\n    environment: [A=1, B, C=]\n    labels: [com.example.a=b]\n    annotations: [note=x]\n    sysctls: [net.core.somaxconn=1024]\n"),
    ("valid-string-commands", Valid, "services:\n  web:\n    image: nginx\n    command: sleep 1\n    entrypoint: /bin/sh -c\n    healthcheck:\n      test: curl -f http://localhost\n"),
    ("valid-null-command", Valid, "services:\n  web:\n    image: nginx\n    command: null\n    entrypoint:\n"),
    ("valid-short-volumes", Valid, "services:\n  web:\n    image: nginx\n    volumes: ['data:/var/lib/data', './conf:/etc/conf:ro', '/cache', '~/src:/src:rw,z']\nvolumes:\n  data:\n"),
    ("valid-short-networks", Valid, "services:\n  web:\n    image: nginx\n    networks: [front]\n  api:\n    image: nginx\n    networks:\n      front:\n      back: {aliases: [api.local]}\nnetworks:\n  front:\n  back: {}\n"),
    ("valid-short-build", Valid, "services:\n  web:\n    build: ./app\n    image: app\n"),
    ("valid-short-env-files", Valid, "services:\n  web:\n    image: nginx\n    env_file: web.env\n  api:\n    image: nginx\n    env_file: [a.env, {path: b.env, required: false}]\n"),
    ("valid-short-secrets-configs", Valid, "services:\n  web:\n    image: nginx\n    secrets: [token]\n    configs: [site]\nsecrets:\n  token: {file: ./token.txt}\nconfigs:\n  site: {file: ./site.conf}\n"),
    ("valid-short-misc", Valid, "services:\n  web:\n    image: nginx\n    dns: 8.8.8.8\n    dns_search: example.com\n    tmpfs: /run\n    extra_hosts: ['host.docker.internal:host-gateway', 'db=10.0.0.2']\n    ulimits: {nofile: 1024, nproc: {soft: 64, hard: 128}}\n    devices: ['/dev/fuse', '/dev/sda:/dev/xvda:rwm']\n    expose: [80, '8080']\n    group_add: [wheel, 1000]\n    extends: base\n  base:\n    image: nginx\n"),
    ("valid-extra-hosts-mapping", Valid, "services:\n  web:\n    image: nginx\n    extra_hosts:\n      db: 10.0.0.2\n      cache: ['10.0.0.3', '::1']\n"),
    // Typed values written as strings, and `${VAR}` templates with defaults.
    ("valid-interpolated-values", Valid, "services:\n  web:\n    image: ${REGISTRY:-docker.io}/nginx:${TAG:-latest}\n    ports: ['${PORT:-8080}:80', {target: 81, published: '${ADMIN_PORT:-8081}'}]\n    privileged: ${PRIVILEGED:-false}\n    read_only: 'true'\n    cpus: ${CPUS:-0.5}\n    mem_limit: ${MEMORY:-512m}\n    stop_grace_period: ${GRACE:-10s}\n    restart: ${RESTART:-unless-stopped}\n    healthcheck:\n      test: [CMD, 'true']\n      interval: ${INTERVAL:-30s}\n      retries: ${RETRIES:-3}\n    deploy:\n      replicas: ${REPLICAS:-2}\n      resources:\n        limits: {cpus: '${LIMIT_CPUS:-0.5}', memory: '${LIMIT_MEMORY:-512m}'}\n"),
    ("valid-unset-string-variables", Valid, "services:\n  web:\n    image: nginx${TAG}\n    environment: {TOKEN: '${TOKEN}'}\n    working_dir: /srv/${APP}\n"),
    ("unset-boolean-variable", Invalid, "services:\n  web:\n    image: nginx\n    privileged: ${PRIVILEGED}\n"),
    ("unset-port-variable", Invalid, "services:\n  web:\n    image: nginx\n    ports: [{target: 80, published: '${PORT}'}]\n"),
    // Long forms, each with an `x-` key where the specification allows one.
    ("valid-long-forms-everywhere", Valid, "x-defaults: &defaults\n  restart: unless-stopped\nservices:\n  web:\n    <<: *defaults\n    image: nginx\n    x-note: web\n    ports:\n      - {target: 80, published: 8080, host_ip: 127.0.0.1, protocol: tcp, mode: host, name: http, app_protocol: http, x-note: a}\n    volumes:\n      - {type: bind, source: ./site, target: /usr/share/nginx/html, read_only: true, bind: {create_host_path: true, selinux: z, x-note: a}, x-note: a}\n      - {type: volume, source: cache, target: /cache, volume: {nocopy: true, subpath: a, x-note: a}}\n      - {type: tmpfs, target: /tmp, tmpfs: {size: 64m, mode: 1777, x-note: a}}\n    depends_on:\n      db: {condition: service_healthy, restart: true, required: false, x-note: a}\n    healthcheck: {test: [CMD-SHELL, 'curl -f localhost'], interval: 10s, timeout: 5s, retries: 3, start_period: 1m30s, start_interval: 500ms, x-note: a}\n    networks:\n      front: {aliases: [www], ipv4_address: 172.28.0.5, priority: 10, x-note: a}\n    logging: {driver: json-file, options: {max-size: 10m, max-file: 3}, x-note: a}\n    deploy:\n      replicas: 2\n      x-note: a\n      resources:\n        x-note: a\n        limits: {cpus: '0.5', memory: 512M, pids: 100, x-note: a}\n        reservations: {memory: 256M, devices: [{capabilities: [gpu], count: all, x-note: a}]}\n      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m, x-note: a}\n      update_config: {parallelism: 1, delay: 10s, order: start-first, x-note: a}\n      placement: {constraints: [node.role==manager], preferences: [{spread: node.labels.zone, x-note: a}], x-note: a}\n    build: {context: ., dockerfile: Dockerfile, args: [A=1], target: prod, x-note: a}\n    secrets: [{source: token, target: /run/secrets/t, mode: 0400, x-note: a}]\n    configs: [{source: site, target: /etc/site.conf, x-note: a}]\n    ulimits: {nofile: {soft: 1024, hard: 2048, x-note: a}}\n    develop:\n      watch: [{path: ./src, action: sync, target: /src, x-note: a}]\n      x-note: a\n    post_start: [{command: [echo, started], x-note: a}]\n  db:\n    image: postgres\n    healthcheck: {test: [CMD, pg_isready]}\nnetworks:\n  front:\n    driver: bridge\n    x-note: a\n    ipam: {config: [{subnet: 172.28.0.0/16, x-note: a}], x-note: a}\nvolumes:\n  cache: {x-note: a}\nsecrets:\n  token: {environment: TOKEN, x-note: a}\nconfigs:\n  site: {content: hello, x-note: a}\n"),
    ("valid-reset-and-override-tags", Valid, "services:\n  web:\n    image: nginx\n    ports: !reset []\n    environment:\n      A: !reset null\n      B: '1'\n    command: !override [sleep, '1']\n"),
    // Misspelled keys at the top level, in a service and in nested long forms.
    ("unknown-mount-key", Invalid, "services:\n  web:\n    image: nginx\n    volumes: [{type: bind, source: ., target: /srv, readonly: true}]\n"),
    ("unknown-healthcheck-key", Invalid, "services:\n  web:\n    image: nginx\n    healthcheck: {test: [CMD, 'true'], intervall: 5s}\n"),
    ("unknown-dependency-key", Invalid, "services:\n  web:\n    image: nginx\n    depends_on: {db: {condition: service_started, requred: false}}\n  db:\n    image: postgres\n"),
    ("unknown-network-key", Invalid, "services:\n  web:\n    image: nginx\nnetworks:\n  front: {drvier: bridge}\n"),
    ("unknown-service-network-key", Invalid, "services:\n  web:\n    image: nginx\n    networks: {front: {alias: [www]}}\nnetworks:\n  front:\n"),
    ("unknown-volume-key", Invalid, "services:\n  web:\n    image: nginx\nvolumes:\n  data: {drivr: local}\n"),
    ("unknown-deploy-key", Invalid, "services:\n  web:\n    image: nginx\n    deploy: {replicas: 2, resources: {limits: {cpu: '1'}}}\n"),
    ("unknown-build-key", Invalid, "services:\n  web:\n    image: app\n    build: {context: ., dockerfle: Dockerfile}\n"),
    ("unknown-logging-key", Invalid, "services:\n  web:\n    image: nginx\n    logging: {driver: json-file, option: {max-size: 10m}}\n"),
    ("unknown-bind-option", Invalid, "services:\n  web:\n    image: nginx\n    volumes: [{type: bind, source: ., target: /srv, bind: {propagaton: shared}}]\n"),
    ("unknown-secret-key", Invalid, "services:\n  web:\n    image: nginx\nsecrets:\n  token: {fille: ./token.txt}\n"),
    ("unknown-config-key", Invalid, "services:\n  web:\n    image: nginx\nconfigs:\n  site: {contents: hello}\n"),
    ("unknown-ipam-config-key", Invalid, "services:\n  web:\n    image: nginx\nnetworks:\n  front:\n    ipam: {config: [{subnet: 172.28.0.0/16, gatway: 172.28.0.1}]}\n"),
    ("unknown-external-key", Invalid, "services:\n  web:\n    image: nginx\nvolumes:\n  data: {external: {nme: shared}}\n"),
    ("unknown-develop-key", Invalid, "services:\n  web:\n    image: nginx\n    develop: {watch: [{path: ./src, action: sync, targt: /src}]}\n"),
    ("unknown-ulimit-key", Invalid, "services:\n  web:\n    image: nginx\n    ulimits: {nofile: {soft: 1, hard: 2, max: 3}}\n"),
    ("unknown-secret-name", Invalid, "services:\n  web:\n    image: nginx\nsecrets:\n  'api token': {file: ./token.txt}\n"),
    ("unknown-service-secret-key", Invalid, "services:\n  web:\n    image: nginx\n    secrets: [{source: token, traget: /run/secrets/t}]\nsecrets:\n  token: {file: ./token.txt}\n"),
    ("unknown-extends-key", Invalid, "services:\n  base:\n    image: nginx\n  web:\n    extends: {service: base, fille: other.yaml}\n"),
    ("unknown-include-key", Invalid, "include:\n  - {path: other.yaml, env_fille: other.env}\nservices:\n  web:\n    image: nginx\n"),
    ("valid-open-mappings", Valid, "services:\n  web:\n    image: nginx\n    logging: {options: {any-option: a}}\n    sysctls: {net.core.somaxconn: 1024}\n    ulimits: {nofile: 1024, nproc: 64}\n    build: {context: ., args: {ANY: a}, labels: {any.label: a}}\nnetworks:\n  front: {driver_opts: {any.option: a}, ipam: {options: {any: a}}}\n"),
    ("extension-key-in-env-file", Invalid, "services:\n  web:\n    image: nginx\n    env_file: [{path: a.env, x-note: a}]\n"),
    // Wrong types and values that break a value's syntax.
    ("image-a-list", Invalid, "services:\n  web:\n    image: [nginx]\n"),
    ("command-a-number", Invalid, "services:\n  web:\n    image: nginx\n    command: 5\n"),
    ("depends-on-a-string", Invalid, "services:\n  web:\n    image: nginx\n    depends_on: db\n  db:\n    image: postgres\n"),
    ("privileged-yes", Invalid, "services:\n  web:\n    image: nginx\n    privileged: yes\n"),
    ("replicas-a-word", Invalid, "services:\n  web:\n    image: nginx\n    deploy: {replicas: two}\n"),
    ("short-port-not-a-number", Invalid, "services:\n  web:\n    image: nginx\n    ports: ['80:http']\n"),
    ("port-target-zero", Invalid, "services:\n  web:\n    image: nginx\n    ports: [{target: 0}]\n"),
    ("duration-in-words", Invalid, "services:\n  web:\n    image: nginx\n    healthcheck: {test: [CMD, 'true'], interval: 10 seconds}\n"),
    ("unknown-restart-policy", Invalid, "services:\n  web:\n    image: nginx\n    restart: sometimes\n"),
    ("relative-mount-target", Invalid, "services:\n  web:\n    image: nginx\n    volumes: ['data:srv']\nvolumes:\n  data:\n"),
    ("memory-in-words", Invalid, "services:\n  web:\n    image: nginx\n    mem_limit: lots\n"),
    ("condition-missing", Invalid, "services:\n  web:\n    image: nginx\n    depends_on: {db: {restart: true}}\n  db:\n    image: postgres\n"),
    ("service-null", Invalid, "services:\n  web:\n"),
];

fn official_schema() -> serde_json::Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("compose-spec.json")).expect("bundled schema");
    serde_json::from_str(&text).expect("the bundled schema is JSON")
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

/// Returns whether the loader, the official schema and our file schema
/// accept `source`.
fn verdicts(official: &jsonschema::Validator, ours: &jsonschema::Validator, source: &str, file: &Path) -> Verdicts {
    Verdicts {
        loader: perry_stack_schema::check(source, file).is_ok(),
        official: schema_accepts(official, source, file),
        file_schema: schema_accepts(ours, source, file),
    }
}

fn validators() -> (jsonschema::Validator, jsonschema::Validator) {
    let official = jsonschema::draft7::new(&official_schema()).expect("the official schema compiles");
    let ours = jsonschema::draft7::new(&file_schema::json_schema()).expect("the file schema compiles");
    (official, ours)
}

fn documented(name: &str) -> Option<Verdicts> {
    DIFFERENCES.iter().find(|(case, _, _)| *case == name).map(|(_, verdicts, _)| *verdicts)
}

#[test]
fn corpus_read_alike_by_all_three() {
    let (official, ours) = validators();
    let files = compose_files(&corpus());
    assert!(files.len() >= 30, "expected the corpus at {}, found {} files", corpus().display(), files.len());

    let mut differing = BTreeMap::new();
    for file in files {
        let name = file.strip_prefix(corpus()).unwrap().display().to_string();
        let source = std::fs::read_to_string(&file).expect("corpus file");
        let found = verdicts(&official, &ours, &source, &file);
        if found != Verdicts::all(found.loader) {
            differing.insert(name, found);
        }
    }

    let listed: BTreeMap<String, Verdicts> =
        DIFFERENCES.iter().filter(|(case, _, _)| !case.starts_with("hand-made/")).map(|(case, verdicts, _)| (case.to_string(), *verdicts)).collect();
    assert_eq!(differing, listed, "corpus files on which the readers differ, against DIFFERENCES");
}

#[test]
fn hand_made_files_get_expected_verdicts() {
    let (official, ours) = validators();
    let mut wrong = Vec::new();
    for (name, expected, source) in HAND_MADE {
        let case = format!("hand-made/{name}");
        let expected = documented(&case).unwrap_or(Verdicts::all(*expected == Valid));
        let found = verdicts(&official, &ours, source, Path::new("/project/compose.yaml"));
        if found != expected {
            wrong.push(format!("{case}: expected {expected:?}, found {found:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn documented_differences_name_real_cases() {
    let hand_made: Vec<String> = HAND_MADE.iter().map(|(name, _, _)| format!("hand-made/{name}")).collect();
    for (case, verdicts, _) in DIFFERENCES {
        assert_ne!(*verdicts, Verdicts::all(verdicts.loader), "{case} is listed with verdicts that do not differ");
        if case.starts_with("hand-made/") {
            assert!(hand_made.contains(&case.to_string()), "{case} is not a hand-made case");
        } else {
            assert!(corpus().join(case).is_file(), "{case} is not a corpus file");
        }
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
