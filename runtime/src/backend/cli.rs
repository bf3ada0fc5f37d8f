//! A backend that runs the podman or docker command line.
//!
//! Every call passes arguments as argv (never through a shell), runs with a
//! timeout, and reports the command line and the runtime's stderr on failure.
//! Both tools share most of their grammar; [`Grammar`] covers where they
//! differ (listing formats and joining several networks).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use tokio::process::Command;

use super::{
    Attach, Backend, BackendError, BuildSpec, Capabilities, Feature, Isolation, ContainerInfo, ContainerSpec, ContainerState, ContainerStatus, ExecOutput, ExecSettings,
    LabelFilter, LogLine, LogStream, Logs, MountType, NetworkAttachment, NetworkSpec, PublishedPort, ResourceInfo, VolumeSpec,
};

#[path = "apple.rs"]
mod apple;

/// Which command grammar the program speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grammar {
    Podman,
    Docker,
    /// Apple's `container` command on macOS.
    AppleContainer,
}

/// A backend that runs `podman` or `docker` as a child process per call.
#[derive(Clone, Debug)]
pub struct CliBackend {
    program: PathBuf,
    /// Words before every command, such as `shell default nerdctl` for lima.
    prefix: Vec<String>,
    /// Variables set for every command, such as `DOCKER_HOST`.
    env: BTreeMap<String, String>,
    grammar: Grammar,
    timeout: Duration,
    name: String,
}

