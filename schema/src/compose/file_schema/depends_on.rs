//! A service's `depends_on`: a list of names, or a mapping of names to conditions.

use std::collections::BTreeSet;

use schemars::JsonSchema;

use super::values::{extensions, Boolean, NameMap};

/// Services that must start before this one.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum DependsOn {
    Names(BTreeSet<String>),
    Conditions(NameMap<Dependency>),
}

/// A dependency in the long syntax.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Dependency {
    /// The state the dependency must reach before this service starts.
    condition: Condition,
    /// Whether to restart this service when compose restarts or updates the dependency.
    restart: Option<Boolean>,
    /// Whether the dependency must start; when false, a dependency that is
    /// missing or fails to start only warns.
    required: Option<bool>,
}

/// The state a dependency must reach.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::enum_variant_names, reason = "the names are the specification's values")]
pub(super) enum Condition {
    /// The dependency's containers have started.
    ServiceStarted,
    /// The dependency's healthcheck reports healthy.
    ServiceHealthy,
    /// The dependency ran to completion with exit code 0.
    ServiceCompletedSuccessfully,
}
