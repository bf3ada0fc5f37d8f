//! The command grammars of the CLI backend, checked against fake `podman`,
//! `docker`, `nerdctl`, `limactl` and `container` executables that record their argv and
//! reply with output in the real tools' documented formats.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use perry_stack::backend::{ContainerSpec, ExecSettings, Feature, Grammar, LabelFilter, NetworkAttachment, NetworkSpec};
use perry_stack::{Backend, CliBackend};

mod support;
use support::serial;

/// `podman ps --all --format json` as podman 4 prints it.
const PODMAN_PS: &str = r#"[
  {
    "AutoRemove": false,
    "Command": ["httpd", "-f"],
    "Created": "2026-12-04T21:00:00Z",
    "Exited": false,
    "ExitedAt": -62135596800,
    "ExitCode": 0,
    "Id": "4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee0",
    "Image": "localhost/perry-busybox:latest",
    "Labels": {"com.docker.compose.project": "demo", "com.docker.compose.service": "web"},
    "Names": ["demo-web-1"],
    "Ports": [{"host_ip": "", "container_port": 80, "host_port": 8080, "range": 2, "protocol": "tcp"}],
    "State": "running",
    "Status": "Up 2 seconds"
  }
]"#;

/// `docker container inspect ID` as docker 24 prints it (fields trimmed).
const DOCKER_INSPECT: &str = r#"[
  {
    "Id": "9a8b7c6d5e4f9a8b7c6d5e4f9a8b7c6d5e4f9a8b7c6d5e4f9a8b7c6d5e4f9a8b",
    "Created": "2026-12-04T21:00:00.000000000Z",
    "Name": "/demo-web-1",
    "State": {"Status": "exited", "Running": false, "Paused": false, "ExitCode": 3, "Pid": 0},
    "Config": {
      "Image": "localhost/perry-busybox:latest",
      "Labels": {"com.docker.compose.project": "demo", "com.docker.compose.service": "web"}
    },
    "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], "81/udp": null}}
  }
]"#;

const CREATED_ID: &str = "0123456789abcdef";

/// A folder with one fake executable named `program` that skips `skip`
/// leading words (a prefix such as `shell default nerdctl`) before reading
/// the subcommand.
struct Fake {
    dir: PathBuf,
    program: PathBuf,
}

impl Fake {
    fn new(test: &str, program: &str, skip: usize) -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
        let dir = std::env::temp_dir().join(format!("perry-fake-{test}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ps.json"), PODMAN_PS).unwrap();
        std::fs::write(dir.join("inspect.json"), DOCKER_INSPECT).unwrap();
        let script = format!(
            r#"#!/bin/sh
printf '%s\t' "$@" >> '{log}'
printf '\n' >> '{log}'
shift {skip}
case "$1" in
  create) echo {CREATED_ID} ;;
  ps) if [ "$3" = "--format" ]; then cat '{dir}/ps.json'; else echo 9a8b7c6d5e4f; fi ;;
  container) cat '{dir}/inspect.json' ;;
  exec) cat ;;
  stop) if [ "$3" = 2 ]; then sleep 1; fi ;;
