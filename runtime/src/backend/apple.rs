//! The grammar of Apple's `container` command, which runs each container in
//! its own lightweight VM on macOS.
//!
//! It differs from podman and docker in its verbs (`list`, `delete`), in
//! printing JSON records of its own shape, and in having no label filters, so
//! listings are filtered here.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::{push_exec_flags, push_pairs, strings, CliBackend};
use crate::backend::{
    BackendError, ContainerInfo, ContainerSpec, ContainerState, ContainerStatus, ExecOutput, ExecSettings, LabelFilter, Logs, MountType, NetworkSpec,
    PublishedPort, ResourceInfo, RunOptions, VolumeSpec,
};

/// Builds `container create` arguments; `run` swaps the verb for `run --detach`.
pub(super) fn create_args(spec: &ContainerSpec) -> Vec<String> {
    let mut args = strings(["create", "--name"]);
    args.push(spec.name.clone());
    push_pairs(&mut args, "--label", &spec.labels);
    push_pairs(&mut args, "--env", &spec.env);
    for port in &spec.ports {
        // `container` takes `[host-ip:]host-port:container-port[/protocol]`
        // with a host port, so an unpublished port keeps its own number.
        let published = port.published.clone().unwrap_or_else(|| port.target.to_string());
        let mut text = String::new();
        if let Some(ip) = &port.host_ip {
            text.push_str(ip);
            text.push(':');
        }
        text.push_str(&format!("{published}:{}/{}", port.target, port.protocol));
        args.push("--publish".to_string());
        args.push(text);
    }
    for mount in &spec.mounts {
        match mount.kind {
            MountType::Tmpfs => {
                args.push("--tmpfs".to_string());
                args.push(mount.target.clone());
            }
            MountType::Volume | MountType::Bind => {
                let kind = if mount.kind == MountType::Bind { "bind" } else { "volume" };
                let mut text = format!("type={kind}");
                if let Some(source) = &mount.source {
                    text.push_str(&format!(",source={source}"));
                }
                text.push_str(&format!(",target={}", mount.target));
                if mount.read_only {
                    text.push_str(",readonly");
                }
                args.push("--mount".to_string());
                args.push(text);
            }
        }
    }
    for attachment in &spec.networks {
        args.push("--network".to_string());
        args.push(attachment.network.clone());
    }
    if let Some(dir) = &spec.working_dir {
        args.push("--workdir".to_string());
        args.push(dir.clone());
    }
    if let Some(user) = &spec.user {
        args.push("--user".to_string());
        args.push(user.clone());
    }
    push_settings(&mut args, &spec.options);
    // NOTE: `container run` documents no restart policy flag, so `restart`
    // is not applied on this backend.
    // The VM of each container is sized by these two; the other confinement
    // options are not flags of `container`, and `enforces` says so.
    if let Some(memory) = &spec.confinement.memory {
        args.push("--memory".to_string());
        args.push(memory.clone());
    }
    if let Some(cpus) = &spec.confinement.cpus {
        args.push("--cpus".to_string());
        args.push(cpus.clone());
    }
    let mut command = Vec::new();
    if let Some(entrypoint) = &spec.entrypoint {
        let mut words = entrypoint.iter();
        args.push("--entrypoint".to_string());
        args.push(words.next().cloned().unwrap_or_default());
        command.extend(words.cloned());
    }
    args.push(spec.image.clone());
    command.extend(spec.command.iter().flatten().cloned());
    args.extend(command);
    args
}

/// The run options that `container run` has flags for, and
/// `stop_grace_period`, which the engine gives to `container stop`; the
/// backend's capabilities name the others.
pub(super) const SETTINGS: [&str; 7] = ["tty", "stdin_open", "dns", "dns_search", "dns_opt", "ulimits", "stop_grace_period"];

fn push_settings(args: &mut Vec<String>, options: &RunOptions) {
    for (flag, set) in [("--tty", options.tty), ("--interactive", options.stdin_open)] {
        if set {
            args.push(flag.to_string());
        }
    }
    let lists = [("--dns", &options.dns), ("--dns-search", &options.dns_search), ("--dns-option", &options.dns_opt)];
    for (flag, values) in lists {
        for value in values {
            args.push(flag.to_string());
            args.push(value.clone());
        }
    }
    for (name, limit) in &options.ulimits {
        args.push("--ulimit".to_string());
        args.push(format!("{name}={}:{}", limit.soft, limit.hard));
    }
}

