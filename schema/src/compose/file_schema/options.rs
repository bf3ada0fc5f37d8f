//! Service keys with a long syntax of their own that need no module of
//! their own: logging, block IO, devices, GPUs, env files, `extends`,
//! secret and config references, ulimits, models, hooks and providers.

use std::borrow::Cow;
use std::collections::BTreeSet;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use super::deploy::DeviceCount;
use super::values::{extensions, fixed_schema, Boolean, ByteSize, Command, FileMode, Integer, ListOrMapping, NameMap};

/// The logging settings of a service.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Logging {
    /// The logging driver (`json-file`, `journald`, `syslog`, `none`).
    driver: Option<String>,
    /// Options for the driver (`max-size`, `tag`).
    options: Option<LogOptions>,
}

fixed_schema! {
    /// A mapping of option names to strings, numbers or null.
    LogOptions => { "type": "object", "patternProperties": { "^.+$": { "type": ["string", "number", "null"] } } }
}

/// Block IO limits and weights.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct BlkioConfig {
    /// Read rates in bytes per second, by device.
    device_read_bps: Option<Vec<BlkioLimit>>,
    /// Read rates in operations per second, by device.
    device_read_iops: Option<Vec<BlkioLimit>>,
    /// Write rates in bytes per second, by device.
    device_write_bps: Option<Vec<BlkioLimit>>,
    /// Write rates in operations per second, by device.
    device_write_iops: Option<Vec<BlkioLimit>>,
    /// The weight of the containers' block IO against other containers, from 10 to 1000.
    weight: Option<Integer>,
    /// Block IO weights by device.
    weight_device: Option<Vec<BlkioWeight>>,
}

/// A rate limit on one device.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct BlkioLimit {
    /// The device (`/dev/sda`).
    path: Option<String>,
    /// The rate: bytes or operations per second; bytes may have a unit (`1mb`).
    rate: Option<ByteSize>,
}

/// A block IO weight on one device.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct BlkioWeight {
    /// The device (`/dev/sda`).
    path: Option<String>,
    /// The weight, from 10 to 1000.
    weight: Option<Integer>,
}

/// A host device mapped into the containers.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum Device {
    Short(DeviceText),
    Long(DeviceLong),
}

fixed_schema! {
    /// `HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]`, with permissions made of
    /// `r`, `w` and `m` (default `rwm`), or a CDI device name (`vendor/class=name`).
    DeviceText => { "type": "string", "pattern": r"^[^:]+(:[^:]+(:[^:]+)?)?$|\$" }
}

/// A device mapping in the long syntax.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct DeviceLong {
    /// The device on the host.
    source: String,
    /// The path in the container; the host path by default.
    target: Option<String>,
    /// The cgroup permissions, made of `r`, `w` and `m` (default `rwm`).
    permissions: Option<String>,
}

/// GPUs given to the containers.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum Gpus {
    All(AllGpus),
    Requests(Vec<GpuRequest>),
}

fixed_schema! {
    /// Every GPU of the host.
    AllGpus => { "type": "string", "enum": ["all"] }
}

/// A request for GPUs.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct GpuRequest {
    /// The capabilities that the GPUs must offer (`gpu`, `compute`, `utility`).
    capabilities: Option<BTreeSet<String>>,
    /// The number of GPUs, or `all`.
    count: Option<DeviceCount>,
    /// The IDs of the GPUs, instead of a count.
    device_ids: Option<BTreeSet<String>>,
    /// The GPU driver (`nvidia`).
    driver: Option<String>,
    /// Options for the driver.
    options: Option<ListOrMapping>,
}

/// The credential spec of a managed service account (Windows), from a
/// config, a file or the registry.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct CredentialSpec {
    /// A config of the top-level `configs` that contains the spec.
    config: Option<String>,
    /// A file that contains the spec.
    file: Option<String>,
    /// A value in the Windows registry that contains the spec.
    registry: Option<String>,
}