/// The output of a finished command.
struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl CliBackend {
    /// The timeout of one call unless [`CliBackend::with_timeout`] sets another.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

    pub fn new(program: impl Into<PathBuf>, grammar: Grammar) -> Self {
        let name = match grammar {
            Grammar::Podman => "podman",
            Grammar::Docker => "docker",
            Grammar::AppleContainer => "apple/container",
        };
        Self {
            program: program.into(),
            prefix: Vec::new(),
            env: BTreeMap::new(),
            grammar,
            timeout: Self::DEFAULT_TIMEOUT,
            name: name.to_string(),
        }
    }

    /// `nerdctl` found on `PATH`, which speaks docker's grammar.
    pub fn nerdctl() -> Self {
        Self::new("nerdctl", Grammar::Docker).with_name("nerdctl")
    }

    /// nerdctl inside the lima instance `instance`, through `limactl shell`.
    pub fn lima(instance: &str) -> Self {
        Self::new("limactl", Grammar::Docker).with_prefix(&["shell", instance, "nerdctl"]).with_name("lima")
    }

    /// Names the backend in messages, such as `colima` for docker on colima.
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Puts `words` before every command's arguments.
    pub fn with_prefix(mut self, words: &[&str]) -> Self {
        self.prefix = words.iter().map(|word| word.to_string()).collect();
        self
    }

    /// Sets an environment variable for every command, such as `DOCKER_HOST`.
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.insert(key.to_string(), value.to_string());
        self
    }

    /// `podman` found on `PATH`.
    pub fn podman() -> Self {
        Self::new("podman", Grammar::Podman)
    }

    /// `docker` found on `PATH`.
    pub fn docker() -> Self {
        Self::new("docker", Grammar::Docker)
    }

    /// Apple's `container` command found on `PATH`.
    pub fn apple_container() -> Self {
        Self::new("container", Grammar::AppleContainer)
    }

    /// Sets how long one call may run before it is killed.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn grammar(&self) -> Grammar {
        self.grammar
    }

    fn command_line(&self, args: &[String]) -> String {
        let mut line = self.program.display().to_string();
        for arg in self.prefix.iter().chain(args) {
            line.push(' ');
            if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                line.push_str(&format!("'{}'", arg.replace('\'', r"'\''")));
            } else {
                line.push_str(arg);
            }
        }
        line
    }

    /// Runs the program with `args` and returns its output whatever the exit code.
    async fn run(&self, args: &[String]) -> Result<Output, BackendError> {
        self.run_with_input(args, None).await
    }

    /// Runs the program with `args`, writes `input` to its standard input
    /// and closes it, and returns its output whatever the exit code. Without
    /// `input` the standard input is empty.
    async fn run_with_input(&self, args: &[String], input: Option<&[u8]>) -> Result<Output, BackendError> {
        self.run_within(args, input, self.timeout).await
    }

    /// Runs the program as [`Self::run_with_input`] does, killing it after
    /// `limit` instead of the usual call timeout.
    async fn run_within(&self, args: &[String], input: Option<&[u8]>, limit: Duration) -> Result<Output, BackendError> {
        let command_line = self.command_line(args);
        tracing::debug!(command = %command_line, "running container runtime");

        let mut child = Command::new(&self.program)
            .args(&self.prefix)
            .args(args)
            .envs(&self.env)
            .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| BackendError::Spawn { command: command_line.clone(), source })?;

        // The input is written while the output is read, so a command that
        // prints before it has read everything cannot block on a full pipe.
        // Dropping the pipe afterwards sends end-of-file.
        let writer = match (input, child.stdin.take()) {
            (Some(input), Some(mut stdin)) => {
                let input = input.to_vec();
                Some(tokio::spawn(async move {
                    use tokio::io::AsyncWriteExt;
                    // A command that exits without reading all of its input
                    // closes the pipe; that is its own choice, not an error.
                    let _ = stdin.write_all(&input).await;
                }))
            }
            _ => None,
        };

        let waited = tokio::time::timeout(limit, child.wait_with_output()).await;
        if let Some(writer) = writer {
            writer.abort();
        }
        let output = match waited {
            Ok(result) => result.map_err(|source| BackendError::Spawn { command: command_line.clone(), source })?,
            Err(_) => return Err(BackendError::Timeout { command: command_line, timeout: limit }),
        };
        Ok(Output {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    /// Runs the program with `args`, which follows container `id`, and sends
    /// each line it prints to `sink` until it exits. No timeout applies: it
    /// ends when the container stops, or is killed when `sink` closes.
    async fn stream_lines(&self, args: &[String], id: &str, sink: &tokio::sync::mpsc::Sender<LogLine>) -> Result<(), BackendError> {
        let command = self.command_line(args);
        tracing::debug!(%command, "following container output");
        let mut child = Command::new(&self.program)
            .args(&self.prefix)
            .args(args)
            .envs(&self.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| BackendError::Spawn { command: command.clone(), source })?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            unreachable!("both streams were piped");
        };
        let pumps = async { tokio::join!(pump(stdout, LogStream::Stdout, sink), pump(stderr, LogStream::Stderr, sink)) };
        // A quiet container sends nothing that would notice a closed sink.
        let ((out_open, _), (err_open, last_err)) = tokio::select! {
            pumped = pumps => pumped,
            () = sink.closed() => ((false, None), (false, None)),
        };
        if !(out_open && err_open) {
            // The receiver is gone, so following stops.
            let _ = child.start_kill();
            return Ok(());
        }
        let status = child.wait().await.map_err(|source| BackendError::Spawn { command: command.clone(), source })?;
        if status.success() {
            return Ok(());
        }
        // The runtime's own error, if any, is the last line on stderr (and
        // was passed on as output too).
        let stderr = last_err.unwrap_or_default();
        let lower = stderr.to_ascii_lowercase();
        if lower.contains("no such") || lower.contains("not found") {
            return Err(BackendError::NotFound { kind: "container", name: id.to_string(), command, stderr });
        }
        Err(BackendError::Failed { command, exit_code: status.code(), stderr })
    }

    /// Runs the program and fails unless it exits with 0. `target` names the
    /// object for a "not found" error.
    async fn run_ok(&self, args: &[String], target: Option<(&'static str, &str)>) -> Result<String, BackendError> {
        self.run_ok_within(args, target, self.timeout).await
    }

    /// Runs the program as [`Self::run_ok`] does, killing it after `limit`.
    async fn run_ok_within(&self, args: &[String], target: Option<(&'static str, &str)>, limit: Duration) -> Result<String, BackendError> {
        let output = self.run_within(args, None, limit).await?;
        if output.code == Some(0) {
            return Ok(output.stdout);
        }

        let command = self.command_line(args);
        let lower = output.stderr.to_ascii_lowercase();
        if let Some((kind, name)) = target
            && (lower.contains("no such") || lower.contains("not found"))
        {
            return Err(BackendError::NotFound { kind, name: name.to_string(), command, stderr: output.stderr });
        }
        Err(BackendError::Failed { command, exit_code: output.code, stderr: output.stderr })
    }

    fn parse<T: for<'de> Deserialize<'de>>(&self, args: &[String], text: &str) -> Result<T, BackendError> {
        serde_json::from_str(text)
            .map_err(|error| BackendError::Parse { command: self.command_line(args), message: error.to_string() })
    }

    /// Lists names of networks or volumes with `docker ... ls`, which prints
    /// labels only as text, so the filter stands in for them.
    async fn list_names(&self, object: &str, labels: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError> {
        let mut args = strings([object, "ls", "--format", "{{.Name}}"]);
        push_label_filters(&mut args, labels);
        let stdout = self.run_ok(&args, None).await?;
        Ok(stdout
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| ResourceInfo { name: line.trim().to_string(), labels: labels.clone() })
            .collect())
    }

    async fn inspect_many(&self, ids: &[String]) -> Result<Vec<ContainerInfo>, BackendError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = strings(["container", "inspect"]);
        args.extend(ids.iter().cloned());
        let stdout = self.run_ok(&args, Some(("container", &ids.join(" ")))).await?;
        let records: Vec<InspectRecord> = self.parse(&args, &stdout)?;
        Ok(records.into_iter().map(InspectRecord::into_info).collect())
    }
}

/// Sends each line read from `reader` to `sink` as `stream`. Returns
/// whether `sink` is still open, and the last line read.
async fn pump(reader: impl tokio::io::AsyncRead + Unpin, stream: LogStream, sink: &tokio::sync::mpsc::Sender<LogLine>) -> (bool, Option<String>) {
    use tokio::io::AsyncBufReadExt;

    let mut reader = tokio::io::BufReader::new(reader);
    let mut last = None;
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        // A read error ends the stream as its end would. The exit status of
        // the program then shows what happened.
        if reader.read_until(b'\n', &mut buffer).await.unwrap_or(0) == 0 {
            return (true, last);
        }
        let text = super::follow::text_of(buffer.strip_suffix(b"\n").unwrap_or(&buffer));
        last = Some(text.clone());
        if sink.send(LogLine { stream, text }).await.is_err() {
            return (false, last);
        }
    }
}

fn strings<const N: usize>(words: [&str; N]) -> Vec<String> {
    words.iter().map(|word| word.to_string()).collect()
}