fn matches(labels: &BTreeMap<String, String>, filter: &LabelFilter) -> bool {
    filter.iter().all(|(key, value)| labels.get(key) == Some(value))
}

impl CliBackend {
    pub(super) async fn apple_create_network(&self, spec: &NetworkSpec) -> Result<(), BackendError> {
        let mut args = strings(["network", "create"]);
        push_pairs(&mut args, "--label", &spec.labels);
        args.push(spec.name.clone());
        self.run_ok(&args, None).await.map(drop)
    }

    pub(super) async fn apple_list_networks(&self, filter: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError> {
        let args = strings(["network", "list", "--format", "json"]);
        let stdout = self.run_ok(&args, None).await?;
        let records: Vec<AppleNetwork> = self.parse(&args, &stdout)?;
        Ok(records
            .into_iter()
            .map(|record| {
                let config = record.config.unwrap_or_default();
                ResourceInfo { name: record.id, labels: config.labels.unwrap_or_default() }
            })
            .filter(|info| matches(&info.labels, filter))
            .collect())
    }

    pub(super) async fn apple_create_volume(&self, spec: &VolumeSpec) -> Result<(), BackendError> {
        let mut args = strings(["volume", "create"]);
        push_pairs(&mut args, "--label", &spec.labels);
        push_pairs(&mut args, "--opt", &spec.options);
        args.push(spec.name.clone());
        self.run_ok(&args, None).await.map(drop)
    }

    pub(super) async fn apple_list_volumes(&self, filter: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError> {
        let args = strings(["volume", "list", "--format", "json"]);
        let stdout = self.run_ok(&args, None).await?;
        let records: Vec<AppleVolume> = self.parse(&args, &stdout)?;
        Ok(records
            .into_iter()
            .map(|record| ResourceInfo { name: record.name, labels: record.labels.unwrap_or_default() })
            .filter(|info| matches(&info.labels, filter))
            .collect())
    }

    pub(super) async fn apple_create(&self, spec: &ContainerSpec, run: bool) -> Result<String, BackendError> {
        let mut args = create_args(spec);
        if run {
            args.splice(0..1, strings(["run", "--detach"]));
        }
        let stdout = self.run_ok(&args, None).await?;
        // `--name` is the container's id; the command prints it too.
        let printed = stdout.lines().last().unwrap_or_default().trim();
        Ok(if printed.is_empty() { spec.name.clone() } else { printed.to_string() })
    }

    pub(super) async fn apple_stop(&self, id: &str, timeout: Duration) -> Result<(), BackendError> {
        let seconds = timeout.as_secs().to_string();
        let args = strings(["stop", "--time", &seconds, id]);
        self.run_ok_within(&args, Some(("container", id)), self.timeout + timeout).await.map(drop)
    }

    pub(super) async fn apple_remove(&self, id: &str, force: bool) -> Result<(), BackendError> {
        let mut args = strings(["delete"]);
        if force {
            args.push("--force".to_string());
        }
        args.push(id.to_string());
        self.run_ok(&args, Some(("container", id))).await.map(drop)
    }

    pub(super) async fn apple_inspect(&self, id: &str) -> Result<ContainerInfo, BackendError> {
        let args = strings(["inspect", id]);
        let stdout = self.run_ok(&args, Some(("container", id))).await?;
        let records: Vec<AppleSnapshot> = self.parse(&args, &stdout)?;
        match records.into_iter().next() {
            Some(record) => Ok(record.into_info()),
            // An empty list names no container, so the id is unknown.
            None => Err(BackendError::NotFound {
                kind: "container",
                name: id.to_string(),
                command: self.command_line(&args),
                stderr: String::new(),
            }),
        }
    }

    pub(super) async fn apple_list(&self, filter: &LabelFilter) -> Result<Vec<ContainerInfo>, BackendError> {
        let args = strings(["list", "--all", "--format", "json"]);
        let stdout = self.run_ok(&args, None).await?;
        let records: Vec<AppleSnapshot> = self.parse(&args, &stdout)?;
        Ok(records.into_iter().map(AppleSnapshot::into_info).filter(|info| matches(&info.labels, filter)).collect())
    }

    pub(super) async fn apple_logs(&self, id: &str, tail: Option<usize>) -> Result<Logs, BackendError> {
        let mut args = strings(["logs"]);
        if let Some(tail) = tail {
            args.push("-n".to_string());
            args.push(tail.to_string());
        }
        args.push(id.to_string());
        let stdout = self.run_ok(&args, Some(("container", id))).await?;
        Ok(Logs { stdout, stderr: String::new() })
    }

    pub(super) async fn apple_exec(&self, id: &str, argv: &[String], settings: &ExecSettings) -> Result<ExecOutput, BackendError> {
        let mut args = strings(["exec"]);
        push_exec_flags(&mut args, settings, settings.stdin.is_some());
        args.push(id.to_string());
        args.extend(argv.iter().cloned());
        let output = self.run_with_input(&args, settings.stdin.as_deref()).await?;
        let command = self.command_line(&args);
        match output.code {
            Some(0) => Ok(ExecOutput { exit_code: 0, stdout: output.stdout, stderr: output.stderr }),
            // NOTE: taken to be the tool's own failure when stderr starts with
            // `Error:`, as its messages do; other exit codes are the command's.
            Some(_) if output.stderr.trim_start().starts_with("Error:") => {
                let lower = output.stderr.to_ascii_lowercase();
                if lower.contains("not found") {
                    return Err(BackendError::NotFound { kind: "container", name: id.to_string(), command, stderr: output.stderr });
                }
                Err(BackendError::Failed { command, exit_code: output.code, stderr: output.stderr })
            }
            Some(code) => Ok(ExecOutput { exit_code: code.into(), stdout: output.stdout, stderr: output.stderr }),
            None => Err(BackendError::Failed { command, exit_code: None, stderr: output.stderr }),
        }
    }
}

/// An entry of `container list --format json` and `container inspect`: a
/// container's configuration, status and network attachments.
#[derive(Deserialize)]
pub(super) struct AppleSnapshot {
    configuration: AppleConfiguration,
    status: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppleConfiguration {
    id: String,
    image: Option<AppleImage>,
    labels: Option<BTreeMap<String, String>>,
    published_ports: Option<Vec<ApplePort>>,
}

#[derive(Deserialize)]
struct AppleImage {
    reference: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApplePort {
    #[serde(default)]
    host_address: String,
    host_port: u16,
    container_port: u16,
    #[serde(default)]
    proto: String,
    #[serde(default = "one")]
    count: u16,
}

fn one() -> u16 {
    1
}

impl AppleSnapshot {
    pub(super) fn into_info(self) -> ContainerInfo {
        // NOTE: the record has no exit code, and `stopped` covers both a
        // created and an exited container, so both read as exited here.
        let status = match self.status.as_str() {
            "running" => ContainerStatus::Running,
            "stopping" => ContainerStatus::Running,
            "stopped" => ContainerStatus::Exited,
            other => ContainerStatus::parse(other),
        };
        let running = status == ContainerStatus::Running;
        let config = self.configuration;
        let mut ports = Vec::new();
        for port in config.published_ports.unwrap_or_default() {
            for offset in 0..port.count.max(1) {
                ports.push(PublishedPort {
                    host_ip: port.host_address.clone(),
                    host_port: port.host_port.saturating_add(offset),
                    container_port: port.container_port.saturating_add(offset),
                    protocol: port.proto.clone(),
                });
            }
        }
        ports.sort();
        ContainerInfo {
            name: config.id.clone(),
            id: config.id,
            image: config.image.map(|image| image.reference).unwrap_or_default(),
            labels: config.labels.unwrap_or_default(),
            state: ContainerState { status, running, exit_code: None },
            ports,
        }
    }
}

/// An entry of `container network list --format json`.
#[derive(Deserialize)]
struct AppleNetwork {
    id: String,
    config: Option<AppleNetworkConfig>,
}

#[derive(Default, Deserialize)]
struct AppleNetworkConfig {
    labels: Option<BTreeMap<String, String>>,
}

/// An entry of `container volume list --format json`.
#[derive(Deserialize)]
struct AppleVolume {
    name: String,
    labels: Option<BTreeMap<String, String>>,
}
