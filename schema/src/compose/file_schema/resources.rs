//! The top-level `networks`, `volumes`, `secrets`, `configs` and `models`.

use schemars::JsonSchema;

use super::values::{extensions, fixed_schema, object_or_null, Boolean, DriverOptions, JsonInteger, ListOrMapping};

/// A network that services join. Null or an empty mapping is a bridge
/// network that compose creates and names `<project>_<key>`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions, transform = object_or_null)]
pub(super) struct Network {
    /// The name on the container runtime, instead of `<project>_<key>`.
    name: Option<String>,
    /// The network driver, such as `bridge` (the default), `host`,
    /// `overlay` or `macvlan`.
    driver: Option<String>,
    /// Options for the driver.
    driver_opts: Option<DriverOptions>,
    /// IP address management: the subnets, ranges and gateways of the network.
    ipam: Option<Ipam>,
    /// Whether the network exists already; compose then neither creates nor
    /// removes it and looks it up by `name`.
    external: Option<External>,
    /// Whether the network is cut off from outside networks.
    internal: Option<Boolean>,
    /// Whether containers get IPv4 addresses on the network.
    enable_ipv4: Option<Boolean>,
    /// Whether containers get IPv6 addresses on the network.
    enable_ipv6: Option<Boolean>,
    /// Whether containers outside the project may join the network.
    attachable: Option<Boolean>,
    /// Labels of the network.
    labels: Option<ListOrMapping>,
}

/// IP address management of a network.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Ipam {
    /// The IPAM driver, instead of the runtime's default.
    driver: Option<String>,
    /// Address blocks of the network.
    config: Option<Vec<IpamConfig>>,
    /// Options for the IPAM driver.
    options: Option<StringOptions>,
}

/// One address block of a network.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct IpamConfig {
    /// The subnet in CIDR notation (`172.28.0.0/16`).
    subnet: Option<String>,
    /// The range within the subnet that container addresses come from, in
    /// CIDR notation.
    ip_range: Option<String>,
    /// The gateway address of the subnet.
    gateway: Option<String>,
    /// Addresses that the driver must not give to containers, by host name.
    aux_addresses: Option<StringOptions>,
}

fixed_schema! {
    /// A mapping of names to strings.
    StringOptions => { "type": "object", "patternProperties": { "^.+$": { "type": "string" } }, "additionalProperties": false }
}

/// Whether a resource exists already, outside of compose: a boolean, or the
/// obsolete mapping `{name: ...}` that also sets its name.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum External {
    Flag(Boolean),
    Named(ExternalName),
}

/// The obsolete long form of `external`; use `name` beside `external: true`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions, extend("deprecated" = true))]
pub(super) struct ExternalName {
    /// The name of the existing resource.
    name: Option<String>,
}

/// A named volume that services mount. Null or an empty mapping is a volume
/// that compose creates and names `<project>_<key>`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions, transform = object_or_null)]
pub(super) struct Volume {
    /// The name on the container runtime, instead of `<project>_<key>`.
    name: Option<String>,
    /// The volume driver, instead of the runtime's default (`local`).
    driver: Option<String>,
    /// Options for the driver.
    driver_opts: Option<DriverOptions>,
    /// Whether the volume exists already; compose then neither creates nor
    /// removes it and looks it up by `name`.
    external: Option<External>,
    /// Labels of the volume.
    labels: Option<ListOrMapping>,
}

/// A secret: sensitive data that services read from a file under
/// `/run/secrets`. The value comes from `file`, `environment` or `external`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Secret {
    /// The name on the container runtime, instead of `<project>_<key>`.
    name: Option<String>,
    /// The environment variable whose value is the secret.
    environment: Option<String>,
    /// The file whose content is the secret, relative to the project folder.
    file: Option<String>,
    /// Whether the secret exists already on the platform.
    external: Option<External>,
    /// Labels of the secret.
    labels: Option<ListOrMapping>,
    /// The secret driver of the platform.
    driver: Option<String>,
    /// Options for the driver.
    driver_opts: Option<DriverOptions>,
    /// The driver that renders the secret as a template.
    template_driver: Option<String>,
}

/// A configuration file that services mount. The data comes from `file`,
/// `content`, `environment` or `external`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Config {
    /// The name on the container runtime, instead of `<project>_<key>`.
    name: Option<String>,
    /// The content of the config, written inline.
    content: Option<String>,
    /// The environment variable whose value is the config.
    environment: Option<String>,
    /// The file whose content is the config, relative to the project folder.
    file: Option<String>,
    /// Whether the config exists already on the platform.
    external: Option<External>,
    /// Labels of the config.
    labels: Option<ListOrMapping>,
    /// The driver that renders the config as a template.
    template_driver: Option<String>,
}

/// A language model that services use through a model runner.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Model {
    /// The name of the model on the runner, instead of the key.
    name: Option<String>,
    /// The model to run, as an OCI reference (`ai/smollm2`).
    model: String,
    /// The maximum number of tokens in the model's context.
    context_size: Option<JsonInteger>,
    /// Flags passed as they are to the inference engine.
    runtime_flags: Option<Vec<String>>,
}
