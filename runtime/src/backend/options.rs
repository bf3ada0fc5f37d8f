//! Service settings that go to the runtime as they are written: each is one
//! flag of `podman run` and `docker run` and one field of the Engine API's
//! container create request.

use std::collections::BTreeMap;

use serde::Serialize;

/// A container's run settings beyond its image, command, mounts and
/// networks. Empty settings are left out of the serialized spec, so the
/// config hash of a container that sets none stays as it was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Runs an init process as PID 1 that reaps zombies and forwards signals.
    #[serde(skip_serializing_if = "is_false")]
    pub init: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub tty: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub stdin_open: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// The runtime's own stop timeout in whole seconds, from
    /// `stop_grace_period`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_timeout: Option<u64>,
    /// Container ports to expose without publishing, as `PORT[/PROTOCOL]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expose: Vec<String>,
    /// Extra `/etc/hosts` entries as (host name, address).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_hosts: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_opt: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_search: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_opt: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sysctls: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ulimits: BTreeMap<String, Ulimit>,
    /// The size of `/dev/shm` in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<i64>,
    /// Paths to mount a tmpfs on, each with its options after a colon.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tmpfs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_add: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// When to pull the image: `always`, `missing` or `never`. `None` is
    /// the runtime's default, which pulls a missing image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// The maximum number of processes in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
    /// Namespace modes in the runtime's words (`host`, `private`,
    /// `container:NAME`), by compose key: `ipc`, `pid`, `uts`,
    /// `userns_mode` and `cgroup`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub namespaces: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup_parent: Option<String>,
    /// CPU and memory tuning, by compose key: `cpu_shares`, `cpu_quota`,
    /// `cpu_period`, `mem_reservation` and `memswap_limit` (both in
    /// bytes), `mem_swappiness` and `oom_score_adj`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tuning: BTreeMap<String, i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub oom_kill_disable: bool,
    /// The OCI runtime to run the container with, such as `runc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Containers whose volumes to mount, each with `:ro` or `:rw` if given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes_from: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_cgroup_rules: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub storage_opt: BTreeMap<String, String>,
    /// A network mode in the runtime's words (`host`, `none`,
    /// `container:NAME`); the container then joins no network of the spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ulimit {
    pub soft: i64,
    pub hard: i64,
}