fn push_label_filters(args: &mut Vec<String>, labels: &LabelFilter) {
    for (key, value) in labels {
        args.push("--filter".to_string());
        args.push(format!("label={key}={value}"));
    }
}

/// Adds the `--interactive`, `--env`, `--workdir` and `--user` flags of
/// `exec`, which podman, docker, nerdctl and Apple's `container` spell the
/// same way. `interactive` adds `--interactive`, which passes standard
/// input on to the command.
pub(super) fn push_exec_flags(args: &mut Vec<String>, settings: &ExecSettings, interactive: bool) {
    if interactive {
        args.push("--interactive".to_string());
    }
    push_pairs(args, "--env", &settings.env);
    if let Some(workdir) = &settings.workdir {
        args.extend(["--workdir".to_string(), workdir.clone()]);
    }
    if let Some(user) = &settings.user {
        args.extend(["--user".to_string(), user.clone()]);
    }
}

/// Appends `FLAG KEY=VALUE` for each pair, in the map's order.
pub(super) fn push_pairs(args: &mut Vec<String>, flag: &str, pairs: &BTreeMap<String, String>) {
    for (key, value) in pairs {
        args.push(flag.to_string());
        args.push(format!("{key}={value}"));
    }
}

/// One entry of `.Mounts` in `container inspect`, as podman and docker
/// print it.
#[derive(Deserialize)]
struct InspectMount {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "Name", default)]
    name: Option<String>,
    #[serde(rename = "Destination")]
    destination: String,
}

/// How long an image build may take before it is killed.
const BUILD_TIMEOUT: Duration = Duration::from_secs(6 * 60 * 60);

/// Builds the arguments of `build`, which podman, docker and nerdctl share.
fn build_args(spec: &BuildSpec) -> Vec<String> {
    let mut args = strings(["build", "--tag", &spec.image]);
    if let Some(dockerfile) = &spec.dockerfile {
        let path = std::path::Path::new(&spec.context).join(dockerfile);
        args.extend(["--file".to_string(), path.display().to_string()]);
    }
    push_pairs(&mut args, "--build-arg", &spec.args);
    if let Some(target) = &spec.target {
        args.extend(["--target".to_string(), target.clone()]);
    }
    push_pairs(&mut args, "--label", &spec.labels);
    args.push(spec.context.clone());
    args
}

/// Builds the arguments of `create` after the subcommand.
/// Appends docker's `--ip` and `--ip6` for the fixed addresses of a network.
fn push_addresses(args: &mut Vec<String>, attachment: &NetworkAttachment) {
    for (flag, address) in [("--ip", &attachment.ipv4_address), ("--ip6", &attachment.ipv6_address)] {
        if let Some(address) = address {
            args.push(flag.to_string());
            args.push(address.clone());
        }
    }
}

