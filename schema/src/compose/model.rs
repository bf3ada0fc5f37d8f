//! The normalized Compose model: every short form already in its long form.
//!
//! Maps are `BTreeMap`s so that every listing and every emitted file has one
//! deterministic order. Each item keeps the [`Span`] of the YAML node it came
//! from, so later steps can report errors at the right line and column.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;

use crate::diag::Span;
use crate::yaml::Node;

/// A loaded compose file.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Project {
    /// The top-level `name`, if the file sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub services: BTreeMap<String, Service>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub networks: BTreeMap<String, Network>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub volumes: BTreeMap<String, Volume>,
    /// Top-level keys that the specification allows but this model does not
    /// support yet, kept as parsed (`secrets`, `configs`, `x-*`, ...).
    #[serde(flatten)]
    pub unsupported: BTreeMap<String, Node>,
    /// The file this project was loaded from (the first one when several
    /// files were merged).
    #[serde(skip)]
    pub file: PathBuf,
    /// Every file merged into this project, in merge order; [`Span::file`]
    /// indexes it. Empty for a project built in code, which reads as `[file]`.
    #[serde(skip)]
    pub files: Vec<PathBuf>,
}

impl Project {
    /// The file that a span of this project points into.
    pub fn file_of(&self, span: Span) -> &std::path::Path {
        self.files.get(span.file as usize).unwrap_or(&self.file)
    }
}

/// One entry of `services`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Service {
    #[serde(skip)]
    pub name: String,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The `command`, split into arguments when written as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// `None` passes the variable through from the environment of `up`
    /// (the list form `- NAME` without `=`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, Option<String>>,
    /// Files of `KEY=VALUE` lines whose variables go into `environment`
    /// when the project is loaded for running (`environment` wins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_file: Vec<EnvFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Mount>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub depends_on: BTreeMap<String, Dependency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// Networks the service joins. Normalization adds `default` when the
    /// file lists none.
    pub networks: BTreeMap<String, ServiceNetwork>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The profiles that enable this service; a service without profiles is
    /// always enabled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// Service keys that the specification allows but this model does not
    /// support yet, kept as parsed.
    #[serde(flatten)]
    pub unsupported: BTreeMap<String, Node>,
}

/// An entry of a service's `env_file`, in the long syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct EnvFile {
    #[serde(skip)]
    pub span: Span,
    /// The path, resolved against the folder of the compose file that
    /// declares it.
    pub path: PathBuf,
    /// When false, a missing file is skipped.
    pub required: bool,
    /// `raw` reads values literally (no quotes, escapes or interpolation);
    /// `None` is the dotenv syntax.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A port in the long syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Port {
    #[serde(skip)]
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The container port.
    pub target: u16,
    /// The host port or range (`8080`, `8000-8010`); `None` lets the runtime
    /// choose one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    /// `tcp` or `udp`.
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    /// `ingress` or `host`.
    pub mode: String,
}

/// What a service mount attaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MountKind {
    Volume,
    Bind,
    Tmpfs,
    Npipe,
    Cluster,
    Image,
}

/// An entry of a service's `volumes`, in the long syntax.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Mount {
    #[serde(skip)]
    pub span: Span,
    #[serde(rename = "type")]
    pub kind: MountKind,
    /// A named volume, a host path (relative paths already resolved against
    /// the project folder), or `None` for an anonymous volume or a tmpfs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub target: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// Whether a missing host folder of a bind mount is created: true for
    /// the short syntax, and for the long one with `bind.create_host_path`.
    /// Printed through `bind`, which the short syntax fills in.
    #[serde(skip)]
    pub create_host_path: bool,
    /// Mount keys that the specification allows but this model does not
    /// support yet (`bind`, `volume`, `tmpfs`, `consistency`, ...).
    #[serde(flatten)]
    pub unsupported: BTreeMap<String, Node>,
}

/// The condition a `depends_on` entry waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    ServiceStarted,
    ServiceHealthy,
    ServiceCompletedSuccessfully,
}

/// An entry of a service's `depends_on`, in the long syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Dependency {
    /// The position of the service name, for "undefined service" errors.
    #[serde(skip)]
    pub span: Span,
    pub condition: Condition,
    /// The position of `condition`, or of the service name where the entry
    /// has none (the short syntax and implied dependencies).
    #[serde(skip)]
    pub condition_span: Span,
    /// Restart this service when the dependency is updated.
    pub restart: bool,
    /// When false, a missing or failed dependency only warns.
    pub required: bool,
}

/// A service's `healthcheck`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Healthcheck {
    #[serde(skip)]
    pub span: Span,
    /// `["CMD", arg...]`, `["CMD-SHELL", script]` or `["NONE"]`; a string
    /// `test` is normalized to `CMD-SHELL`. Empty when only other keys are set
    /// (the image's own check applies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::compose::model::duration_opt")]
    #[schemars(with = "Option<String>")]
    pub interval: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::compose::model::duration_opt")]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::compose::model::duration_opt")]
    #[schemars(with = "Option<String>")]
    pub start_period: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::compose::model::duration_opt")]
    #[schemars(with = "Option<String>")]
    pub start_interval: Option<Duration>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disable: bool,
}

impl Healthcheck {
    /// Compose's default interval, timeout and retries, used when a key is unset.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    pub const DEFAULT_RETRIES: u32 = 3;

    /// Whether the check is switched off (`disable: true` or `test: ["NONE"]`).
    pub fn is_disabled(&self) -> bool {
        self.disable || self.test.first().is_some_and(|word| word == "NONE")
    }
}

/// An entry of a service's `networks`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct ServiceNetwork {
    #[serde(skip)]
    pub span: Span,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(flatten)]
    pub unsupported: BTreeMap<String, Node>,
}

/// An entry of the top-level `networks`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct Network {
    #[serde(skip)]
    pub span: Span,
    /// The name on the runtime; `None` means `<project>_<key>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(flatten)]
    pub unsupported: BTreeMap<String, Node>,
}

/// An entry of the top-level `volumes`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct Volume {
    #[serde(skip)]
    pub span: Span,
    /// The name on the runtime; `None` means `<project>_<key>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(flatten)]
    pub unsupported: BTreeMap<String, Node>,
}

pub(crate) mod duration_opt {
    use std::time::Duration;

    use serde::Serializer;

    /// Writes a duration the way compose does (`1m30s`, `500ms`).
    pub fn serialize<S: Serializer>(value: &Option<Duration>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => serializer.serialize_str(&crate::compose::parse::format_duration(*duration)),
            None => serializer.serialize_none(),
        }
    }
}

/// The JSON Schema of the normalized model, as `perry-stack config` writes it,
/// for tools that read that output. Keys the model keeps without reading them
/// (`x-*`, keys not supported yet) accept any value. Editors validate files
/// as written with [`crate::compose::file_schema::json_schema`] instead.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft07().into_generator().into_root_schema_for::<Project>();
    schema.to_value()
}
