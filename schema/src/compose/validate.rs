//! Rules that relate one part of a project to another: references between
//! services, volumes and networks, and dependency cycles.
//!
//! Rules about the shape of a single value (types, port syntax, durations,
//! key names) belong in `parse`, which has the YAML node at hand. Every rule
//! here is one `check_*` function that records its findings and goes on, so
//! the user sees every error of a file at once.

use std::collections::BTreeMap;

use crate::compose::model::{Condition, MountKind, Project, Service};
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::yaml::{Node, Value};

/// Checks every rule on `project` and returns the errors and warnings.
/// `parsed` contains what parsing reported, so that a rule does not repeat an
/// error that parsing already explains (a misspelled `imagee` is one error,
/// not also a missing `image`).
pub fn validate(project: &Project, parsed: &Diagnostics) -> Diagnostics {
    let mut cx = Diagnostics::default();
    let error_paths = error_paths(parsed);
    for service in project.services.values() {
        if !has_errors_under(&error_paths, &format!("services.{}", service.name)) {
            check_service_image(&mut cx, project, service);
        }
        check_depends_on_defined(&mut cx, project, service);
        check_depends_on_healthcheck(&mut cx, project, service);
        check_volumes_declared(&mut cx, project, service);
        check_networks_declared(&mut cx, project, service);
        check_secrets_declared(&mut cx, project, service, "secrets");
        check_secrets_declared(&mut cx, project, service, "configs");
        check_container_name_replicas(&mut cx, project, service);
        check_scale_replicas(&mut cx, project, service);
        check_mount_targets(&mut cx, project, service);
        check_run_values(&mut cx, project, service);
    }
    check_dependency_cycles(&mut cx, project);
    check_secret_sources(&mut cx, project);
    cx
}

/// Checks that each top-level secret or config has exactly one source.
fn check_secret_sources(cx: &mut Diagnostics, project: &Project) {
    for kind in ["secrets", "configs"] {
        let Some(Value::Mapping(definitions)) = project.unsupported.get(kind).map(|node| &node.value) else { continue };
        let sources: &[&str] = if kind == "secrets" { &["file", "environment", "external"] } else { &["file", "environment", "content", "external"] };
        for (name, definition) in definitions {
            if !matches!(definition.value, Value::Mapping(_) | Value::Null) {
                continue;
            }
            let path = format!("{kind}.{}", name.scalar_text().unwrap_or_default());
            let present: Vec<&str> = sources.iter().copied().filter(|source| definition.get(source).is_some()).collect();
            let (code, message) = match present.as_slice() {
                [_] => continue,
                [] => (code::MISSING_KEY, messages::missing_source(&path, sources)),
                [first, second, ..] => (code::CONFLICTING_KEYS, messages::exclusive_keys(&format!("{path}.{first}"), &format!("{path}.{second}"))),
            };
            cx.push(Diagnostic::error(code, message, project.file_of(name.span), name.span).with_path(path));
        }
    }
}

/// Returns the paths of the errors that parsing reported, gathered once so
/// that a file with many services and many warnings stays linear.
fn error_paths(parsed: &Diagnostics) -> Vec<&str> {
    parsed.iter().filter(|diagnostic| diagnostic.severity == Severity::Error).filter_map(|diagnostic| diagnostic.path.as_deref()).collect()
}

/// Tells whether one of `paths` lies under `prefix` (a service name may contain `.`).
fn has_errors_under(paths: &[&str], prefix: &str) -> bool {
    paths.iter().any(|path| path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '['])))
}

/// A service runs an image, named by `image` or built from `build`.
fn check_service_image(cx: &mut Diagnostics, project: &Project, service: &Service) {
    if service.image.is_some() || service.unsupported.contains_key("build") {
        return;
    }

    let path = format!("services.{}", service.name);

    let diagnostic = Diagnostic::error(code::MISSING_IMAGE, messages::missing_image(&service.name), project.file_of(service.span), service.span);
    cx.push(diagnostic.with_path(path).with_help(messages::MISSING_IMAGE_HELP));
}

