//! Run options and confinement in the words of the Engine API's container
//! create request, beside the flags that `options` and `security` give the
//! command line.

use std::collections::HashMap;

use bollard::models::{ContainerCreateBody, DeviceMapping, HostConfig, HostConfigCgroupnsModeEnum, HostConfigLogConfig, ResourcesUlimits};
use perry_stack_schema::compose::short_forms::parse_bytes;

use super::{Confinement, RunOptions};

/// Sets the fields of `body` for `options` and `confinement`. A network
/// mode replaces the network that the body joins.
pub(super) fn apply(body: &mut ContainerCreateBody, options: &RunOptions, confinement: &Confinement) {
    body.hostname = options.hostname.clone();
    body.tty = options.tty.then_some(true);
    body.open_stdin = options.stdin_open.then_some(true);
    body.stop_signal = options.stop_signal.clone();
    body.stop_timeout = options.stop_timeout.and_then(|seconds| i64::try_from(seconds).ok());
    if !options.expose.is_empty() {
        let exposed = body.exposed_ports.get_or_insert_with(Vec::new);
        for port in &options.expose {
            let key = if port.contains('/') { port.clone() } else { format!("{port}/tcp") };
            if !exposed.contains(&key) {
                exposed.push(key);
            }
        }
    }
    if options.network_mode.is_some() {
        body.networking_config = None;
    }

    let host = body.host_config.get_or_insert_with(HostConfig::default);
    let list = |values: &[String]| (!values.is_empty()).then(|| values.to_vec());
    let map = |values: &std::collections::BTreeMap<String, String>| {
        (!values.is_empty()).then(|| values.iter().map(|(key, value)| (key.clone(), value.clone())).collect::<HashMap<_, _>>())
    };
    host.init = options.init.then_some(true);
    host.extra_hosts = (!options.extra_hosts.is_empty()).then(|| options.extra_hosts.iter().map(|(host, address)| format!("{host}:{address}")).collect());
    host.cap_add = list(&options.cap_add);
    host.cap_drop = list(&options.cap_drop);
    host.security_opt = list(&options.security_opt);
    host.dns = list(&options.dns);
    host.dns_search = list(&options.dns_search);
    host.dns_options = list(&options.dns_opt);
    host.sysctls = map(&options.sysctls);
    host.ulimits = (!options.ulimits.is_empty()).then(|| {
        options
            .ulimits
            .iter()
            .map(|(name, limit)| ResourcesUlimits { name: Some(name.clone()), soft: Some(limit.soft), hard: Some(limit.hard) })
            .collect()
    });
    host.shm_size = options.shm_size;
    host.tmpfs = (!options.tmpfs.is_empty()).then(|| {
        options
            .tmpfs
            .iter()
            .map(|entry| {
                let (path, mount_options) = entry.split_once(':').unwrap_or((entry, ""));
                (path.to_string(), mount_options.to_string())
            })
            .collect()
    });
    host.group_add = list(&options.group_add);
    host.devices = (!options.devices.is_empty()).then(|| {
        options
            .devices
            .iter()
            .map(|device| DeviceMapping {
                path_on_host: Some(device.source.clone()),
                path_in_container: Some(device.target.clone()),
                cgroup_permissions: Some(device.permissions.clone()),
            })
            .collect()
    });
    host.log_config = options.logging.as_ref().map(|logging| HostConfigLogConfig {
        typ: logging.driver.clone(),
        config: (!logging.options.is_empty()).then(|| logging.options.iter().map(|(key, value)| (key.clone(), value.clone())).collect()),
    });
    host.pids_limit = options.pids_limit;
    let namespace = |key: &str| options.namespaces.get(key).cloned();
    host.ipc_mode = namespace("ipc");
    host.pid_mode = namespace("pid");
    host.uts_mode = namespace("uts");
    host.userns_mode = namespace("userns_mode");
    host.cgroupns_mode = namespace("cgroup").map(|mode| if mode == "host" { HostConfigCgroupnsModeEnum::HOST } else { HostConfigCgroupnsModeEnum::PRIVATE });
    host.cgroup_parent = options.cgroup_parent.clone();
    let tuning = |key: &str| options.tuning.get(key).copied();
    host.cpu_shares = tuning("cpu_shares");
    host.cpu_quota = tuning("cpu_quota");
    host.cpu_period = tuning("cpu_period");
    host.memory_reservation = tuning("mem_reservation");
    host.memory_swap = tuning("memswap_limit");
    host.memory_swappiness = tuning("mem_swappiness");
    host.oom_score_adj = tuning("oom_score_adj");
    host.cpuset_cpus = options.cpuset.clone();
    host.oom_kill_disable = options.oom_kill_disable.then_some(true);
    host.runtime = options.runtime.clone();
    host.annotations = map(&options.annotations);
    host.storage_opt = map(&options.storage_opt);
    host.volumes_from = list(&options.volumes_from);
    host.device_cgroup_rules = list(&options.device_cgroup_rules);
    // The API takes the MAC address per network, so it goes to the first.
    if let Some(mac) = &options.mac_address {
        let endpoints = body.networking_config.as_mut().and_then(|config| config.endpoints_config.as_mut());
        if let Some(endpoint) = endpoints.and_then(|endpoints| endpoints.values_mut().next()) {
            endpoint.mac_address = Some(mac.clone());
        }
    }
    if let Some(mode) = &options.network_mode {
        host.network_mode = Some(mode.clone());
    }

    if confinement.read_only_rootfs {
        host.readonly_rootfs = Some(true);
    }
    if confinement.drop_all_capabilities {
        host.cap_drop.get_or_insert_with(Vec::new).push("ALL".to_string());
    }
    if confinement.no_new_privileges {
        host.security_opt.get_or_insert_with(Vec::new).push("no-new-privileges".to_string());
    }
    if confinement.no_network {
        host.network_mode = Some("none".to_string());
        body.networking_config = None;
    }
    if confinement.privileged {
        host.privileged = Some(true);
    }
    host.memory = confinement.memory.as_deref().and_then(parse_bytes);
    host.nano_cpus = confinement.cpus.as_deref().and_then(|cpus| cpus.parse::<f64>().ok()).map(|cpus| (cpus * 1e9).round() as i64);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Ulimit;

    #[test]
    fn empty_settings_leave_the_body_as_it_was() {
        let mut body = ContainerCreateBody { host_config: Some(HostConfig { network_mode: Some("demo_default".into()), ..HostConfig::default() }), ..ContainerCreateBody::default() };
        let before = body.clone();
        apply(&mut body, &RunOptions::default(), &Confinement::default());
        assert_eq!(body, before);
    }

    #[test]
    fn settings_fill_the_create_request() {
        let options = RunOptions {
            hostname: Some("web1".into()),
            expose: vec!["9000".into(), "53/udp".into()],
            extra_hosts: vec![("db.local".into(), "10.0.0.2".into())],
            ulimits: [("nofile".to_string(), Ulimit { soft: 1024, hard: 2048 })].into(),
            tmpfs: vec!["/run:size=64k".into(), "/cache".into()],
            network_mode: Some("host".into()),
            ..RunOptions::default()
        };
        let confinement = Confinement { privileged: true, memory: Some("512m".into()), cpus: Some("0.5".into()), ..Confinement::default() };
        let mut body = ContainerCreateBody { networking_config: Some(Default::default()), ..ContainerCreateBody::default() };
        apply(&mut body, &options, &confinement);
        let host = body.host_config.as_ref().unwrap();
        assert_eq!(body.hostname.as_deref(), Some("web1"));
        assert_eq!(body.exposed_ports, Some(vec!["9000/tcp".to_string(), "53/udp".to_string()]));
        assert_eq!(body.networking_config, None);
        assert_eq!(host.network_mode.as_deref(), Some("host"));
        assert_eq!(host.extra_hosts, Some(vec!["db.local:10.0.0.2".to_string()]));
        assert_eq!(host.ulimits.as_ref().unwrap()[0].hard, Some(2048));
        assert_eq!(host.tmpfs.as_ref().unwrap().get("/run").map(String::as_str), Some("size=64k"));
        assert_eq!(host.tmpfs.as_ref().unwrap().get("/cache").map(String::as_str), Some(""));
        assert_eq!(host.privileged, Some(true));
        assert_eq!(host.memory, Some(512 * 1024 * 1024));
        assert_eq!(host.nano_cpus, Some(500_000_000));
    }
}