/// A host device made available in the container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Device {
    pub source: String,
    pub target: String,
    /// Any of `r`, `w` and `m`.
    pub permissions: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Logging {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl RunOptions {
    /// The compose keys of all settings.
    pub const KEYS: &'static [&'static str] = &[
        "hostname", "init", "tty", "stdin_open", "stop_signal", "stop_grace_period", "expose", "extra_hosts", "cap_add", "cap_drop", "security_opt", "dns", "dns_search", "dns_opt",
        "sysctls", "ulimits", "shm_size", "tmpfs", "group_add", "devices", "platform", "pull_policy", "logging", "pids_limit", "network_mode",
        "ipc", "pid", "uts", "userns_mode", "cgroup", "cgroup_parent", "cpu_shares", "cpu_quota", "cpu_period", "mem_reservation", "memswap_limit",
        "mem_swappiness", "oom_score_adj", "cpuset", "oom_kill_disable", "runtime", "mac_address", "annotations", "volumes_from",
        "device_cgroup_rules", "storage_opt",
    ];

    /// The compose keys of `namespaces` with the flag of each.
    pub const NAMESPACE_FLAGS: [(&'static str, &'static str); 5] =
        [("ipc", "--ipc"), ("pid", "--pid"), ("uts", "--uts"), ("userns_mode", "--userns"), ("cgroup", "--cgroupns")];

    /// The compose keys of `tuning` with the flag of each.
    pub const TUNING_FLAGS: [(&'static str, &'static str); 7] = [
        ("cpu_shares", "--cpu-shares"),
        ("cpu_quota", "--cpu-quota"),
        ("cpu_period", "--cpu-period"),
        ("mem_reservation", "--memory-reservation"),
        ("memswap_limit", "--memory-swap"),
        ("mem_swappiness", "--memory-swappiness"),
        ("oom_score_adj", "--oom-score-adj"),
    ];

    pub fn is_empty(&self) -> bool {
        *self == RunOptions::default()
    }

    /// Returns the compose keys of the settings that are set, for naming
    /// what a backend cannot honour.
    pub fn keys(&self) -> Vec<&'static str> {
        let set = [
            ("hostname", self.hostname.is_some()),
            ("init", self.init),
            ("tty", self.tty),
            ("stdin_open", self.stdin_open),
            ("stop_signal", self.stop_signal.is_some()),
            ("stop_grace_period", self.stop_timeout.is_some()),
            ("expose", !self.expose.is_empty()),
            ("extra_hosts", !self.extra_hosts.is_empty()),
            ("cap_add", !self.cap_add.is_empty()),
            ("cap_drop", !self.cap_drop.is_empty()),
            ("security_opt", !self.security_opt.is_empty()),
            ("dns", !self.dns.is_empty()),
            ("dns_search", !self.dns_search.is_empty()),
            ("dns_opt", !self.dns_opt.is_empty()),
            ("sysctls", !self.sysctls.is_empty()),
            ("ulimits", !self.ulimits.is_empty()),
            ("shm_size", self.shm_size.is_some()),
            ("tmpfs", !self.tmpfs.is_empty()),
            ("group_add", !self.group_add.is_empty()),
            ("devices", !self.devices.is_empty()),
            ("platform", self.platform.is_some()),
            ("pull_policy", self.pull.is_some()),
            ("logging", self.logging.is_some()),
            ("pids_limit", self.pids_limit.is_some()),
            ("network_mode", self.network_mode.is_some()),
        ];
        let mut keys: Vec<&'static str> = set.into_iter().filter(|(_, is_set)| *is_set).map(|(key, _)| key).collect();
        let by_key = Self::NAMESPACE_FLAGS.iter().chain(&Self::TUNING_FLAGS).map(|(key, _)| *key);
        keys.extend(by_key.filter(|key| self.namespaces.contains_key(*key) || self.tuning.contains_key(*key)));
        let more = [
            ("cgroup_parent", self.cgroup_parent.is_some()),
            ("cpuset", self.cpuset.is_some()),
            ("oom_kill_disable", self.oom_kill_disable),
            ("runtime", self.runtime.is_some()),
            ("mac_address", self.mac_address.is_some()),
            ("annotations", !self.annotations.is_empty()),
            ("volumes_from", !self.volumes_from.is_empty()),
            ("device_cgroup_rules", !self.device_cgroup_rules.is_empty()),
            ("storage_opt", !self.storage_opt.is_empty()),
        ];
        keys.extend(more.into_iter().filter(|(_, is_set)| *is_set).map(|(key, _)| key));
        keys
    }
}

