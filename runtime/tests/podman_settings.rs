//! Service settings on a real podman: run options, confinement, secrets and
//! configs, and `network_mode: service:NAME`, read back from inside the
//! containers, on the command line and on the Engine API.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use perry_stack::schema::ProcessEnvironment;
use perry_stack::{DownOptions, Engine, UpOptions};
use support::*;

const STACK: &str = r#"
services:
  app:
    image: localhost/perry-busybox:latest
    command: [httpd, -f, -p, "8080", -h, /run/secrets]
    hostname: app-host
    stop_grace_period: 1m30s
    init: true
    extra_hosts: ["db.example:10.1.2.3"]
    read_only: true
    tmpfs: [/scratch]
    ulimits: {nproc: 4096, nofile: {soft: 1000, hard: 2000}}
    mem_limit: 64m
    pull_policy: never
    logging: {driver: syslog}
    secrets: [token]
    configs: [{source: site, target: /etc/site.conf}]
    oom_score_adj: 100
    volumes: [/cache]
  side:
    image: localhost/perry-busybox:latest
    command: [sleep, "600"]
    network_mode: service:app
    pid: service:app
    volumes_from: [app]
secrets:
  token: {file: ./token.txt}
configs:
  site: {file: ./site.conf}
"#;

// `ulimits` replaces the `default_ulimits` of containers.conf, and a VM
// without CAP_SYS_RESOURCE cannot raise nproc to podman's own default, so
// the stack sets nproc too.

/// Runs `command` with `sh -c` in `container` and returns its output.
fn exec(container: &str, command: &str) -> String {
    let output = std::process::Command::new("podman").args(["exec", container, "sh", "-c", command]).output().expect("podman runs");
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)).trim().to_string()
}

