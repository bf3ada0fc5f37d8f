//! The top level of a compose file and its `include` entries.

use schemars::JsonSchema;

use super::resources::{Config, Model, Network, Secret, Volume};
use super::service::Service;
use super::values::{extensions, fixed_schema, NameMap, StringOrList};

/// A compose file: the services of an application and the networks, volumes,
/// secrets, configs and models they use. Keys starting with `x-` are free
/// for YAML anchors and tools.
#[derive(JsonSchema)]
#[schemars(title = "Compose file", deny_unknown_fields, transform = extensions)]
pub(super) struct ComposeFile {
    /// Obsolete: compose ignores it and warns. Remove it.
    #[schemars(extend("deprecated" = true))]
    version: Option<String>,
    /// The project name, used in container, network and volume names, unless
    /// `-p` or `COMPOSE_PROJECT_NAME` sets one. Lower-case letters, digits,
    /// `_` and `-`, starting with a letter or digit.
    name: Option<ProjectName>,
    /// Other compose files whose services, networks and volumes this project
    /// includes, each loaded with its own folder and env file.
    include: Option<Vec<Include>>,
    /// The services, by name: each runs one or more containers of an image.
    services: Option<NameMap<Service>>,
    /// Networks that services join, by name. A service that lists no network
    /// joins one named `default`.
    networks: Option<NameMap<Network>>,
    /// Named volumes that services mount, by name.
    volumes: Option<NameMap<Volume>>,
    /// Secrets that services may read as files under `/run/secrets`, by name.
    secrets: Option<NameMap<Secret>>,
    /// Configuration files that services may mount, by name.
    configs: Option<NameMap<Config>>,
    /// Language models that services may use, by name.
    models: Option<NameMap<Model>>,
}

fixed_schema! {
    /// A project name, or a template that gives one.
    ProjectName => { "type": "string", "pattern": r"^[a-z0-9][a-z0-9_-]*$|\$" }
}

/// An included compose project: the path of its file, or a mapping.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum Include {
    Path(String),
    Long(IncludeLong),
}

/// An included compose project in the long syntax.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct IncludeLong {
    /// The compose file to include, or several files merged in order.
    path: Option<StringOrList>,
    /// Env files that give values to the included files' `${VAR}` templates.
    env_file: Option<StringOrList>,
    /// The folder that relative paths in the included files resolve against;
    /// by default the folder of the first included file.
    project_directory: Option<String>,
}