/// Every `depends_on` entry names a service of the project.
fn check_depends_on_defined(cx: &mut Diagnostics, project: &Project, service: &Service) {
    for (name, dependency) in &service.depends_on {
        if project.services.contains_key(name) {
            continue;
        }
        let defined: Vec<&str> = project.services.keys().map(String::as_str).collect();
        let diagnostic =
            Diagnostic::error(code::UNDEFINED_SERVICE, messages::undefined_service(&service.name, name), project.file_of(dependency.span), dependency.span)
                .with_path(format!("services.{}.depends_on.{name}", service.name))
                .with_help(messages::defined_services_help(&defined));
        cx.push(diagnostic);
    }
}

/// Checks that a `service_healthy` dependency names a service with a
/// healthcheck that runs, because the engine (like docker compose) rejects
/// it at `up` otherwise. The engine runs only a check with a `test` of its own, not one
/// that the image declares. Profiles were applied before validation, so only
/// enabled services are checked. A `required: false` dependency only gets
/// a warning: as in docker compose, the dependent then waits only for the
/// dependency to start.
fn check_depends_on_healthcheck(cx: &mut Diagnostics, project: &Project, service: &Service) {
    for (name, dependency) in &service.depends_on {
        if dependency.condition != Condition::ServiceHealthy {
            continue;
        }
        let Some(target) = project.services.get(name) else { continue };
        let missing = match &target.healthcheck {
            None => "no healthcheck",
            Some(healthcheck) if healthcheck.is_disabled() => "its healthcheck disabled",
            Some(healthcheck) if healthcheck.test.is_empty() => "a healthcheck without `test`",
            Some(_) => continue,
        };
        let span = dependency.condition_span;
        let message = messages::healthy_without_healthcheck(&service.name, name, missing);
        let diagnostic = if dependency.required {
            Diagnostic::error(code::HEALTHY_WITHOUT_HEALTHCHECK, message, project.file_of(span), span)
                .with_help(messages::healthy_without_healthcheck_help(name))
        } else {
            Diagnostic::warning(code::HEALTHY_WITHOUT_HEALTHCHECK, message, project.file_of(span), span)
                .with_help(messages::optional_healthy_without_healthcheck_help(&service.name, name))
        };
        let diagnostic = diagnostic.with_path(format!("services.{}.depends_on.{name}.condition", service.name));
        cx.push(diagnostic);
    }
}

/// A mount of a named volume refers to a volume declared at the top level,
/// since compose creates only declared volumes.
fn check_volumes_declared(cx: &mut Diagnostics, project: &Project, service: &Service) {
    for (position, mount) in service.volumes.iter().enumerate() {
        let Some(source) = &mount.source else { continue };
        if mount.kind != MountKind::Volume || project.volumes.contains_key(source) {
            continue;
        }
        let diagnostic =
            Diagnostic::error(code::UNDEFINED_VOLUME, messages::undefined_volume(&service.name, source), project.file_of(mount.span), mount.span)
                .with_path(format!("services.{}.volumes[{position}]", service.name))
                .with_help(messages::undefined_volume_help(source));
        cx.push(diagnostic);
    }
}

/// A service network is declared at the top level, except `default`, which
/// compose creates for every project.
fn check_networks_declared(cx: &mut Diagnostics, project: &Project, service: &Service) {
    for (name, network) in &service.networks {
        if name == "default" || project.networks.contains_key(name) {
            continue;
        }
        let diagnostic =
            Diagnostic::error(code::UNDEFINED_NETWORK, messages::undefined_network(&service.name, name), project.file_of(network.span), network.span)
                .with_path(format!("services.{}.networks.{name}", service.name))
                .with_help(messages::undefined_network_help(name));
        cx.push(diagnostic);
    }
}

