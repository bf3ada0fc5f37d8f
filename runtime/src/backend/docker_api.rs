//! A backend that speaks the Docker Engine API over a Unix socket, which
//! dockerd and `podman system service` both serve.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use bollard::errors::Error as ApiError;
use bollard::models::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, ExecConfig, HostConfig, Ipam, IpamConfig, Mount, MountType as ApiMountType, NetworkConnectRequest,
    NetworkCreateRequest, NetworkingConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum, VolumeCreateRequest,
};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptionsBuilder, CreateImageOptionsBuilder, ListContainersOptionsBuilder, ListNetworksOptionsBuilder, ListVolumesOptionsBuilder,
    LogsOptionsBuilder, RemoveContainerOptionsBuilder, RenameContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use bollard::exec::{StartExecOptions, StartExecResults};
use bollard::container::LogOutput;
use bollard::Docker;
use futures_util::StreamExt;

use super::{
    Backend, BackendError, BuildSpec, ContainerInfo, ContainerSpec, ContainerState, ContainerStatus, ExecOutput, ExecSettings, LabelFilter, LogLine, LogStream, Logs,
    MountType, NetworkAttachment, NetworkSpec, PublishedPort, ResourceInfo, VolumeSpec,
};
use super::follow::LineSplitter;

/// A backend on the Docker Engine API of one Unix socket.
#[derive(Clone, Debug)]
pub struct DockerApiBackend {
    client: Docker,
    socket: String,
}

impl DockerApiBackend {
    /// Connects to the socket at `path`; requests time out after `timeout`.
    pub fn connect(path: &Path, timeout: Duration) -> Result<Self, BackendError> {
        let socket = path.display().to_string();
        let client = Docker::connect_with_unix(&socket, timeout.as_secs().max(1), bollard::API_DEFAULT_VERSION)
            .map_err(|error| BackendError::Failed { command: format!("connect to {socket}"), exit_code: None, stderr: error.to_string() })?;
        Ok(Self { client, socket })
    }

    /// Pulls `image`, for `platform` unless that is empty.
    async fn pull(&self, image: &str, platform: &str) -> Result<(), BackendError> {
        let options = CreateImageOptionsBuilder::new().from_image(image).platform(platform).build();
        let mut progress = self.client.create_image(Some(options), None, None);
        while let Some(step) = progress.next().await {
            step.map_err(|error| self.error("pull image", Some(("image", image)), error))?;
        }
        Ok(())
    }

    /// Asks the service whether it answers, as a liveness probe.
    pub async fn ping(&self) -> Result<(), BackendError> {
        self.client.ping().await.map(drop).map_err(|error| self.error("ping", None, error))
    }

    /// Maps an API error; a 404 becomes [`BackendError::NotFound`] for `target`.
    fn error(&self, action: &str, target: Option<(&'static str, &str)>, error: ApiError) -> BackendError {
        let command = format!("{action} on {}", self.socket);
        // podman returns 500 "no such container" for a container removed
        // while the request ran.
        if let (ApiError::DockerResponseServerError { status_code, message }, Some((kind, name))) = (&error, target) {
            if *status_code == 404 || message.contains("no such container") {
                return BackendError::NotFound { kind, name: name.to_string(), command, stderr: message.clone() };
            }
        }
        BackendError::Request { request: command, message: error.to_string() }
    }
}

/// Runs an API call again while its response contains the container state
/// `stopped`: podman's API reports it for a moment after a container exits,
/// the typed models reject it, and a later call sees `exited`.
async fn settled<T, F, Fut>(call: F) -> Result<T, ApiError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    const ATTEMPTS: u32 = 30;
    for _ in 1..ATTEMPTS {
        match call().await {
            Err(error) if error.to_string().contains("unknown variant `stopped`") => tokio::time::sleep(Duration::from_millis(100)).await,
            other => return other,
        }
    }
    call().await
}

/// Packs the build context folder into a tar archive, as `/build` takes
/// it. The whole folder goes, as the runtime's own `build` sends it.
// NOTE: `.dockerignore` is not read, so ignored files are sent too.
fn pack_context(spec: &BuildSpec) -> Result<Vec<u8>, String> {
    let mut archive = tar::Builder::new(Vec::new());
    archive.follow_symlinks(false);
    archive
        .append_dir_all(".", &spec.context)
        .map_err(|error| format!("could not pack the build context {}: {error}", spec.context))?;
    archive.into_inner().map_err(|error| format!("could not pack the build context {}: {error}", spec.context))
}

