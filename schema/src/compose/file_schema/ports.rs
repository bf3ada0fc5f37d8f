//! A service's `ports`: the short syntax, a port number, or the long syntax.

use schemars::JsonSchema;

use super::values::{extensions, fixed_schema};

/// A container port to publish on the host.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum Port {
    Number(PortNumber),
    Short(PortText),
    Long(PortLong),
}

fixed_schema! {
    /// A container port number; the runtime picks a free host port.
    PortNumber => { "type": "integer", "minimum": 1, "maximum": 65535 }
}

fixed_schema! {
    /// `[[HOST_IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL]`, where a port may be
    /// a range (`8000-8010`), an IPv6 host address goes in brackets, and the
    /// protocol is `tcp` (the default), `udp` or `sctp`.
    // NOTE: the pattern checks the syntax only, so a port above 65535 or two
    // ranges of different lengths pass here and fail when the loader reads them.
    PortText => {
        "type": "string",
        "pattern": r"^(\[[^\]]*\]:([0-9]+(-[0-9]+)?)?:|([^:\[\]/]*:)?([0-9]+(-[0-9]+)?)?:)?[0-9]+(-[0-9]+)?(/(tcp|udp|sctp|TCP|UDP|SCTP))?$|\$"
    }
}

/// A published port in the long syntax.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct PortLong {
    /// A name for the port, for people and tools.
    name: Option<String>,
    /// The port inside the container.
    target: TargetPort,
    /// The host port or range of host ports (`8080`, `8000-8010`); without
    /// it the runtime picks a free port.
    published: Option<PublishedPort>,
    /// The host address to bind to; every address by default.
    host_ip: Option<String>,
    /// `tcp` (the default), `udp` or `sctp`.
    protocol: Option<Protocol>,
    /// The application protocol, for tools (`http`, `grpc`).
    app_protocol: Option<String>,
    /// `ingress` (the default) to publish through the load balancer, or
    /// `host` to bind the port on each node.
    mode: Option<PortMode>,
}

fixed_schema! {
    /// A port number from 1 to 65535, or a string holding one.
    TargetPort => { "type": ["integer", "string"], "minimum": 1, "maximum": 65535, "pattern": r"^[0-9]+$|\$" }
}

fixed_schema! {
    /// A port number from 1 to 65535 or a range of them, or a string holding one.
    PublishedPort => { "type": ["integer", "string"], "minimum": 1, "maximum": 65535, "pattern": r"^[0-9]+(-[0-9]+)?$|\$" }
}

fixed_schema! {
    /// A transport protocol.
    Protocol => { "type": "string", "pattern": r"^(tcp|udp|sctp|TCP|UDP|SCTP)$|\$" }
}

fixed_schema! {
    /// The publishing mode of a port.
    PortMode => { "type": "string", "pattern": r"^(ingress|host)$|\$" }
}