/// `depends_on` forms no cycle, since no service of a cycle could ever start.
/// The strongly connected components of the dependency graph contain every
/// service that lies on a cycle. Each component is reported once, with the
/// shortest cycle through its smallest service name (ties broken by name), so
/// the path is the same on every run. The search is linear in the number of
/// services and dependencies and does not recurse, so no file overflows the stack.
fn check_dependency_cycles(cx: &mut Diagnostics, project: &Project) {
    let graph = DependencyGraph::new(project);
    for component in graph.strongly_connected_components() {
        let smallest = component[0];
        let is_cycle = component.len() > 1 || graph.edges[smallest].contains(&smallest);
        if !is_cycle {
            continue;
        }
        let path = graph.shortest_cycle(smallest, &component);
        let names: Vec<&str> = path.iter().map(|&index| graph.names[index]).collect();
        let mut diagnostic = cycle_diagnostic(project, &names);
        if component.len() > path.len() {
            let others: Vec<&str> = component.iter().filter(|index| !path.contains(index)).map(|&index| graph.names[index]).collect();
            diagnostic = diagnostic.with_help(messages::cycle_component_help(&others));
        }
        cx.push(diagnostic);
    }
}

/// The `depends_on` edges between the services of a project, by index in
/// name order. Dependencies on undefined services are left out, because
/// `check_depends_on_defined` reports them.
struct DependencyGraph<'p> {
    names: Vec<&'p str>,
    /// For each service, the indexes of its dependencies in name order.
    edges: Vec<Vec<usize>>,
}

impl<'p> DependencyGraph<'p> {
    fn new(project: &'p Project) -> Self {
        let names: Vec<&str> = project.services.keys().map(String::as_str).collect();
        let index_of: BTreeMap<&str, usize> = names.iter().enumerate().map(|(index, &name)| (name, index)).collect();
        let edges = project
            .services
            .values()
            .map(|service| service.depends_on.keys().filter_map(|name| index_of.get(name.as_str()).copied()).collect())
            .collect();
        Self { names, edges }
    }

    /// Returns the strongly connected components (Tarjan's algorithm, with
    /// an explicit stack in place of recursion), each sorted by index and the
    /// list sorted by each component's smallest index.
    fn strongly_connected_components(&self) -> Vec<Vec<usize>> {
        const UNVISITED: usize = usize::MAX;
        let count = self.names.len();
        let mut order = vec![UNVISITED; count];
        let mut low_link = vec![0; count];
        let mut on_stack = vec![false; count];
        let mut stack = Vec::new();
        let mut components = Vec::new();
        let mut next_order = 0;

        for root in 0..count {
            if order[root] != UNVISITED {
                continue;
            }
            // Each frame is a service and the position of the next edge to follow.
            let mut frames = vec![(root, 0)];
            order[root] = next_order;
            low_link[root] = next_order;
            next_order += 1;
            stack.push(root);
            on_stack[root] = true;

            while let Some(frame) = frames.last_mut() {
                let service = frame.0;
                if let Some(&next) = self.edges[service].get(frame.1) {
                    frame.1 += 1;
                    if order[next] == UNVISITED {
                        order[next] = next_order;
                        low_link[next] = next_order;
                        next_order += 1;
                        stack.push(next);
                        on_stack[next] = true;
                        frames.push((next, 0));
                    } else if on_stack[next] {
                        low_link[service] = low_link[service].min(order[next]);
                    }
                    continue;
                }

                frames.pop();
                if let Some(&(parent, _)) = frames.last() {
                    low_link[parent] = low_link[parent].min(low_link[service]);
                }
                if low_link[service] == order[service] {
                    let mut component = Vec::new();
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        component.push(member);
                        if member == service {
                            break;
                        }
                    }
                    component.sort_unstable();
                    components.push(component);
                }
            }
        }
        components.sort_unstable_by_key(|component| component[0]);
        components
    }

    /// Returns a shortest cycle from `start` back to it inside `component`
    /// (breadth-first, dependencies in name order), without repeating `start`.
    fn shortest_cycle(&self, start: usize, component: &[usize]) -> Vec<usize> {
        let inside = |index: usize| component.binary_search(&index).is_ok();
        let mut parent: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(service) = queue.pop_front() {
            for &next in &self.edges[service] {
                if next == start {
                    let mut path = vec![service];
                    while let Some(&previous) = parent.get(path.last().expect("the path starts non-empty")) {
                        path.push(previous);
                    }
                    path.reverse();
                    return path;
                }
                if inside(next) && !parent.contains_key(&next) {
                    parent.insert(next, service);
                    queue.push_back(next);
                }
            }
        }
        unreachable!("every service of a strongly connected component with an edge lies on a cycle")
    }
}

