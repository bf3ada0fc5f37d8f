//! Normalization: the interpolated [`Node`] tree to the typed [`Project`],
//! with every short form in its long form.
//!
//! This step checks the shape of each value (types, port and volume syntax,
//! durations, key names against the Compose Specification). Rules that relate
//! one part of the file to another (undefined services, cycles, undeclared
//! volumes and networks) belong in `validate`.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::compose::model::*;
use crate::compose::spec::{self, place, KeyRule};
use crate::compose::spec_walk::{self, UnknownKey};
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics, Label, Span};
use crate::yaml::{Node, Value};

/// Parses the root node of a compose file. Errors and warnings go to
/// `diagnostics`, and the returned project contains whatever parsed cleanly.
pub fn parse_project(root: &Node, file: &Path, diagnostics: &mut Diagnostics) -> Project {
    parse_merged(root, &[file.to_path_buf()], diagnostics)
}

/// Parses the root node of several merged compose files; each node's
/// [`Span::file`] indexes `files`. Relative bind-mount sources and `env_file`
/// paths resolve against the first file's folder, the project folder, as
/// docker compose resolves them in every `-f` file. Files that `include` and
/// `extends` read had theirs made absolute against their own folder.
pub fn parse_merged(root: &Node, files: &[PathBuf], diagnostics: &mut Diagnostics) -> Project {
    parse_owned(root.clone(), files, diagnostics)
}

/// Parses like [`parse_merged`], dropping each service's YAML as soon as its
/// model is built, so that the tree and the model of a large file do not
/// both stay whole in memory.
pub fn parse_owned(mut root: Node, files: &[PathBuf], diagnostics: &mut Diagnostics) -> Project {
    let first = files.first().map_or(Path::new("compose.yaml"), PathBuf::as_path);
    let mut cx = Context { files, base: base_folder(first), diagnostics };
    let services = match &mut root.value {
        Value::Mapping(entries) => entries
            .iter_mut()
            .find(|(key, _)| key.as_str() == Some("services"))
            .map(|(_, value)| std::mem::replace(value, Node::new(Value::Null, value.span))),
        _ => None,
    };
    let mut project = cx.project(&root);
    drop(root);
    if let Some(services) = services {
        let span = services.span;
        project.services = cx.services_owned(services);
        declare_default_network(&mut project, span);
    }
    project
}

/// Declares the `default` network that compose creates for every service
/// that names no network, so that the model lists every network a service joins.
fn declare_default_network(project: &mut Project, span: Span) {
    let uses_default = project.services.values().any(|service| service.networks.contains_key("default"));
    if uses_default && !project.networks.contains_key("default") {
        project.networks.insert("default".to_owned(), Network { span, ..Network::default() });
    }
}

/// Returns the folder that relative bind-mount sources resolve against: the
/// compose file's folder, made absolute with the current directory when relative.
fn base_folder(file: &Path) -> PathBuf {
    let parent = file.parent().unwrap_or(Path::new(""));
    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    std::path::absolute(parent).map(|path| normalize_path(&path)).unwrap_or_else(|_| parent.to_path_buf())
}

struct Context<'a> {
    files: &'a [PathBuf],
    base: PathBuf,
    diagnostics: &'a mut Diagnostics,
}

/// Service keys that the model keeps as written and the engine passes on
/// to the runtime: run options, confinement, the files of `secrets` and
/// `configs`, and the aliases of `links`.
pub const ENGINE_KEYS: &[&str] = &[
    "scale", "hostname", "init", "tty", "stdin_open", "stop_signal", "stop_grace_period", "expose", "extra_hosts", "cap_add", "cap_drop", "security_opt", "dns",
    "dns_search", "dns_opt", "sysctls", "ulimits", "shm_size", "tmpfs", "group_add", "devices", "platform", "pull_policy", "logging", "pids_limit",
    "network_mode", "privileged", "read_only", "mem_limit", "cpus", "secrets", "configs", "links", "ipc", "pid", "uts", "userns_mode", "cgroup",
    "cgroup_parent", "cpu_shares", "cpu_quota", "cpu_period", "mem_reservation", "memswap_limit", "mem_swappiness", "oom_score_adj", "cpuset",
    "oom_kill_disable", "runtime", "mac_address", "annotations", "volumes_from", "device_cgroup_rules", "storage_opt",
];

/// Returns the parts of a kept key that the engine ignores, each with its
/// dotted path and span, for the "not supported yet" warning. The engine
/// reads the [`ENGINE_KEYS`] of a service, its `deploy.replicas`,
/// `deploy.resources` (`limits.cpus`, `limits.memory`, `limits.pids`,
/// `reservations.memory`) and `deploy.restart_policy` (`condition`,
/// `max_attempts`), the `driver_opts` of
/// networks and volumes, `ipam.config` and `enable_ipv6` of networks, fixed
/// addresses on a service's networks, and the top-level secrets and configs
/// that are files.
fn ignored_parts(pointer: &str, key: &Node, value: &Node, key_path: &str) -> Vec<(String, Span)> {
    let name = key.as_str().unwrap_or_default();
    match (pointer, name) {
        (place::SERVICE, _) if ENGINE_KEYS.contains(&name) => Vec::new(),
        (place::NETWORK | place::VOLUME, "driver_opts") | (place::NETWORK, "enable_ipv6") => Vec::new(),
        (place::SERVICE_NETWORK, "ipv4_address" | "ipv6_address") => Vec::new(),
        (place::NETWORK, "ipam") => parts_except(value, key_path, &|path| matches!(path, ["config"]))
            .unwrap_or_else(|| vec![(key_path.to_owned(), key.span)]),
        (place::SERVICE, "deploy") => parts_except(value, key_path, &|path| {
            matches!(
                path,
                ["replicas" | "resources" | "restart_policy"]
                    | ["resources", "limits" | "reservations"]
                    | ["resources", "limits", "cpus" | "memory" | "pids"]
                    | ["resources", "reservations", "memory"]
                    | ["restart_policy", "condition" | "max_attempts"]
            )
        })
        .unwrap_or_else(|| vec![(key_path.to_owned(), key.span)]),
        (place::PROJECT, "secrets" | "configs") => match &value.value {
            Value::Mapping(definitions) => definitions
                .iter()
                .filter(|(_, definition)| definition.get("file").is_none() && ["environment", "content", "external"].iter().any(|key| definition.get(key).is_some()))
                .map(|(name, _)| (join(key_path, name.as_str().unwrap_or_default()), name.span))
                .collect(),
            _ => vec![(key_path.to_owned(), key.span)],
        },
        _ => vec![(key_path.to_owned(), key.span)],
    }
}

/// Returns the keys below a mapping that `read` does not take, each with its
/// dotted path and span. Below a key that `read` takes, the search goes on.
/// `None` when `value` is not a mapping.
fn parts_except(value: &Node, path: &str, read: &dyn Fn(&[&str]) -> bool) -> Option<Vec<(String, Span)>> {
    fn walk(value: &Node, path: &str, below: &mut Vec<String>, read: &dyn Fn(&[&str]) -> bool, found: &mut Vec<(String, Span)>) {
        let Value::Mapping(entries) = &value.value else { return };
        for (key, child) in entries {
            let name = key.as_str().unwrap_or_default();
            below.push(name.to_owned());
            let parts: Vec<&str> = below.iter().map(String::as_str).collect();
            let child_path = join(path, name);
            if !read(&parts) {
                found.push((child_path, key.span));
            } else if matches!(child.value, Value::Mapping(_)) {
                walk(child, &child_path, below, read, found);
            }
            below.pop();
        }
    }
    let Value::Mapping(_) = &value.value else { return None };
    let mut found = Vec::new();
    walk(value, path, &mut Vec::new(), read, &mut found);
    Some(found)
}

/// One entry of a `list_or_dict` value such as `environment` or `labels`.
struct KeyValue {
    name: String,
    value: Option<String>,
    span: Span,
    path: String,
}

/// Appends `key` to a dotted path such as `services.web`.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

fn index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