/// Turns labels into the API's `filters`; no labels give no filter, which
/// lists every object.
fn label_filters(labels: &LabelFilter) -> HashMap<String, Vec<String>> {
    if labels.is_empty() {
        return HashMap::new();
    }
    let values: Vec<String> = labels.iter().map(|(key, value)| format!("{key}={value}")).collect();
    HashMap::from([("label".to_string(), values)])
}

fn hash_map(map: &BTreeMap<String, String>) -> HashMap<String, String> {
    map.iter().map(|(key, value)| (key.clone(), value.clone())).collect()
}

fn sorted(map: Option<HashMap<String, String>>) -> BTreeMap<String, String> {
    map.unwrap_or_default().into_iter().collect()
}

/// Turns `on-failure:3` into the API's restart policy.
fn restart_policy(text: &str) -> RestartPolicy {
    let (name, count) = text.split_once(':').unwrap_or((text, ""));
    let name = match name {
        "always" => RestartPolicyNameEnum::ALWAYS,
        "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
        "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
        _ => RestartPolicyNameEnum::NO,
    };
    RestartPolicy { name: Some(name), maximum_retry_count: count.parse().ok() }
}

/// Builds the endpoint of a container on one network: its aliases and
/// fixed addresses.
fn endpoint(attachment: &NetworkAttachment) -> EndpointSettings {
    let fixed = attachment.ipv4_address.is_some() || attachment.ipv6_address.is_some();
    EndpointSettings {
        aliases: Some(attachment.aliases.clone()),
        ipam_config: fixed.then(|| EndpointIpamConfig {
            ipv4_address: attachment.ipv4_address.clone(),
            ipv6_address: attachment.ipv6_address.clone(),
            ..EndpointIpamConfig::default()
        }),
        ..EndpointSettings::default()
    }
}

fn create_body(spec: &ContainerSpec) -> ContainerCreateBody {
    let mut port_bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    let mut exposed = Vec::new();
    for port in &spec.ports {
        let key = format!("{}/{}", port.target, port.protocol);
        exposed.push(key.clone());
        port_bindings.entry(key).or_insert_with(|| Some(Vec::new())).get_or_insert_with(Vec::new).push(PortBinding {
            host_ip: port.host_ip.clone(),
            host_port: Some(port.published.clone().unwrap_or_default()),
        });
    }
    let mounts = spec
        .mounts
        .iter()
        .map(|mount| Mount {
            typ: Some(match mount.kind {
                MountType::Volume => ApiMountType::VOLUME,
                MountType::Bind => ApiMountType::BIND,
                MountType::Tmpfs => ApiMountType::TMPFS,
            }),
            source: mount.source.clone(),
            target: Some(mount.target.clone()),
            read_only: Some(mount.read_only),
            ..Mount::default()
        })
        .collect();
    // The API takes one network at create time; the others are connected after.
    let first = spec.networks.first();
    let networking_config = first.map(|attachment| NetworkingConfig {
        endpoints_config: Some(HashMap::from([(
            attachment.network.clone(),
            endpoint(attachment),
        )])),
    });
    let mut body = ContainerCreateBody {
        image: Some(spec.image.clone()),
        cmd: spec.command.clone(),
        entrypoint: spec.entrypoint.clone(),
        env: Some(spec.env.iter().map(|(key, value)| format!("{key}={value}")).collect()),
        labels: Some(hash_map(&spec.labels)),
        working_dir: spec.working_dir.clone(),
        user: spec.user.clone(),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        host_config: Some(HostConfig {
            port_bindings: (!port_bindings.is_empty()).then_some(port_bindings),
            mounts: Some(mounts),
            network_mode: first.map(|attachment| attachment.network.clone()),
            restart_policy: spec.restart.as_deref().map(restart_policy),
            ..HostConfig::default()
        }),
        networking_config,
        ..ContainerCreateBody::default()
    };
    super::api_settings::apply(&mut body, &spec.options, &spec.confinement);
    body
}

#[async_trait]
impl Backend for DockerApiBackend {
    fn name(&self) -> &str {
        "docker-api"
    }

    /// Returns the log drivers that the service lists. podman lists
    /// `k8s-file` and accepts `json-file` as its other name, which dockerd
    /// lists itself.
    async fn log_drivers(&self) -> Option<Vec<String>> {
        let info = self.client.info().await.ok()?;
        let mut drivers = info.plugins?.log?;
        drivers.push("json-file".to_string());
        Some(drivers)
    }

