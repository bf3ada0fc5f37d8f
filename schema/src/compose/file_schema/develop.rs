//! A service's `develop`: the files that `compose watch` follows.

use schemars::JsonSchema;

use super::options::ServiceHook;
use super::values::{extensions, object_or_null, StringOrList};

/// Development settings of a service.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions, transform = object_or_null)]
pub(super) struct Develop {
    /// Paths to watch, and what to do when a file under them changes.
    watch: Option<Vec<WatchRule>>,
}

/// A path to watch and the action on a change.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct WatchRule {
    /// The path to watch, relative to the project folder.
    path: String,
    /// The action when a file changes.
    action: WatchAction,
    /// For the `sync` actions, the path in the container to copy files to.
    target: Option<String>,
    /// Patterns of paths below `path` to leave out, as in `.dockerignore`.
    ignore: Option<StringOrList>,
    /// Patterns of paths below `path` to watch, instead of every path.
    include: Option<StringOrList>,
    /// For `sync+exec`, the command to run after copying.
    exec: Option<ServiceHook>,
    /// Whether to copy every file once when watching starts.
    initial_sync: Option<bool>,
}

/// The action of `compose watch` when a watched file changes.
#[derive(JsonSchema)]
pub(super) enum WatchAction {
    /// Build the image again and replace the containers.
    #[serde(rename = "rebuild")]
    Rebuild,
    /// Copy the changed files into the containers.
    #[serde(rename = "sync")]
    Sync,
    /// Restart the containers.
    #[serde(rename = "restart")]
    Restart,
    /// Copy the changed files, then restart the containers.
    #[serde(rename = "sync+restart")]
    SyncRestart,
    /// Copy the changed files, then run `exec` in the containers.
    #[serde(rename = "sync+exec")]
    SyncExec,
}