impl Context<'_> {
    fn file_of(&self, span: Span) -> &Path {
        self.files.get(span.file as usize).or(self.files.first()).map_or(Path::new(""), PathBuf::as_path)
    }

    fn error(&mut self, code: &'static str, message: String, span: Span, path: &str) -> &mut Diagnostic {
        let file = self.file_of(span).to_path_buf();
        self.diagnostics.push(Diagnostic::error(code, message, &file, span).with_path(path));
        self.diagnostics.0.last_mut().expect("just pushed")
    }

    fn warning(&mut self, code: &'static str, message: String, span: Span, path: &str) -> &mut Diagnostic {
        let file = self.file_of(span).to_path_buf();
        self.diagnostics.push(Diagnostic::warning(code, message, &file, span).with_path(path));
        self.diagnostics.0.last_mut().expect("just pushed")
    }

    fn type_error(&mut self, node: &Node, path: &str, expected: &str) {
        let message = messages::invalid_type(path, expected, &describe(node));
        self.error(code::INVALID_TYPE, message, node.span, path);
    }

    /// Returns the entries of a mapping with string keys, or records an error.
    /// Null is an empty mapping, as compose reads `healthcheck:` with nothing after it.
    fn mapping<'n>(&mut self, node: &'n Node, path: &str) -> Option<Vec<(String, &'n Node, &'n Node)>> {
        let entries = match &node.value {
            Value::Mapping(entries) => entries,
            Value::Null => return Some(Vec::new()),
            _ => {
                self.type_error(node, path, "a mapping");
                return None;
            }
        };
        let mut result = Vec::new();
        for (key, value) in entries {
            match &key.value {
                Value::String(name) => result.push((name.clone(), key, value)),
                _ => {
                    let message = messages::invalid_type(&format!("{path} key"), "a string", &describe(key));
                    self.error(code::INVALID_TYPE, message, key.span, path);
                }
            }
        }
        Some(result)
    }

    /// Checks the keys of a mapping against the specification. Keys in
    /// `handled` are left to the caller; the others are kept in the returned
    /// map, with a warning unless they are `x-*` extensions. Unknown keys are
    /// errors with a suggestion.
    fn other_keys(&mut self, entries: &[(String, &Node, &Node)], pointer: &str, path: &str, handled: &[&str]) -> BTreeMap<String, Node> {
        let keys = spec::keys(pointer);
        let mut unsupported = BTreeMap::new();
        for (name, key, value) in entries {
            if handled.contains(&name.as_str()) {
                continue;
            }
            let key_path = join(path, name);
            match keys.rule(name) {
                KeyRule::Extension => {}
                KeyRule::Known | KeyRule::Additional => {
                    for (part_path, span) in ignored_parts(pointer, key, value, &key_path) {
                        self.warning(code::UNSUPPORTED_KEY, messages::unsupported_key(&part_path), span, &part_path);
                    }
                    self.unknown_keys(spec_walk::unknown_keys_below(pointer, name, value, &key_path));
                    // The engine reads these values, so their types are checked here,
                    // where the file, line and column are known.
                    // A typed key's value has its own error from the cast.
                    let read_by_engine = match pointer {
                        place::SERVICE => ENGINE_KEYS.contains(&name.as_str()) || name == "deploy",
                        place::SERVICE_NETWORK => matches!(name.as_str(), "ipv4_address" | "ipv6_address"),
                        place::NETWORK => matches!(name.as_str(), "ipam" | "enable_ipv6"),
                        place::PROJECT => matches!(name.as_str(), "secrets" | "configs"),
                        _ => false,
                    };
                    if read_by_engine {
                        let typed = |wrong: &spec_walk::WrongShape| {
                            matches!(wrong, spec_walk::WrongShape::Type { .. }) && TYPED_KEYS.iter().any(|(dotted, _)| join(path, dotted) == wrong.path())
                        };
                        for wrong in spec_walk::wrong_shapes_below(pointer, name, value, &key_path).into_iter().filter(|wrong| !typed(wrong)) {
                            let file = self.file_of(value.span).to_path_buf();
                            self.diagnostics.push(wrong.diagnostic(&file));
                        }
                    }
                }
                KeyRule::Unknown => {
                    let help = match keys.closest(name) {
                        Some(candidate) => messages::did_you_mean(candidate),
                        None => messages::unknown_key_help(&keys.properties),
                    };
                    self.error(code::UNKNOWN_KEY, messages::unknown_key(name, path), key.span, &key_path).help = Some(help);
                    continue;
                }
            }
            unsupported.insert(name.clone(), (*value).clone());
        }
        unsupported
    }

    /// Records an error for each key that the specification does not allow
    /// in a value kept as written.
    fn unknown_keys(&mut self, found: Vec<UnknownKey>) {
        for unknown in found {
            let file = self.file_of(unknown.span).to_path_buf();
            self.diagnostics.push(unknown.diagnostic(&file));
        }
    }

    /// Reads a string, or a number written where a string is expected (`user: 1000`).
    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::String(text) => Some(text.clone()),
            Value::Int(_) | Value::Float(_) => node.scalar_text(),
            _ => {
                self.type_error(node, path, "a string");
                None
            }
        }
    }

    fn optional_string(&mut self, node: Option<&Node>, path: &str) -> Option<String> {
        match node {
            Some(node) if node.value != Value::Null => self.string(node, path),
            _ => None,
        }
    }

    /// Reads a boolean, or the strings `true`/`false` that interpolation produces.
    fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(value) => Some(*value),
            Value::String(text) if text.eq_ignore_ascii_case("true") => Some(true),
            Value::String(text) if text.eq_ignore_ascii_case("false") => Some(false),
            _ => {
                self.type_error(node, path, "a boolean");
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, path: &str) -> Vec<String> {
        let Value::Sequence(items) = &node.value else {
            self.type_error(node, path, "a sequence of strings");
            return Vec::new();
        };
        let mut result = Vec::new();
        for (position, item) in items.iter().enumerate() {
            match item.value {
                Value::String(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                    result.extend(item.scalar_text());
                }
                _ => self.type_error(item, &index(path, position), "a string"),
            }
        }
        result
    }

    /// Parses the top-level keys except `services`, which [`parse_owned`]
    /// takes out of the root and parses on its own.
    fn project(&mut self, root: &Node) -> Project {
        let mut project = Project {
            name: None,
            services: BTreeMap::new(),
            networks: BTreeMap::new(),
            volumes: BTreeMap::new(),
            unsupported: BTreeMap::new(),
            file: self.files.first().cloned().unwrap_or_default(),
            files: self.files.to_vec(),
        };
        let Some(entries) = self.mapping(root, "") else { return project };
        project.unsupported = self.other_keys(&entries, place::PROJECT, "", &["name", "version", "services", "networks", "volumes"]);
        // Secret and config files resolve against the project folder, as
        // bind mounts do.
        for kind in ["secrets", "configs"] {
            let Some(Node { value: Value::Mapping(definitions), .. }) = project.unsupported.get_mut(kind) else { continue };
            for (_, definition) in definitions {
                if let Some(Node { value: Value::String(file), .. }) = descend(definition, &["file"]) {
                    if !file.starts_with('/') && !file.starts_with('~') {
                        *file = normalize_path(&self.base.join(&*file)).to_string_lossy().into_owned();
                    }
                }
            }
        }

        for (name, key, value) in &entries {
            match name.as_str() {
                "version" => {
                    self.warning(code::OBSOLETE_VERSION, messages::OBSOLETE_VERSION.to_owned(), key.span, "version").help =
                        Some(messages::OBSOLETE_VERSION_HELP.to_owned());
                }
                "name" => {
                    project.name = self.optional_string(Some(value), "name");
                    if let Some(name) = &project.name {
                        let normalized = crate::compose::load::normalize_project_name(name);
                        if normalized != *name || name.is_empty() {
                            let message = messages::invalid_value("name", name, "a project name of lower-case letters, digits, `_` and `-`, starting with a letter or digit");
                            self.error(code::INVALID_VALUE, message, value.span, "name").help = Some(messages::project_name_help(&normalized));
                        }
                    }
                }
                "networks" => {
                    for (network, key, node) in self.mapping(value, "networks").unwrap_or_default() {
                        let parsed = self.network(node, key.span, &join("networks", &network));
                        project.networks.insert(network, parsed);
                    }
                }
                "volumes" => {
                    for (volume, key, node) in self.mapping(value, "volumes").unwrap_or_default() {
                        let parsed = self.volume(node, key.span, &join("volumes", &volume));
                        project.volumes.insert(volume, parsed);
                    }
                }
                _ => {}
            }
        }
        project
    }

    fn services(&mut self, node: &Node) -> BTreeMap<String, Service> {
        let mut services = BTreeMap::new();
        // Unlike a null `healthcheck:`, a null `services:` fails the
        // specification's schema, and docker compose v2 rejects the file.
        if node.value == Value::Null {
            let message = messages::invalid_type("services", "a mapping", "null");
            self.error(code::INVALID_TYPE, message, node.span, "services").help = Some(messages::EMPTY_FILE_HELP.to_owned());
            return services;
        }
        let mut container_names = BTreeMap::new();
        for (name, key, value) in self.mapping(node, "services").unwrap_or_default() {
            let service = self.service_entry(&name, key.span, value, &mut container_names);
            services.insert(name, service);
        }
        services
    }

    /// Parses `services` like [`Context::services`], taking the YAML by value
    /// and dropping each service's node once its model is built.
    fn services_owned(&mut self, node: Node) -> BTreeMap<String, Service> {
        let Node { value, span, tag, text } = node;
        let Value::Mapping(entries) = value else { return self.services(&Node { value, span, tag, text }) };
        let mut services = BTreeMap::new();
        let mut container_names = BTreeMap::new();
        for (key, value) in entries {
            let Value::String(name) = &key.value else {
                let message = messages::invalid_type("services key", "a string", &describe(&key));
                self.error(code::INVALID_TYPE, message, key.span, "services");
                continue;
            };
            let service = self.service_entry(name, key.span, &value, &mut container_names);
            services.insert(name.clone(), service);
        }
        services
    }

    /// Parses one entry of `services`. `container_names` maps each container
    /// name seen so far to the first service that uses it, so that a second
    /// service with the same name is an error.
    fn service_entry(&mut self, name: &str, span: Span, value: &Node, container_names: &mut BTreeMap<String, (String, Span)>) -> Service {
        let path = join("services", name);
        if !is_resource_name(name) {
            let message = messages::invalid_value(&path, name, "a service name of letters, digits, `.`, `_` and `-`");
            self.error(code::INVALID_VALUE, message, span, &path);
        }
        let service = self.service(name, span, value, &path);

        let container_name = service.container_name.clone().filter(|name| !name.is_empty());
        if let (Some(container_name), Some(node)) = (container_name, value.get("container_name")) {
            match container_names.get(&container_name) {
                Some((first, first_span)) => {
                    let message = messages::duplicate_container_name(&container_name, first, name);
                    let first_span = *first_span;
                    let diagnostic = self.error(code::INVALID_VALUE, message, node.span, &join(&path, "container_name"));
                    diagnostic.labels.push(crate::diag::Label { span: first_span, message: messages::container_name_first(first) });
                    diagnostic.help = Some(messages::DUPLICATE_CONTAINER_NAME_HELP.to_owned());
                }
                None => {
                    container_names.insert(container_name, (name.to_owned(), node.span));
                }
            }
        }
        service
    }

    fn service(&mut self, name: &str, span: Span, node: &Node, path: &str) -> Service {
        let mut service = Service {
            name: name.to_owned(),
            span,
            image: None,
            command: None,
            entrypoint: None,
            environment: BTreeMap::new(),
            env_file: Vec::new(),
            ports: Vec::new(),
            volumes: Vec::new(),
            depends_on: BTreeMap::new(),
            healthcheck: None,
            networks: BTreeMap::new(),
            labels: BTreeMap::new(),
            restart: None,
            container_name: None,
            working_dir: None,
            user: None,
            profiles: Vec::new(),
            unsupported: BTreeMap::new(),
        };
        let Some(entries) = self.mapping(node, path) else { return service };
        const HANDLED: &[&str] = &[
            "image", "command", "entrypoint", "environment", "ports", "volumes", "depends_on", "healthcheck", "networks",
            "labels", "restart", "container_name", "working_dir", "user", "build", "env_file", "profiles",
        ];
        service.unsupported = self.other_keys(&entries, place::SERVICE, path, HANDLED);
        self.cast_typed(&mut service.unsupported, path);

        for (key, _, value) in &entries {
            let key_path = join(path, key);
            match key.as_str() {
                "image" => {
                    service.image = self.optional_string(Some(value), &key_path);
                    // Only an empty image written as `""` or `''` is an error here. One
                    // that is empty because a variable is unset (`${IMAGE}` while a
                    // build checks the file) may well be set when the stack runs.
                    let written_empty = value.span.end.saturating_sub(value.span.start) <= 2;
                    if service.image.as_deref() == Some("") && written_empty {
                        self.error(code::INVALID_VALUE, messages::empty_value(&key_path), value.span, &key_path).help =
                            Some(messages::MISSING_IMAGE_HELP.to_owned());
                    }
                }
                "command" => service.command = self.command(value, &key_path),
                "entrypoint" => service.entrypoint = self.command(value, &key_path),
                "environment" => service.environment = self.environment(value, &key_path),
                "ports" => service.ports = self.ports(value, &key_path),
                "volumes" => service.volumes = self.mounts(value, &key_path),
                "depends_on" => service.depends_on = self.depends_on(value, &key_path),
                "healthcheck" => service.healthcheck = self.healthcheck(value, &key_path),
                "networks" => service.networks = self.service_networks(value, &key_path),
                "labels" => service.labels = self.labels(value, &key_path),
                "restart" => {
                    service.restart = self.optional_string(Some(value), &key_path);
                    // Empty is the default policy, as an unset `${RESTART}` gives.
                    if let Some(restart) = service.restart.as_deref().filter(|restart| !restart.is_empty() && !is_restart_policy(restart)) {
                        self.error(code::INVALID_VALUE, messages::invalid_value(&key_path, restart, messages::RESTART_POLICIES), value.span, &key_path);
                    }
                }
                "container_name" => {
                    service.container_name = self.optional_string(Some(value), &key_path);
                    // Empty leaves the name to compose, as an unset `${NAME}` gives.
                    if let Some(name) = service.container_name.as_deref().filter(|name| !name.is_empty() && !is_container_name(name)) {
                        self.error(code::INVALID_VALUE, messages::invalid_value(&key_path, name, messages::CONTAINER_NAME), value.span, &key_path);
                    }
                }
                "working_dir" => service.working_dir = self.optional_string(Some(value), &key_path),
                "user" => service.user = self.optional_string(Some(value), &key_path),
                "env_file" => service.env_file = self.env_files(value, &key_path),
                "profiles" => service.profiles = self.strings(value, &key_path),
                // Kept for `validate`, which reports that building is not supported yet.
                "build" => {
                    self.unknown_keys(spec_walk::unknown_keys_below(place::SERVICE, "build", value, &key_path));
                    service.unsupported.insert(key.clone(), (*value).clone());
                }
                _ => {}
            }
        }

        // A service with its own network mode joins no compose network.
        if service.networks.is_empty() && !service.unsupported.contains_key("network_mode") {
            service.networks.insert("default".to_owned(), ServiceNetwork { span, ..ServiceNetwork::default() });
        }
        add_implicit_dependencies(&mut service);
        self.long_forms(&mut service.unsupported);
        for invalid in crate::compose::short_forms::normalize(&mut service.unsupported) {
            let value_path = join(path, &invalid.path);
            let text = invalid.node.scalar_text().unwrap_or_else(|| describe(&invalid.node));
            self.error(code::INVALID_VALUE, messages::invalid_value(&value_path, &text, invalid.expected), invalid.node.span, &value_path);
        }
        service
    }

    /// Writes service keys kept as parsed in their long syntax, as compose
    /// prints them: `build: DIR` as `{context: DIR}` with the folder made
    /// absolute, and `secrets`/`configs` names as `{source: NAME}`.
    fn long_forms(&self, unsupported: &mut BTreeMap<String, Node>) {
        if let Some(build) = unsupported.get_mut("build") {
            if let Value::String(_) = build.value {
                let context = (*build).clone();
                *build = Node::new(Value::Mapping(vec![(Node::new(Value::String("context".to_owned()), build.span), context)]), build.span);
            }
            if let Some(args) = descend(build, &["args"]) {
                if let Value::Sequence(items) = &args.value {
                    let entries = items
                        .iter()
                        .filter_map(|item| {
                            let text = item.scalar_text()?;
                            let (name, value) = match text.split_once('=') {
                                Some((name, value)) => (name.to_owned(), Value::String(value.to_owned())),
                                None => (text, Value::Null),
                            };
                            Some((Node::new(Value::String(name), item.span), Node::new(value, item.span)))
                        })
                        .collect();
                    args.value = Value::Mapping(entries);
                }
            }
            if let Some(Node { value: Value::String(context), .. }) = descend(build, &["context"]) {
                if !context.contains("://") && !context.starts_with("git@") && !context.starts_with('/') {
                    *context = normalize_path(&self.base.join(&*context)).to_string_lossy().into_owned();
                }
            }
        }
        for kind in ["secrets", "configs"] {
            let Some(Node { value: Value::Sequence(items), .. }) = unsupported.get_mut(kind) else { continue };
            for item in items {
                if let Value::String(_) = item.value {
                    let source = item.clone();
                    *item = Node::new(Value::Mapping(vec![(Node::new(Value::String("source".to_owned()), item.span), source)]), item.span);
                }
            }
        }
    }

    /// Casts the values of service keys kept as parsed that compose reads as
    /// numbers, booleans or durations. After interpolation such a value is
    /// often a string (`replicas: ${N}`); it is read with the YAML 1.2 core
    /// schema, as if it had been written plain, and anything else is an error.
    fn cast_typed(&mut self, unsupported: &mut BTreeMap<String, Node>, path: &str) {
        for (dotted, cast) in TYPED_KEYS {
            let keys: Vec<&str> = dotted.split('.').collect();
            let Some(node) = unsupported.get_mut(keys[0]).and_then(|node| descend(node, &keys[1..])) else { continue };
            self.cast(node, *cast, &join(path, dotted));
        }
    }

    fn cast(&mut self, node: &mut Node, cast: Cast, path: &str) {
        if node.value == Value::Null {
            return;
        }
        let resolved = match &node.value {
            Value::String(text) => crate::yaml::resolve_plain(text),
            other => other.clone(),
        };
        let fits = match (cast, &resolved) {
            (Cast::Count, Value::Int(count)) => u32::try_from(*count).is_ok(),
            (Cast::Int, Value::Int(_)) | (Cast::Bool, Value::Bool(_)) | (Cast::Float, Value::Int(_) | Value::Float(_)) => true,
            (Cast::Duration, _) => {
                let text = node.scalar_text().unwrap_or_default();
                if parse_duration(&text).is_none() {
                    self.error(code::INVALID_DURATION, messages::invalid_duration(path, &text), node.span, path).help =
                        Some(messages::DURATION_HELP.to_owned());
                }
                return;
            }
            _ => false,
        };
        if !fits {
            let text = node.scalar_text().unwrap_or_else(|| describe(node));
            self.error(code::INVALID_VALUE, messages::invalid_value(path, &text, cast.expected()), node.span, path);
            return;
        }
        if matches!(node.value, Value::String(_)) {
            node.value = resolved;
            node.text = None;
        }
    }

    /// `command` and `entrypoint`: a string split like a shell does (without
    /// expanding anything), or a list kept as it is. Null leaves the image's.
    fn command(&mut self, node: &Node, path: &str) -> Option<Vec<String>> {
        match &node.value {
            Value::Null => None,
            Value::String(text) => match shlex::split(text) {
                Some(words) => Some(words),
                None => {
                    self.error(code::INVALID_COMMAND, messages::invalid_command(path), node.span, path).help =
                        Some(messages::COMMAND_HELP.to_owned());
                    None
                }
            },
            Value::Sequence(_) => Some(self.strings(node, path)),
            _ => {
                self.type_error(node, path, "a string or a sequence of strings");
                None
            }
        }
    }

    /// `environment` as a list (`- A=b`, `- A`) or a mapping. A variable
    /// without value (`- A`, `A:` or `A: null`) is `None`: it passes through
    /// from the environment of `up`. Scalars keep their text (`0123`, `true`).
    fn environment(&mut self, node: &Node, path: &str) -> BTreeMap<String, Option<String>> {
        let mut environment = BTreeMap::new();
        for entry in self.list_or_dict(node, path) {
            self.check_variable_name(&entry);
            environment.insert(entry.name, entry.value);
        }
        environment
    }

    /// Rejects the variable names that docker compose v2 rejects: an empty
    /// one, which the runtime cannot set, and one that ends with a space,
    /// which is usually `NAME = value` written in the list form.
    fn check_variable_name(&mut self, entry: &KeyValue) {
        if entry.name.is_empty() {
            self.error(code::INVALID_VALUE, messages::empty_variable_name(&entry.path), entry.span, &entry.path).help =
                Some(messages::EMPTY_VARIABLE_NAME_HELP.to_owned());
        } else if entry.name.ends_with(' ') {
            let message = messages::variable_name_trailing_space(&entry.name, &entry.path);
            self.error(code::INVALID_VALUE, message, entry.span, &entry.path).help = Some(messages::VARIABLE_NAME_SPACE_HELP.to_owned());
        }
    }

    /// Reads a `list_or_dict` value: a list of `NAME=value` or `NAME`
    /// strings, or a mapping of names to scalars. Each entry keeps the span
    /// of its list item or mapping key.
    fn list_or_dict(&mut self, node: &Node, path: &str) -> Vec<KeyValue> {
        let mut entries = Vec::new();
        match &node.value {
            Value::Sequence(items) => {
                for (position, item) in items.iter().enumerate() {
                    let item_path = index(path, position);
                    let Some(text) = self.string(item, &item_path) else { continue };
                    let (name, value) = match text.split_once('=') {
                        Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                        None => (text, None),
                    };
                    entries.push(KeyValue { name, value, span: item.span, path: item_path });
                }
            }
            _ => {
                for (name, key, value) in self.mapping(node, path).unwrap_or_default() {
                    let entry_path = join(path, &name);
                    let value = self.scalar_value(value, &entry_path);
                    entries.push(KeyValue { name, value, span: key.span, path: entry_path });
                }
            }
        }
        entries
    }

    /// `env_file` as a path, or a list of paths and `{path, required, format}`
    /// mappings. Relative paths resolve against the project folder.
    fn env_files(&mut self, node: &Node, path: &str) -> Vec<EnvFile> {
        let items = match &node.value {
            Value::Null => return Vec::new(),
            Value::Sequence(items) => items.iter().collect(),
            _ => vec![node],
        };
        let mut env_files = Vec::new();
        for (position, item) in items.into_iter().enumerate() {
            let item_path = if matches!(node.value, Value::Sequence(_)) { index(path, position) } else { path.to_owned() };
            let mut env_file = EnvFile { span: item.span, path: PathBuf::new(), required: true, format: None };
            let written = match &item.value {
                Value::Mapping(_) => {
                    let entries = self.mapping(item, &item_path).unwrap_or_default();
                    self.other_keys(&entries, place::ENV_FILE, &item_path, &["path", "required", "format"]);
                    if let Some(required) = item.get("required") {
                        env_file.required = self.boolean(required, &join(&item_path, "required")).unwrap_or(true);
                    }
                    env_file.format = self.optional_string(item.get("format"), &join(&item_path, "format"));
                    match item.get("path") {
                        Some(value) => self.string(value, &join(&item_path, "path")),
                        None => {
                            self.error(code::MISSING_KEY, messages::missing_key(&item_path, "path"), item.span, &item_path);
                            None
                        }
                    }
                }
                _ => self.string(item, &item_path),
            };
            let Some(written) = written else { continue };
            env_file.path = normalize_path(&self.base.join(written));
            env_files.push(env_file);
        }
        env_files
    }

    /// Reads a scalar of a `list_or_dict` mapping as text. Null is `None`.
    fn scalar_value(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Null => None,
            Value::Sequence(_) | Value::Mapping(_) => {
                self.type_error(node, path, "a string, a number, a boolean or null");
                None
            }
            _ => node.scalar_text(),
        }
    }

    /// `labels` as a list (`- a=b`, `- a`) or a mapping; a label without a
    /// value is the empty string.
    fn labels(&mut self, node: &Node, path: &str) -> BTreeMap<String, String> {
        self.list_or_dict(node, path).into_iter().map(|entry| (entry.name, entry.value.unwrap_or_default())).collect()
    }

    fn ports(&mut self, node: &Node, path: &str) -> Vec<Port> {
        let Value::Sequence(items) = &node.value else {
            self.type_error(node, path, "a sequence");
            return Vec::new();
        };
        let mut ports = Vec::new();
        for (position, item) in items.iter().enumerate() {
            let item_path = index(path, position);
            match &item.value {
                Value::Int(_) | Value::String(_) => {
                    let text = item.scalar_text().unwrap_or_default();
                    match parse_port(&text, item.span) {
                        Ok(parsed) => ports.extend(parsed),
                        Err(reason) => {
                            self.error(code::INVALID_PORT, messages::invalid_port(&item_path, &text, &reason), item.span, &item_path)
                                .help = Some(messages::PORT_HELP.to_owned());
                        }
                    }
                }
                Value::Mapping(_) => ports.extend(self.long_port(item, &item_path)),
                _ => self.type_error(item, &item_path, "a port string, a port number or a mapping"),
            }
        }
        ports
    }

    fn long_port(&mut self, node: &Node, path: &str) -> Option<Port> {
        let entries = self.mapping(node, path)?;
        self.other_keys(&entries, place::PORT, path, &["name", "mode", "host_ip", "target", "published", "protocol", "app_protocol"]);
        let mut port = Port {
            span: node.span,
            name: self.optional_string(node.get("name"), &join(path, "name")),
            target: 0,
            published: None,
            host_ip: self.optional_string(node.get("host_ip"), &join(path, "host_ip")),
            protocol: "tcp".to_owned(),
            app_protocol: self.optional_string(node.get("app_protocol"), &join(path, "app_protocol")),
            mode: "ingress".to_owned(),
        };

        let Some(target) = node.get("target") else {
            self.error(code::MISSING_KEY, messages::missing_key(path, "target"), node.span, path);
            return None;
        };
        let target_path = join(path, "target");
        let text = self.string(target, &target_path)?;
        match parse_port_number(&text) {
            Ok(number) => port.target = number,
            Err(reason) => {
                self.error(code::INVALID_PORT, messages::invalid_port(&target_path, &text, &reason), target.span, &target_path);
                return None;
            }
        }

        if let Some(published) = node.get("published").filter(|node| node.value != Value::Null) {
            let published_path = join(path, "published");
            let text = self.string(published, &published_path)?;
            if let Err(reason) = parse_port_range(&text) {
                self.error(code::INVALID_PORT, messages::invalid_port(&published_path, &text, &reason), published.span, &published_path);
                return None;
            }
            port.published = Some(text);
        }
        if let Some(protocol) = self.optional_string(node.get("protocol"), &join(path, "protocol")) {
            port.protocol = self.protocol(&protocol, node.get("protocol").map_or(node.span, |node| node.span), path)?;
        }
        if let Some(mode) = self.optional_string(node.get("mode"), &join(path, "mode")) {
            if mode != "ingress" && mode != "host" {
                let mode_path = join(path, "mode");
                self.error(code::INVALID_VALUE, messages::invalid_value(&mode_path, &mode, "`ingress` or `host`"), node.span, &mode_path);
                return None;
            }
            port.mode = mode;
        }
        Some(port)
    }

    fn protocol(&mut self, protocol: &str, span: Span, path: &str) -> Option<String> {
        let lower = protocol.to_ascii_lowercase();
        if PROTOCOLS.contains(&lower.as_str()) {
            Some(lower)
        } else {
            let protocol_path = join(path, "protocol");
            self.error(code::INVALID_VALUE, messages::invalid_value(&protocol_path, protocol, "`tcp`, `udp` or `sctp`"), span, &protocol_path);
            None
        }
    }

    fn mounts(&mut self, node: &Node, path: &str) -> Vec<Mount> {
        let Value::Sequence(items) = &node.value else {
            self.type_error(node, path, "a sequence");
            return Vec::new();
        };
        let mut mounts = Vec::new();
        for (position, item) in items.iter().enumerate() {
            let item_path = index(path, position);
            match &item.value {
                Value::String(text) => match self.short_mount(text, item.span) {
                    Ok(mount) => mounts.push(mount),
                    Err(reason) => {
                        self.error(code::INVALID_MOUNT, messages::invalid_mount(&item_path, text, &reason), item.span, &item_path)
                            .help = Some(messages::MOUNT_HELP.to_owned());
                    }
                },
                Value::Mapping(_) => mounts.extend(self.long_mount(item, &item_path)),
                _ => self.type_error(item, &item_path, "a volume string or a mapping"),
            }
        }
        mounts
    }

    /// `[SOURCE:]TARGET[:MODE]`. A source that starts with `.`, `/` or `~` is
    /// a bind mount, any other a named volume; no source is an anonymous
    /// volume. `ro`/`rw` set `read_only`; SELinux labels (`z`, `Z`), `nocopy`
    /// and the consistency modes are kept in the long syntax's keys.
    fn short_mount(&mut self, text: &str, span: Span) -> Result<Mount, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let (source, target, mode) = match parts.as_slice() {
            [target] => (None, *target, None),
            [source, target] => (Some(*source), *target, None),
            [source, target, mode] => (Some(*source), *target, Some(*mode)),
            _ => return Err("too many `:`-separated parts".to_owned()),
        };
        if !target.starts_with('/') {
            return Err(format!("the container path `{target}` is not absolute"));
        }
        if source.is_some_and(str::is_empty) {
            return Err("the source is empty".to_owned());
        }

        let kind = match source {
            Some(source) if source.starts_with(['.', '/', '~']) => MountKind::Bind,
            _ => MountKind::Volume,
        };
        let mut mount = Mount {
            span,
            kind,
            source: source.map(|source| self.mount_source(kind, source)),
            target: target.to_owned(),
            read_only: false,
            create_host_path: kind == MountKind::Bind,
            unsupported: BTreeMap::new(),
        };
        // The short syntax creates a missing host folder. Its long form sets
        // `create_host_path`, as docker compose v2 prints it, so that
        // `config` output loads back the same.
        let mut bind = Vec::new();
        if kind == MountKind::Bind {
            bind.push(("create_host_path", Value::Bool(true)));
        }
        for option in mode.into_iter().flat_map(|mode| mode.split(',')) {
            match option {
                "ro" => mount.read_only = true,
                "rw" => mount.read_only = false,
                "z" | "Z" => bind.push(("selinux", Value::String(option.to_owned()))),
                "nocopy" => {
                    mount.unsupported.insert("volume".to_owned(), built_mapping(&[("nocopy", Value::Bool(true))], span));
                }
                "cached" | "delegated" | "consistent" => {
                    mount.unsupported.insert("consistency".to_owned(), Node::new(Value::String(option.to_owned()), span));
                }
                _ => return Err(format!("unknown mode `{option}`")),
            }
        }
        if !bind.is_empty() {
            mount.unsupported.insert("bind".to_owned(), built_mapping(&bind, span));
        }
        Ok(mount)
    }

    fn long_mount(&mut self, node: &Node, path: &str) -> Option<Mount> {
        let entries = self.mapping(node, path)?;
        let unsupported = self.other_keys(&entries, place::MOUNT, path, &["type", "source", "target", "read_only"]);

        let Some(kind_node) = node.get("type") else {
            self.error(code::MISSING_KEY, messages::missing_key(path, "type"), node.span, path);
            return None;
        };
        let kind_path = join(path, "type");
        let kind_text = self.string(kind_node, &kind_path)?;
        let kind = match kind_text.as_str() {
            "volume" => MountKind::Volume,
            "bind" => MountKind::Bind,
            "tmpfs" => MountKind::Tmpfs,
            "npipe" => MountKind::Npipe,
            "cluster" => MountKind::Cluster,
            "image" => MountKind::Image,
            _ => {
                let expected = "one of `volume`, `bind`, `tmpfs`, `npipe`, `cluster`, `image`";
                self.error(code::INVALID_VALUE, messages::invalid_value(&kind_path, &kind_text, expected), kind_node.span, &kind_path);
                return None;
            }
        };
        let Some(target) = self.optional_string(node.get("target"), &join(path, "target")) else {
            self.error(code::MISSING_KEY, messages::missing_key(path, "target"), node.span, path);
            return None;
        };
        let source = self.optional_string(node.get("source"), &join(path, "source")).map(|source| self.mount_source(kind, &source));
        let read_only = match node.get("read_only") {
            Some(value) => self.boolean(value, &join(path, "read_only"))?,
            None => false,
        };
        let create_host_path = unsupported
            .get("bind")
            .and_then(|bind| bind.get("create_host_path"))
            .is_some_and(|value| matches!(value.value, Value::Bool(true)));
        Some(Mount { span: node.span, kind, source, target, read_only, create_host_path, unsupported })
    }

    /// Resolves a relative bind source against the compose file's folder.
    fn mount_source(&self, kind: MountKind, source: &str) -> String {
        // `~` is kept here; a load for running replaces it with `HOME`.
        if kind != MountKind::Bind || source.starts_with('/') || source.starts_with('~') {
            return source.to_owned();
        }
        normalize_path(&self.base.join(source)).to_string_lossy().into_owned()
    }

    /// `depends_on` as a list of names (each `service_started`, required, no
    /// restart) or a mapping of names to `{condition, restart, required}`.
    fn depends_on(&mut self, node: &Node, path: &str) -> BTreeMap<String, Dependency> {
        let mut dependencies: BTreeMap<String, Dependency> = BTreeMap::new();
        if let Value::Sequence(items) = &node.value {
            for (position, item) in items.iter().enumerate() {
                let item_path = index(path, position);
                let Some(name) = self.string(item, &item_path) else { continue };
                // The specification's schema requires unique items here, and
                // docker compose rejects a repeated name.
                if let Some(first) = dependencies.get(&name) {
                    let first_span = first.span;
                    let diagnostic = self.error(code::INVALID_VALUE, messages::duplicate_dependency(path, &name), item.span, &item_path);
                    diagnostic.labels.push(Label { span: first_span, message: messages::DUPLICATE_ENTRY_FIRST.to_owned() });
                    diagnostic.help = Some(messages::DUPLICATE_KEY_HELP.to_owned());
                    continue;
                }
                let dependency = Dependency { span: item.span, condition: Condition::ServiceStarted, condition_span: item.span, restart: false, required: true };
                dependencies.insert(name, dependency);
            }
            return dependencies;
        }
        for (name, key, value) in self.mapping(node, path).unwrap_or_default() {
            let entry_path = join(path, &name);
            let mut dependency = Dependency { span: key.span, condition: Condition::ServiceStarted, condition_span: key.span, restart: false, required: true };
            let Some(entries) = self.mapping(value, &entry_path) else { continue };
            self.other_keys(&entries, place::DEPENDENCY, &entry_path, &["condition", "restart", "required"]);
            // The specification's schema requires `condition` in the long form.
            // docker compose v2 validates against that schema before it fills
            // in defaults, so it rejects an entry without `condition`.
            match value.get("condition") {
                Some(condition) => {
                    dependency.condition_span = condition.span;
                    let condition_path = join(&entry_path, "condition");
                    match self.string(condition, &condition_path).as_deref() {
                        Some("service_started") => dependency.condition = Condition::ServiceStarted,
                        Some("service_healthy") => dependency.condition = Condition::ServiceHealthy,
                        Some("service_completed_successfully") => dependency.condition = Condition::ServiceCompletedSuccessfully,
                        Some(other) => {
                            let expected = "`service_started`, `service_healthy` or `service_completed_successfully`";
                            self.error(code::INVALID_VALUE, messages::invalid_value(&condition_path, other, expected), condition.span, &condition_path);
                        }
                        None => {}
                    }
                }
                None => {
                    self.error(code::MISSING_KEY, messages::missing_key(&entry_path, "condition"), key.span, &entry_path).help =
                        Some(messages::DEPENDENCY_CONDITION_HELP.to_owned());
                }
            }
            if let Some(restart) = value.get("restart") {
                dependency.restart = self.boolean(restart, &join(&entry_path, "restart")).unwrap_or(false);
            }
            if let Some(required) = value.get("required") {
                dependency.required = self.boolean(required, &join(&entry_path, "required")).unwrap_or(true);
            }
            dependencies.insert(name, dependency);
        }
        dependencies
    }

    fn healthcheck(&mut self, node: &Node, path: &str) -> Option<Healthcheck> {
        let entries = self.mapping(node, path)?;
        self.other_keys(&entries, place::HEALTHCHECK, path, &["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"]);
        let mut healthcheck = Healthcheck {
            span: node.span,
            test: Vec::new(),
            interval: None,
            timeout: None,
            retries: None,
            start_period: None,
            start_interval: None,
            disable: false,
        };
        for (key, _, value) in &entries {
            let key_path = join(path, key);
            match key.as_str() {
                "test" => match &value.value {
                    Value::String(script) => healthcheck.test = vec!["CMD-SHELL".to_owned(), script.clone()],
                    Value::Sequence(items) if items.is_empty() => {
                        self.error(code::INVALID_VALUE, messages::empty_value(&key_path), value.span, &key_path).help =
                            Some(messages::EMPTY_HEALTHCHECK_TEST_HELP.to_owned());
                    }
                    Value::Sequence(items) => {
                        healthcheck.test = self.strings(value, &key_path);
                        self.check_healthcheck_test_form(items, &key_path);
                    }
                    Value::Null => {}
                    _ => self.type_error(value, &key_path, "a string or a sequence of strings"),
                },
                "interval" => healthcheck.interval = self.duration(value, &key_path),
                "timeout" => healthcheck.timeout = self.duration(value, &key_path),
                "start_period" => healthcheck.start_period = self.duration(value, &key_path),
                "start_interval" => healthcheck.start_interval = self.duration(value, &key_path),
                "retries" => healthcheck.retries = self.retries(value, &key_path),
                "disable" => healthcheck.disable = self.boolean(value, &key_path).unwrap_or(false),
                _ => {}
            }
        }
        Some(healthcheck)
    }

    /// The list form of a healthcheck `test` starts with `NONE`, `CMD` or
    /// `CMD-SHELL`, because the runtime reads the first item as the form.
    /// docker compose v2 rejects any other first item when it loads the file.
    /// `CMD` and `CMD-SHELL` need a command after them, which the engine
    /// would otherwise reject only when it runs the check.
    fn check_healthcheck_test_form(&mut self, items: &[Node], path: &str) {
        let first = &items[0];
        let Some(form) = first.scalar_text() else { return };
        let first_path = index(path, 0);
        if !["NONE", "CMD", "CMD-SHELL"].contains(&form.as_str()) {
            let message = messages::invalid_value(&first_path, &form, "`NONE`, `CMD` or `CMD-SHELL`");
            self.error(code::INVALID_VALUE, message, first.span, &first_path).help = Some(messages::HEALTHCHECK_TEST_FORM_HELP.to_owned());
            return;
        }
        if form != "NONE" && items.len() == 1 {
            let message = messages::healthcheck_without_command(path, &form);
            self.error(code::INVALID_VALUE, message, first.span, path).help = Some(messages::HEALTHCHECK_TEST_FORM_HELP.to_owned());
        }
    }

    fn duration(&mut self, node: &Node, path: &str) -> Option<Duration> {
        if node.value == Value::Null {
            return None;
        }
        let text = self.string(node, path)?;
        match parse_duration(&text) {
            Some(duration) => Some(duration),
            None => {
                self.error(code::INVALID_DURATION, messages::invalid_duration(path, &text), node.span, path).help =
                    Some(messages::DURATION_HELP.to_owned());
                None
            }
        }
    }

    fn retries(&mut self, node: &Node, path: &str) -> Option<u32> {
        let parsed = match &node.value {
            Value::Int(value) => u32::try_from(*value).ok(),
            Value::String(text) => text.parse::<u32>().ok(),
            Value::Float(value) if value.fract() == 0.0 && *value >= 0.0 && *value <= f64::from(u32::MAX) => Some(*value as u32),
            _ => None,
        };
        if parsed.is_none() {
            let text = node.scalar_text().unwrap_or_else(|| describe(node));
            // Digits only, yet not a u32: too large (a YAML integer beyond i64 stays a string).
            let message = if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) || matches!(node.value, Value::Int(value) if value > 0) {
                messages::out_of_range(path, &text, "a non-negative integer up to 4294967295")
            } else {
                messages::invalid_value(path, &text, "a non-negative integer")
            };
            self.error(code::INVALID_VALUE, message, node.span, path);
        }
        parsed
    }

    /// Service `networks` as a list of names or a mapping of names to
    /// settings (null for none).
    fn service_networks(&mut self, node: &Node, path: &str) -> BTreeMap<String, ServiceNetwork> {
        let mut networks = BTreeMap::new();
        if let Value::Sequence(items) = &node.value {
            for (position, item) in items.iter().enumerate() {
                if let Some(name) = self.string(item, &index(path, position)) {
                    networks.insert(name, ServiceNetwork { span: item.span, ..ServiceNetwork::default() });
                }
            }
            return networks;
        }
        for (name, key, value) in self.mapping(node, path).unwrap_or_default() {
            let entry_path = join(path, &name);
            let mut network = ServiceNetwork { span: key.span, ..ServiceNetwork::default() };
            if let Some(entries) = self.mapping(value, &entry_path) {
                network.unsupported = self.other_keys(&entries, place::SERVICE_NETWORK, &entry_path, &["aliases"]);
                if let Some(aliases) = value.get("aliases").filter(|node| node.value != Value::Null) {
                    network.aliases = self.strings(aliases, &join(&entry_path, "aliases"));
                }
            }
            networks.insert(name, network);
        }
        networks
    }

    fn network(&mut self, node: &Node, span: Span, path: &str) -> Network {
        let mut network = Network { span, ..Network::default() };
        let Some(entries) = self.mapping(node, path) else { return network };
        network.unsupported = self.other_keys(&entries, place::NETWORK, path, &["name", "driver", "external", "internal", "labels"]);
        network.name = self.optional_string(node.get("name"), &join(path, "name"));
        network.driver = self.optional_string(node.get("driver"), &join(path, "driver"));
        if let Some(external) = node.get("external") {
            network.external = self.external(external, place::NETWORK, &join(path, "external"), &mut network.name);
        }
        if let Some(internal) = node.get("internal") {
            network.internal = self.boolean(internal, &join(path, "internal")).unwrap_or(false);
        }
        if let Some(labels) = node.get("labels") {
            network.labels = self.labels(labels, &join(path, "labels"));
        }
        network
    }

    fn volume(&mut self, node: &Node, span: Span, path: &str) -> Volume {
        let mut volume = Volume { span, ..Volume::default() };
        let Some(entries) = self.mapping(node, path) else { return volume };
        volume.unsupported = self.other_keys(&entries, place::VOLUME, path, &["name", "driver", "external", "labels"]);
        volume.name = self.optional_string(node.get("name"), &join(path, "name"));
        volume.driver = self.optional_string(node.get("driver"), &join(path, "driver"));
        if let Some(external) = node.get("external") {
            volume.external = self.external(external, place::VOLUME, &join(path, "external"), &mut volume.name);
        }
        if let Some(labels) = node.get("labels") {
            volume.labels = self.labels(labels, &join(path, "labels"));
        }
        volume
    }

    /// `external: true`, or the obsolete `external: {name: x}` that also
    /// sets the name.
    fn external(&mut self, node: &Node, pointer: &str, path: &str, name: &mut Option<String>) -> bool {
        if let Value::Mapping(_) = node.value {
            self.unknown_keys(spec_walk::unknown_keys_below(pointer, "external", node, path));
            if let Some(external_name) = self.optional_string(node.get("name"), &join(path, "name")) {
                *name = Some(external_name);
            }
            return true;
        }
        self.boolean(node, path).unwrap_or(false)
    }
}

