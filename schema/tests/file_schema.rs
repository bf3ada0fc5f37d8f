//! The file schema that editors use (`file_schema::json_schema`): the
//! committed copy is fresh, every object of the Compose Specification has
//! its counterpart with the same keys, short forms are accepted, and
//! misspelled keys are rejected at the path where they sit.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use perry_stack_schema::compose::file_schema::{json_schema, json_schema_text};
use perry_stack_schema::yaml;
use serde_json::Value;

mod support;
use support::{compose_files, corpus};

const COMMITTED: &str = "generated/compose.schema.json";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn official_schema() -> Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("compose-spec.json")).expect("bundled schema");
    serde_json::from_str(&text).expect("the bundled schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&json_schema()).expect("the file schema compiles")
}

/// Reads YAML as an editor's language server does: as written, without
/// interpolation or merging.
fn as_json(source: &str) -> Value {
    let node = yaml::parse(source, Path::new("/project/compose.yaml")).unwrap_or_else(|_| panic!("test YAML parses: {source}"));
    serde_json::to_value(&node).expect("a YAML node converts to JSON")
}

fn errors(validator: &jsonschema::Validator, source: &str) -> Vec<String> {
    validator.iter_errors(&as_json(source)).map(|error| format!("{error} at `{}`", error.instance_path())).collect()
}

#[test]
fn committed_schema_is_fresh() {
    let path = workspace_root().join(COMMITTED);
    let fresh = json_schema_text();
    if std::env::var_os("PERRY_STACK_BLESS").is_some_and(|value| value == "1") {
        std::fs::write(&path, &fresh).expect("write the committed schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{COMMITTED} cannot be read: {error}"));
    assert!(
        committed == fresh,
        "{COMMITTED} differs from a fresh generation\nrun `PERRY_STACK_BLESS=1 cargo test -p perry-stack-schema --test file_schema` and commit the result"
    );
}

#[test]
fn generation_is_byte_identical() {
    assert_eq!(json_schema_text(), json_schema_text());
}

#[test]
fn schema_declares_draft_07() {
    let schema = json_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(schema.get("$defs").is_none(), "draft-07 keeps definitions under `definitions`");
}

