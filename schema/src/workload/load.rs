//! Reads a workload graph from YAML, keeping the position of every node and
//! reference for diagnostics.
//!
//! ```yaml
//! name: pipeline
//! execution: dependencyAware      # sequential, parallelSafe, {maxParallel: 2}
//! failure: rollbackAll            # haltGraph, partialContinue
//! nodes:
//!   db:
//!     image: localhost/db:1
//!     tier: hardened
//!     ports: {pg: 5432}
//!   web:
//!     image: localhost/web:1
//!     references:
//!       DATABASE: {endpoint: db, port: pg}
//! ```

use std::path::Path;

use super::messages::{self as text, code};
use super::model::*;
use super::validate::validate;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::diag::messages as compose_text;
use crate::yaml::{self, Node, Value};

const GRAPH_KEYS: &[&str] = &["name", "execution", "failure", "nodes"];
const NODE_KEYS: &[&str] = &[
    "image", "command", "ports", "environment", "runtime", "tier", "options", "dependsOn", "resources", "volumes", "healthcheck", "references",
];

/// Parses and validates a graph. Every error of the file is returned at once.
pub fn load(source: &str, file: &Path) -> Result<Graph, Diagnostics> {
    let root = yaml::parse(source, file)?;
    let mut reader = Reader { file, errors: Diagnostics::default() };
    let graph = reader.graph(&root);
    if reader.errors.has_errors() {
        reader.errors.sort();
        return Err(reader.errors);
    }
    let errors = validate(&graph, file);
    if errors.has_errors() { Err(errors) } else { Ok(graph) }
}

struct Reader<'a> {
    file: &'a Path,
    errors: Diagnostics,
}