esac
"#,
            log = dir.join("argv.log").display(),
            dir = dir.display(),
        );
        let program = dir.join(program);
        std::fs::write(&program, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir, program }
    }

    /// Returns every recorded call, as its argv after the program name.
    fn calls(&self) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.dir.join("argv.log")).unwrap_or_default();
        text.lines().map(|line| line.split('\t').filter(|word| !word.is_empty()).map(str::to_string).collect()).collect()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn two_networks() -> ContainerSpec {
    ContainerSpec {
        name: "demo-web-1".to_string(),
        image: "localhost/perry-busybox:latest".to_string(),
        command: Some(vec!["httpd".to_string(), "-f".to_string()]),
        labels: BTreeMap::from([("com.docker.compose.project".to_string(), "demo".to_string())]),
        networks: vec![
            NetworkAttachment { network: "demo_front".to_string(), aliases: vec!["web".to_string()], ..NetworkAttachment::default() },
            NetworkAttachment { network: "demo_back".to_string(), aliases: vec!["web".to_string(), "api".to_string()], ..NetworkAttachment::default() },
        ],
        ..ContainerSpec::default()
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(' ').map(str::to_string).collect()
}

fn project_filter() -> LabelFilter {
    LabelFilter::from([("com.docker.compose.project".to_string(), "demo".to_string())])
}

fn network() -> NetworkSpec {
    NetworkSpec {
        name: "demo_back".to_string(),
        internal: true,
        options: BTreeMap::from([("com.docker.network.driver.mtu".to_string(), "1400".to_string())]),
        labels: BTreeMap::from([("com.docker.compose.network".to_string(), "back".to_string())]),
        ..NetworkSpec::default()
    }
}

#[tokio::test]
async fn podman_grammar() {
    let _serial = serial();
    let fake = Fake::new("podman", "podman", 0);
    let backend = CliBackend::new(&fake.program, Grammar::Podman);

    let id = backend.create_container(&two_networks()).await.unwrap();
    backend.create_network(&network()).await.unwrap();
    let listed = backend.list_containers(&project_filter()).await.unwrap();
    backend.rename_container("demo-web-1", "4f1c0ffee4f1_demo-web-1").await.unwrap();

    assert_eq!(id, CREATED_ID);
    let calls = fake.calls();
    assert_eq!(
        calls[0],
        words(
            "create --name demo-web-1 --label com.docker.compose.project=demo --network demo_front:alias=web \
             --network demo_back:alias=web,alias=api localhost/perry-busybox:latest httpd -f"
        )
    );
    assert_eq!(
        calls[1],
        words("network create --internal --opt com.docker.network.driver.mtu=1400 --label com.docker.compose.network=back demo_back")
    );
    assert_eq!(calls[2], words("ps --all --format json --filter label=com.docker.compose.project=demo"));
    assert_eq!(calls[3], words("rename demo-web-1 4f1c0ffee4f1_demo-web-1"));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "demo-web-1");
    assert!(listed[0].state.running);
    let ports: Vec<(u16, u16)> = listed[0].ports.iter().map(|port| (port.host_port, port.container_port)).collect();
    assert_eq!(ports, [(8080, 80), (8081, 81)], "a range of 2 gives two ports");
}

/// docker and nerdctl share the grammar: one network at create time, the
/// others connected afterwards; listing inspects the ids that `ps` prints.
async fn docker_like(fake: &Fake, backend: CliBackend, prefix: &[&str]) {
    let id = backend.create_container(&two_networks()).await.unwrap();
    let listed = backend.list_containers(&project_filter()).await.unwrap();
    backend.rename_container("demo-web-1", "9a8b7c6d5e4f_demo-web-1").await.unwrap();

    assert_eq!(id, CREATED_ID);
    let with_prefix = |text: &str| {
        let mut argv: Vec<String> = prefix.iter().map(|word| word.to_string()).collect();
        argv.extend(words(text));
        argv
    };
    let calls = fake.calls();
    assert_eq!(
        calls[0],
        with_prefix(
            "create --name demo-web-1 --label com.docker.compose.project=demo --network demo_front --network-alias web \
             localhost/perry-busybox:latest httpd -f"
        )
    );
    assert_eq!(calls[1], with_prefix(&format!("network connect --alias web --alias api demo_back {CREATED_ID}")));
    assert_eq!(calls[2], with_prefix("ps --all --quiet --no-trunc --filter label=com.docker.compose.project=demo"));
    assert_eq!(calls[3], with_prefix("container inspect 9a8b7c6d5e4f"));
    assert_eq!(calls[4], with_prefix("rename demo-web-1 9a8b7c6d5e4f_demo-web-1"));
    assert_eq!(listed[0].name, "demo-web-1");
    assert_eq!(listed[0].state.exit_code, Some(3));
    assert_eq!(listed[0].ports.len(), 1, "an unpublished port has no binding");
}

#[tokio::test]
async fn docker_grammar() {
    let _serial = serial();
    let fake = Fake::new("docker", "docker", 0);
    docker_like(&fake, CliBackend::new(&fake.program, Grammar::Docker), &[]).await;
}

#[tokio::test]
async fn nerdctl_grammar() {
    let _serial = serial();
    let fake = Fake::new("nerdctl", "nerdctl", 0);
    let backend = CliBackend::new(&fake.program, Grammar::Docker).with_name("nerdctl");
    assert_eq!(backend.name(), "nerdctl");
    docker_like(&fake, backend, &[]).await;
}

