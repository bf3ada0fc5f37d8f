//! The Docker Engine API backend against podman's API socket, served by
//! `podman system service` that the test starts and stops.

#![cfg(feature = "docker-api")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use perry_stack::backend::{DockerApiBackend, ExecSettings, LogStream};
use perry_stack::schema::Condition;
use perry_stack::testing::*;
use perry_stack::engine::OutputItem;
use perry_stack::schema::yaml::{Node, Value};
use perry_stack::{DownOptions, Engine, UpOptions};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_exec_down_over_the_api() {
    require_podman();
    let service = serve("apisock");
    let name = unique_project("api");
    let _cleanup = Cleanup(name.clone());
    let backend = DockerApiBackend::connect(&service.socket, Duration::from_secs(60)).unwrap();
    let engine = Engine::new(Arc::new(backend));

    let db = healthcheck(service_named("db", &["sleep", "60"]), &["CMD-SHELL", "test -e /tmp"], Duration::from_millis(300), 5);
    let db = mount_volume(db, "data", "/data");
    let web = join_network(join_network(depends_on(service_named("web", &["sleep", "60"]), "db", Condition::ServiceHealthy), "default"), "back");
    let project = with_network(with_network(with_volume(project(&name, vec![db, web]), "data"), "back"), "default");

    let report = engine.up(&project, &UpOptions::default()).await.unwrap();
    assert_eq!(report.services.len(), 2);
    let output = engine.exec(&name, "web", &["sh".to_string(), "-c".to_string(), "echo hi; echo oops >&2; exit 3".to_string()]).await.unwrap();
    assert_eq!(output.exit_code, 3);
    assert_eq!(output.stdout, "hi\n");
    assert_eq!(output.stderr, "oops\n");
    let settings = ExecSettings { env: [("A".to_string(), "1".to_string())].into(), workdir: Some("/tmp".to_string()), user: Some("65534".to_string()), stdin: None };
    let argv = ["sh", "-c", "echo $A $(pwd) $(id -u)"].map(str::to_string);
    let output = engine.exec_with(&name, "web", 1, &argv, &settings).await.unwrap();
    assert_eq!(output.stdout, "1 /tmp 65534\n");
    let with_stdin = ExecSettings { stdin: Some(b"a\nb\n".to_vec()), ..ExecSettings::default() };
    let argv = ["sh", "-c", "cat; wc -l"].map(str::to_string);
    let output = engine.exec_with(&name, "web", 1, &argv, &with_stdin).await.unwrap();
    assert_eq!((output.exit_code, output.stdout.as_str()), (0, "a\nb\n0\n"), "cat reads the input to its end, then wc sees none: {output:?}");
    let argv = ["sh", "-c", "wc -l"].map(str::to_string);
    let output = engine.exec_with(&name, "web", 1, &argv, &with_stdin).await.unwrap();
    assert_eq!(output.stdout.trim(), "2", "{output:?}");
    // A command that ends without reading its input still gives its code.
    let unread = ExecSettings { stdin: Some(vec![b'x'; 1 << 20]), ..ExecSettings::default() };
    let output = engine.exec_with(&name, "web", 1, &["sh".to_string(), "-c".to_string(), "exit 4".to_string()], &unread).await.unwrap();
    assert_eq!(output.exit_code, 4, "{output:?}");
    let again = engine.up(&project, &UpOptions::default()).await.unwrap();
    assert!(again.services.iter().all(|service| service.reused), "{:?}", again.services);

    // A changed web is recreated through a rename; the old one is gone after.
    let mut changed = project.clone();
    changed.services.get_mut("web").unwrap().command = Some(vec!["sleep".to_string(), "61".to_string()]);
    let recreated = engine.up(&changed, &UpOptions::default()).await.unwrap();
    let web = recreated.services.iter().find(|service| service.service == "web").unwrap();
    assert!(web.recreated, "{:?}", recreated.services);
    assert_eq!(engine.ps(&name).await.unwrap().len(), 2, "the replaced web container was removed");

    let down = engine.down(&name, &DownOptions { volumes: true, timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
    assert_eq!(down.containers.len(), 2);
    assert_eq!(leftovers(&name), Vec::<String>::new());
}

fn service_named(name: &str, command: &[&str]) -> perry_stack::schema::Service {
    service(name, IMAGE, command)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_logs_over_the_api() {
    require_podman();
    let service = serve("apifollow");
    let name = unique_project("apifollow");
    let _cleanup = Cleanup(name.clone());
    let backend = DockerApiBackend::connect(&service.socket, Duration::from_secs(60)).unwrap();
    let engine = Engine::new(Arc::new(backend));
    // A line written in two parts, a line on stderr, then the container
    // ends; the pause gives the follow time to begin before them.
    let script = "echo old; echo last; sleep 3; printf par; sleep 0.3; echo tial; echo oops >&2; sleep 0.3";
    let project = project(&name, vec![service_named("talk", &["sh", "-c", script])]);
    engine.up(&project, &UpOptions::default()).await.unwrap();
    // The tail is taken once both first lines are out.
    let began = std::time::Instant::now();
    while !engine.logs(&name, None, None).await.unwrap().iter().any(|entry| entry.logs.stdout.contains("last")) {
        assert!(began.elapsed() < Duration::from_secs(3), "talk printed nothing before its pause");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (sink, mut received) = tokio::sync::mpsc::channel(16);
    let follow = engine.follow_logs(&name, &[], Some(1), sink);
    let collect = async {
        let mut lines = Vec::new();
        while let Some(output) = received.recv().await {
            match output.item {
                OutputItem::Line(line) => lines.push((output.service, line.stream, line.text)),
                OutputItem::Exited { exit_code } => lines.push((output.service, LogStream::Stdout, format!("exited with {exit_code:?}"))),
            }
        }
        lines
    };
    let (result, lines) = tokio::time::timeout(Duration::from_secs(60), async { tokio::join!(follow, collect) }).await.expect("the follow ends with the container");
    result.unwrap();
    let talk = |stream, text: &str| ("talk".to_string(), stream, text.to_string());
    // `old` is before the tail; the follow ended because the container did.
    let exited = talk(LogStream::Stdout, "exited with Some(0)");
    assert_eq!(lines, [talk(LogStream::Stdout, "last"), talk(LogStream::Stdout, "partial"), talk(LogStream::Stderr, "oops"), exited]);
    engine.down(&name, &DownOptions { timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_lived_container_over_the_api() {
    require_podman();
    let service = serve("apionce");
    let name = unique_project("apionce");
    let _cleanup = Cleanup(name.clone());
    let backend = DockerApiBackend::connect(&service.socket, Duration::from_secs(60)).unwrap();
    let engine = Engine::new(Arc::new(backend));
    // podman's API reports a container that just exited as `stopped` for a
    // moment, a state the typed models do not know.
    let project = project(&name, vec![service_named("once", &["true"])]);

    engine.up(&project, &UpOptions::default()).await.unwrap();
    let rows = engine.ps(&name).await.unwrap();

    assert_eq!(rows.len(), 1);
    engine.down(&name, &DownOptions { timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
    assert_eq!(leftovers(&name), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_over_the_api() {
    require_podman();
    let service = serve("apibuild");
    let name = unique_project("apibuild");
    let _cleanup = Cleanup(name.clone());
    let context = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(context.join("Containerfile.dev"), format!("FROM {IMAGE}\nARG GREETING\nRUN echo \"$GREETING\" > /built\n")).unwrap();
    let backend = DockerApiBackend::connect(&service.socket, Duration::from_secs(60)).unwrap();
    let engine = Engine::new(Arc::new(backend));
    let mut web = build(service_named("web", &["sleep", "60"]), &context.display().to_string());
    // `dockerfile` and `args` as the loader keeps them.
    let text = |text: &str| Node::new(Value::String(text.to_string()), Default::default());
    if let Some(Value::Mapping(entries)) = web.unsupported.get_mut("build").map(|build| &mut build.value) {
        entries.push((text("dockerfile"), text("Containerfile.dev")));
        entries.push((text("args"), Node::new(Value::Mapping(vec![(text("GREETING"), text("hello"))]), Default::default())));
    }

    let up = engine.up(&project(&name, vec![web]), &UpOptions::default()).await;
    let read = engine.exec(&name, "web", &["cat".to_string(), "/built".to_string()]).await;
    engine.down(&name, &DownOptions { timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
    let _ = std::process::Command::new("podman").args(["rmi", "-f", &format!("{name}-web")]).output();
    let _ = std::fs::remove_dir_all(&context);

    up.unwrap();
    assert_eq!(read.unwrap().stdout, "hello\n");
}
