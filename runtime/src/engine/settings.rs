//! The service keys that the loader keeps as written and the engine passes
//! on to the runtime: run options, confinement, and the files of `secrets`
//! and `configs`, mounted read-only.

use std::collections::BTreeMap;

use perry_stack_schema::compose::parse::parse_duration;
use perry_stack_schema::compose::short_forms::parse_bytes;
use perry_stack_schema::yaml::{Node, Value};
use perry_stack_schema::{Project, Service};

use super::EngineError;
use crate::backend::{Confinement, Device, Logging, MountSpec, MountType, RunOptions, Ulimit};

/// The container settings that a service's kept keys give.
#[derive(Debug, Default)]
pub(crate) struct Settings {
    pub options: RunOptions,
    pub confinement: Confinement,
    /// The files of `secrets` and `configs`, each with what it is for
    /// messages (`secret token`).
    pub mounts: Vec<(MountSpec, String)>,
}

/// Reads the settings of `service`. `container_of` names the first
/// container of another service, for `network_mode: service:NAME`.
/// Settings that cannot be honoured in part are named in `warnings`.
pub(crate) fn read(
    project: &Project,
    service_name: &str,
    service: &Service,
    container_of: &dyn Fn(&str) -> String,
    warnings: &mut Vec<String>,
) -> Result<Settings, EngineError> {
    // A key set to null is unset, as in docker compose.
    let set: BTreeMap<String, Node> = service.unsupported.iter().filter(|(_, node)| node.value != Value::Null).map(|(key, node)| (key.clone(), node.clone())).collect();
    let keys = &set;
    let text = |key: &str| keys.get(key).and_then(Node::scalar_text).filter(|text| !text.is_empty());
    let flag = |key: &str| keys.get(key).is_some_and(|node| matches!(node.value, Value::Bool(true)));
    let list = |key: &str| keys.get(key).map(strings).unwrap_or_default();
    let invalid = |key: &str, value: &str, expected: &str| EngineError::InvalidSetting {
        service: service_name.to_string(),
        key: key.to_string(),
        value: value.to_string(),
        expected: expected.to_string(),
    };

    let mut options = RunOptions {
        hostname: text("hostname"),
        init: flag("init"),
        tty: flag("tty"),
        stdin_open: flag("stdin_open"),
        stop_signal: text("stop_signal"),
        // Runtimes take whole seconds, so a part of a second counts as one.
        stop_timeout: text("stop_grace_period").and_then(|text| parse_duration(&text)).map(|grace| grace.as_secs() + u64::from(grace.subsec_nanos() > 0)),
        expose: list("expose"),
        cap_add: list("cap_add"),
        cap_drop: list("cap_drop"),
        security_opt: list("security_opt"),
        dns: list("dns"),
        dns_search: list("dns_search"),
        dns_opt: list("dns_opt"),
        sysctls: keys.get("sysctls").map(string_map).unwrap_or_default(),
        tmpfs: list("tmpfs"),
        group_add: list("group_add"),
        platform: text("platform"),
        pids_limit: keys.get("pids_limit").and_then(|node| match node.value {
            Value::Int(limit) => Some(limit),
            _ => None,
        }),
        ..RunOptions::default()
    };

    // The loader wrote these as `host=address`, one per address.
    for entry in list("extra_hosts") {
        let (host, address) = entry.split_once('=').ok_or_else(|| invalid("extra_hosts", &entry, "HOST=ADDRESS or HOST:ADDRESS"))?;
        options.extra_hosts.push((host.to_string(), address.to_string()));
    }
    if let Some(Value::Mapping(entries)) = keys.get("ulimits").map(|node| &node.value) {
        for (name, limit) in entries {
            let bound = |key: &str| match limit.get(key).map(|node| &node.value) {
                Some(Value::Int(value)) => Some(*value),
                _ => None,
            };
            let name = name.scalar_text().unwrap_or_default();
            let (Some(soft), Some(hard)) = (bound("soft"), bound("hard")) else {
                return Err(invalid(&format!("ulimits.{name}"), &limit.scalar_text().unwrap_or_default(), "a number or {soft, hard}"));
            };
            options.ulimits.insert(name, Ulimit { soft, hard });
        }
    }
    if let Some(node) = keys.get("shm_size") {
        options.shm_size = Some(size(node).ok_or_else(|| invalid("shm_size", &node.scalar_text().unwrap_or_default(), "a size such as 64m"))?);
    }
    if let Some(Value::Sequence(devices)) = keys.get("devices").map(|node| &node.value) {
        for device in devices {
            let part = |key: &str| device.get(key).and_then(Node::scalar_text);
            let source = part("source").unwrap_or_default();
            let target = part("target").unwrap_or_else(|| source.clone());
            options.devices.push(Device { source, target, permissions: part("permissions").unwrap_or_else(|| "rwm".to_string()) });
        }
    }
    if let Some(logging) = keys.get("logging") {
        options.logging = Some(Logging {
            driver: logging.get("driver").and_then(Node::scalar_text),
            options: logging.get("options").map(string_map).unwrap_or_default(),
        });
    }
    if let Some(policy) = text("pull_policy") {
        options.pull = pull_policy(&policy).ok_or_else(|| invalid("pull_policy", &policy, "always, never, missing, if_not_present, build, refresh, daily, weekly or every_<duration>"))?;
    }
    // `service:NAME` joins the namespace of NAME's first container.
    let shared = |mode: String| match mode.split_once(':') {
        Some(("service", other)) => format!("container:{}", container_of(other)),
        _ => mode,
    };
    options.network_mode = text("network_mode").map(shared);
    for (key, _) in RunOptions::NAMESPACE_FLAGS {
        if let Some(mode) = text(key) {
            options.namespaces.insert(key.to_string(), shared(mode));
        }
    }
    for (key, _) in RunOptions::TUNING_FLAGS {
        let Some(node) = keys.get(key) else { continue };
        let value = match node.value {
            Value::Int(value) => Some(value),
            _ => node.scalar_text().and_then(|text| text.trim().parse().ok()),
        };
        options.tuning.insert(key.to_string(), value.ok_or_else(|| invalid(key, &node.scalar_text().unwrap_or_default(), "a whole number"))?);
    }
    options.cgroup_parent = text("cgroup_parent");
    options.cpuset = text("cpuset");
    options.oom_kill_disable = flag("oom_kill_disable");
    options.runtime = text("runtime");
    options.mac_address = text("mac_address");
    options.annotations = keys.get("annotations").map(string_map).unwrap_or_default();
    options.storage_opt = keys.get("storage_opt").map(string_map).unwrap_or_default();
    options.device_cgroup_rules = list("device_cgroup_rules");
    // `NAME` and `service:NAME` name a service, `container:NAME` a container.
    for entry in list("volumes_from") {
        let (source, mode) = match entry.rsplit_once(':') {
            Some((source, mode @ ("ro" | "rw"))) => (source.to_string(), Some(mode)),
            _ => (entry.clone(), None),
        };
        let container = match source.split_once(':') {
            Some(("container", name)) => name.to_string(),
            Some(("service", name)) => container_of(name),
            _ => container_of(&source),
        };
        options.volumes_from.push(mode.map_or(container.clone(), |mode| format!("{container}:{mode}")));
    }

    let mut confinement = Confinement { privileged: flag("privileged"), read_only_rootfs: flag("read_only"), ..Confinement::default() };
    let resources = keys.get("deploy").and_then(|deploy| deploy.get("resources"));
    let limits = resources.and_then(|resources| resources.get("limits"));
    let limit = |key: &str| limits.and_then(|limits| limits.get(key)).filter(|node| node.value != Value::Null);
    let memory = keys.get("mem_limit").map(|node| ("mem_limit", node)).or_else(|| Some(("deploy.resources.limits.memory", limit("memory")?)));
    if let Some((key, node)) = memory {
        let bytes = size(node).ok_or_else(|| invalid(key, &node.scalar_text().unwrap_or_default(), "a size such as 512m"))?;
        confinement.memory = Some(bytes.to_string());
    }
    confinement.cpus = keys.get("cpus").or_else(|| limit("cpus")).and_then(Node::scalar_text);
    if options.pids_limit.is_none() {
        options.pids_limit = limit("pids").and_then(|node| node.scalar_text()?.parse().ok());
    }
    let reservations = resources.and_then(|resources| resources.get("reservations"));
    if let Some(node) = reservations.and_then(|reservations| reservations.get("memory")).filter(|_| !options.tuning.contains_key("mem_reservation")) {
        let bytes = size(node).ok_or_else(|| invalid("deploy.resources.reservations.memory", &node.scalar_text().unwrap_or_default(), "a size such as 256m"))?;
        options.tuning.insert("mem_reservation".to_string(), bytes);
    }

    let mut mounts = Vec::new();
    for (kind, folder) in [("secrets", "/run/secrets/"), ("configs", "/")] {
        mounts.extend(files(project, service_name, service, kind, folder, warnings));
    }
    Ok(Settings { options, confinement, mounts })
}