/// Objects of the official schema and their counterparts in ours, as JSON
/// pointers.
const COUNTERPARTS: &[(&str, &str)] = &[
    ("", ""),
    ("/definitions/service", "/definitions/Service"),
    ("/definitions/service/properties/build/oneOf/1", "/definitions/BuildLong"),
    ("/definitions/service/properties/blkio_config", "/definitions/BlkioConfig"),
    ("/definitions/blkio_limit", "/definitions/BlkioLimit"),
    ("/definitions/blkio_weight", "/definitions/BlkioWeight"),
    ("/definitions/service/properties/credential_spec", "/definitions/CredentialSpec"),
    ("/definitions/service/properties/depends_on/oneOf/1/patternProperties/^[a-zA-Z0-9._-]+$", "/definitions/Dependency"),
    ("/definitions/service/properties/devices/items/oneOf/1", "/definitions/DeviceLong"),
    ("/definitions/service/properties/extends/oneOf/1", "/definitions/ExtendsLong"),
    ("/definitions/service/properties/provider", "/definitions/Provider"),
    ("/definitions/service/properties/logging", "/definitions/Logging"),
    ("/definitions/service/properties/models/oneOf/1/patternProperties/^[a-zA-Z0-9._-]+$", "/definitions/ServiceModel"),
    ("/definitions/service/properties/networks/oneOf/1/patternProperties/^[a-zA-Z0-9._-]+$/oneOf/0", "/definitions/ServiceNetwork"),
    ("/definitions/service/properties/ports/items/oneOf/2", "/definitions/PortLong"),
    ("/definitions/service/properties/volumes/items/oneOf/1", "/definitions/Mount"),
    ("/definitions/service/properties/volumes/items/oneOf/1/properties/bind", "/definitions/BindOptions"),
    ("/definitions/service/properties/volumes/items/oneOf/1/properties/volume", "/definitions/VolumeOptions"),
    ("/definitions/service/properties/volumes/items/oneOf/1/properties/tmpfs", "/definitions/TmpfsOptions"),
    ("/definitions/service/properties/volumes/items/oneOf/1/properties/image", "/definitions/ImageOptions"),
    ("/definitions/healthcheck", "/definitions/Healthcheck"),
    ("/definitions/development", "/definitions/Develop"),
    ("/definitions/development/properties/watch/items", "/definitions/WatchRule"),
    ("/definitions/deployment", "/definitions/Deploy"),
    ("/definitions/deployment/properties/rollback_config", "/definitions/UpdateConfig"),
    ("/definitions/deployment/properties/update_config", "/definitions/UpdateConfig"),
    ("/definitions/deployment/properties/resources", "/definitions/Resources"),
    ("/definitions/deployment/properties/resources/properties/limits", "/definitions/ResourceLimits"),
    ("/definitions/deployment/properties/resources/properties/reservations", "/definitions/ResourceReservations"),
    ("/definitions/deployment/properties/restart_policy", "/definitions/RestartPolicy"),
    ("/definitions/deployment/properties/placement", "/definitions/Placement"),
    ("/definitions/deployment/properties/placement/properties/preferences/items", "/definitions/PlacementPreference"),
    ("/definitions/generic_resources/items", "/definitions/GenericResource"),
    ("/definitions/generic_resources/items/properties/discrete_resource_spec", "/definitions/DiscreteResource"),
    ("/definitions/devices/items", "/definitions/DeviceRequest"),
    ("/definitions/gpus/oneOf/1/items", "/definitions/GpuRequest"),
    ("/definitions/include/oneOf/1", "/definitions/IncludeLong"),
    ("/definitions/network", "/definitions/Network"),
    ("/definitions/network/properties/ipam", "/definitions/Ipam"),
    ("/definitions/network/properties/ipam/properties/config/items", "/definitions/IpamConfig"),
    ("/definitions/network/properties/external", "/definitions/ExternalName"),
    ("/definitions/volume", "/definitions/Volume"),
    ("/definitions/volume/properties/external", "/definitions/ExternalName"),
    ("/definitions/secret", "/definitions/Secret"),
    ("/definitions/secret/properties/external", "/definitions/ExternalName"),
    ("/definitions/config", "/definitions/Config"),
    ("/definitions/config/properties/external", "/definitions/ExternalName"),
    ("/definitions/model", "/definitions/Model"),
    ("/definitions/service_hook", "/definitions/ServiceHook"),
    ("/definitions/env_file/oneOf/1/items/oneOf/1", "/definitions/EnvFileLong"),
    ("/definitions/service_config_or_secret/items/oneOf/1", "/definitions/FileReferenceLong"),
    ("/definitions/ulimits/patternProperties/^[a-z]+$/oneOf/1", "/definitions/UlimitLimits"),
];

/// Objects where our schema allows `x-*` keys although the official one
/// does not say so, with the reason.
const EXTENSIONS_ADDED: &[(&str, &str)] = &[
    ("/definitions/gpus/oneOf/1/items", "the official schema puts `patternProperties` on the array, where it has no effect"),
    ("/definitions/secret/properties/external", "one type serves every `external`, and the others allow `x-*`"),
    ("/definitions/config/properties/external", "one type serves every `external`, and the others allow `x-*`"),
];

/// Keys that our schema requires although the official one does not, with
/// the reason.
const REQUIRED_ADDED: &[(&str, &str, &str)] = &[
    ("/definitions/service/properties/ports/items/oneOf/2", "target", "a published port needs the container port; the loader requires it too"),
    ("/definitions/service/properties/volumes/items/oneOf/1", "target", "a mount needs a path in the container; the loader requires it too"),
];

fn names(object: &Value, key: &str) -> BTreeSet<String> {
    match object.get(key) {
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => BTreeSet::new(),
    }
}

fn allows_extensions(object: &Value) -> bool {
    object.get("patternProperties").and_then(|patterns| patterns.get("^x-")).is_some()
}