/// Env files of a service.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum EnvFile {
    Path(String),
    List(Vec<EnvFileEntry>),
}

/// One env file: its path, or the long syntax.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum EnvFileEntry {
    Path(String),
    Long(EnvFileLong),
}

/// An env file in the long syntax.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct EnvFileLong {
    /// The file, relative to the folder of the compose file.
    path: String,
    /// Whether the file must exist; when false, a missing file is skipped.
    required: Option<Boolean>,
    /// `raw` reads values as written, without quotes, escapes or
    /// interpolation; without it, the dotenv syntax.
    format: Option<String>,
}

/// Label files of a service.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum LabelFile {
    Path(String),
    List(Vec<String>),
}

/// The service that another one extends.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum Extends {
    Service(String),
    Long(ExtendsLong),
}

/// `extends` in the long syntax.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct ExtendsLong {
    /// The service to copy the configuration from.
    service: String,
    /// The compose file that defines it; this file by default.
    file: Option<String>,
}

/// A secret or config that the containers can read, by name or in the long
/// syntax.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum FileReference {
    Name(String),
    Long(FileReferenceLong),
}

/// A secret or config reference in the long syntax.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct FileReferenceLong {
    /// The name in the top-level `secrets` or `configs`.
    source: Option<String>,
    /// The path in the container: by default `/run/secrets/<source>` for a
    /// secret and `/<source>` for a config.
    target: Option<String>,
    /// The user ID that owns the file.
    uid: Option<String>,
    /// The group ID that owns the file.
    gid: Option<String>,
    /// The file mode, in octal (`0440`).
    mode: Option<FileMode>,
}

/// Resource limits by name (`nofile`, `nproc`): one value for both limits,
/// or `soft` and `hard`.
pub(super) struct Ulimits;

impl JsonSchema for Ulimits {
    fn schema_name() -> Cow<'static, str> {
        "Ulimits".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "patternProperties": { "^[a-z]+$": generator.subschema_for::<Ulimit>() },
            "additionalProperties": false,
        })
    }
}

/// One resource limit: a value for both limits, or `soft` and `hard`.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum Ulimit {
    Both(Integer),
    Limits(UlimitLimits),
}

/// The soft and hard values of a resource limit.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct UlimitLimits {
    /// The limit that applies; a process may raise it up to `hard`.
    soft: Integer,
    /// The ceiling for `soft`.
    hard: Integer,
}

/// Models of the top-level `models` that a service uses: a list of names,
/// or a mapping of names to the variables that tell the service about them.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum ServiceModels {
    Names(BTreeSet<String>),
    Settings(NameMap<ServiceModel>),
}

/// The environment variables that tell a service about a model.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct ServiceModel {
    /// The environment variable that gets the model's endpoint URL.
    endpoint_var: Option<String>,
    /// The environment variable that gets the model's name.
    model_var: Option<String>,
}

/// A command run in a service's container at a point of its life.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct ServiceHook {
    /// The command: a string split as a shell would split it, or a list of
    /// arguments.
    command: Command,
    /// The user to run the command as, instead of the container's.
    user: Option<String>,
    /// Whether the command runs with extended privileges.
    privileged: Option<Boolean>,
    /// The working folder of the command.
    working_dir: Option<String>,
    /// More environment variables for the command.
    environment: Option<ListOrMapping>,
}

/// The service that manages a service instead of compose.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Provider {
    /// The provider: a compose plugin or a program that sets the resource
    /// up and tears it down.
    #[schemars(rename = "type")]
    kind: String,
    /// Options passed to the provider.
    options: Option<ProviderOptions>,
}

fixed_schema! {
    /// Provider options: a mapping of names to strings, numbers, booleans or
    /// lists of them.
    ProviderOptions => {
        "type": "object",
        "patternProperties": {
            "^.+$": {
                "anyOf": [
                    { "type": ["string", "number", "boolean"] },
                    { "type": "array", "items": { "type": ["string", "number", "boolean"] } }
                ]
            }
        },
    }
}