/// Maps compose's pull policies to the runtime's `--pull` values. `build`
/// and the default leave pulling to the runtime, which pulls a missing
/// image; the timed policies (`daily`, `every_12h`) pull like `missing`.
fn pull_policy(policy: &str) -> Option<Option<String>> {
    match policy {
        "always" | "never" | "missing" => Some(Some(policy.to_string())),
        "if_not_present" => Some(Some("missing".to_string())),
        "refresh" => Some(Some("always".to_string())),
        "build" => Some(None),
        "daily" | "weekly" => Some(Some("missing".to_string())),
        _ if policy.starts_with("every_") => Some(Some("missing".to_string())),
        _ => None,
    }
}

/// Mounts the file of each secret or config that the service uses at its
/// `target`: an absolute path as written, a relative one below `folder`.
/// The loader made the file's path absolute, unless it starts with `~`,
/// which the plan expands as it does for bind mounts.
fn files(project: &Project, service_name: &str, service: &Service, kind: &str, folder: &str, warnings: &mut Vec<String>) -> Vec<(MountSpec, String)> {
    let mut mounts = Vec::new();
    let Some(Value::Sequence(uses)) = service.unsupported.get(kind).map(|node| &node.value) else { return mounts };
    let singular = kind.trim_end_matches('s');
    for used in uses {
        let Some(source) = used.get("source").and_then(Node::scalar_text) else { continue };
        let definition = project.unsupported.get(kind).and_then(|definitions| definitions.get(&source));
        let Some(file) = definition.and_then(|definition| definition.get("file")).and_then(Node::scalar_text) else {
            // The loader reported an undeclared name already, and warned
            // about definitions that are not files.
            warnings.push(format!("service {service_name}: {singular} {source} is not a file, so it is not mounted"));
            continue;
        };
        let target = used.get("target").and_then(Node::scalar_text).unwrap_or_else(|| source.clone());
        let target = if target.starts_with('/') { target } else { format!("{folder}{target}") };
        let ignored: Vec<&str> = ["uid", "gid", "mode"].into_iter().filter(|key| used.get(key).is_some()).collect();
        if !ignored.is_empty() {
            let verb = if ignored.len() == 1 { "is" } else { "are" };
            warnings.push(format!("service {service_name}: {singular} {source} is mounted from its file, so its {} {verb} ignored", ignored.join(", ")));
        }
        let mount = MountSpec { kind: MountType::Bind, source: Some(file), target, read_only: true, create_host_path: false };
        mounts.push((mount, format!("{singular} {source}")));
    }
    mounts
}