const PROTOCOLS: &[&str] = &["tcp", "udp", "sctp"];

/// How a value kept as parsed is cast after interpolation.
#[derive(Clone, Copy)]
enum Cast {
    Int,
    /// A count: an integer from 0 to 4294967295.
    Count,
    Bool,
    Float,
    Duration,
}

impl Cast {
    fn expected(self) -> &'static str {
        match self {
            Cast::Int => "an integer",
            Cast::Count => "a whole number from 0 to 4294967295",
            Cast::Bool => "`true` or `false`",
            Cast::Float => "a number",
            Cast::Duration => "a duration such as `10s`",
        }
    }
}

/// Service keys, as dotted paths below the service, that the model keeps as
/// parsed but compose reads as typed values.
const TYPED_KEYS: &[(&str, Cast)] = &[
    ("scale", Cast::Count),
    ("deploy.replicas", Cast::Count),
    ("deploy.restart_policy.max_attempts", Cast::Count),
    ("deploy.restart_policy.delay", Cast::Duration),
    ("deploy.restart_policy.window", Cast::Duration),
    ("deploy.update_config.parallelism", Cast::Count),
    ("deploy.update_config.delay", Cast::Duration),
    ("deploy.rollback_config.parallelism", Cast::Count),
    ("cpu_count", Cast::Int),
    ("cpu_percent", Cast::Int),
    ("cpu_shares", Cast::Int),
    ("cpus", Cast::Float),
    ("mem_swappiness", Cast::Int),
    ("oom_score_adj", Cast::Int),
    ("pids_limit", Cast::Int),
    ("stop_grace_period", Cast::Duration),
    ("init", Cast::Bool),
    ("oom_kill_disable", Cast::Bool),
    ("privileged", Cast::Bool),
    ("read_only", Cast::Bool),
    ("stdin_open", Cast::Bool),
    ("tty", Cast::Bool),
];