#[tokio::test]
async fn lima_grammar() {
    let _serial = serial();
    let fake = Fake::new("lima", "limactl", 3);
    let backend = CliBackend::lima("default");
    // CliBackend::lima runs `limactl` from PATH, so the fake is given by path
    // with the same prefix and name.
    let backend = CliBackend::new(&fake.program, Grammar::Docker).with_prefix(&["shell", "default", "nerdctl"]).with_name(backend.name());
    assert_eq!(backend.name(), "lima");
    docker_like(&fake, backend, &["shell", "default", "nerdctl"]).await;
}


/// `container list --all --format json` as Apple's `container` prints it
/// (fields trimmed): one container of the project, one of another.
const APPLE_LIST: &str = r#"[
  {
    "status": "running",
    "configuration": {
      "id": "demo-web-1",
      "image": {"reference": "localhost/perry-busybox:latest", "descriptor": {"mediaType": "application/vnd.oci.image.index.v1+json", "size": 1, "digest": "sha256:00"}},
      "labels": {"com.docker.compose.project": "demo", "com.docker.compose.service": "web"},
      "publishedPorts": [{"hostAddress": "0.0.0.0", "hostPort": 8080, "containerPort": 80, "proto": "tcp", "count": 2}],
      "networks": [{"network": "demo_front", "options": {"hostname": "demo-web-1"}}]
    },
    "networks": [{"network": "demo_front", "hostname": "demo-web-1", "address": "192.168.64.3/24", "gateway": "192.168.64.1"}]
  },
  {
    "status": "stopped",
    "configuration": {"id": "other-db-1", "image": {"reference": "postgres:16"}, "labels": {"com.docker.compose.project": "other"}},
    "networks": []
  }
]"#;

/// `container network list --format json`, trimmed the same way.
const APPLE_NETWORKS: &str = r#"[
  {"id": "default", "state": "running", "config": {"id": "default", "labels": {}}},
  {"id": "demo_front", "state": "running", "config": {"id": "demo_front", "labels": {"com.docker.compose.project": "demo"}}}
]"#;

#[tokio::test]
async fn apple_container_grammar() {
    let _serial = serial();
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    let dir = std::env::temp_dir().join(format!("perry-fake-apple-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("list.json"), APPLE_LIST).unwrap();
    std::fs::write(dir.join("networks.json"), APPLE_NETWORKS).unwrap();
    // `run` and `create` print the id, which is the name; `exec` exits with
    // the command's code; an unknown id in `inspect` fails as the tool does.
    let script = format!(
        r#"#!/bin/sh
printf '%s\t' "$@" >> '{log}'
printf '\n' >> '{log}'
case "$1" in
  run|create) echo demo-web-1 ;;
  list) cat '{dir}/list.json' ;;
  inspect) if [ "$2" = demo-web-1 ]; then cat '{dir}/list.json'; else echo "Error: notFound: \"container $2 not found\"" >&2; exit 1; fi ;;
  network) if [ "$2" = list ]; then cat '{dir}/networks.json'; fi ;;
  exec) if [ "$2" = --interactive ]; then cat; else echo hello; exit 3; fi ;;
