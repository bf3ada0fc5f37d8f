//! A service's `healthcheck`.

use schemars::JsonSchema;

use super::values::{extensions, fixed_schema, Boolean, Duration};

/// The check that decides whether a container is healthy.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Healthcheck {
    /// The check: a shell command as a string, or a list starting with `CMD`
    /// (arguments), `CMD-SHELL` (a shell command) or `NONE` (no check).
    test: Option<HealthcheckTest>,
    /// The time between two checks (default `30s`).
    interval: Option<Duration>,
    /// The time one check may run before it counts as failed (default `30s`).
    timeout: Option<Duration>,
    /// The number of failures in a row that make the container unhealthy
    /// (default 3).
    retries: Option<Retries>,
    /// The time a container may take to start, during which failures do not
    /// count (default `0s`).
    start_period: Option<Duration>,
    /// The time between two checks during `start_period`.
    start_interval: Option<Duration>,
    /// Whether to switch off the image's healthcheck.
    disable: Option<Boolean>,
}

/// A healthcheck command.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum HealthcheckTest {
    Shell(String),
    Arguments(Vec<String>),
}

fixed_schema! {
    /// A number of retries, or a string holding one.
    Retries => { "type": ["number", "string"], "minimum": 0, "pattern": r"^\+?[0-9]+$|\$" }
}