/// The node at `keys` below `node`, for changing it in place.
fn descend<'n>(node: &'n mut Node, keys: &[&str]) -> Option<&'n mut Node> {
    let Some((first, rest)) = keys.split_first() else { return Some(node) };
    match &mut node.value {
        Value::Mapping(entries) => {
            let child = entries.iter_mut().find(|(name, _)| name.as_str() == Some(*first)).map(|(_, value)| value)?;
            descend(child, rest)
        }
        _ => None,
    }
}

/// Adds the dependencies that `links`, `volumes_from` and `service:NAME` in
/// `network_mode`, `ipc` or `pid` imply, as `service_started`, unless
/// `depends_on` already names the service: the other service must run
/// before this one can link to it, mount its volumes or join its namespaces.
fn add_implicit_dependencies(service: &mut Service) {
    let mut implied: Vec<(String, Span)> = Vec::new();
    let items = |key: &str| -> Vec<&Node> {
        match service.unsupported.get(key).map(|node| &node.value) {
            Some(Value::Sequence(items)) => items.iter().collect(),
            _ => Vec::new(),
        }
    };
    for item in items("links") {
        if let Some(text) = item.as_str() {
            implied.push((text.split(':').next().unwrap_or(text).to_owned(), item.span));
        }
    }
    for item in items("volumes_from") {
        if let Some(text) = item.as_str().filter(|text| !text.starts_with("container:")) {
            let name = text.strip_prefix("service:").unwrap_or(text);
            implied.push((name.split(':').next().unwrap_or(name).to_owned(), item.span));
        }
    }
    for key in ["network_mode", "ipc", "pid", "uts"] {
        if let Some(mode) = service.unsupported.get(key) {
            if let Some(name) = mode.as_str().and_then(|text| text.strip_prefix("service:")) {
                implied.push((name.to_owned(), mode.span));
            }
        }
    }
    // A service that names itself gets the dependency too, which the
    // cycle check then reports.
    for (name, span) in implied {
        if name.is_empty() {
            continue;
        }
        service.depends_on.entry(name).or_insert(Dependency { span, condition: Condition::ServiceStarted, condition_span: span, restart: false, required: true });
    }
}