/// Returns a size in bytes. The loader turned `512m` into a number for
/// `mem_limit` and `shm_size`, but `deploy.resources.limits.memory` is text.
fn size(node: &Node) -> Option<i64> {
    match &node.value {
        Value::Int(bytes) => Some(*bytes),
        _ => parse_bytes(&node.scalar_text()?),
    }
}

fn strings(node: &Node) -> Vec<String> {
    match &node.value {
        Value::Sequence(items) => items.iter().filter_map(Node::scalar_text).collect(),
        _ => node.scalar_text().into_iter().collect(),
    }
}

fn string_map(node: &Node) -> BTreeMap<String, String> {
    let Value::Mapping(entries) = &node.value else { return BTreeMap::new() };
    entries.iter().filter_map(|(name, value)| Some((name.scalar_text()?, value.scalar_text().unwrap_or_default()))).collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use std::time::Duration;

    use super::super::plan::{plan, stop_timeout, Plan};
    use super::*;

    fn planned(source: &str) -> Result<Plan, EngineError> {
        planned_in(source, Path::new("/srv/app"))
    }

    /// Plans `source` as the compose file of `folder`, which is also HOME.
    fn planned_in(source: &str, folder: &Path) -> Result<Plan, EngineError> {
        let (project, _) = perry_stack_schema::load(source, &folder.join("compose.yaml"), &|_: &str| None::<String>).expect("the file loads");
        let home = folder.display().to_string();
        plan(&project, "demo", &|name| (name == "HOME").then(|| home.clone()))
    }

    #[test]
    fn loader_keeps_quiet_about_every_run_option() {
        let engine_keys = perry_stack_schema::compose::parse::ENGINE_KEYS;
        let missing: Vec<&str> = RunOptions::KEYS.iter().copied().filter(|key| !engine_keys.contains(key)).collect();
        assert_eq!(missing, Vec::<&str>::new(), "the loader would warn that these are not supported");
    }

    #[test]
    fn namespaces_tuning_and_volumes_from() {
        let plan = planned(
            "services:\n  db:\n    image: a\n  web:\n    image: a\n    ipc: service:db\n    pid: host\n    cpu_shares: 512\n    memswap_limit: 1g\n    oom_kill_disable: true\n    annotations: [a=b]\n    volumes_from: [db, 'container:other:ro']\n",
        )
        .unwrap();
        let options = &plan.services["web"].spec.options;
        assert_eq!(options.namespaces["ipc"], "container:demo-db-1");
        assert_eq!(options.namespaces["pid"], "host");
        assert_eq!(options.tuning["cpu_shares"], 512);
        assert_eq!(options.tuning["memswap_limit"], 1 << 30);
        assert!(options.oom_kill_disable);
        assert_eq!(options.annotations["a"], "b");
        assert_eq!(options.volumes_from, ["demo-db-1", "other:ro"]);
        assert!(plan.services["web"].depends_on.contains_key("db"), "volumes_from implies the dependency");
        let mut args = Vec::new();
        crate::backend::options::push_args(&mut args, options);
        for pair in [["--ipc", "container:demo-db-1"], ["--cpu-shares", "512"], ["--volumes-from", "other:ro"], ["--annotation", "a=b"]] {
            assert!(args.windows(2).any(|window| window == pair), "{pair:?} in {args:?}");
        }
        assert!(args.contains(&"--oom-kill-disable".to_string()));
    }

    #[test]
    fn deploy_keys_fill_in_for_service_keys() {
        let plan = planned(
            "services:\n  web:\n    image: a\n    deploy:\n      resources: {limits: {pids: 100}, reservations: {memory: 256M}}\n      restart_policy: {condition: on-failure, max_attempts: 3}\n  api:\n    image: a\n    restart: unless-stopped\n    deploy: {restart_policy: {condition: none}}\n",
        )
        .unwrap();
        let web = &plan.services["web"].spec;
        assert_eq!(web.options.pids_limit, Some(100));
        assert_eq!(web.options.tuning["mem_reservation"], 256 << 20);
        assert_eq!(web.restart.as_deref(), Some("on-failure:3"));
        assert_eq!(plan.services["api"].spec.restart.as_deref(), Some("unless-stopped"), "restart wins over deploy.restart_policy");
    }

    #[test]
    fn keys_become_options_and_confinement() {
        let plan = planned(
            "services:\n  web:\n    image: a\n    hostname: web1\n    tty: true\n    expose: [80, '53/udp']\n    extra_hosts: {db: 10.0.0.2}\n    ulimits: {nofile: 1024}\n    shm_size: 1g\n    pull_policy: if_not_present\n    read_only: true\n    deploy: {resources: {limits: {memory: 512M, cpus: '0.5'}}}\n",
        )
        .unwrap();
        let spec = &plan.services["web"].spec;
        assert_eq!(spec.options.hostname.as_deref(), Some("web1"));
        assert!(spec.options.tty);
        assert_eq!(spec.options.expose, ["80", "53/udp"]);
        assert_eq!(spec.options.extra_hosts, [("db".to_string(), "10.0.0.2".to_string())]);
        assert_eq!(spec.options.ulimits["nofile"], Ulimit { soft: 1024, hard: 1024 });
        assert_eq!(spec.options.shm_size, Some(1 << 30));
        assert_eq!(spec.options.pull.as_deref(), Some("missing"));
        assert!(spec.confinement.read_only_rootfs);
        assert_eq!(spec.confinement.memory.as_deref(), Some("536870912"));
        assert_eq!(spec.confinement.cpus.as_deref(), Some("0.5"));
    }

    #[test]
    fn network_mode_names_first_container() {
        let plan = planned("services:\n  vpn:\n    image: a\n  app:\n    image: a\n    network_mode: service:vpn\n  host:\n    image: a\n    network_mode: host\n").unwrap();
        let app = &plan.services["app"];
        assert_eq!(app.spec.options.network_mode.as_deref(), Some("container:demo-vpn-1"));
        assert!(app.spec.networks.is_empty());
        assert!(app.depends_on.contains_key("vpn"), "the loader implies the dependency");
        assert_eq!(plan.services["host"].spec.options.network_mode.as_deref(), Some("host"));
        assert!(plan.services["host"].spec.networks.is_empty());
    }

    #[test]
    fn shared_network_takes_the_other_hash() {
        let hashes = |vpn_image: &str| {
            let plan = planned(&format!("services:\n  vpn:\n    image: {vpn_image}\n  app:\n    image: a\n    network_mode: service:vpn\n  other:\n    image: a\n")).unwrap();
            let hash = |service: &str| plan.services[service].spec.labels[crate::engine::plan::CONFIG_HASH_LABEL].clone();
            (hash("app"), hash("other"))
        };
        let (app, other) = hashes("a");
        let (app_changed, other_unchanged) = hashes("b");
        assert_ne!(app, app_changed, "a new vpn container recreates app");
        assert_eq!(other, other_unchanged);
    }

    #[test]
    fn subnets_and_fixed_addresses_are_planned() {
        let plan = planned(
            "services:\n  web:\n    image: a\n    networks:\n      front: {ipv4_address: 10.5.0.5, ipv6_address: 'fd00::5'}\nnetworks:\n  front:\n    enable_ipv6: true\n    ipam:\n      config: [{subnet: 10.5.0.0/16, gateway: 10.5.0.1, ip_range: 10.5.1.0/24}, {subnet: 'fd00::/64'}]\n",
        )
        .unwrap();
        let attachment = &plan.services["web"].spec.networks[0];
        assert_eq!(attachment.ipv4_address.as_deref(), Some("10.5.0.5"));
        assert_eq!(attachment.ipv6_address.as_deref(), Some("fd00::5"));
        let network = &plan.networks[0];
        assert!(network.enable_ipv6);
        assert_eq!(network.subnets.len(), 2);
        assert_eq!((network.subnets[0].gateway.as_deref(), network.subnets[0].ip_range.as_deref()), (Some("10.5.0.1"), Some("10.5.1.0/24")));
        assert_eq!((network.subnets[1].subnet.as_str(), network.subnets[1].gateway.as_deref()), ("fd00::/64", None));
    }

    #[test]
    fn link_alias_goes_to_the_linked_service() {
        let plan = planned("services:\n  db:\n    image: a\n  web:\n    image: a\n    links: [db:database, db]\n").unwrap();
        let aliases = &plan.services["db"].spec.networks[0].aliases;
        assert_eq!(aliases, &["db", "database"]);
        assert!(plan.services["web"].depends_on.contains_key("db"), "a link implies the dependency");
    }

    #[test]
    fn secret_and_config_files_are_mounted_read_only() {
        let folder = std::env::temp_dir().join(format!("perry-stack-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        for file in ["token.txt", "key", "site.conf"] {
            std::fs::write(folder.join(file), "x").unwrap();
        }
        let source = format!(
            "services:\n  web:\n    image: a\n    secrets: [token, {{source: key, target: api.key, mode: 0400}}]\n    configs: [site]\nsecrets:\n  token: {{file: ./token.txt}}\n  key: {{file: ~/key}}\nconfigs:\n  site: {{file: {}/site.conf}}\n",
            folder.display()
        );
        let plan = planned_in(&source, &folder);
        std::fs::remove_file(folder.join("token.txt")).unwrap();
        let missing = planned_in(&source, &folder);
        std::fs::remove_dir_all(&folder).unwrap();

        let plan = plan.unwrap();
        let mounts: Vec<(String, &str, bool)> = plan.services["web"]
            .spec
            .mounts
            .iter()
            .map(|mount| (mount.source.clone().unwrap().replace(&folder.display().to_string(), "F"), mount.target.as_str(), mount.read_only))
            .collect();
        assert_eq!(
            mounts,
            [("F/token.txt".to_string(), "/run/secrets/token", true), ("F/key".to_string(), "/run/secrets/api.key", true), ("F/site.conf".to_string(), "/site", true)]
        );
        assert_eq!(plan.warnings, ["service web: secret key is mounted from its file, so its mode is ignored"]);
        let error = missing.unwrap_err().to_string();
        assert_eq!(error, format!("service web: the file {}/token.txt of secret token does not exist", folder.display()));
    }

    #[test]
    fn secret_from_the_environment_warns() {
        let plan = planned("services:\n  web:\n    image: a\n    secrets: [token]\nsecrets:\n  token: {environment: TOKEN}\n").unwrap();
        assert!(plan.services["web"].spec.mounts.is_empty());
        assert_eq!(plan.warnings, ["service web: secret token is not a file, so it is not mounted"]);
    }

    #[test]
    fn stop_grace_period_sets_the_stop_timeout() {
        let plan = planned("services:\n  db:\n    image: a\n    stop_grace_period: 1m30s\n  web:\n    image: a\n    stop_grace_period: 500ms\n  app:\n    image: a\n").unwrap();
        let labels = |service: &str| plan.services[service].spec.labels.clone();
        assert_eq!(plan.services["db"].spec.options.stop_timeout, Some(90));
        assert_eq!(plan.services["web"].spec.options.stop_timeout, Some(1), "a part of a second counts as one");
        assert_eq!(stop_timeout(None, &labels("db")), Duration::from_secs(90));
        assert_eq!(stop_timeout(Some(Duration::ZERO), &labels("db")), Duration::ZERO, "the caller's timeout wins");
        assert_eq!(stop_timeout(None, &labels("app")), Duration::from_secs(10));
    }

    #[test]
    fn null_leaves_a_setting_unset() {
        let plan = planned("services:\n  web:\n    image: a\n    hostname: null\n    init: null\n    mem_limit: null\n").unwrap();
        assert!(plan.services["web"].spec.options.is_empty(), "{:?}", plan.services["web"].spec.options);
        assert_eq!(plan.services["web"].spec.confinement.memory, None);
    }

    #[test]
    fn unknown_pull_policy_is_an_error() {
        // The loader rejects this value; a project built in code reaches the plan.
        let (mut project, _) = perry_stack_schema::load("services:\n  web:\n    image: a\n", Path::new("/srv/app/compose.yaml"), &|_: &str| None::<String>).unwrap();
        let policy = Node::new(Value::String("sometimes".into()), Default::default());
        project.services.get_mut("web").unwrap().unsupported.insert("pull_policy".into(), policy);
        let error = plan(&project, "demo", &|_| None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "service web has an invalid pull_policy of \"sometimes\": use always, never, missing, if_not_present, build, refresh, daily, weekly or every_<duration>"
        );
    }

    #[test]
    fn settings_change_the_config_hash() {
        let hash = |source: &str| planned(source).unwrap().services["web"].spec.labels[crate::engine::plan::CONFIG_HASH_LABEL].clone();
        let plain = hash("services:\n  web:\n    image: a\n");
        assert_ne!(plain, hash("services:\n  web:\n    image: a\n    hostname: web1\n"));
        assert_ne!(plain, hash("services:\n  web:\n    image: a\n    privileged: true\n"));
        assert_eq!(plain, hash("services:\n  web:\n    image: a\n    tty: false\n"), "a setting at its default leaves the hash");
        assert_eq!(plain, hash("services:\n  web:\n    image: a\n    pull_policy: always\n"), "the pull policy is no part of the hash");
    }
}