    async fn image_id(&self, name: &str) -> Result<Option<String>, BackendError> {
        match self.client.inspect_image(name).await {
            Ok(image) => Ok(Some(image.id.unwrap_or_default())),
            Err(ApiError::DockerResponseServerError { status_code: 404, .. }) => Ok(None),
            Err(error) => Err(self.error("inspect image", Some(("image", name)), error)),
        }
    }

    async fn build_image(&self, spec: &BuildSpec) -> Result<(), BackendError> {
        let request = format!("build image {} on {}", spec.image, self.socket);
        let context = pack_context(spec).map_err(|error| BackendError::Request { request: request.clone(), message: error })?;
        let args: HashMap<String, String> = spec.args.clone().into_iter().collect();
        let labels: HashMap<String, String> = spec.labels.clone().into_iter().collect();
        let mut options = BuildImageOptionsBuilder::new().t(&spec.image).rm(true).buildargs(&args).labels(&labels);
        if let Some(dockerfile) = &spec.dockerfile {
            options = options.dockerfile(dockerfile);
        }
        if let Some(target) = &spec.target {
            options = options.target(target);
        }
        let mut stream = self.client.build_image(options.build(), None, Some(bollard::body_full(context.into())));
        // The build reports its steps as it goes; a failed step comes as an
        // item with an error, or as an error of the stream.
        let mut output = String::new();
        while let Some(item) = stream.next().await {
            let info = item.map_err(|error| BackendError::Request { request: request.clone(), message: error.to_string() })?;
            if let Some(text) = info.stream {
                output.push_str(&text);
            }
            if let Some(error) = info.error_detail.and_then(|detail| detail.message) {
                return Err(BackendError::Failed { command: request, exit_code: None, stderr: format!("{output}{error}") });
            }
        }
        Ok(())
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<(), BackendError> {
        let request = NetworkCreateRequest {
            name: spec.name.clone(),
            driver: spec.driver.clone(),
            internal: Some(spec.internal),
            options: Some(hash_map(&spec.options)),
            labels: Some(hash_map(&spec.labels)),
            enable_ipv6: spec.enable_ipv6.then_some(true),
            ipam: (!spec.subnets.is_empty()).then(|| Ipam {
                config: Some(
                    spec.subnets
                        .iter()
                        .map(|subnet| IpamConfig { subnet: Some(subnet.subnet.clone()), gateway: subnet.gateway.clone(), ip_range: subnet.ip_range.clone(), ..IpamConfig::default() })
                        .collect(),
                ),
                ..Ipam::default()
            }),
            ..NetworkCreateRequest::default()
        };
        self.client.create_network(request).await.map(drop).map_err(|error| self.error("create network", None, error))
    }

    async fn remove_network(&self, name: &str) -> Result<(), BackendError> {
        self.client.remove_network(name).await.map_err(|error| self.error("remove network", Some(("network", name)), error))
    }

    async fn list_networks(&self, labels: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError> {
        let options = ListNetworksOptionsBuilder::new().filters(&label_filters(labels)).build();
        let networks = self.client.list_networks(Some(options)).await.map_err(|error| self.error("list networks", None, error))?;
        Ok(networks
            .into_iter()
            .map(|network| ResourceInfo { name: network.name.unwrap_or_default(), labels: sorted(network.labels) })
            .collect())
    }

    async fn create_volume(&self, spec: &VolumeSpec) -> Result<(), BackendError> {
        let request = VolumeCreateRequest {
            name: Some(spec.name.clone()),
            driver: spec.driver.clone(),
            driver_opts: Some(hash_map(&spec.options)),
            labels: Some(hash_map(&spec.labels)),
            ..VolumeCreateRequest::default()
        };
        self.client.create_volume(request).await.map(drop).map_err(|error| self.error("create volume", None, error))
    }

    async fn remove_volume(&self, name: &str) -> Result<(), BackendError> {
        self.client
            .remove_volume(name, None::<bollard::query_parameters::RemoveVolumeOptions>)
            .await
            .map_err(|error| self.error("remove volume", Some(("volume", name)), error))
    }

    async fn list_volumes(&self, labels: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError> {
        let options = ListVolumesOptionsBuilder::new().filters(&label_filters(labels)).build();
        let response = self.client.list_volumes(Some(options)).await.map_err(|error| self.error("list volumes", None, error))?;
        Ok(response
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|volume| ResourceInfo { name: volume.name, labels: volume.labels.into_iter().collect() })
            .collect())
    }

    async fn create_container(&self, spec: &ContainerSpec) -> Result<String, BackendError> {
        let platform = spec.options.platform.clone().unwrap_or_default();
        let options = CreateContainerOptionsBuilder::new().name(&spec.name).platform(&platform).build();
        let pull = spec.options.pull.as_deref();
        if pull == Some("always") {
            self.pull(&spec.image, &platform).await?;
        }
        // The API does not pull a missing image as `podman run` does.
        let response = match self.client.create_container(Some(options.clone()), create_body(spec)).await {
            Err(ApiError::DockerResponseServerError { status_code: 404, .. }) if pull != Some("never") && self.image_id(&spec.image).await?.is_none() => {
                self.pull(&spec.image, &platform).await?;
                self.client.create_container(Some(options), create_body(spec)).await
            }
            other => other,
        }
        .map_err(|error| self.error("create container", None, error))?;
        for attachment in spec.networks.iter().skip(1) {
            let request = NetworkConnectRequest {
                container: response.id.clone(),
                endpoint_config: Some(endpoint(attachment)),
            };
            self.client
                .connect_network(&attachment.network, request)
                .await
                .map_err(|error| self.error("connect network", Some(("network", &attachment.network)), error))?;
        }
        Ok(response.id)
    }

    async fn start_container(&self, id: &str) -> Result<(), BackendError> {
        self.client
            .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
            .await
            .map_err(|error| self.error("start container", Some(("container", id)), error))
    }

    async fn stop_container(&self, id: &str, timeout: Duration) -> Result<(), BackendError> {
        let seconds = i32::try_from(timeout.as_secs()).unwrap_or(i32::MAX);
        let options = StopContainerOptionsBuilder::new().t(seconds).build();
        self.client.stop_container(id, Some(options)).await.map_err(|error| self.error("stop container", Some(("container", id)), error))
    }

    async fn remove_container(&self, id: &str, force: bool) -> Result<(), BackendError> {
        let options = RemoveContainerOptionsBuilder::new().force(force).build();
        self.client
            .remove_container(id, Some(options))
            .await
            .map_err(|error| self.error("remove container", Some(("container", id)), error))
    }

    async fn remove_containers_and_volumes(&self, ids: &[String]) -> Result<(), BackendError> {
        let removals = ids.iter().map(|id| async move {
            let options = RemoveContainerOptionsBuilder::new().force(true).v(true).build();
            match self.client.remove_container(id, Some(options)).await.map_err(|error| self.error("remove container", Some(("container", id)), error)) {
                Err(error) if error.is_not_found() => Ok(()),
                other => other,
            }
        });
        futures_util::future::try_join_all(removals).await.map(drop)
    }

    async fn rename_container(&self, id: &str, name: &str) -> Result<(), BackendError> {
        let options = RenameContainerOptionsBuilder::new().name(name).build();
        self.client
            .rename_container(id, options)
            .await
            .map_err(|error| self.error("rename container", Some(("container", id)), error))
    }

    async fn inspect_container(&self, id: &str) -> Result<ContainerInfo, BackendError> {
        let response = settled(|| self.client.inspect_container(id, None::<bollard::query_parameters::InspectContainerOptions>))
            .await
            .map_err(|error| self.error("inspect container", Some(("container", id)), error))?;
        let state = response.state.unwrap_or_default();
        let status = ContainerStatus::parse(&state.status.map(|status| status.to_string()).unwrap_or_default());
        let exited = matches!(status, ContainerStatus::Exited | ContainerStatus::Dead);
        let config = response.config.unwrap_or_default();
        let mut ports = Vec::new();
        let bindings = response.network_settings.and_then(|settings| settings.ports).unwrap_or_default();
        for (key, bindings) in bindings {
            let (port, protocol) = key.split_once('/').unwrap_or((&key, "tcp"));
            let Ok(container_port) = port.parse::<u16>() else { continue };
            for binding in bindings.unwrap_or_default() {
                let Some(host_port) = binding.host_port.and_then(|port| port.parse().ok()) else { continue };
                ports.push(PublishedPort { host_ip: binding.host_ip.unwrap_or_default(), host_port, container_port, protocol: protocol.to_string() });
            }
        }
        ports.sort();
        Ok(ContainerInfo {
            id: response.id.unwrap_or_default(),
            name: response.name.unwrap_or_default().trim_start_matches('/').to_string(),
            image: config.image.unwrap_or_default(),
            labels: sorted(config.labels),
            state: ContainerState { status, running: state.running.unwrap_or(false), exit_code: exited.then_some(state.exit_code.unwrap_or(0)) },
            ports,
        })
    }

    async fn list_containers(&self, labels: &LabelFilter) -> Result<Vec<ContainerInfo>, BackendError> {
        let options = ListContainersOptionsBuilder::new().all(true).filters(&label_filters(labels)).build();
        let summaries = settled(|| self.client.list_containers(Some(options.clone()))).await.map_err(|error| self.error("list containers", None, error))?;
        // The summary lacks exit codes and published host ports in one
        // shape on every server, so each container is inspected.
        let mut infos = Vec::new();
        for summary in summaries {
            let Some(id) = summary.id else { continue };
            match self.inspect_container(&id).await {
                Ok(info) => infos.push(info),
                Err(error) if error.is_not_found() => {}
                Err(error) => return Err(error),
            }
        }
        Ok(infos)
    }

    async fn volume_mounts(&self, id: &str) -> Result<BTreeMap<String, String>, BackendError> {
        let response = settled(|| self.client.inspect_container(id, None::<bollard::query_parameters::InspectContainerOptions>))
            .await
            .map_err(|error| self.error("inspect container", Some(("container", id)), error))?;
        let volumes = response.mounts.unwrap_or_default().into_iter().filter(|mount| mount.typ.as_deref() == Some("volume"));
        Ok(volumes.filter_map(|mount| Some((mount.destination?, mount.name?))).collect())
    }

    async fn logs(&self, id: &str, tail: Option<usize>) -> Result<Logs, BackendError> {
        let tail = tail.map(|count| count.to_string()).unwrap_or_else(|| "all".to_string());
        let options = LogsOptionsBuilder::new().stdout(true).stderr(true).tail(&tail).build();
        let mut stream = self.client.logs(id, Some(options));
        let mut logs = Logs::default();
        while let Some(item) = stream.next().await {
            match item.map_err(|error| self.error("read logs", Some(("container", id)), error))? {
                LogOutput::StdErr { message } => logs.stderr.push_str(&String::from_utf8_lossy(&message)),
                LogOutput::StdOut { message } | LogOutput::Console { message } => logs.stdout.push_str(&String::from_utf8_lossy(&message)),
                LogOutput::StdIn { .. } => {}
            }
        }
        Ok(logs)
    }

    async fn follow_logs(&self, id: &str, tail: Option<usize>, sink: tokio::sync::mpsc::Sender<LogLine>) -> Result<(), BackendError> {
        let tail = tail.map(|count| count.to_string()).unwrap_or_else(|| "all".to_string());
        let options = LogsOptionsBuilder::new().follow(true).stdout(true).stderr(true).tail(&tail).build();
        let mut stream = self.client.logs(id, Some(options));
        // Frames carry whatever the container wrote at once, so a line may
        // span frames.
        let mut out = LineSplitter::default();
        let mut err = LineSplitter::default();
        loop {
            let item = tokio::select! {
                () = sink.closed() => return Ok(()),
                item = stream.next() => item,
            };
            let Some(item) = item else { break };
            let (splitter, stream_kind, message) = match item.map_err(|error| self.error("follow logs", Some(("container", id)), error))? {
                LogOutput::StdErr { message } => (&mut err, LogStream::Stderr, message),
                LogOutput::StdOut { message } | LogOutput::Console { message } => (&mut out, LogStream::Stdout, message),
                LogOutput::StdIn { .. } => continue,
            };
            for text in splitter.push(&message) {
                if sink.send(LogLine { stream: stream_kind, text }).await.is_err() {
                    return Ok(());
                }
            }
        }
        for (splitter, stream_kind) in [(out, LogStream::Stdout), (err, LogStream::Stderr)] {
            if let Some(text) = splitter.finish() {
                let _ = sink.send(LogLine { stream: stream_kind, text }).await;
            }
        }
        Ok(())
    }

    async fn exec_attached(&self, id: &str, argv: &[String], settings: &ExecSettings, attach: super::Attach) -> Result<i64, BackendError> {
        use std::io::Write;
        use tokio::io::AsyncWriteExt;

        // NOTE: no terminal is given over the API; the streams flow as pipes.
        let env: Vec<String> = settings.env.iter().map(|(name, value)| format!("{name}={value}")).collect();
        let config = ExecConfig {
            attach_stdin: Some(attach.stdin),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            cmd: Some(argv.to_vec()),
            env: (!env.is_empty()).then_some(env),
            working_dir: settings.workdir.clone(),
            user: settings.user.clone(),
            ..ExecConfig::default()
        };
        let created = self.client.create_exec(id, config).await.map_err(|error| self.error("create exec", Some(("container", id)), error))?;
        let started = self
            .client
            .start_exec(&created.id, Some(StartExecOptions { detach: false, tty: false, output_capacity: None }))
            .await
            .map_err(|error| self.error("start exec", Some(("container", id)), error))?;
        if let StartExecResults::Attached { output: mut stream, input: mut writer } = started {
            // Input goes on while output comes; the command may end before
            // its input does, so the output's end ends the exec.
            let write = async move {
                if attach.stdin {
                    let _ = tokio::io::copy(&mut tokio::io::stdin(), &mut writer).await;
                }
                let _ = writer.shutdown().await;
                std::future::pending::<()>().await;
            };
            let read = async {
                while let Some(item) = stream.next().await {
                    if let Err(ApiError::IOError { err }) = &item
                        && err.kind() == std::io::ErrorKind::ConnectionReset
                    {
                        break;
                    }
                    // A closed stdout or stderr (`exec ... | head`) is the reader's choice.
                    match item.map_err(|error| self.error("read exec output", None, error))? {
                        LogOutput::StdErr { message } => {
                            let _ = std::io::stderr().lock().write_all(&message);
                        }
                        LogOutput::StdOut { message } | LogOutput::Console { message } => {
                            let mut stdout = std::io::stdout().lock();
                            let _ = stdout.write_all(&message).and_then(|()| stdout.flush());
                        }
                        LogOutput::StdIn { .. } => {}
                    }
                }
                Ok::<(), BackendError>(())
            };
            tokio::select! {
                read = read => read?,
                () = write => {}
            }
        }
        let inspected = self.client.inspect_exec(&created.id).await.map_err(|error| self.error("inspect exec", None, error))?;
        Ok(inspected.exit_code.unwrap_or(-1))
    }

    async fn exec_with(&self, id: &str, argv: &[String], settings: &ExecSettings) -> Result<ExecOutput, BackendError> {
        let env: Vec<String> = settings.env.iter().map(|(name, value)| format!("{name}={value}")).collect();
        let config = ExecConfig {
            attach_stdin: Some(settings.stdin.is_some()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            cmd: Some(argv.to_vec()),
            env: (!env.is_empty()).then_some(env),
            working_dir: settings.workdir.clone(),
            user: settings.user.clone(),
            ..ExecConfig::default()
        };
        let created = self.client.create_exec(id, config).await.map_err(|error| self.error("create exec", Some(("container", id)), error))?;
        let started = self
            .client
            .start_exec(&created.id, Some(StartExecOptions { detach: false, tty: false, output_capacity: None }))
            .await
            .map_err(|error| self.error("start exec", Some(("container", id)), error))?;
        let mut output = ExecOutput::default();
        if let StartExecResults::Attached { output: mut stream, input: mut writer } = started {
            // The input is written while the output is read, so a command
            // that prints before it has read everything cannot stall. The
            // shutdown closes the write side, which the command reads as
            // end-of-file.
            let stdin = settings.stdin.as_deref();
            let write = async move {
                if let Some(bytes) = stdin {
                    use tokio::io::AsyncWriteExt;
                    // A command that exits without reading all of its input
                    // closes the stream; that is its own choice, not an error.
                    let _ = writer.write_all(bytes).await;
                    let _ = writer.shutdown().await;
                }
            };
            let read = async {
                while let Some(item) = stream.next().await {
                    // The runtime resets the stream when the command ends
                    // before reading all of its input; the output is complete.
                    if let Err(ApiError::IOError { err }) = &item
                        && err.kind() == std::io::ErrorKind::ConnectionReset
                    {
                        break;
                    }
                    match item.map_err(|error| self.error("read exec output", None, error))? {
                        LogOutput::StdErr { message } => output.stderr.push_str(&String::from_utf8_lossy(&message)),
                        LogOutput::StdOut { message } | LogOutput::Console { message } => output.stdout.push_str(&String::from_utf8_lossy(&message)),
                        LogOutput::StdIn { .. } => {}
                    }
                }
                Ok::<(), BackendError>(())
            };
            let ((), read) = tokio::join!(write, read);
            read?;
        }
        let inspected = self.client.inspect_exec(&created.id).await.map_err(|error| self.error("inspect exec", None, error))?;
        output.exit_code = inspected.exit_code.unwrap_or(-1);
        Ok(output)
    }
}