/// Checks the specification's pattern for service, network and volume keys.
fn is_resource_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
}

/// The restart policies of compose: `no`, `always`, `on-failure[:N]` and
/// `unless-stopped`.
fn is_restart_policy(text: &str) -> bool {
    match text.strip_prefix("on-failure:") {
        Some(count) => !count.is_empty() && count.bytes().all(|byte| byte.is_ascii_digit()),
        None => matches!(text, "no" | "always" | "on-failure" | "unless-stopped"),
    }
}

/// `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, the names the container engine accepts.
fn is_container_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|byte| byte.is_ascii_alphanumeric())
        && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
}

fn describe(node: &Node) -> String {
    match node.scalar_text() {
        Some(text) => format!("{} `{text}`", node.kind()),
        None => node.kind().to_owned(),
    }
}

fn built_mapping(entries: &[(&str, Value)], span: Span) -> Node {
    let entries = entries
        .iter()
        .map(|(key, value)| (Node::new(Value::String((*key).to_owned()), span), Node::new(value.clone(), span)))
        .collect();
    Node::new(Value::Mapping(entries), span)
}

/// Parses the short port syntax `[[HOST_IP:][PUBLISHED]:]TARGET[/PROTOCOL]`.
/// An IPv6 host address goes in brackets (`[::1]:80:80`).
///
/// A target range (`8000-8010`) expands to one port per target. A published
/// range of the same length maps one to one, and a single published port with
/// a target range is an error. A published range with a single target stays a
/// range: the runtime picks a free port from it.
pub fn parse_port(text: &str, span: Span) -> Result<Vec<Port>, String> {
    let (address, protocol) = match text.rsplit_once('/') {
        Some((address, protocol)) => (address, protocol.to_ascii_lowercase()),
        None => (text, "tcp".to_owned()),
    };
    if !PROTOCOLS.contains(&protocol.as_str()) {
        return Err(format!("unknown protocol `{protocol}`"));
    }

    let (host_ip, rest) = match address.strip_prefix('[') {
        Some(bracketed) => {
            let (ip, rest) = bracketed.split_once(']').ok_or("missing `]` after the IPv6 address")?;
            let rest = rest.strip_prefix(':').ok_or("expected `:` after the IPv6 address")?;
            (Some(ip.to_owned()), rest)
        }
        None => (None, address),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (host_ip, published, target) = match (host_ip, parts.as_slice()) {
        (None, [target]) => (None, None, *target),
        (host_ip, [published, target]) => (host_ip, Some(*published), *target),
        (None, [host_ip, published, target]) => (Some((*host_ip).to_owned()), Some(*published), *target),
        _ => return Err("too many `:`-separated parts (write an IPv6 address in brackets)".to_owned()),
    };
    // Host port 0 lets the runtime pick a free port, as no host port does.
    let published = published.filter(|published| !published.is_empty() && *published != "0");

    let targets = parse_port_range(target)?;
    let published_range = published.map(parse_port_range).transpose()?;
    let target_count = usize::from(targets.1 - targets.0) + 1;
    let published_each: Vec<Option<String>> = match published_range {
        None => vec![None; target_count],
        Some(_) if target_count == 1 => vec![published.map(str::to_owned)],
        Some((start, end)) if usize::from(end - start) + 1 == target_count => {
            (start..=end).map(|port| Some(port.to_string())).collect()
        }
        Some(_) => return Err("the published range and the target range differ in length".to_owned()),
    };

    Ok((targets.0..=targets.1)
        .zip(published_each)
        .map(|(target, published)| Port {
            span,
            name: None,
            target,
            published,
            host_ip: host_ip.clone(),
            protocol: protocol.clone(),
            app_protocol: None,
            mode: "ingress".to_owned(),
        })
        .collect())
}

fn parse_port_number(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("`{text}` is not a port number between 1 and 65535")),
        Ok(port) => Ok(port),
    }
}