fn cycle_diagnostic(project: &Project, path: &[&str]) -> Diagnostic {
    let mut names: Vec<&str> = path.to_vec();
    names.push(path[0]);
    let edges: BTreeMap<usize, (&str, &str)> = names.windows(2).map(|pair| (pair[0], pair[1])).enumerate().collect();

    let (first_from, first_to) = edges[&0];
    let first_span = project.services[first_from].depends_on[first_to].span;
    let mut diagnostic = Diagnostic::error(code::DEPENDENCY_CYCLE, messages::dependency_cycle(&names.join(" -> ")), project.file_of(first_span), first_span)
        .with_path(format!("services.{first_from}.depends_on.{first_to}"))
        .with_help(messages::CYCLE_HELP);
    for (from, to) in edges.values().skip(1) {
        let span = project.services[*from].depends_on[*to].span;
        diagnostic = diagnostic.with_label(span, messages::cycle_edge(from, to));
    }
    diagnostic
}

/// Every entry of a service's `secrets` (or `configs`), short or long
/// syntax, names a secret (config) declared at the top level: compose has
/// nothing else to mount.
fn check_secrets_declared(cx: &mut Diagnostics, project: &Project, service: &Service, kind: &str) {
    let Some(Value::Sequence(items)) = service.unsupported.get(kind).map(|node| &node.value) else { return };
    let declared = project.unsupported.get(kind);
    for (position, item) in items.iter().enumerate() {
        let name = match &item.value {
            Value::Mapping(_) => item.get("source").and_then(Node::scalar_text),
            _ => item.scalar_text(),
        };
        let Some(name) = name else { continue };
        if declared.is_some_and(|declared| declared.get(&name).is_some()) {
            continue;
        }
        let message = if kind == "secrets" { messages::undefined_secret(&service.name, &name) } else { messages::undefined_config(&service.name, &name) };
        let code = if kind == "secrets" { code::UNDEFINED_SECRET } else { code::UNDEFINED_CONFIG };
        let diagnostic = Diagnostic::error(code, message, project.file_of(item.span), item.span)
            .with_path(format!("services.{}.{kind}[{position}]", service.name))
            .with_help(messages::undefined_top_level_help(kind, &name));
        cx.push(diagnostic);
    }
}

/// The number of containers a service runs: `deploy.replicas`, else `scale`.
fn replicas(service: &Service) -> Option<(i64, &Node)> {
    let replicas = service.unsupported.get("deploy").and_then(|deploy| deploy.get("replicas"));
    let node = replicas.or_else(|| service.unsupported.get("scale"))?;
    match node.value {
        Value::Int(count) => Some((count, node)),
        _ => None,
    }
}

/// A `container_name` names one container, so a service that sets it runs
/// at most one replica.
fn check_container_name_replicas(cx: &mut Diagnostics, project: &Project, service: &Service) {
    let Some(container_name) = &service.container_name else { return };
    let Some((count, node)) = replicas(service) else { return };
    if count <= 1 {
        return;
    }
    let diagnostic = Diagnostic::error(
        code::CONTAINER_NAME_REPLICAS,
        messages::container_name_replicas(&service.name, container_name, count),
        project.file_of(node.span),
        node.span,
    )
    .with_path(format!("services.{}.container_name", service.name))
    .with_help(messages::CONTAINER_NAME_REPLICAS_HELP);
    cx.push(diagnostic);
}