/// Appends the flags of `podman run` and `docker run` (nerdctl takes the
/// same) for `options`.
pub(crate) fn push_args(args: &mut Vec<String>, options: &RunOptions) {
    let mut push = |flag: &str, value: &str| {
        args.push(flag.to_owned());
        args.push(value.to_owned());
    };
    if let Some(hostname) = &options.hostname {
        push("--hostname", hostname);
    }
    if let Some(signal) = &options.stop_signal {
        push("--stop-signal", signal);
    }
    if let Some(seconds) = options.stop_timeout {
        push("--stop-timeout", &seconds.to_string());
    }
    let lists = [
        ("--expose", &options.expose),
        ("--cap-add", &options.cap_add),
        ("--cap-drop", &options.cap_drop),
        ("--security-opt", &options.security_opt),
        ("--dns", &options.dns),
        ("--dns-search", &options.dns_search),
        ("--dns-option", &options.dns_opt),
        ("--tmpfs", &options.tmpfs),
        ("--group-add", &options.group_add),
        ("--volumes-from", &options.volumes_from),
        ("--device-cgroup-rule", &options.device_cgroup_rules),
    ];
    for (flag, values) in lists {
        for value in values {
            push(flag, value);
        }
    }
    for (host, address) in &options.extra_hosts {
        push("--add-host", &format!("{host}:{address}"));
    }
    for (name, value) in &options.sysctls {
        push("--sysctl", &format!("{name}={value}"));
    }
    for (name, limit) in &options.ulimits {
        push("--ulimit", &format!("{name}={}:{}", limit.soft, limit.hard));
    }
    if let Some(size) = options.shm_size {
        push("--shm-size", &size.to_string());
    }
    for device in &options.devices {
        push("--device", &format!("{}:{}:{}", device.source, device.target, device.permissions));
    }
    if let Some(platform) = &options.platform {
        push("--platform", platform);
    }
    if let Some(pull) = &options.pull {
        push("--pull", pull);
    }
    if let Some(logging) = &options.logging {
        if let Some(driver) = &logging.driver {
            push("--log-driver", driver);
        }
        for (name, value) in &logging.options {
            push("--log-opt", &format!("{name}={value}"));
        }
    }
    if let Some(limit) = options.pids_limit {
        push("--pids-limit", &limit.to_string());
    }
    for (key, flag) in RunOptions::NAMESPACE_FLAGS {
        if let Some(mode) = options.namespaces.get(key) {
            push(flag, mode);
        }
    }
    for (key, flag) in RunOptions::TUNING_FLAGS {
        if let Some(value) = options.tuning.get(key) {
            push(flag, &value.to_string());
        }
    }
    let texts = [
        ("--cgroup-parent", &options.cgroup_parent),
        ("--cpuset-cpus", &options.cpuset),
        ("--runtime", &options.runtime),
        ("--mac-address", &options.mac_address),
    ];
    for (flag, value) in texts {
        if let Some(value) = value {
            push(flag, value);
        }
    }
    for (flag, pairs) in [("--annotation", &options.annotations), ("--storage-opt", &options.storage_opt)] {
        for (name, value) in pairs {
            push(flag, &format!("{name}={value}"));
        }
    }
    if let Some(mode) = &options.network_mode {
        push("--network", mode);
    }
    for (flag, set) in [("--init", options.init), ("--tty", options.tty), ("--interactive", options.stdin_open), ("--oom-kill-disable", options.oom_kill_disable)] {
        if set {
            args.push(flag.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_options_add_no_flags_and_no_keys() {
        let mut args = Vec::new();
        push_args(&mut args, &RunOptions::default());
        assert!(args.is_empty());
        assert!(RunOptions::default().keys().is_empty());
        assert_eq!(serde_json::to_string(&RunOptions::default()).unwrap(), "{}");
    }

    #[test]
    fn options_in_podman_words() {
        let options = RunOptions {
            hostname: Some("web1".into()),
            init: true,
            stdin_open: true,
            extra_hosts: vec![("db.local".into(), "10.0.0.2".into())],
            cap_add: vec!["NET_ADMIN".into()],
            sysctls: BTreeMap::from([("net.core.somaxconn".into(), "1024".into())]),
            ulimits: BTreeMap::from([("nofile".into(), Ulimit { soft: 1024, hard: 2048 })]),
            devices: vec![Device { source: "/dev/fuse".into(), target: "/dev/fuse".into(), permissions: "rwm".into() }],
            pull: Some("never".into()),
            logging: Some(Logging { driver: Some("json-file".into()), options: BTreeMap::from([("max-size".into(), "10m".into())]) }),
            network_mode: Some("host".into()),
            ..RunOptions::default()
        };
        let mut args = Vec::new();
        push_args(&mut args, &options);
        assert_eq!(
            args,
            [
                "--hostname", "web1", "--cap-add", "NET_ADMIN", "--add-host", "db.local:10.0.0.2", "--sysctl", "net.core.somaxconn=1024", "--ulimit",
                "nofile=1024:2048", "--device", "/dev/fuse:/dev/fuse:rwm", "--pull", "never", "--log-driver", "json-file", "--log-opt", "max-size=10m",
                "--network", "host", "--init", "--interactive",
            ]
        );
        assert_eq!(options.keys(), ["hostname", "init", "stdin_open", "extra_hosts", "cap_add", "sysctls", "ulimits", "devices", "pull_policy", "logging", "network_mode"]);
    }
}