fn create_args(spec: &ContainerSpec, grammar: Grammar) -> Vec<String> {
    let mut args = strings(["create", "--name"]);
    args.push(spec.name.clone());

    push_pairs(&mut args, "--label", &spec.labels);
    push_pairs(&mut args, "--env", &spec.env);
    for port in &spec.ports {
        let mut text = String::new();
        if let Some(ip) = &port.host_ip {
            text.push_str(ip);
            text.push(':');
        }
        if let Some(published) = &port.published {
            text.push_str(published);
            text.push(':');
        } else if port.host_ip.is_some() {
            text.push(':');
        }
        text.push_str(&format!("{}/{}", port.target, port.protocol));
        args.push("--publish".to_string());
        args.push(text);
    }
    for mount in &spec.mounts {
        let mut text = match mount.kind {
            MountType::Volume => "type=volume".to_string(),
            MountType::Bind => "type=bind".to_string(),
            MountType::Tmpfs => "type=tmpfs".to_string(),
        };
        if let Some(source) = &mount.source {
            text.push_str(&format!(",source={source}"));
        }
        text.push_str(&format!(",destination={}", mount.target));
        if mount.read_only {
            text.push_str(",readonly");
        }
        args.push("--mount".to_string());
        args.push(text);
    }
    match grammar {
        // podman takes every network with its aliases at create time.
        // Apple's grammar builds its own arguments and never comes here.
        Grammar::Podman | Grammar::AppleContainer => {
            for attachment in &spec.networks {
                let mut text = attachment.network.clone();
                let mut options: Vec<String> = attachment.aliases.iter().map(|alias| format!("alias={alias}")).collect();
                options.extend(attachment.ipv4_address.iter().map(|address| format!("ip={address}")));
                options.extend(attachment.ipv6_address.iter().map(|address| format!("ip6={address}")));
                if !options.is_empty() {
                    text.push(':');
                    text.push_str(&options.join(","));
                }
                args.push("--network".to_string());
                args.push(text);
            }
        }
        // docker takes one network at create time; the others are connected
        // after creation.
        Grammar::Docker => {
            if let Some(first) = spec.networks.first() {
                args.push("--network".to_string());
                args.push(first.network.clone());
                for alias in &first.aliases {
                    args.push("--network-alias".to_string());
                    args.push(alias.clone());
                }
                push_addresses(&mut args, first);
            }
        }
    }
    if let Some(dir) = &spec.working_dir {
        args.push("--workdir".to_string());
        args.push(dir.clone());
    }
    if let Some(user) = &spec.user {
        args.push("--user".to_string());
        args.push(user.clone());
    }
    if let Some(restart) = &spec.restart {
        args.push("--restart".to_string());
        args.push(restart.clone());
    }

    super::security::push_args(&mut args, &spec.confinement);
    super::options::push_args(&mut args, &spec.options);

    // `--entrypoint` takes one word; the rest of an entrypoint goes before
    // the command.
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

#[async_trait]
impl Backend for CliBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn isolation(&self) -> Isolation {
        if self.grammar == Grammar::AppleContainer {
            return Isolation::VmPerContainer;
        }
        match self.name.as_str() {
            "colima" | "orbstack" | "rancher-desktop" | "lima" => Isolation::SharedVm,
            _ if cfg!(target_os = "linux") => Isolation::SharedKernel,
            // podman and docker elsewhere run their containers in a VM.
            _ => Isolation::SharedVm,
        }
    }

    /// podman refuses docker's other drivers (`local`, `syslog`, `gelf`)
    /// as invalid.
    async fn log_drivers(&self) -> Option<Vec<String>> {
        (self.grammar == Grammar::Podman).then(|| strings(["k8s-file", "json-file", "journald", "none", "passthrough"]))
    }

    fn creates_exclusively(&self) -> bool {
        self.grammar == Grammar::Podman
    }

    /// podman, docker and nerdctl run here; lima and Apple's `container`
    /// run in a VM that may not see the same paths.
    fn shares_host_filesystem(&self) -> bool {
        self.grammar != Grammar::AppleContainer && self.prefix.is_empty()
    }

    fn capabilities(&self) -> Capabilities {
        let isolation = self.isolation();
        let mut unsupported = std::collections::BTreeSet::new();
        // nerdctl has no `network connect`, which the docker grammar uses
        // for every network after the first.
        if matches!(self.name.as_str(), "nerdctl" | "lima") {
            unsupported.insert(Feature::MultipleNetworks);
        }
        // `container network create` takes no driver, options or internal
        // flag, `container run --network` no aliases, and there is no rename.
        // NOTE: `container build` exists but is not wired up yet.
        if self.grammar == Grammar::AppleContainer {
            unsupported.extend([Feature::InternalNetworks, Feature::NetworkAliases, Feature::DriverOptions, Feature::Rename, Feature::Build, Feature::FixedAddresses]);
            let settings = super::RunOptions::KEYS.iter().filter(|key| !apple::SETTINGS.contains(key));
            unsupported.extend(settings.chain(&["privileged", "read_only"]).map(|key| Feature::Setting(key)));
        }
        Capabilities { isolation, unsupported }
    }

    async fn volume_mounts(&self, id: &str) -> Result<BTreeMap<String, String>, BackendError> {
        // NOTE: Apple's `container inspect` lists no volume names to reuse.
        if self.grammar == Grammar::AppleContainer {
            return Ok(BTreeMap::new());
        }
        let args = strings(["container", "inspect", "--format", "{{json .Mounts}}", id]);
        let stdout = self.run_ok(&args, Some(("container", id))).await?;
        let mounts: Vec<InspectMount> = self.parse(&args, stdout.trim())?;
        let volumes = mounts.into_iter().filter(|mount| mount.kind == "volume");
        Ok(volumes.filter_map(|mount| Some((mount.destination, mount.name?))).collect())
    }

    async fn image_id(&self, name: &str) -> Result<Option<String>, BackendError> {
        let args = strings(["image", "inspect", "--format", "{{.Id}}", name]);
        let output = self.run(&args).await?;
        if output.code == Some(0) {
            return Ok(Some(output.stdout.trim().to_string()));
        }
        // podman prints "image not known", docker "No such image".
        let lower = output.stderr.to_ascii_lowercase();
        if ["not known", "no such", "not found"].iter().any(|phrase| lower.contains(phrase)) {
            return Ok(None);
        }
        Err(BackendError::Failed { command: self.command_line(&args), exit_code: output.code, stderr: output.stderr })
    }

    async fn build_image(&self, spec: &BuildSpec) -> Result<(), BackendError> {
        let args = build_args(spec);
        // A build may pull and compile for a long time; it ends on its own.
        self.run_within(&args, None, BUILD_TIMEOUT).await.and_then(|output| match output.code {
            Some(0) => Ok(()),
            code => Err(BackendError::Failed { command: self.command_line(&args), exit_code: code, stderr: output.stderr }),
        })
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<(), BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_create_network(spec).await;
        }
        let mut args = strings(["network", "create"]);
        if let Some(driver) = &spec.driver {
            args.push("--driver".to_string());
            args.push(driver.clone());
        }
        if spec.internal {
            args.push("--internal".to_string());
        }
        if spec.enable_ipv6 {
            args.push("--ipv6".to_string());
        }
        // podman and docker pair the n-th --gateway and --ip-range with the
        // n-th --subnet.
        for subnet in &spec.subnets {
            args.push("--subnet".to_string());
            args.push(subnet.subnet.clone());
        }
        let gateways = spec.subnets.iter().filter_map(|subnet| subnet.gateway.as_ref().map(|gateway| ("--gateway", gateway)));
        let ranges = spec.subnets.iter().filter_map(|subnet| subnet.ip_range.as_ref().map(|range| ("--ip-range", range)));
        for (flag, value) in gateways.chain(ranges) {
            args.push(flag.to_string());
            args.push(value.clone());
        }
        push_pairs(&mut args, "--opt", &spec.options);
        push_pairs(&mut args, "--label", &spec.labels);
        args.push(spec.name.clone());
        self.run_ok(&args, None).await.map(drop)
    }

    async fn remove_network(&self, name: &str) -> Result<(), BackendError> {
        let verb = if self.grammar == Grammar::AppleContainer { "delete" } else { "rm" };
        let args = strings(["network", verb, name]);
        self.run_ok(&args, Some(("network", name))).await.map(drop)
    }

    async fn list_networks(&self, labels: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_list_networks(labels).await;
        }
        if self.grammar == Grammar::Docker {
            return self.list_names("network", labels).await;
        }
        let mut args = strings(["network", "ls", "--format", "json"]);
        push_label_filters(&mut args, labels);
        let stdout = self.run_ok(&args, None).await?;
        let records: Vec<PodmanNetwork> = self.parse(&args, &stdout)?;
        Ok(records
            .into_iter()
            .map(|record| ResourceInfo { name: record.name, labels: record.labels.unwrap_or_default() })
            .collect())
    }

    async fn create_volume(&self, spec: &VolumeSpec) -> Result<(), BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_create_volume(spec).await;
        }
        let mut args = strings(["volume", "create"]);
        if let Some(driver) = &spec.driver {
            args.push("--driver".to_string());
            args.push(driver.clone());
        }
        push_pairs(&mut args, "--opt", &spec.options);
        push_pairs(&mut args, "--label", &spec.labels);
        args.push(spec.name.clone());
        self.run_ok(&args, None).await.map(drop)
    }

    async fn remove_volume(&self, name: &str) -> Result<(), BackendError> {
        let verb = if self.grammar == Grammar::AppleContainer { "delete" } else { "rm" };
        let args = strings(["volume", verb, name]);
        self.run_ok(&args, Some(("volume", name))).await.map(drop)
    }

    async fn list_volumes(&self, labels: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_list_volumes(labels).await;
        }
        if self.grammar == Grammar::Docker {
            return self.list_names("volume", labels).await;
        }
        let mut args = strings(["volume", "ls", "--format", "json"]);
        push_label_filters(&mut args, labels);
        let stdout = self.run_ok(&args, None).await?;
        let records: Vec<PodmanVolume> = self.parse(&args, &stdout)?;
        Ok(records
            .into_iter()
            .map(|record| ResourceInfo { name: record.name, labels: record.labels.unwrap_or_default() })
            .collect())
    }

    async fn create_container(&self, spec: &ContainerSpec) -> Result<String, BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_create(spec, false).await;
        }
        let args = create_args(spec, self.grammar);
        let stdout = self.run_ok(&args, None).await?;
        let id = stdout.lines().last().unwrap_or_default().trim().to_string();

        if self.grammar == Grammar::Docker {
            for attachment in spec.networks.iter().skip(1) {
                let mut args = strings(["network", "connect"]);
                for alias in &attachment.aliases {
                    args.push("--alias".to_string());
                    args.push(alias.clone());
                }
                push_addresses(&mut args, attachment);
                args.push(attachment.network.clone());
                args.push(id.clone());
                self.run_ok(&args, None).await?;
            }
        }
        Ok(id)
    }

    async fn run_container(&self, spec: &ContainerSpec) -> Result<String, BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_create(spec, true).await;
        }
        // docker connects further networks after create, so only one network
        // can use the single call.
        if self.grammar == Grammar::Docker && spec.networks.len() > 1 {
            let id = self.create_container(spec).await?;
            self.start_container(&id).await?;
            return Ok(id);
        }
        let mut args = create_args(spec, self.grammar);
        args.splice(0..1, strings(["run", "--detach"]));
        let stdout = self.run_ok(&args, None).await?;
        Ok(stdout.lines().last().unwrap_or_default().trim().to_string())
    }

    async fn start_container(&self, id: &str) -> Result<(), BackendError> {
        let args = strings(["start", id]);
        self.run_ok(&args, Some(("container", id))).await.map(drop)
    }

    async fn stop_container(&self, id: &str, timeout: Duration) -> Result<(), BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_stop(id, timeout).await;
        }
        let seconds = timeout.as_secs().to_string();
        let args = strings(["stop", "--time", &seconds, id]);
        // The runtime itself waits up to `timeout` before it kills.
        self.run_ok_within(&args, Some(("container", id)), self.timeout + timeout).await.map(drop)
    }

    async fn remove_container(&self, id: &str, force: bool) -> Result<(), BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_remove(id, force).await;
        }
        let mut args = strings(["rm"]);
        if force {
            args.push("--force".to_string());
            // podman's --force stops with the container's own timeout first;
            // docker's kills at once, which the trait promises.
            if self.grammar == Grammar::Podman {
                args.extend(strings(["--time", "0"]));
            }
        }
        args.push(id.to_string());
        self.run_ok(&args, Some(("container", id))).await.map(drop)
    }

    async fn remove_containers(&self, ids: &[String]) -> Result<(), BackendError> {
        if self.grammar != Grammar::Podman || ids.is_empty() {
            return super::remove_each(self, ids).await;
        }
        // One podman process removes the whole batch, its own workers in
        // parallel; `--ignore` skips ids that are already gone.
        let mut args = strings(["rm", "--force", "--time", "0", "--ignore"]);
        args.extend(ids.iter().cloned());
        self.run_ok(&args, None).await.map(drop)
    }

    async fn remove_containers_and_volumes(&self, ids: &[String]) -> Result<(), BackendError> {
        match self.grammar {
            Grammar::AppleContainer => super::remove_each(self, ids).await,
            Grammar::Podman if ids.is_empty() => Ok(()),
            Grammar::Podman => {
                let mut args = strings(["rm", "--force", "--time", "0", "--ignore", "--volumes"]);
                args.extend(ids.iter().cloned());
                self.run_ok(&args, None).await.map(drop)
            }
            // docker's `rm` has no `--ignore`, so each id goes on its own
            // and one that is gone already counts as removed.
            Grammar::Docker => {
                let removals = ids.iter().map(|id| async move {
                    let args = strings(["rm", "--force", "--volumes", id]);
                    match self.run_ok(&args, Some(("container", id))).await {
                        Err(error) if error.is_not_found() => Ok(()),
                        other => other.map(drop),
                    }
                });
                futures_util::future::try_join_all(removals).await.map(drop)
            }
        }
    }

    async fn rename_container(&self, id: &str, name: &str) -> Result<(), BackendError> {
        let args = strings(["rename", id, name]);
        self.run_ok(&args, Some(("container", id))).await.map(drop)
    }

    async fn inspect_container(&self, id: &str) -> Result<ContainerInfo, BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_inspect(id).await;
        }
        let args = strings(["container", "inspect", id]);
        let stdout = self.run_ok(&args, Some(("container", id))).await?;
        let records: Vec<InspectRecord> = self.parse(&args, &stdout)?;
        match records.into_iter().next() {
            Some(record) => Ok(record.into_info()),
            None => Err(BackendError::Parse {
                command: self.command_line(&args),
                message: "the output lists no container".to_string(),
            }),
        }
    }

    async fn list_containers(&self, labels: &LabelFilter) -> Result<Vec<ContainerInfo>, BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_list(labels).await;
        }
        // docker's `ps` prints labels and ports only as text, so its ids are
        // inspected in a second call.
        if self.grammar == Grammar::Docker {
            let mut args = strings(["ps", "--all", "--quiet", "--no-trunc"]);
            push_label_filters(&mut args, labels);
            let stdout = self.run_ok(&args, None).await?;
            let ids: Vec<String> = stdout.split_whitespace().map(str::to_string).collect();
            return self.inspect_many(&ids).await;
        }

        let mut args = strings(["ps", "--all", "--format", "json"]);
        push_label_filters(&mut args, labels);
        let stdout = self.run_ok(&args, None).await?;
        let records: Vec<PodmanPsRecord> = self.parse(&args, &stdout)?;
        Ok(records.into_iter().map(PodmanPsRecord::into_info).collect())
    }

    async fn logs(&self, id: &str, tail: Option<usize>) -> Result<Logs, BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_logs(id, tail).await;
        }
        let mut args = strings(["logs"]);
        if let Some(tail) = tail {
            args.push("--tail".to_string());
            args.push(tail.to_string());
        }
        args.push(id.to_string());
        let output = self.run(&args).await?;
        if output.code != Some(0) {
            let command = self.command_line(&args);
            if output.stderr.to_ascii_lowercase().contains("no such") {
                return Err(BackendError::NotFound { kind: "container", name: id.to_string(), command, stderr: output.stderr });
            }
            return Err(BackendError::Failed { command, exit_code: output.code, stderr: output.stderr });
        }
        Ok(Logs { stdout: output.stdout, stderr: output.stderr })
    }

    async fn follow_logs(&self, id: &str, tail: Option<usize>, sink: tokio::sync::mpsc::Sender<LogLine>) -> Result<(), BackendError> {
        // NOTE: Apple's `container logs --follow` is not tried yet, so its
        // output is read again at intervals.
        if self.grammar == Grammar::AppleContainer {
            return super::follow::poll_logs(self, id, tail, &sink).await;
        }
        let mut args = strings(["logs", "--follow"]);
        if let Some(tail) = tail {
            args.push("--tail".to_string());
            args.push(tail.to_string());
        }
        args.push(id.to_string());
        self.stream_lines(&args, id, &sink).await
    }

    fn enforces(&self, option: super::ConfinementOption) -> bool {
        use super::ConfinementOption::{Cpus, Memory};
        self.grammar != Grammar::AppleContainer || matches!(option, Memory | Cpus)
    }

    async fn inspect_confinement(&self, id: &str) -> Result<Option<super::AppliedConfinement>, BackendError> {
        // `container inspect` shows no security settings to compare with.
        if self.grammar == Grammar::AppleContainer {
            return Ok(None);
        }
        let args = strings(["container", "inspect", id]);
        let stdout = self.run_ok(&args, Some(("container", id))).await?;
        let applied = super::security::parse_inspect(&stdout).map_err(|message| BackendError::Parse { command: self.command_line(&args), message })?;
        Ok(Some(applied))
    }

    async fn exec_attached(&self, id: &str, argv: &[String], settings: &ExecSettings, attach: Attach) -> Result<i64, BackendError> {
        // The runtime's own command takes this process's streams as they
        // are, so input and output flow while the command runs, and a
        // terminal reaches it unchanged.
        let mut args = strings(["exec"]);
        push_exec_flags(&mut args, settings, attach.stdin || settings.stdin.is_some());
        if attach.tty {
            args.push("--tty".to_string());
        }
        args.push(id.to_string());
        args.extend(argv.iter().cloned());
        let command = self.command_line(&args);
        tracing::debug!(%command, "running an attached command");

        let stdin = match (&settings.stdin, attach.stdin) {
            (Some(_), _) => Stdio::piped(),
            (None, true) => Stdio::inherit(),
            (None, false) => Stdio::null(),
        };
        let mut child = Command::new(&self.program)
            .args(&self.prefix)
            .args(&args)
            .envs(&self.env)
            .stdin(stdin)
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| BackendError::Spawn { command: command.clone(), source })?;
        if let (Some(input), Some(mut pipe)) = (&settings.stdin, child.stdin.take()) {
            use tokio::io::AsyncWriteExt;
            // A command that ends without reading all of it closes the pipe.
            let _ = pipe.write_all(input).await;
        }
        let status = child.wait().await.map_err(|source| BackendError::Spawn { command: command.clone(), source })?;
        // The runtime printed its own errors (exit code 125) to this
        // process's stderr already, so the code is all there is to return.
        // A command killed by a signal reports 128 plus its number, as shells do.
        use std::os::unix::process::ExitStatusExt;
        Ok(status.code().or_else(|| status.signal().map(|signal| 128 + signal)).map_or(1, i64::from))
    }

    async fn exec_with(&self, id: &str, argv: &[String], settings: &ExecSettings) -> Result<ExecOutput, BackendError> {
        if self.grammar == Grammar::AppleContainer {
            return self.apple_exec(id, argv, settings).await;
        }
        let mut args = strings(["exec"]);
        push_exec_flags(&mut args, settings, settings.stdin.is_some());
        args.push(id.to_string());
        args.extend(argv.iter().cloned());
        let output = self.run_with_input(&args, settings.stdin.as_deref()).await?;

        // podman and docker exit with 125 when the exec itself failed, and
        // with 126 or 127 when the command cannot be run; other codes are the
        // command's own.
        match output.code {
            Some(125) => {
                let command = self.command_line(&args);
                let lower = output.stderr.to_ascii_lowercase();
                if lower.contains("no such") || lower.contains("not found") {
                    return Err(BackendError::NotFound { kind: "container", name: id.to_string(), command, stderr: output.stderr });
                }
                Err(BackendError::Failed { command, exit_code: Some(125), stderr: output.stderr })
            }
            Some(code) => Ok(ExecOutput { exit_code: code.into(), stdout: output.stdout, stderr: output.stderr }),
            None => Err(BackendError::Failed { command: self.command_line(&args), exit_code: None, stderr: output.stderr }),
        }
    }
}