/// `8080` or `8000-8010`, as an inclusive range.
fn parse_port_range(text: &str) -> Result<(u16, u16), String> {
    match text.split_once('-') {
        Some((start, end)) => {
            // `-1` or `80-` would otherwise report the empty side.
            if start.is_empty() || end.is_empty() {
                return Err(format!("`{text}` is not a port number between 1 and 65535 or a range such as `8000-8010`"));
            }
            let (start, end) = (parse_port_number(start)?, parse_port_number(end)?);
            if start > end {
                return Err(format!("the range `{text}` ends before it starts"));
            }
            Ok((start, end))
        }
        None => parse_port_number(text).map(|port| (port, port)),
    }
}

/// Parses a compose duration: a sequence of decimal numbers, each with a unit
/// of `h`, `m`, `s`, `ms`, `us` (or `µs`) or `ns`, such as `1m30s`, `1.5s` or
/// `500ms`, as Go's `time.ParseDuration` reads them without a sign. A bare
/// `0` is zero.
pub fn parse_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    if text.is_empty() {
        return None;
    }
    let mut rest = text;
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let number_length = rest.bytes().take_while(|byte| byte.is_ascii_digit() || *byte == b'.').count();
        let number = &rest[..number_length];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        rest = &rest[number_length..];
        let unit_length = rest.char_indices().find(|(_, char)| char.is_ascii_digit() || *char == '.').map_or(rest.len(), |(offset, _)| offset);
        let nanos_per_unit: u128 = match &rest[..unit_length] {
            "h" => 3_600_000_000_000,
            "m" => 60_000_000_000,
            "s" => 1_000_000_000,
            "ms" => 1_000_000,
            "us" | "µs" | "μs" => 1_000,
            "ns" => 1,
            _ => return None,
        };
        rest = &rest[unit_length..];

        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
        let mut nanos = whole.checked_mul(nanos_per_unit)?;
        let mut scale = nanos_per_unit;
        for digit in fraction.bytes() {
            scale /= 10;
            nanos += u128::from(digit - b'0') * scale;
        }
        let nanos = u64::try_from(nanos).ok()?;
        total = total.checked_add(Duration::from_nanos(nanos))?;
    }
    Some(total)
}

