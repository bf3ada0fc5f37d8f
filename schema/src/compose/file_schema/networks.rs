//! A service's `networks`: a list of names, or a mapping of names to settings.

use std::collections::BTreeSet;

use schemars::JsonSchema;

use super::values::{extensions, DriverOptions, JsonNumber, NameMap};

/// Networks of the top-level `networks` that a service joins.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum ServiceNetworks {
    Names(BTreeSet<String>),
    Settings(NameMap<Option<ServiceNetwork>>),
}

/// The settings of a service on one network. Null joins with the defaults.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct ServiceNetwork {
    /// Other host names of the service on this network.
    aliases: Option<BTreeSet<String>>,
    /// The name of the network interface in the container.
    interface_name: Option<String>,
    /// A fixed IPv4 address on this network.
    ipv4_address: Option<String>,
    /// A fixed IPv6 address on this network.
    ipv6_address: Option<String>,
    /// Link-local addresses on this network.
    link_local_ips: Option<BTreeSet<String>>,
    /// A fixed MAC address on this network.
    mac_address: Option<String>,
    /// Options for the network driver for this connection.
    driver_opts: Option<DriverOptions>,
    /// The order in which the container joins its networks; higher joins first.
    priority: Option<JsonNumber>,
    /// The priority for giving the default gateway; the highest wins.
    gw_priority: Option<JsonNumber>,
}