/// An entry of `podman network ls --format json` (podman 4.3).
#[derive(Deserialize)]
struct PodmanNetwork {
    name: String,
    labels: Option<BTreeMap<String, String>>,
}

/// An entry of `podman volume ls --format json` (podman 4.3).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PodmanVolume {
    name: String,
    labels: Option<BTreeMap<String, String>>,
}

/// An entry of `podman ps --format json` (podman 4.3).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PodmanPsRecord {
    id: String,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    image: String,
    labels: Option<BTreeMap<String, String>>,
    state: String,
    #[serde(default)]
    exited: bool,
    #[serde(default)]
    exit_code: i64,
    ports: Option<Vec<PodmanPort>>,
}

#[derive(Deserialize)]
struct PodmanPort {
    #[serde(default)]
    host_ip: String,
    container_port: u16,
    host_port: u16,
    #[serde(default = "default_range")]
    range: u16,
    #[serde(default)]
    protocol: String,
}

fn default_range() -> u16 {
    1
}

impl PodmanPsRecord {
    fn into_info(self) -> ContainerInfo {
        let status = ContainerStatus::parse(&self.state);
        let running = status == ContainerStatus::Running;
        let exited = self.exited || status == ContainerStatus::Exited;
        let mut ports = Vec::new();
        for port in self.ports.unwrap_or_default() {
            for offset in 0..port.range.max(1) {
                ports.push(PublishedPort {
                    host_ip: port.host_ip.clone(),
                    host_port: port.host_port.saturating_add(offset),
                    container_port: port.container_port.saturating_add(offset),
                    protocol: port.protocol.clone(),
                });
            }
        }
        ports.sort();
        ContainerInfo {
            id: self.id,
            name: self.names.into_iter().next().unwrap_or_default(),
            image: self.image,
            labels: self.labels.unwrap_or_default(),
            state: ContainerState { status, running, exit_code: exited.then_some(self.exit_code) },
            ports,
        }
    }
}

