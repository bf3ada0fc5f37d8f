//! The graph as a text tree, DOT or Mermaid, with each node's tier and
//! runtime, so a reviewer sees what runs where. Output is deterministic:
//! nodes in start order, edges sorted.

use std::fmt::Write;

use super::model::{Graph, WorkloadNode};
use super::validate::order;

/// The output formats of [`render`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Tree,
    Dot,
    Mermaid,
}

impl Format {
    pub const NAMES: &[&str] = &["tree", "dot", "mermaid"];

    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "tree" => Some(Format::Tree),
            "dot" => Some(Format::Dot),
            "mermaid" => Some(Format::Mermaid),
            _ => None,
        }
    }
}

pub fn render(graph: &Graph, format: Format) -> String {
    match format {
        Format::Tree => tree(graph),
        Format::Dot => dot(graph),
        Format::Mermaid => mermaid(graph),
    }
}

/// Start order; a graph with a cycle falls back to name order.
fn names(graph: &Graph) -> Vec<String> {
    order(graph).unwrap_or_else(|_| graph.nodes.keys().cloned().collect())
}

fn summary(node: &WorkloadNode) -> String {
    let mut text = format!("tier={} runtime={}", node.tier.as_str(), node.runtime.as_str());
    if node.options.privileged {
        text.push_str(" privileged");
    }
    if node.options.exclusive {
        text.push_str(" exclusive");
    }
    text
}

/// One labelled edge per dependency: `dependsOn`, or the reference's
/// variable with its kind and port.
fn edges(node: &WorkloadNode) -> Vec<(String, String)> {
    let mut edges: Vec<(String, String)> = node.depends_on.iter().map(|target| (target.clone(), "dependsOn".to_owned())).collect();
    for (variable, reference) in &node.references {
        let port = reference.port.as_deref().map(|port| format!(":{port}")).unwrap_or_default();
        edges.push((reference.node.clone(), format!("{variable}={}{port}", reference.kind.as_str())));
    }
    edges.sort();
    edges
}

fn tree(graph: &Graph) -> String {
    let mut out = format!("graph {} (execution {}, failure {})\n", graph.name, graph.execution, graph.failure);
    let names = names(graph);
    for (index, name) in names.iter().enumerate() {
        let node = &graph.nodes[name];
        let last = index + 1 == names.len();
        let (branch, stem) = if last { ("└── ", "    ") } else { ("├── ", "│   ") };
        let _ = writeln!(out, "{branch}{name} [{}] {}", summary(node), node.image);
        let mut lines: Vec<String> = node.ports.iter().map(|(port, number)| format!("port {port}: {number}")).collect();
        lines.extend(edges(node).into_iter().map(|(target, label)| format!("needs {target} ({label})")));
        for (at, line) in lines.iter().enumerate() {
            let twig = if at + 1 == lines.len() { "└── " } else { "├── " };
            let _ = writeln!(out, "{stem}{twig}{line}");
        }
    }
    out
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dot(graph: &Graph) -> String {
    let mut out = format!("digraph {} {{\n  rankdir=LR;\n", quote(&graph.name));
    for name in names(graph) {
        let node = &graph.nodes[&name];
        let label = format!("{name}\\n{}", summary(node));
        let _ = writeln!(out, "  {} [label={}];", quote(&name), quote(&label).replace("\\\\n", "\\n"));
    }
    for name in names(graph) {
        for (target, label) in edges(&graph.nodes[&name]) {
            let _ = writeln!(out, "  {} -> {} [label={}];", quote(&name), quote(&target), quote(&label));
        }
    }
    out.push_str("}\n");
    out
}

/// Mermaid ids allow letters, digits and `_` only; the name goes in the label.
fn mermaid_id(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

/// Mermaid labels sit in double quotes and take entity codes: `#quot;` for
/// a quote, `#35;` for the `#` that starts one.
fn mermaid_text(text: &str) -> String {
    text.replace('#', "#35;").replace('"', "#quot;")
}

fn mermaid(graph: &Graph) -> String {
    let mut out = format!("%% graph {}\nflowchart LR\n", graph.name);
    for name in names(graph) {
        let node = &graph.nodes[&name];
        let _ = writeln!(out, "  {}[\"{}<br/>{}\"]", mermaid_id(&name), mermaid_text(&name), mermaid_text(&summary(node)));
    }
    for name in names(graph) {
        for (target, label) in edges(&graph.nodes[&name]) {
            let _ = writeln!(out, "  {} -->|\"{}\"| {}", mermaid_id(&name), mermaid_text(&label), mermaid_id(&target));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const GRAPH: &str = "\
name: pipeline
execution: {maxParallel: 2}
nodes:
  db:
    image: localhost/perry-busybox:latest
    tier: hardened
    runtime: oci
    ports: {pg: 5432}
  batch:
    image: localhost/perry-busybox:latest
    tier: isolated
    dependsOn: [db]
  web-1:
    image: localhost/perry-busybox:latest
    ports: {http: 8080}
    references:
      DATABASE: {endpoint: db, port: pg}
      DB_IP: {ip: db}
";

    fn graph() -> Graph {
        crate::workload::load(GRAPH, Path::new("graph.yaml")).unwrap()
    }

    #[test]
    fn tree() {
        insta::assert_snapshot!(render(&graph(), Format::Tree));
    }

    #[test]
    fn dot() {
        insta::assert_snapshot!(render(&graph(), Format::Dot));
    }

    #[test]
    fn mermaid() {
        insta::assert_snapshot!(render(&graph(), Format::Mermaid));
    }
}

#[cfg(test)]
mod escape_tests {
    use super::mermaid_text;

    #[test]
    fn mermaid_label_escapes_quotes() {
        assert_eq!(mermaid_text(r#"X="Y=endpoint:p"q"#), "X=#quot;Y=endpoint:p#quot;q");
        assert_eq!(mermaid_text("a#b"), "a#35;b");
    }
}