/// Writes a duration as compose does, largest unit first and zero parts left
/// out (`1h30m`, `1m30s`, `1s500ms`, `0s`). [`parse_duration`] reads the
/// result back to the same value.
pub fn format_duration(duration: Duration) -> String {
    if duration.is_zero() {
        return "0s".to_owned();
    }
    let mut nanos = duration.as_nanos();
    let mut text = String::new();
    for (unit, size) in [("h", 3_600_000_000_000u128), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000), ("ns", 1)] {
        let count = nanos / size;
        if count > 0 {
            text.push_str(&format!("{count}{unit}"));
            nanos %= size;
        }
    }
    text
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalize_path(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normalized.pop() {
                    normalized.push("..");
                }
            }
            other => normalized.push(other.as_os_str()),
        }
    }
    normalized
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_round_trip() {
        for (text, seconds) in [("10s", 10.0), ("1m30s", 90.0), ("500ms", 0.5), ("1h", 3600.0), ("1.5s", 1.5), ("0", 0.0), ("2h3m4s5ms6us7ns", 7384.005006007)] {
            let parsed = parse_duration(text).unwrap_or_else(|| panic!("{text} should parse"));
            assert!((parsed.as_secs_f64() - seconds).abs() < 1e-9, "{text}");
            assert_eq!(parse_duration(&format_duration(parsed)), Some(parsed), "{text}");
        }
    }

    #[test]
    fn invalid_durations() {
        for text in ["", "10", "1x", "s", "1.2.3s", "-1s", "1m 30s"] {
            assert_eq!(parse_duration(text), None, "{text}");
        }
    }

    #[test]
    fn format_duration_forms() {
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(format_duration(Duration::from_secs(3600)), "1h");
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }

    fn port(text: &str) -> Result<Vec<Port>, String> {
        parse_port(text, Span::default())
    }

    #[test]
    fn short_ports() {
        let single = port("80").unwrap();
        assert_eq!((single[0].target, single[0].published.as_deref(), single[0].protocol.as_str()), (80, None, "tcp"));
        let mapped = port("8080:80").unwrap();
        assert_eq!((mapped[0].target, mapped[0].published.as_deref()), (80, Some("8080")));
        let bound = port("127.0.0.1:8080:80/udp").unwrap();
        assert_eq!(bound[0].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(bound[0].protocol, "udp");
        let ipv6 = port("[::1]:53:53").unwrap();
        assert_eq!(ipv6[0].host_ip.as_deref(), Some("::1"));
        let no_host_port = port("127.0.0.1::80").unwrap();
        assert_eq!(no_host_port[0].published, None);
    }

    #[test]
    fn port_ranges() {
        let ranges = port("8000-8002:9000-9002").unwrap();
        let pairs: Vec<(u16, Option<&str>)> = ranges.iter().map(|port| (port.target, port.published.as_deref())).collect();
        assert_eq!(pairs, [(9000, Some("8000")), (9001, Some("8001")), (9002, Some("8002"))]);
        let published_range = port("8000-8010:80").unwrap();
        assert_eq!(published_range.len(), 1);
        assert_eq!(published_range[0].published.as_deref(), Some("8000-8010"));
        assert!(port("8000:9000-9001").is_err());
    }

    #[test]
    fn invalid_ports() {
        for text in ["0", "70000", "a:80", "80/icmp", "1:2:3:4", "80-70"] {
            assert!(port(text).is_err(), "{text}");
        }
    }
}
