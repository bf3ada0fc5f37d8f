//! One entry of `services`, with every key of the Compose Specification.
//! Keys whose value has a long syntax of its own are described in the
//! sibling modules.

use std::collections::BTreeSet;

use schemars::JsonSchema;

use super::build::Build;
use super::depends_on::DependsOn;
use super::deploy::Deploy;
use super::develop::Develop;
use super::healthcheck::Healthcheck;
use super::mounts::ServiceVolume;
use super::networks::ServiceNetworks;
use super::options::{
    BlkioConfig, CredentialSpec, Device, EnvFile, Extends, FileReference, Gpus, LabelFile, Logging, Provider, ServiceHook, ServiceModels,
    Ulimits,
};
use super::ports::Port;
use super::values::{
    extensions, fixed_schema, Boolean, ByteSize, Command, Count, Duration, ExtraHosts, Integer, ListOrMapping, Number, StringOrList,
    StringOrNumber,
};

/// A service: the containers that run one image with one configuration.
/// A service needs `image`, or `build` to make one.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Service {
    /// Metadata of the containers, as a mapping or a list of `KEY=VALUE`.
    annotations: Option<ListOrMapping>,
    /// Whether `up` attaches to the service's output.
    attach: Option<Boolean>,
    /// The build of the image: the build context folder, or the long syntax.
    build: Option<Build>,
    /// Block IO limits and weights of the containers.
    blkio_config: Option<BlkioConfig>,
    /// Linux capabilities to add (`NET_ADMIN`, `SYS_TIME`).
    cap_add: Option<BTreeSet<String>>,
    /// Linux capabilities to drop (`ALL`, `MKNOD`).
    cap_drop: Option<BTreeSet<String>>,
    /// The cgroup namespace: `host` or `private`.
    cgroup: Option<CgroupNamespace>,
    /// The parent cgroup of the containers.
    cgroup_parent: Option<String>,
    /// The command, instead of the image's `CMD`: a string split as a shell
    /// would split it, or a list of arguments.
    command: Option<Command>,
    /// Configs that the containers can read, by name or in the long syntax.
    configs: Option<Vec<FileReference>>,
    /// The container name, instead of `<project>-<service>-<n>`. A service
    /// with a container name cannot run more than one replica.
    container_name: Option<ContainerName>,
    /// The number of CPUs that the containers may use (Windows).
    cpu_count: Option<Count>,
    /// The percentage of the CPUs that the containers may use (Windows).
    cpu_percent: Option<Percent>,
    /// The CPU shares of the containers, a weight relative to other containers.
    cpu_shares: Option<Integer>,
    /// The CPU time that the containers may use in each `cpu_period`, in
    /// microseconds.
    cpu_quota: Option<Integer>,
    /// The period of the CFS scheduler that `cpu_quota` applies to, in microseconds.
    cpu_period: Option<Integer>,
    /// The real-time period of the CPU scheduler, in microseconds or as a duration.
    cpu_rt_period: Option<MicrosecondsOrDuration>,
    /// The real-time runtime of the CPU scheduler, in microseconds or as a duration.
    cpu_rt_runtime: Option<MicrosecondsOrDuration>,
    /// The number of CPUs that the containers may use; fractions allowed (`0.5`).
    cpus: Option<Number>,
    /// The CPUs that the containers may run on (`0-3`, `0,1`).
    cpuset: Option<String>,
    /// The credential spec of a managed service account (Windows).
    credential_spec: Option<CredentialSpec>,
    /// Services that must start first: a list of names, or a mapping of names
    /// to the condition to wait for.
    depends_on: Option<DependsOn>,
    /// Rules for the cgroup's list of allowed devices (`c 1:3 mr`).
    device_cgroup_rules: Option<BTreeSet<String>>,
    /// Host devices to map into the containers: `HOST[:CONTAINER[:PERMISSIONS]]`
    /// or the long syntax.
    devices: Option<Vec<Device>>,
    /// Development settings: files to watch and what to do when they change.
    develop: Option<Develop>,
    /// Deployment settings: replicas, resources, restart and update policies.
    deploy: Option<Deploy>,
    /// DNS servers of the containers.
    dns: Option<StringOrList>,
    /// Options for the DNS resolver of the containers.
    dns_opt: Option<BTreeSet<String>>,
    /// DNS search domains of the containers.
    dns_search: Option<StringOrList>,
    /// The domain name of the containers.
    domainname: Option<String>,
    /// The entrypoint, instead of the image's `ENTRYPOINT`: a string split as a
    /// shell would split it, or a list of arguments.
    entrypoint: Option<Command>,
    /// Files of `KEY=VALUE` lines whose variables go into the environment;
    /// `environment` wins over them.
    env_file: Option<EnvFile>,
    /// The environment variables of the containers, as a mapping or a list of
    /// `KEY=VALUE`. A variable without a value is taken from the environment
    /// of the compose command.
    environment: Option<ListOrMapping>,
    /// Container ports to expose to other containers without publishing them.
    expose: Option<BTreeSet<StringOrNumber>>,
    /// Another service to copy the configuration from, in this file or another.
    extends: Option<Extends>,
    /// Containers outside the project to link to, as `NAME[:ALIAS]`.
    external_links: Option<BTreeSet<String>>,
    /// Host names to add to the containers' `/etc/hosts`.
    extra_hosts: Option<ExtraHosts>,
    /// GPUs to give to the containers: `all`, or a list of device requests.
    gpus: Option<Gpus>,
    /// Groups, by name or number, that the container's user also belongs to.
    group_add: Option<BTreeSet<StringOrNumber>>,
    /// The check that decides whether a container is healthy, instead of the
    /// image's `HEALTHCHECK`.
    healthcheck: Option<Healthcheck>,
    /// The host name of the containers.
    hostname: Option<String>,
    /// The image to run (`nginx:1.27`, `ghcr.io/org/app@sha256:...`).
    image: Option<String>,
    /// Whether to run an init process that forwards signals and reaps zombies.
    init: Option<Boolean>,
    /// The IPC namespace: `host`, `shareable`, `private` or `service:NAME`.
    ipc: Option<String>,
    /// The isolation technology of the containers (Windows: `process`, `hyperv`).
    isolation: Option<String>,
    /// Files of `KEY=VALUE` lines whose entries become labels.
    label_file: Option<LabelFile>,
    /// Labels of the containers, as a mapping or a list of `KEY=VALUE`.
    labels: Option<ListOrMapping>,
    /// Links to other services, as `SERVICE[:ALIAS]`. Services on a shared
    /// network reach each other by name without them.
    links: Option<BTreeSet<String>>,
    /// The logging driver and its options for the containers' output.
    logging: Option<Logging>,
    /// The MAC address of the containers.
    mac_address: Option<String>,
    /// The memory limit of the containers: bytes, or a size such as `512m`.
    mem_limit: Option<ByteSize>,
    /// The memory that the containers are guaranteed: bytes, or a size.
    mem_reservation: Option<ByteSize>,
    /// The kernel's tendency to swap the containers' memory, from 0 to 100.
    mem_swappiness: Option<Integer>,
    /// The memory and swap limit together: bytes, a size, or -1 for no limit.
    memswap_limit: Option<ByteSize>,
    /// Language models of the top-level `models` that the service uses.
    models: Option<ServiceModels>,
    /// The network mode, instead of the project's networks: `bridge`, `host`,
    /// `none`, `service:NAME` or `container:NAME`.
    network_mode: Option<String>,
    /// Networks of the top-level `networks` to join: a list of names, or a
    /// mapping of names to settings. Without this key the service joins `default`.
    networks: Option<ServiceNetworks>,
    /// Whether the kernel's OOM killer spares the containers.
    oom_kill_disable: Option<Boolean>,
    /// The OOM killer's preference for the containers, from -1000 (spare
    /// them) to 1000 (kill them first).
    oom_score_adj: Option<OomScore>,
    /// The PID namespace: `host`, or `service:NAME`.
    pid: Option<PidMode>,
    /// The maximum number of processes in a container; -1 for no limit.
    pids_limit: Option<Integer>,
    /// The platform of the image (`linux/amd64`, `linux/arm64`).
    platform: Option<String>,
    /// Container ports to publish on the host: `[[HOST_IP:][HOST_PORT]:]PORT[/PROTOCOL]`,
    /// a port number, or the long syntax.
    ports: Option<BTreeSet<Port>>,
    /// Commands to run in a container after it starts.
    post_start: Option<Vec<ServiceHook>>,
    /// Commands to run in a container before it stops.
    pre_stop: Option<Vec<ServiceHook>>,
    /// Whether the containers run with extended privileges.
    privileged: Option<Boolean>,
    /// The profiles that enable the service; a service without profiles is
    /// always enabled.
    profiles: Option<BTreeSet<String>>,
    /// The service that manages this one instead of compose (a cloud resource,
    /// a model runner).
    provider: Option<Provider>,
    /// The pull policy of the image: `always`, `never`, `missing`, `build`,
    /// `refresh`, `daily`, `weekly` or `every_<duration>`.
    pull_policy: Option<PullPolicy>,
    /// The time a pulled image stays fresh under `pull_policy: refresh`.
    pull_refresh_after: Option<String>,
    /// Whether the containers' root file system is read-only.
    read_only: Option<Boolean>,
    /// The restart policy of the containers: `no`, `always`,
    /// `on-failure[:MAX_RETRIES]` or `unless-stopped`.
    restart: Option<RestartPolicy>,
    /// The OCI runtime of the containers (`runc`, `crun`).
    runtime: Option<String>,
    /// The number of containers to run; `deploy.replicas` sets the same.
    scale: Option<Count>,
    /// Secrets that the containers can read under `/run/secrets`, by name or
    /// in the long syntax.
    secrets: Option<Vec<FileReference>>,
    /// Security options, such as `label=disable` or `no-new-privileges:true`.
    security_opt: Option<BTreeSet<String>>,
    /// The size of `/dev/shm`: bytes, or a size such as `64m`.
    shm_size: Option<ByteSize>,
    /// Whether the containers keep standard input open.
    stdin_open: Option<Boolean>,
    /// The time to wait after `stop_signal` before killing a container (`10s`).
    stop_grace_period: Option<Duration>,
    /// The signal that stops a container, instead of the image's (`SIGTERM`).
    stop_signal: Option<String>,
    /// Options of the storage driver, such as `size`.
    storage_opt: Option<AnyObject>,
    /// Kernel parameters of the containers, as a mapping or a list of `KEY=VALUE`.
    sysctls: Option<ListOrMapping>,
    /// Paths in the container to mount as tmpfs, with options after `:`.
    tmpfs: Option<StringOrList>,
    /// Whether the containers get a pseudo terminal.
    tty: Option<Boolean>,
    /// Resource limits of the processes in the containers (`nofile`, `nproc`).
    ulimits: Option<Ulimits>,
    /// Whether to mount the Docker API socket and the registry credentials.
    use_api_socket: Option<bool>,
    /// The user, by name or ID, and optionally the group (`1000:1000`).
    user: Option<String>,
    /// The user namespace mode (`host`).
    userns_mode: Option<String>,
    /// The UTS namespace (`host`).
    uts: Option<String>,
    /// The mounts of the containers: `[SOURCE:]TARGET[:MODE]`, or the long syntax.
    volumes: Option<BTreeSet<ServiceVolume>>,
    /// Services or containers whose volumes to mount too, as
    /// `[service:|container:]NAME[:ro|:rw]`.
    volumes_from: Option<BTreeSet<String>>,
    /// The working folder of the command, instead of the image's `WORKDIR`.
    working_dir: Option<String>,
}