impl Reader<'_> {
    fn error(&mut self, node: &Node, path: &str, message: String) {
        self.errors.push(Diagnostic::error(code::INVALID, message, self.file, node.span).with_path(path));
    }

    fn entries<'n>(&mut self, node: &'n Node, path: &str, allowed: &[&str]) -> Vec<(&'n str, &'n Node)> {
        self.keyed_entries(node, path, allowed).into_iter().map(|(name, _, value)| (name, value)).collect()
    }

    /// Works as [`Self::entries`] and also returns each key's node, for
    /// diagnostics that point at a key.
    fn keyed_entries<'n>(&mut self, node: &'n Node, path: &str, allowed: &[&str]) -> Vec<(&'n str, &'n Node, &'n Node)> {
        let Value::Mapping(entries) = &node.value else {
            self.error(node, path, text::not_a(path, "a mapping", node.kind()));
            return Vec::new();
        };
        let mut found = Vec::new();
        for (key, value) in entries {
            let Some(name) = key.as_str() else {
                self.error(key, path, text::not_a(&format!("a key of `{path}`"), "a string", key.kind()));
                continue;
            };
            if !allowed.is_empty() && !allowed.contains(&name) {
                let mut diagnostic = Diagnostic::error(code::INVALID, compose_text::unknown_key(name, path), self.file, key.span).with_path(path);
                diagnostic = match allowed.iter().find(|candidate| strsim::jaro_winkler(name, candidate) > 0.8) {
                    Some(candidate) => diagnostic.with_help(compose_text::did_you_mean(candidate)),
                    None => diagnostic.with_help(compose_text::unknown_key_help(allowed)),
                };
                self.errors.push(diagnostic);
                continue;
            }
            found.push((name, key, value));
        }
        found
    }

    fn string(&mut self, node: &Node, path: &str) -> String {
        match node.scalar_text() {
            Some(text) if !matches!(node.value, Value::Null) => text,
            _ => {
                self.error(node, path, text::not_a(path, "a string", node.kind()));
                String::new()
            }
        }
    }

    fn strings(&mut self, node: &Node, path: &str) -> Vec<String> {
        match &node.value {
            Value::Sequence(items) => items.iter().enumerate().map(|(index, item)| self.string(item, &format!("{path}[{index}]"))).collect(),
            _ => {
                self.error(node, path, text::not_a(path, "a list of strings", node.kind()));
                Vec::new()
            }
        }
    }

    fn boolean(&mut self, node: &Node, path: &str) -> bool {
        match node.value {
            Value::Bool(value) => value,
            _ => {
                self.error(node, path, text::not_a(path, "a boolean", node.kind()));
                false
            }
        }
    }

    fn choice<T>(&mut self, node: &Node, path: &str, names: &[&str], parse: fn(&str) -> Option<T>) -> Option<T> {
        let value = self.string(node, path);
        let parsed = parse(&value);
        if parsed.is_none() && !value.is_empty() {
            self.error(node, path, text::unknown_value(path, &value, names));
        }
        parsed
    }

    fn graph(&mut self, root: &Node) -> Graph {
        let mut graph = Graph::default();
        // An empty file would otherwise give a type error and two missing keys.
        if matches!(&root.value, Value::Null) || matches!(&root.value, Value::Mapping(entries) if entries.is_empty()) {
            let diagnostic = Diagnostic::error(code::INVALID, text::EMPTY_GRAPH, self.file, root.span).with_help(text::EMPTY_GRAPH_HELP);
            self.errors.push(diagnostic);
            return graph;
        }
        let mut has_nodes = false;
        let mut has_name = false;
        for (key, value) in self.entries(root, "", GRAPH_KEYS) {
            match key {
                "name" => {
                    has_name = true;
                    graph.name = self.string(value, "name");
                }
                "execution" => graph.execution = self.execution(value),
                "failure" => {
                    const NAMES: &[&str] = &["rollbackAll", "haltGraph", "partialContinue"];
                    let parse = |text: &str| match text {
                        "rollbackAll" => Some(FailureStrategy::RollbackAll),
                        "haltGraph" => Some(FailureStrategy::HaltGraph),
                        "partialContinue" => Some(FailureStrategy::PartialContinue),
                        _ => None,
                    };
                    graph.failure = self.choice(value, "failure", NAMES, parse).unwrap_or_default();
                }
                _ => {
                    has_nodes = true;
                    for (name, key, node) in self.keyed_entries(value, "nodes", &[]) {
                        let parsed = self.node(name, key, node);
                        graph.nodes.insert(name.to_owned(), parsed);
                    }
                }
            }
        }
        if !has_name {
            self.errors.push(Diagnostic::error(code::INVALID, compose_text::missing_key("graph", "name"), self.file, root.span));
        }
        if !has_nodes {
            self.errors.push(Diagnostic::error(code::INVALID, compose_text::missing_key("graph", "nodes"), self.file, root.span));
        }
        graph
    }

    fn execution(&mut self, value: &Node) -> Execution {
        const NAMES: &[&str] = &["sequential", "dependencyAware", "parallelSafe", "{maxParallel: N}"];
        if let Some(bound) = value.get("maxParallel") {
            return match bound.value {
                Value::Int(n) if n >= 1 => Execution::MaxParallel(n as usize),
                _ => {
                    self.error(bound, "execution.maxParallel", text::not_a("execution.maxParallel", "an integer of at least 1", bound.kind()));
                    Execution::default()
                }
            };
        }
        let parse = |text: &str| match text {
            "sequential" => Some(Execution::Sequential),
            "dependencyAware" => Some(Execution::DependencyAware),
            "parallelSafe" => Some(Execution::ParallelSafe),
            _ => None,
        };
        self.choice(value, "execution", NAMES, parse).unwrap_or_default()
    }

    fn node(&mut self, name: &str, key: &Node, value: &Node) -> WorkloadNode {
        let mut node = WorkloadNode { span: key.span, ..WorkloadNode::default() };
        let base = format!("nodes.{name}");
        let mut has_image = false;
        for (key, item) in self.entries(value, &base, NODE_KEYS) {
            let path = format!("{base}.{key}");
            match key {
                "image" => {
                    has_image = true;
                    node.image = self.string(item, &path);
                }
                "command" => node.command = Some(self.strings(item, &path)),
                "ports" => {
                    for (port, number) in self.entries(item, &path, &[]) {
                        match number.value {
                            Value::Int(n @ 1..=65535) => {
                                node.ports.insert(port.to_owned(), n as u16);
                            }
                            _ => self.error(number, &path, compose_text::invalid_port(&path, &number.scalar_text().unwrap_or_default(), "expected a container port from 1 to 65535")),
                        }
                    }
                }
                "environment" => {
                    for (variable, text) in self.entries(item, &path, &[]) {
                        let text = self.string(text, &format!("{path}.{variable}"));
                        node.environment.insert(variable.to_owned(), text);
                    }
                }
                "runtime" => node.runtime = self.choice(item, &path, Runtime::NAMES, Runtime::parse).unwrap_or_default(),
                "tier" => node.tier = self.choice(item, &path, Tier::NAMES, Tier::parse).unwrap_or_default(),
                "options" => {
                    for (option, flag) in self.entries(item, &path, &["privileged", "exclusive"]) {
                        let flag = self.boolean(flag, &format!("{path}.{option}"));
                        match option {
                            "privileged" => node.options.privileged = flag,
                            _ => node.options.exclusive = flag,
                        }
                    }
                }
                "dependsOn" => {
                    node.depends_on = self.strings(item, &path);
                    if let Value::Sequence(entries) = &item.value {
                        node.depends_on_spans = entries.iter().map(|entry| entry.span).collect();
                    }
                }
                "resources" => {
                    for (resource, limit) in self.entries(item, &path, &["memory", "cpus"]) {
                        let limit = Some(self.string(limit, &format!("{path}.{resource}")));
                        match resource {
                            "memory" => node.resources.memory = limit,
                            _ => node.resources.cpus = limit,
                        }
                    }
                }
                "volumes" => node.volumes = self.strings(item, &path),
                "healthcheck" => {
                    let mut check = Healthcheck { test: Vec::new(), interval_ms: 500, retries: 20 };
                    for (field, setting) in self.entries(item, &path, &["test", "intervalMs", "retries"]) {
                        match (field, &setting.value) {
                            ("test", _) => {
                                let test_path = format!("{path}.test");
                                check.test = self.strings(setting, &test_path);
                                if check.test.is_empty() && matches!(setting.value, Value::Sequence(_)) {
                                    self.error(setting, &test_path, text::not_a(&test_path, "a command with at least one word", "an empty list"));
                                }
                            }
                            ("intervalMs", Value::Int(n)) if *n > 0 => check.interval_ms = *n as u64,
                            ("retries", Value::Int(n)) if (0..=i64::from(u32::MAX)).contains(n) => check.retries = *n as u32,
                            _ => {
                                let field_path = format!("{path}.{field}");
                                let expected = if field == "retries" { "an integer from 0 to 4294967295" } else { "a positive integer" };
                                self.error(setting, &field_path, text::not_a(&field_path, expected, &text::found(setting)));
                            }
                        }
                    }
                    node.healthcheck = Some(check);
                }
                _ => {
                    for (variable, key, target) in self.keyed_entries(item, &path, &[]) {
                        if let Some(mut reference) = self.reference(target, &format!("{path}.{variable}")) {
                            reference.name_span = key.span;
                            node.references.insert(variable.to_owned(), reference);
                        }
                    }
                }
            }
        }
        if !has_image {
            self.errors.push(Diagnostic::error(code::INVALID, compose_text::missing_key(&base, "image"), self.file, value.span).with_path(base));
        }
        node
    }

    /// Reads `{endpoint: NODE, port: NAME}`, `{ip: NODE}` or `{internalUrl: NODE, port: NAME}`.
    fn reference(&mut self, value: &Node, path: &str) -> Option<Reference> {
        let mut kind = None;
        let mut port = None;
        let mut port_span = None;
        for (key, item) in self.entries(value, path, &["endpoint", "ip", "internalUrl", "port"]) {
            if key == "port" {
                port = Some(self.string(item, &format!("{path}.port")));
                port_span = Some(item.span);
            } else if kind.is_some() {
                self.error(item, path, text::not_a(path, "one of `endpoint`, `ip` or `internalUrl`", "several"));
            } else {
                kind = ReferenceKind::parse(key).map(|kind| (kind, self.string(item, &format!("{path}.{key}")), item.span));
            }
        }
        match kind {
            Some((kind, node, span)) => Some(Reference { kind, node, port, span, port_span: port_span.unwrap_or(span), name_span: Span::default() }),
            None => {
                self.error(value, path, compose_text::missing_key(path, "endpoint, ip or internalUrl"));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPELINE: &str = "\
name: pipeline
nodes:
  db:
    image: localhost/perry-busybox:latest
    tier: hardened
    ports: {pg: 5432}
  web:
    image: localhost/perry-busybox:latest
    references:
      DATABASE: {endpoint: db, port: pgsql}
";

    #[test]
    fn loads_a_graph() {
        let source = PIPELINE.replace("pgsql", "pg");
        let graph = load(&source, Path::new("graph.yaml")).unwrap();
        assert_eq!(graph.nodes["db"].tier, Tier::Hardened);
        assert_eq!(graph.nodes["web"].references["DATABASE"].kind, ReferenceKind::Endpoint);
        assert_eq!(graph.nodes["web"].dependencies(), vec!["db"]);
    }

    #[test]
    fn unknown_port_points_at_the_reference() {
        let errors = load(PIPELINE, Path::new("graph.yaml")).unwrap_err();
        let rendered = errors.render(PIPELINE, false);
        insta::assert_snapshot!(rendered, @r"
        error[workload-unknown-port]: node `web` references port `pgsql` of `db`, which `db` does not declare
          --> graph.yaml:10:38
           |
        10 |       DATABASE: {endpoint: db, port: pgsql}
           |                                      ^^^^^
           |
           = help: `db` declares: pg
        ");
    }

    #[test]
    fn invalid_reference_name_points_at_the_key() {
        let source = PIPELINE.replace("pgsql", "pg").replace("DATABASE:", "\"DATA-BASE\":");
        let errors = load(&source, Path::new("graph.yaml")).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{errors:#?}");
        assert_eq!(errors.0[0].message, "node `web` fills the environment variable \"DATA-BASE\", which is not a valid variable name");
        assert_eq!(errors.0[0].path.as_deref(), Some("nodes.web.references.DATA-BASE"));
        assert_eq!((errors.0[0].span.line, errors.0[0].span.column), (10, 7));
    }

    #[test]
    fn node_errors_point_at_the_node_name() {
        let source = "name: g\nnodes:\n  a:\n    image: i\n    dependsOn: [b]\n  b:\n    image: i\n    dependsOn: [a]\n";
        let errors = load(source, Path::new("graph.yaml")).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{errors:#?}");
        assert_eq!(errors.0[0].code, code::DEPENDENCY_CYCLE);
        assert_eq!((errors.0[0].span.line, errors.0[0].span.column), (3, 3));
    }

    #[test]
    fn empty_file_is_one_error() {
        for source in ["", "# nothing yet\n", "{}\n"] {
            let errors = load(source, Path::new("graph.yaml")).unwrap_err();
            assert_eq!(errors.0.len(), 1, "{source:?}: {errors:#?}");
            assert_eq!(errors.0[0].code, code::INVALID);
            assert_eq!(errors.0[0].message, "empty workload graph file");
            assert_eq!(errors.0[0].file, Path::new("graph.yaml"));
            assert_eq!(errors.0[0].span.line, 1, "{source:?}");
            assert!(errors.0[0].help.as_deref().is_some_and(|help| help.contains("nodes:")), "{:?}", errors.0[0].help);
        }
    }

    #[test]
    fn bad_healthcheck_numbers_name_the_value() {
        let source = "name: g\nnodes:\n  a:\n    image: i\n    healthcheck:\n      retries: -1\n      intervalMs: soon\n";
        let errors = load(source, Path::new("graph.yaml")).unwrap_err();
        assert_eq!(errors.0.len(), 2, "{errors:#?}");
        assert_eq!(errors.0[0].message, "`nodes.a.healthcheck.retries` must be an integer from 0 to 4294967295, found `-1`");
        assert_eq!(errors.0[0].path.as_deref(), Some("nodes.a.healthcheck.retries"));
        assert_eq!((errors.0[0].span.line, errors.0[0].span.column), (6, 16));
        assert_eq!(errors.0[1].message, "`nodes.a.healthcheck.intervalMs` must be a positive integer, found a string `soon`");
        assert_eq!((errors.0[1].span.line, errors.0[1].span.column), (7, 19));
    }

    #[test]
    fn unknown_dependency_points_at_the_entry() {
        let source = "name: g\nnodes:\n  a:\n    image: i\n    dependsOn: [b, ghost]\n  b:\n    image: i\n";
        let errors = load(source, Path::new("graph.yaml")).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{errors:#?}");
        assert_eq!((errors.0[0].span.line, errors.0[0].span.column), (5, 20));
    }

    #[test]
    fn empty_healthcheck_test_rejected() {
        let source = "name: g\nnodes:\n  a:\n    image: i\n    healthcheck:\n      test: []\n";
        let errors = load(source, Path::new("graph.yaml")).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{errors:#?}");
        assert_eq!(errors.0[0].message, "`nodes.a.healthcheck.test` must be a command with at least one word, found an empty list");
        assert_eq!((errors.0[0].span.line, errors.0[0].span.column), (6, 13));
    }

    #[test]
    fn bad_tier_names_the_allowed_values() {
        let source = PIPELINE.replace("hardened", "hardend");
        let errors = load(&source, Path::new("graph.yaml")).unwrap_err();
        assert_eq!(errors.0[0].message, "invalid value `hardend` for `nodes.db.tier`: expected one of default, isolated, hardened, untrusted");
        assert_eq!((errors.0[0].span.line, errors.0[0].span.column), (5, 11));
    }
}