esac
"#,
        log = dir.join("argv.log").display(),
        dir = dir.display(),
    );
    let fake = Fake { program: dir.join("container"), dir: dir.clone() };
    std::fs::write(&fake.program, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake.program, std::fs::Permissions::from_mode(0o755)).unwrap();

    let backend = CliBackend::new(&fake.program, Grammar::AppleContainer);
    // `container` has no rename, so `up` never requests one there.
    assert!(!backend.capabilities().supports(Feature::Rename));
    assert_eq!(backend.name(), "apple/container");
    assert_eq!(backend.isolation(), perry_stack::backend::Isolation::VmPerContainer);
    let mut spec = two_networks();
    spec.networks.truncate(1);
    spec.networks[0].aliases.clear();
    let id = backend.run_container(&spec).await.unwrap();
    let listed = backend.list_containers(&project_filter()).await.unwrap();
    let inspected = backend.inspect_container("demo-web-1").await.unwrap();
    let missing = backend.inspect_container("gone").await.unwrap_err();
    let networks = backend.list_networks(&project_filter()).await.unwrap();
    let exec = backend.exec("demo-web-1", &words("echo hello")).await.unwrap();
    let with_stdin = ExecSettings { stdin: Some(b"piped\n".to_vec()), ..ExecSettings::default() };
    let piped = backend.exec_with("demo-web-1", &words("cat"), &with_stdin).await.unwrap();
    backend.stop_container("demo-web-1", std::time::Duration::from_secs(3)).await.unwrap();
    backend.remove_container("demo-web-1", true).await.unwrap();
    backend.remove_network("demo_front").await.unwrap();

    assert_eq!(id, "demo-web-1");
    let calls = fake.calls();
    assert_eq!(
        calls[0],
        words(
            "run --detach --name demo-web-1 --label com.docker.compose.project=demo --network demo_front \
             localhost/perry-busybox:latest httpd -f"
        )
    );
    assert_eq!(calls[1], words("list --all --format json"));
    assert_eq!(calls[2], words("inspect demo-web-1"));
    assert_eq!(calls[4], words("network list --format json"));
    assert_eq!(calls[5], words("exec demo-web-1 echo hello"));
    assert_eq!(calls[6], words("exec --interactive demo-web-1 cat"));
    assert_eq!(calls[7], words("stop --time 3 demo-web-1"));
    assert_eq!(calls[8], words("delete --force demo-web-1"));
    assert_eq!(calls[9], words("network delete demo_front"));

    let names: Vec<&str> = listed.iter().map(|info| info.name.as_str()).collect();
    assert_eq!(names, ["demo-web-1"], "the label filter is applied to the list");
    assert!(listed[0].state.running);
    let ports: Vec<(u16, u16)> = listed[0].ports.iter().map(|port| (port.host_port, port.container_port)).collect();
    assert_eq!(ports, [(8080, 80), (8081, 81)], "a count of 2 gives two ports");
    assert_eq!(inspected.image, "localhost/perry-busybox:latest");
    assert!(missing.is_not_found(), "{missing}");
    assert_eq!(networks.iter().map(|network| network.name.as_str()).collect::<Vec<_>>(), ["demo_front"]);
    assert_eq!((exec.exit_code, exec.stdout.as_str()), (3, "hello\n"));
    assert_eq!((piped.exit_code, piped.stdout.as_str()), (0, "piped\n"), "the fake's `cat` read the input");
}

#[tokio::test]
async fn exec_stdin_uses_interactive() {
    let _serial = serial();
    let fakes = [
        (Fake::new("stdin-podman", "podman", 0), "podman", Grammar::Podman, 0),
        (Fake::new("stdin-docker", "docker", 0), "docker", Grammar::Docker, 0),
        (Fake::new("stdin-nerdctl", "nerdctl", 0), "nerdctl", Grammar::Docker, 0),
        (Fake::new("stdin-lima", "limactl", 3), "lima", Grammar::Docker, 3),
    ];
    for (fake, name, grammar, skip) in &fakes {
        let mut backend = CliBackend::new(&fake.program, *grammar).with_name(name);
        if *skip > 0 {
            backend = backend.with_prefix(&["shell", "default", "nerdctl"]);
        }
        let settings = ExecSettings { stdin: Some(b"a\nb\n".to_vec()), user: Some("1000".to_string()), ..ExecSettings::default() };
        let piped = backend.exec_with("demo-web-1", &words("sh -c cat"), &settings).await.unwrap();
        let plain = backend.exec("demo-web-1", &words("true")).await.unwrap();

        let calls: Vec<Vec<String>> = fake.calls().into_iter().map(|call| call[*skip..].to_vec()).collect();
        assert_eq!(calls[0], words("exec --interactive --user 1000 demo-web-1 sh -c cat"), "{name}");
        assert_eq!(calls[1], words("exec demo-web-1 true"), "{name}: no input, no --interactive");
        assert_eq!(piped.stdout, "a\nb\n", "{name}: the input reached the program's standard input");
        assert_eq!(plain.stdout, "", "{name}: without input the standard input is empty");
    }
}

#[tokio::test]
async fn stop_waits_longer_than_a_call() {
    let _serial = serial();
    let fake = Fake::new("stop-wait", "podman", 0);
    let backend = CliBackend::new(&fake.program, Grammar::Podman).with_timeout(std::time::Duration::from_millis(300));

    // The fake takes a second to stop with `--time 2`: longer than one call
    // may take, within the grace period that the runtime waits for.
    let stopped = backend.stop_container("demo-web-1", std::time::Duration::from_secs(2)).await;

    assert!(stopped.is_ok(), "{stopped:?}");
    assert_eq!(fake.calls()[0], words("stop --time 2 demo-web-1"));
}