/// `scale` and `deploy.replicas` both set the number of containers; set
/// together they must agree.
fn check_scale_replicas(cx: &mut Diagnostics, project: &Project, service: &Service) {
    let Some(scale) = service.unsupported.get("scale") else { return };
    let Some(replicas) = service.unsupported.get("deploy").and_then(|deploy| deploy.get("replicas")) else { return };
    let (Value::Int(scale_count), Value::Int(replica_count)) = (&scale.value, &replicas.value) else { return };
    if scale_count == replica_count {
        return;
    }
    let diagnostic = Diagnostic::error(
        code::SCALE_REPLICAS,
        messages::scale_replicas(&service.name, *scale_count, *replica_count),
        project.file_of(scale.span),
        scale.span,
    )
    .with_path(format!("services.{}.scale", service.name))
    .with_label(replicas.span, "`deploy.replicas` set here")
    .with_help(messages::SCALE_REPLICAS_HELP);
    cx.push(diagnostic);
}

/// Rejects run values that no runtime could take: an unknown `pull_policy`,
/// a negative size or CPU count, and `network_mode` beside `networks`. A
/// `deploy.resources.limits` value must also match the service key of the
/// same setting, as compose-go requires.
fn check_run_values(cx: &mut Diagnostics, project: &Project, service: &Service) {
    let keys = &service.unsupported;
    let path = |key: &str| format!("services.{}.{key}", service.name);
    let mut error = |code: &'static str, message: String, node: &Node, key_path: String| {
        cx.push(Diagnostic::error(code, message, project.file_of(node.span), node.span).with_path(key_path));
    };

    if let Some(node) = keys.get("pull_policy") {
        let policy = node.scalar_text().unwrap_or_default();
        let known = matches!(policy.as_str(), "always" | "never" | "missing" | "build" | "if_not_present" | "refresh" | "daily" | "weekly" | "")
            || policy.strip_prefix("every_").is_some_and(|duration| crate::compose::parse::parse_duration(duration).is_some());
        if !known {
            error(code::INVALID_VALUE, messages::invalid_value(&path("pull_policy"), &policy, messages::PULL_POLICIES), node, path("pull_policy"));
        }
    }

    let limits = keys.get("deploy").and_then(|deploy| deploy.get("resources")).and_then(|resources| resources.get("limits"));
    let number = |node: &Node| match &node.value {
        Value::Int(value) => Some(*value as f64),
        Value::Float(value) => Some(*value),
        _ => node.scalar_text()?.trim().parse::<f64>().ok(),
    };
    let bytes = |node: &Node| match &node.value {
        Value::Int(value) => Some(*value),
        _ => crate::compose::short_forms::parse_bytes(&node.scalar_text()?),
    };
    let pairs = [("mem_limit", "memory", true), ("cpus", "cpus", false)];
    for (key, limit_key, is_size) in pairs {
        let own = keys.get(key);
        let limit = limits.and_then(|limits| limits.get(limit_key));
        let value = |node: &Node| if is_size { bytes(node).map(|bytes| bytes as f64) } else { number(node) };
        // Parsing reported a service key that is no number; the deploy keys
        // are read only here. An empty value is what an unset variable leaves.
        for (node, node_path, parsed) in [(own, path(key), true), (limit, path(&format!("deploy.resources.limits.{limit_key}")), false)] {
            let Some(node) = node.filter(|node| matches!(node.value, Value::String(_) | Value::Int(_) | Value::Float(_))) else { continue };
            let text = node.scalar_text().unwrap_or_default();
            let wrong = match value(node) {
                Some(value) => value < 0.0,
                None => !parsed && !text.is_empty(),
            };
            if wrong {
                let expected = if is_size { "a size of 0 or more such as `512m`" } else { "a number of CPUs of 0 or more" };
                error(code::INVALID_VALUE, messages::invalid_value(&node_path, &text, expected), node, node_path.clone());
            }
        }
        if let (Some(own), Some(limit)) = (own, limit) {
            if let (Some(a), Some(b)) = (value(own), value(limit)) {
                if a != b {
                    error(code::CONFLICTING_KEYS, messages::distinct_values(&path(key), &path(&format!("deploy.resources.limits.{limit_key}"))), own, path(key));
                }
            }
        }
    }

    let deploy = keys.get("deploy");
    if let Some(condition) = deploy.and_then(|deploy| deploy.get("restart_policy")).and_then(|policy| policy.get("condition")) {
        let text = condition.scalar_text().unwrap_or_default();
        if !matches!(text.as_str(), "none" | "no" | "on-failure" | "any" | "always" | "unless-stopped" | "") {
            let key_path = path("deploy.restart_policy.condition");
            error(code::INVALID_VALUE, messages::invalid_value(&key_path, &text, "`none`, `on-failure` or `any`"), condition, key_path.clone());
        }
    }
    let resources = deploy.and_then(|deploy| deploy.get("resources"));
    if let Some(pids) = resources.and_then(|resources| resources.get("limits")).and_then(|limits| limits.get("pids")) {
        let key_path = path("deploy.resources.limits.pids");
        let text = pids.scalar_text().unwrap_or_default();
        let value = match pids.value {
            Value::Int(value) => Some(value),
            _ => text.trim().parse::<i64>().ok(),
        };
        if !text.is_empty() && value.is_none_or(|value| value < -1) {
            error(code::INVALID_VALUE, messages::invalid_value(&key_path, &text, "a whole number of -1 (no limit) or more"), pids, key_path.clone());
        }
        if let (Some(own), Some(limit)) = (keys.get("pids_limit"), value) {
            if matches!(own.value, Value::Int(own) if own != limit) {
                error(code::CONFLICTING_KEYS, messages::distinct_values(&path("pids_limit"), &key_path), own, path("pids_limit"));
            }
        }
    }
    if let Some(memory) = resources.and_then(|resources| resources.get("reservations")).and_then(|reservations| reservations.get("memory")) {
        let text = memory.scalar_text().unwrap_or_default();
        if !text.is_empty() && bytes(memory).is_none_or(|bytes| bytes < 0) {
            let key_path = path("deploy.resources.reservations.memory");
            error(code::INVALID_VALUE, messages::invalid_value(&key_path, &text, "a size of 0 or more such as `512m`"), memory, key_path.clone());
        }
    }

    // Parsing adds no `default` network to a service with a network mode, so
    // any network here was written in the file.
    if let Some(mode) = keys.get("network_mode") {
        if !service.networks.is_empty() {
            error(code::CONFLICTING_KEYS, messages::exclusive_keys(&path("network_mode"), &path("networks")), mode, path("network_mode"));
        }
    }
}

/// Two mounts of one service on the same container path conflict: only one
/// of them could be seen.
fn check_mount_targets(cx: &mut Diagnostics, project: &Project, service: &Service) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (position, mount) in service.volumes.iter().enumerate() {
        let target = mount.target.trim_end_matches('/');
        let target = if target.is_empty() { "/" } else { target };
        let Some(first) = seen.insert(target, position) else { continue };
        let diagnostic = Diagnostic::error(code::MOUNT_CONFLICT, messages::mount_conflict(&service.name, target), project.file_of(mount.span), mount.span)
            .with_path(format!("services.{}.volumes[{position}]", service.name))
            .with_label(service.volumes[first].span, "first mounted here")
            .with_help(messages::MOUNT_CONFLICT_HELP);
        cx.push(diagnostic);
    }
}