/// The cgroup namespace of a container.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum CgroupNamespace {
    /// The host's cgroup namespace.
    Host,
    /// A cgroup namespace of the container's own.
    Private,
}

/// The PID namespace of a container, or null for the runtime's default.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum PidMode {
    Mode(String),
    Default(()),
}

fixed_schema! {
    /// A container name: a letter or digit, then letters, digits, `_`, `.`
    /// and `-`. Empty leaves the name to compose.
    ContainerName => { "type": "string", "pattern": r"^([a-zA-Z0-9][a-zA-Z0-9_.-]*)?$|\$" }
}

fixed_schema! {
    /// A restart policy. Empty is the runtime's default, `no`.
    RestartPolicy => { "type": "string", "pattern": r"^(no|always|on-failure(:[0-9]+)?|unless-stopped)?$|\$" }
}

fixed_schema! {
    /// A pull policy, with `every_` followed by a duration such as `12h`.
    PullPolicy => {
        "type": "string",
        "pattern": r"^(always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+)$|\$"
    }
}

fixed_schema! {
    /// An integer from 0 to 100, or a string holding one.
    Percent => { "type": ["integer", "string"], "minimum": 0, "maximum": 100, "pattern": r"^\+?[0-9]+$|\$" }
}

fixed_schema! {
    /// An integer from -1000 to 1000, or a string holding one.
    OomScore => { "type": ["integer", "string"], "minimum": -1000, "maximum": 1000, "pattern": r"^[-+]?[0-9]+$|\$" }
}

fixed_schema! {
    /// A number of microseconds, or a duration such as `950ms`.
    MicrosecondsOrDuration => {
        "type": ["number", "string"],
        "pattern": r"^([0-9]+|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(h|m|s|ms|us|µs|μs|ns))+)$|\$"
    }
}

fixed_schema! {
    /// A mapping whose keys and values this schema leaves to the driver.
    AnyObject => { "type": "object" }
}