/// An entry of `container inspect`, in the shape podman and docker share.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InspectRecord {
    id: String,
    name: String,
    state: InspectState,
    config: Option<InspectConfig>,
    network_settings: Option<InspectNetworkSettings>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InspectState {
    status: String,
    running: bool,
    exit_code: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InspectConfig {
    labels: Option<BTreeMap<String, String>>,
    image: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InspectNetworkSettings {
    ports: Option<BTreeMap<String, Option<Vec<InspectBinding>>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InspectBinding {
    host_ip: String,
    host_port: String,
}

impl InspectRecord {
    fn into_info(self) -> ContainerInfo {
        let status = ContainerStatus::parse(&self.state.status);
        let exited = matches!(status, ContainerStatus::Exited | ContainerStatus::Dead);
        let mut ports = Vec::new();
        let bindings = self.network_settings.and_then(|settings| settings.ports).unwrap_or_default();
        for (key, bindings) in bindings {
            let (port, protocol) = key.split_once('/').unwrap_or((&key, "tcp"));
            let Ok(container_port) = port.parse::<u16>() else { continue };
            for binding in bindings.unwrap_or_default() {
                let Ok(host_port) = binding.host_port.parse::<u16>() else { continue };
                ports.push(PublishedPort {
                    host_ip: binding.host_ip,
                    host_port,
                    container_port,
                    protocol: protocol.to_string(),
                });
            }
        }
        ports.sort();
        let config = self.config;
        ContainerInfo {
            id: self.id,
            name: self.name.trim_start_matches('/').to_string(),
            image: config.as_ref().and_then(|config| config.image.clone()).unwrap_or_default(),
            labels: config.and_then(|config| config.labels).unwrap_or_default(),
            state: ContainerState { status, running: self.state.running, exit_code: exited.then_some(self.state.exit_code) },
            ports,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{MountSpec, NetworkAttachment, PortSpec};

    #[test]
    fn build_args_all_keys() {
        let spec = BuildSpec {
            image: "demo-web".into(),
            context: "/src/web".into(),
            dockerfile: Some("Containerfile.dev".into()),
            args: BTreeMap::from([("A".into(), "1 2".into())]),
            target: Some("dev".into()),
            labels: BTreeMap::from([("k".into(), "v".into())]),
        };
        assert_eq!(
            build_args(&spec),
            ["build", "--tag", "demo-web", "--file", "/src/web/Containerfile.dev", "--build-arg", "A=1 2", "--target", "dev", "--label", "k=v", "/src/web"]
        );
        let absolute = BuildSpec { image: "i".into(), context: "/c".into(), dockerfile: Some("/other/Dockerfile".into()), ..BuildSpec::default() };
        assert_eq!(build_args(&absolute), ["build", "--tag", "i", "--file", "/other/Dockerfile", "/c"]);
    }

    #[test]
    fn create_args_podman() {
        let spec = ContainerSpec {
            name: "demo-web-1".into(),
            image: "localhost/perry-busybox:latest".into(),
            command: Some(vec!["httpd".into(), "-f".into()]),
            env: BTreeMap::from([("A".into(), "1 2".into())]),
            labels: BTreeMap::from([("k".into(), "v".into())]),
            ports: vec![PortSpec { host_ip: Some("127.0.0.1".into()), published: None, target: 80, protocol: "tcp".into() }],
            mounts: vec![MountSpec { kind: MountType::Volume, source: Some("demo_data".into()), target: "/data".into(), read_only: true, create_host_path: false }],
            networks: vec![NetworkAttachment { network: "demo_default".into(), aliases: vec!["web".into()], ..NetworkAttachment::default() }],
            ..ContainerSpec::default()
        };
        let args = create_args(&spec, Grammar::Podman);
        assert_eq!(
            args,
            [
                "create", "--name", "demo-web-1", "--label", "k=v", "--env", "A=1 2", "--publish",
                "127.0.0.1::80/tcp", "--mount", "type=volume,source=demo_data,destination=/data,readonly",
                "--network", "demo_default:alias=web", "localhost/perry-busybox:latest", "httpd", "-f",
            ]
        );
    }

    #[test]
    fn fixed_addresses_in_both_grammars() {
        let attachment = NetworkAttachment {
            network: "demo_front".into(),
            aliases: vec!["web".into()],
            ipv4_address: Some("10.5.0.5".into()),
            ipv6_address: Some("fd00::5".into()),
        };
        let spec = ContainerSpec { name: "w".into(), image: "i".into(), networks: vec![attachment], ..ContainerSpec::default() };
        let podman = create_args(&spec, Grammar::Podman);
        assert!(podman.windows(2).any(|pair| pair == ["--network", "demo_front:alias=web,ip=10.5.0.5,ip6=fd00::5"]), "{podman:?}");
        let docker = create_args(&spec, Grammar::Docker);
        assert!(docker.windows(4).any(|run| run == ["--ip", "10.5.0.5", "--ip6", "fd00::5"]), "{docker:?}");
    }

    #[test]
    fn ps_record_of_podman() {
        let text = r#"[{"AutoRemove":false,"Command":["true"],"Exited":true,"ExitedAt":1,"ExitCode":3,
            "Id":"abc","Image":"img","Labels":{"a":"b"},"Names":["n-1"],"Ports":[{"host_ip":"127.0.0.1",
            "container_port":5432,"host_port":34469,"range":1,"protocol":"tcp"}],"State":"exited"}]"#;
        let records: Vec<PodmanPsRecord> = serde_json::from_str(text).unwrap();
        let info = records.into_iter().next().unwrap().into_info();
        assert_eq!(info.name, "n-1");
        assert_eq!(info.state.exit_code, Some(3));
        assert!(!info.state.running);
        assert_eq!(info.ports[0].host_port, 34469);
    }

    #[test]
    fn command_line_quotes_spaces() {
        let backend = CliBackend::podman();
        let line = backend.command_line(&strings(["exec", "c", "sh", "-c", "echo a b"]));
        assert_eq!(line, "podman exec c sh -c 'echo a b'");
    }
}