fn inspect(container: &str, format: &str) -> String {
    let output = std::process::Command::new("podman").args(["inspect", "--format", format, container]).output().expect("podman runs");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

async fn settings_reach_the_containers(engine: Engine, test: &str) {
    require_podman();
    let name = unique_project(test);
    let _cleanup = Cleanup(name.clone());
    let folder = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("token.txt"), "s3cret\n").unwrap();
    std::fs::write(folder.join("site.conf"), "listen 80\n").unwrap();
    let file = folder.join("compose.yaml");
    let (mut project, _) = perry_stack::schema::load(STACK, &file, &ProcessEnvironment).expect("the stack loads");
    project.name = Some(name.clone());

    let report = engine.up(&project, &UpOptions::default()).await;
    let app = format!("{name}-app-1");
    let side = format!("{name}-side-1");
    let seen = [
        exec(&app, "hostname"),
        exec(&app, "cat /run/secrets/token /etc/site.conf"),
        exec(&app, "grep db.example /etc/hosts"),
        exec(&app, "ulimit -Hn"),
        exec(&app, "cat /proc/1/comm"),
        exec(&app, "touch /root-file 2>&1; touch /scratch/file && echo scratch written"),
        exec(&app, "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"),
        exec(&side, "wget -qO- http://127.0.0.1:8080/token"),
        inspect(&app, "{{.Config.StopTimeout}}"),
        exec(&app, "cat /proc/self/oom_score_adj"),
        exec(&side, "ps -o args | grep -c '^httpd -f'"),
        exec(&app, "echo shared > /cache/file && echo written"),
        exec(&side, "cat /cache/file"),
    ];
    engine.down(&name, &DownOptions { volumes: true, timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
    let _ = std::fs::remove_dir_all(&folder);

    let report = report.unwrap();
    assert_eq!(seen[0], "app-host");
    assert_eq!(seen[1], "s3cret\nlisten 80");
    assert!(seen[2].starts_with("10.1.2.3"), "{}", seen[2]);
    assert!(seen[2].ends_with("db.example"), "{}", seen[2]);
    assert_eq!(seen[3], "2000");
    // podman's init is catatonit, which the API mounts as podman-init.
    assert!(["catatonit", "podman-init"].contains(&seen[4].as_str()), "PID 1 is {}, not an init", seen[4]);
    assert!(seen[5].contains("Read-only file system"), "{}", seen[5]);
    assert!(seen[5].ends_with("scratch written"), "{}", seen[5]);
    assert_eq!(seen[6], (64 * 1024 * 1024).to_string());
    assert_eq!(seen[7], "s3cret", "side shares the network of app");
    assert_eq!(seen[8], "90", "stop_grace_period is the container's own stop timeout");
    assert_eq!(seen[9], "100");
    assert_eq!(seen[10], "1", "side sees the processes of app");
    assert_eq!((seen[11].as_str(), seen[12].as_str()), ("written", "shared"), "side mounts the volumes of app");
    assert_eq!(report.warnings, [format!("service app: backend {} has no log driver syslog, so its default driver is used", engine.backend().name())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_on_the_command_line() {
    settings_reach_the_containers(engine(), "settings").await;
}

/// Runs a container at a fixed address on a network with its own subnet.
async fn fixed_address_on_a_subnet(engine: Engine, test: &str, subnet: u8) {
    require_podman();
    let name = unique_project(test);
    let _cleanup = Cleanup(name.clone());
    let stack = |third: u8| {
        let source = format!(
            "services:\n  app:\n    image: localhost/perry-busybox:latest\n    command: [sleep, '600']\n    networks:\n      fixed: {{ipv4_address: 10.{third}.{subnet}.9}}\nnetworks:\n  fixed:\n    ipam:\n      config: [{{subnet: 10.{third}.{subnet}.0/24, gateway: 10.{third}.{subnet}.1}}]\n"
        );
        let (mut project, _) = perry_stack::schema::load(&source, Path::new("/tmp/compose.yaml"), &ProcessEnvironment).expect("the stack loads");
        project.name = Some(name.clone());
        project
    };
    let options = UpOptions { stop_timeout: Some(Duration::ZERO), ..UpOptions::default() };

    let report = engine.up(&stack(213), &options).await;
    let address = exec(&format!("{name}-app-1"), "ip -4 -o addr show eth0");
    let network = inspect_network(&format!("{name}_fixed"), "{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}");
    // Another subnet needs a new network, which `up` refuses before it stops the container.
    let changed = engine.up(&stack(214), &options).await;
    let still_running = inspect(&format!("{name}-app-1"), "{{.State.Running}}");
    engine.down(&name, &DownOptions { timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();

    report.unwrap();
    let error = changed.unwrap_err().to_string();
    assert!(error.starts_with(&format!("network {name}_fixed exists with other settings")), "{error}");
    assert_eq!(still_running, "true");
    assert!(address.contains(&format!("inet 10.213.{subnet}.9/24")), "{address}");
    assert_eq!(network, format!("10.213.{subnet}.0/24 10.213.{subnet}.1"));
}

fn inspect_network(network: &str, format: &str) -> String {
    let output = std::process::Command::new("podman").args(["network", "inspect", "--format", format, network]).output().expect("podman runs");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_address_on_the_command_line() {
    fixed_address_on_a_subnet(engine(), "fixedip", 77).await;
}

#[cfg(feature = "docker-api")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_address_on_the_api() {
    let service = serve("fixedipapi");
    let backend = perry_stack::backend::DockerApiBackend::connect(Path::new(&service.socket), Duration::from_secs(60)).unwrap();
    fixed_address_on_a_subnet(Engine::new(Arc::new(backend)), "fixedipapi", 78).await;
}

#[cfg(feature = "docker-api")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_on_the_api() {
    let service = serve("settingsapi");
    let backend = perry_stack::backend::DockerApiBackend::connect(Path::new(&service.socket), Duration::from_secs(60)).unwrap();
    settings_reach_the_containers(Engine::new(Arc::new(backend)), "settingsapi").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_network_follows_a_recreate() {
    require_podman();
    let name = unique_project("sharednet");
    let _cleanup = Cleanup(name.clone());
    let stack = |greeting: &str| {
        let source = format!(
            "services:\n  app:\n    image: localhost/perry-busybox:latest\n    command: [sh, -c, 'echo {greeting} > /tmp/index.html; httpd -f -p 8080 -h /tmp']\n  side:\n    image: localhost/perry-busybox:latest\n    command: [sleep, '600']\n    network_mode: service:app\n"
        );
        let (mut project, _) = perry_stack::schema::load(&source, Path::new("/tmp/compose.yaml"), &ProcessEnvironment).expect("the stack loads");
        project.name = Some(name.clone());
        project
    };
    let engine = engine();
    let side = format!("{name}-side-1");
    let fetch = || exec(&side, "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:8080/ && exit; sleep 0.2; done");

    // httpd and sleep ignore SIGTERM as PID 1, so the old ones are killed at once.
    let options = UpOptions { stop_timeout: Some(Duration::ZERO), ..UpOptions::default() };
    let first = engine.up(&stack("one"), &options).await;
    let before = fetch();
    let second = engine.up(&stack("two"), &options).await;
    let after = fetch();
    engine.down(&name, &DownOptions { timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();

    first.unwrap();
    let second = second.unwrap();
    assert_eq!(before, "one");
    assert_eq!(after, "two", "side joins the network of the new app container");
    let recreated: Vec<&str> = second.services.iter().filter(|report| report.recreated).map(|report| report.service.as_str()).collect();
    assert_eq!(recreated, ["app", "side"]);
    assert!(second.warnings.is_empty(), "the old app container was removed after the old side: {:?}", second.warnings);
    assert_eq!(leftovers(&name), Vec::<String>::new());
}