#[test]
fn every_official_object_has_a_counterpart() {
    let official = official_schema();
    let mut pending = vec![(String::new(), &official)];
    let mut missing = Vec::new();
    while let Some((pointer, value)) = pending.pop() {
        match value {
            Value::Object(map) => {
                if map.contains_key("properties") && !COUNTERPARTS.iter().any(|(theirs, _)| *theirs == pointer) {
                    missing.push(pointer.clone());
                }
                for (key, child) in map {
                    pending.push((format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")), child));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    pending.push((format!("{pointer}/{index}"), child));
                }
            }
            _ => {}
        }
    }
    missing.sort();
    assert!(missing.is_empty(), "objects of the official schema without a counterpart in COUNTERPARTS:\n{}", missing.join("\n"));
}

#[test]
fn counterparts_have_the_same_keys() {
    let official = official_schema();
    let ours = json_schema();
    for (theirs, mine) in COUNTERPARTS {
        let theirs_object = official.pointer(theirs).unwrap_or_else(|| panic!("official schema has no {theirs:?}"));
        let mine_object = ours.pointer(mine).unwrap_or_else(|| panic!("file schema has no {mine:?}"));
        assert_eq!(names(mine_object, "properties"), names(theirs_object, "properties"), "keys of {mine:?} against {theirs:?}");

        let added = EXTENSIONS_ADDED.iter().any(|(pointer, _)| pointer == theirs);
        assert_eq!(allows_extensions(mine_object), allows_extensions(theirs_object) || added, "`x-*` keys in {mine:?} against {theirs:?}");
        assert_eq!(mine_object.get("additionalProperties"), Some(&Value::Bool(false)), "{mine:?} rejects unknown keys");

        let mut required = names(theirs_object, "required");
        required.extend(REQUIRED_ADDED.iter().filter(|(pointer, _, _)| pointer == theirs).map(|(_, key, _)| key.to_string()));
        assert_eq!(names(mine_object, "required"), required, "required keys of {mine:?} against {theirs:?}");
    }
}

#[test]
fn every_property_has_a_description() {
    let schema = json_schema();
    let mut pending = vec![(String::new(), &schema)];
    let mut undescribed = Vec::new();
    while let Some((pointer, value)) = pending.pop() {
        let Value::Object(map) = value else { continue };
        if let Some(Value::Object(properties)) = map.get("properties") {
            for (key, property) in properties {
                if property.get("description").is_none() {
                    undescribed.push(format!("{pointer}/properties/{key}"));
                }
            }
        }
        for (key, child) in map {
            if let Value::Object(_) = child {
                pending.push((format!("{pointer}/{key}"), child));
            }
        }
    }
    undescribed.sort();
    assert!(undescribed.is_empty(), "properties without a description:\n{}", undescribed.join("\n"));
}

/// Files as people write them, each of which the file schema must accept.
const ACCEPTED: &[(&str, &str)] = &[
    ("short ports", "services:\n  web:\n    ports: ['8080:80', '127.0.0.1:5432:5432/tcp', 9090, '[::1]:53:53/udp', '8000-8002:9000-9002', ':80', '53:53/UDP']\n"),
    ("templated ports", "services:\n  web:\n    ports: ['${PORT:-8080}:80', '${HOST}:${PORT}:80/${PROTO}']\n"),
    ("long port with strings", "services:\n  web:\n    ports: [{target: '80', published: '8000-8010', protocol: udp, mode: host}]\n"),
    ("depends_on as a list", "services:\n  web:\n    depends_on: [db, cache]\n"),
    ("environment as a list", "services:\n  web:\n    environment: [A=1, B, C=]\n"),
    ("environment as a mapping", "services:\n  web:\n    environment: {A: 1, B: true, C: null, D: text}\n"),
    ("command as a string", "services:\n  web:\n    command: sleep 1\n"),
    ("command as a list", "services:\n  web:\n    command: [sleep, '1']\n"),
    ("command null", "services:\n  web:\n    command:\n"),
    ("short volumes", "services:\n  web:\n    volumes: [data:/data, ./conf:/etc/conf:ro, /cache, '~/src:/src:rw,z', 'logs:/logs:nocopy']\n"),
    ("networks as a list", "services:\n  web:\n    networks: [front, back]\n"),
    ("networks with null settings", "services:\n  web:\n    networks:\n      front:\n      back: {aliases: [api]}\n"),
    ("build as a folder", "services:\n  web:\n    build: ./app\n"),
    ("env_file as a path", "services:\n  web:\n    env_file: .env\n"),
    ("env_file as a list", "services:\n  web:\n    env_file: [a.env, {path: b.env, required: false, format: raw}]\n"),
    ("string or list keys", "services:\n  web:\n    dns: 8.8.8.8\n    dns_search: [a.example, b.example]\n    tmpfs: /run\n"),
    ("ulimits both forms", "services:\n  web:\n    ulimits: {nofile: 1024, nproc: {soft: 64, hard: 128}}\n"),
    ("extends as a name", "services:\n  web:\n    extends: base\n"),
    ("gpus all", "services:\n  web:\n    gpus: all\n"),
    ("healthcheck test as a string", "services:\n  web:\n    healthcheck: {test: curl -f localhost, interval: 1m30s, retries: 3}\n"),
    ("booleans as strings", "services:\n  web:\n    privileged: 'true'\n    read_only: ${READ_ONLY:-false}\n    init: True\n"),
    ("numbers as strings", "services:\n  web:\n    scale: '2'\n    cpus: '0.5'\n    mem_limit: 1.5GiB\n    shm_size: 64m\n    deploy: {replicas: '${REPLICAS}'}\n"),
    ("durations", "services:\n  web:\n    stop_grace_period: 1m\n    healthcheck: {interval: 500ms, timeout: '0', start_period: 1.5s}\n"),
    ("restart policies", "services:\n  a:\n    restart: on-failure:3\n  b:\n    restart: unless-stopped\n  c:\n    restart: ''\n"),
    ("null resources", "services:\n  web:\n    image: nginx\n    deploy:\n    develop:\n    pid:\nnetworks:\n  front:\nvolumes:\n  data:\n"),
    ("external resources", "networks:\n  a: {external: true}\n  b: {external: {name: outside}}\nvolumes:\n  c: {external: 'true', name: data}\n"),
    ("extension keys", "x-a: 1\nservices:\n  web:\n    x-b: 2\n    ports: [{target: 80, x-c: 3}]\n    deploy: {x-d: 4, resources: {x-e: 5}}\nnetworks:\n  n: {x-f: 6}\n"),
    ("obsolete version", "version: '3.8'\nservices:\n  web:\n    image: nginx\n"),
];

#[test]
fn short_forms_and_templates_accepted() {
    let validator = validator();
    for (case, source) in ACCEPTED {
        let errors = errors(&validator, source);
        assert!(errors.is_empty(), "{case}: {errors:#?}");
    }
}

/// Files with one mistake each: the case, the file, and the path of the
/// value that the schema must reject.
const REJECTED: &[(&str, &str, &str)] = &[
    ("misspelled top-level key", "servces: {}\n", ""),
    ("misspelled service key", "services:\n  web:\n    imagee: nginx\n", "/services/web"),
    ("misspelled healthcheck key", "services:\n  web:\n    healthcheck: {intervall: 5s}\n", "/services/web/healthcheck"),
    ("misspelled deploy key", "services:\n  web:\n    deploy: {replica: 2}\n", "/services/web/deploy"),
    ("misspelled resource key", "services:\n  web:\n    deploy: {resources: {limits: {memroy: 1g}}}\n", "/services/web/deploy/resources/limits"),
    ("misspelled logging key", "services:\n  web:\n    logging: {drivr: local}\n", "/services/web/logging"),
    ("misspelled network key", "networks:\n  front: {drvier: bridge}\n", "/networks/front"),
    ("misspelled volume key", "volumes:\n  data: {externl: true}\n", "/volumes/data"),
    ("misspelled secret key", "secrets:\n  token: {fille: a}\n", "/secrets/token"),
    ("misspelled ipam key", "networks:\n  front: {ipam: {config: [{subnt: 10.0.0.0/8}]}}\n", "/networks/front/ipam/config/0"),
    ("misspelled port key", "services:\n  web:\n    ports: [{target: 80, publish: 8080}]\n", "/services/web/ports/0"),
    ("misspelled mount key", "services:\n  web:\n    volumes: [{type: bind, source: ., target: /srv, readonly: true}]\n", "/services/web/volumes/0"),
    ("misspelled dependency key", "services:\n  web:\n    depends_on: {db: {condition: service_started, requred: false}}\n", "/services/web/depends_on"),
    ("misspelled build key", "services:\n  web:\n    build: {context: ., dockerfle: Dockerfile}\n", "/services/web/build"),
    ("extension key in env_file", "services:\n  web:\n    env_file: [{path: a.env, x-note: 1}]\n", "/services/web/env_file"),
    ("extension key in extends", "services:\n  web:\n    extends: {service: base, x-note: 1}\n", "/services/web/extends"),
    ("invalid service name", "services:\n  web app:\n    image: nginx\n", "/services"),
    ("null image", "services:\n  web:\n    image:\n", "/services/web/image"),
    ("null healthcheck", "services:\n  web:\n    healthcheck:\n", "/services/web/healthcheck"),
    ("null boolean", "services:\n  web:\n    privileged:\n", "/services/web/privileged"),
    ("ports as a mapping", "services:\n  web:\n    ports: {http: 80}\n", "/services/web/ports"),
    ("port out of range", "services:\n  web:\n    ports: [70000]\n", "/services/web/ports/0"),
    ("port with a name", "services:\n  web:\n    ports: ['80:http']\n", "/services/web/ports/0"),
    ("port with an unknown protocol", "services:\n  web:\n    ports: ['80/icmp']\n", "/services/web/ports/0"),
    ("relative mount target", "services:\n  web:\n    volumes: ['data:srv']\n", "/services/web/volumes/0"),
    ("unknown mount mode", "services:\n  web:\n    volumes: ['data:/srv:rx']\n", "/services/web/volumes/0"),
    ("boolean as yes", "services:\n  web:\n    tty: yes\n", "/services/web/tty"),
    ("count as a word", "services:\n  web:\n    scale: two\n", "/services/web/scale"),
    ("negative count", "services:\n  web:\n    deploy: {replicas: -1}\n", "/services/web/deploy/replicas"),
    ("duration without unit", "services:\n  web:\n    healthcheck: {interval: 30}\n", "/services/web/healthcheck/interval"),
    ("size with unknown unit", "services:\n  web:\n    mem_limit: 1x\n", "/services/web/mem_limit"),
    ("unknown restart policy", "services:\n  web:\n    restart: sometimes\n", "/services/web/restart"),
    ("unknown condition", "services:\n  web:\n    depends_on: {db: {condition: maybe}}\n", "/services/web/depends_on"),
    ("condition missing", "services:\n  web:\n    depends_on: {db: {required: true}}\n", "/services/web/depends_on"),
    ("environment nested", "services:\n  web:\n    environment: {A: {B: c}}\n", "/services/web/environment"),
    ("command as a number", "services:\n  web:\n    command: 5\n", "/services/web/command"),
    ("depends_on as a string", "services:\n  web:\n    depends_on: db\n", "/services/web/depends_on"),
    ("duplicate list items", "services:\n  web:\n    cap_add: [NET_ADMIN, NET_ADMIN]\n", "/services/web/cap_add"),
    ("invalid project name", "name: My App\nservices: {}\n", "/name"),
    ("invalid container name", "services:\n  web:\n    container_name: -web\n", "/services/web/container_name"),
    ("null healthcheck test", "services:\n  web:\n    healthcheck: {test: null}\n", "/services/web/healthcheck/test"),
];

#[test]
fn mistakes_rejected_where_they_sit() {
    let validator = validator();
    for (case, source, path) in REJECTED {
        let value = as_json(source);
        let paths: Vec<String> = validator.iter_errors(&value).map(|error| error.instance_path().to_string()).collect();
        assert!(!paths.is_empty(), "{case}: the file schema accepts it");
        assert!(paths.iter().all(|found| found == path), "{case}: expected errors at `{path}`, found {paths:?}");
    }
}

/// An editor validates a file before interpolation, with `${VAR}` templates
/// in place, so the file schema must accept every corpus file as written.
#[test]
fn corpus_files_as_written_accepted() {
    let corpus = corpus();
    let files = compose_files(&corpus);
    assert!(files.len() >= 30, "expected the corpus at {}, found {} files", corpus.display(), files.len());
    let validator = validator();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("corpus file");
        let errors = errors(&validator, &source);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}
