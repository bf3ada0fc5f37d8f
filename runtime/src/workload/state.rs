//! What status and ps report for each node.

use std::fmt;

/// Where a node is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeState {
    Pending,
    Starting,
    Running,
    Healthy,
    Exited(i64),
    Failed(String),
}

impl fmt::Display for NodeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeState::Pending => f.write_str("pending"),
            NodeState::Starting => f.write_str("starting"),
            NodeState::Running => f.write_str("running"),
            NodeState::Healthy => f.write_str("healthy"),
            NodeState::Exited(code) => write!(f, "exited with code {code}"),
            NodeState::Failed(reason) => write!(f, "failed: {reason}"),
        }
    }
}

/// One node's state, its container and a note such as a shared-kernel
/// permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeStatus {
    pub state: NodeState,
    pub container: Option<String>,
    pub note: Option<String>,
}

impl NodeStatus {
    pub fn new(state: NodeState) -> Self {
        Self { state, container: None, note: None }
    }
}

/// A table of node, state and note, one line per node in name order.
pub fn format_status<'a>(nodes: impl IntoIterator<Item = (&'a String, &'a NodeStatus)>) -> String {
    let mut out = String::new();
    for (name, status) in nodes {
        out.push_str(&format!("{name}\t{}", status.state));
        if let Some(note) = &status.note {
            out.push_str(&format!("\t({note})"));
        }
        out.push('\n');
    }
    out
}
