//! Confinement options of a container and what the runtime reports applying.

use std::collections::BTreeMap;

use serde::Deserialize;

/// How a container is fenced off. The default adds no flags, so specs that
/// do not set it create the same containers as before.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Confinement {
    pub read_only_rootfs: bool,
    pub drop_all_capabilities: bool,
    pub no_new_privileges: bool,
    /// No network at all (`--network none`); `networks` must then be empty.
    pub no_network: bool,
    pub privileged: bool,
    /// A memory limit such as `64m`.
    pub memory: Option<String>,
    /// A CPU limit such as `0.5`.
    pub cpus: Option<String>,
}

impl Confinement {
    pub fn is_empty(&self) -> bool {
        *self == Confinement::default()
    }
}

/// One confinement option, for asking a backend whether it enforces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConfinementOption {
    ReadOnlyRootfs,
    DropAllCapabilities,
    NoNewPrivileges,
    DefaultSeccomp,
    NoNetwork,
    Memory,
    Cpus,
}

impl ConfinementOption {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfinementOption::ReadOnlyRootfs => "read-only root filesystem",
            ConfinementOption::DropAllCapabilities => "drop all capabilities",
            ConfinementOption::NoNewPrivileges => "no new privileges",
            ConfinementOption::DefaultSeccomp => "default seccomp profile",
            ConfinementOption::NoNetwork => "no network",
            ConfinementOption::Memory => "memory limit",
            ConfinementOption::Cpus => "CPU limit",
        }
    }
}

/// How far the runtime separates a container from the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isolation {
    /// Containers share the host's kernel (podman, docker on Linux).
    SharedKernel,
    /// Containers share one VM (Docker Desktop, lima).
    SharedVm,
    /// Each container gets a VM of its own.
    VmPerContainer,
}

/// What the runtime reports having applied to a container, read back by
/// inspect after it started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppliedConfinement {
    pub read_only_rootfs: bool,
    /// Capabilities the container's processes hold; empty when all were dropped.
    pub effective_capabilities: Vec<String>,
    pub no_new_privileges: bool,
    /// False when seccomp was turned off (`seccomp=unconfined`) or the
    /// container is privileged.
    pub default_seccomp: bool,
    /// The network mode, such as `none` or `bridge`.
    pub network_mode: String,
    pub privileged: bool,
    /// Addresses by network name.
    pub addresses: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Record {
    effective_caps: Option<Vec<String>>,
    host_config: HostConfig,
    network_settings: Option<NetworkSettings>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HostConfig {
    #[serde(default)]
    readonly_rootfs: bool,
    #[serde(default)]
    security_opt: Option<Vec<String>>,
    #[serde(default)]
    network_mode: String,
    #[serde(default)]
    privileged: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NetworkSettings {
    networks: Option<BTreeMap<String, Network>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Network {
    #[serde(rename = "IPAddress", default)]
    ip_address: String,
}

/// Reads the confinement from the JSON of `podman container inspect`.
pub(crate) fn parse_inspect(text: &str) -> Result<AppliedConfinement, String> {
    let records: Vec<Record> = serde_json::from_str(text).map_err(|error| error.to_string())?;
    let record = records.into_iter().next().ok_or_else(|| "the output lists no container".to_owned())?;
    let options = record.host_config.security_opt.unwrap_or_default();
    let addresses = record
        .network_settings
        .and_then(|settings| settings.networks)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, network)| !network.ip_address.is_empty())
        .map(|(name, network)| (name, network.ip_address))
        .collect();
    Ok(AppliedConfinement {
        read_only_rootfs: record.host_config.readonly_rootfs,
        effective_capabilities: record.effective_caps.unwrap_or_default(),
        no_new_privileges: options.iter().any(|option| option == "no-new-privileges" || option == "no-new-privileges:true"),
        default_seccomp: !record.host_config.privileged && !options.iter().any(|option| option.starts_with("seccomp=unconfined") || option.starts_with("seccomp:unconfined")),
        network_mode: record.host_config.network_mode,
        privileged: record.host_config.privileged,
        addresses,
    })
}

/// Appends the flags of `confinement` to a podman or docker `create` argv.
pub(crate) fn push_args(args: &mut Vec<String>, confinement: &Confinement) {
    let mut push = |flag: &str, value: Option<&str>| {
        args.push(flag.to_owned());
        if let Some(value) = value {
            args.push(value.to_owned());
        }
    };
    if confinement.read_only_rootfs {
        push("--read-only", None);
    }
    if confinement.drop_all_capabilities {
        push("--cap-drop", Some("all"));
    }
    if confinement.no_new_privileges {
        push("--security-opt", Some("no-new-privileges"));
    }
    if confinement.no_network {
        push("--network", Some("none"));
    }
    if confinement.privileged {
        push("--privileged", None);
    }
    if let Some(memory) = &confinement.memory {
        push("--memory", Some(memory));
    }
    if let Some(cpus) = &confinement.cpus {
        push("--cpus", Some(cpus));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confinement_flags_in_podman_words() {
        let mut args = Vec::new();
        let confinement = Confinement { read_only_rootfs: true, drop_all_capabilities: true, no_new_privileges: true, no_network: true, memory: Some("64m".into()), ..Confinement::default() };
        push_args(&mut args, &confinement);
        assert_eq!(args, ["--read-only", "--cap-drop", "all", "--security-opt", "no-new-privileges", "--network", "none", "--memory", "64m"]);
    }

    #[test]
    fn inspect_of_a_hardened_container() {
        let text = r#"[{"EffectiveCaps": null, "HostConfig": {"ReadonlyRootfs": true, "SecurityOpt": ["no-new-privileges"], "NetworkMode": "bridge", "Privileged": false},
            "NetworkSettings": {"Networks": {"p_default": {"IPAddress": "10.89.0.5"}}}}]"#;
        let applied = parse_inspect(text).unwrap();
        assert!(applied.read_only_rootfs && applied.no_new_privileges && applied.default_seccomp);
        assert!(applied.effective_capabilities.is_empty());
        assert_eq!(applied.addresses["p_default"], "10.89.0.5");
    }
}
