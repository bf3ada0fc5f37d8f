//! The container functions of the engine-backed API on a real podman.

mod support;

use std::collections::BTreeMap;

use perry_stack::ffi::*;
use support::{leftovers, require_podman, unique_project, Cleanup, IMAGE};

fn spec(project: &str, name: &str) -> ContainerSpec {
    ContainerSpec {
        image: IMAGE.to_owned(),
        name: Some(name.to_owned()),
        command: Some(["sh", "-c", "echo started; trap 'exit 0' TERM; sleep 300 & wait"].map(str::to_owned).to_vec()),
        entrypoint: None,
        env: Some(BTreeMap::from([("GREETING".to_owned(), "hello".to_owned())])),
        ports: None,
        volumes: None,
        // The project label lets the cleanup guard find the container.
        labels: Some(BTreeMap::from([("com.docker.compose.project".to_owned(), project.to_owned())])),
        network: None,
        workdir: None,
        user: None,
    }
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|word| (*word).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_lifecycle_on_podman() {
    require_podman();
    let project = unique_project("ffi-container");
    let _cleanup = Cleanup(project.clone());
    let api = EngineApi;
    assert_eq!(api.get_backend().unwrap(), "podman");

    let name = format!("{project}-one");
    let container = api.run(spec(&project, &name)).await.unwrap();
    let info = api.inspect(container).await.unwrap();
    assert_eq!(info.name, name);
    assert_eq!(info.state, "running");
    assert_eq!(info.labels.get("dev.perry-stack.managed").map(String::as_str), Some("true"));

    let output = ContainerApi::exec(&api, container, argv(&["sh", "-c", "echo $GREETING"]), None).await.unwrap();
    assert_eq!(output.exit_code, 0.0);
    assert_eq!(output.stdout, "hello\n");
    let unsupported = ContainerApi::exec(&api, container, argv(&["true"]), Some(ExecOptions { env: None, workdir: Some("/".to_owned()), user: None })).await;
    assert_eq!(unsupported.unwrap_err().to_string(), "container.exec: not supported yet: `workdir` for exec");

    let logs = ContainerApi::logs(&api, container, None).await.unwrap();
    assert_eq!(logs.stdout, "started\n");

    ContainerApi::stop(&api, container, Some(StopOptions { timeout: Some(5.0) })).await.unwrap();
    let filter = ListOptions { all: Some(true), labels: Some(BTreeMap::from([("com.docker.compose.project".to_owned(), project.clone())])) };
    let listed = api.list(Some(filter.clone())).await.unwrap();
    assert_eq!(listed.iter().map(|info| (info.name.as_str(), info.state.as_str())).collect::<Vec<_>>(), [(name.as_str(), "exited")]);
    let running_only = ListOptions { all: None, ..filter.clone() };
    assert!(api.list(Some(running_only)).await.unwrap().is_empty());

    ContainerApi::start(&api, container).await.unwrap();
    assert_eq!(api.inspect(container).await.unwrap().state, "running");
    api.remove(container, Some(RemoveOptions { force: Some(true), volumes: None })).await.unwrap();
    let released = api.inspect(container).await.unwrap_err().to_string();
    assert!(released.starts_with("container.inspect: received a ContainerHandle that was released"), "{released}");
    assert!(!api.remove_if_exists(name.clone()).await.unwrap(), "the container is already gone");

    let created = format!("{project}-two");
    api.create(spec(&project, &created)).await.unwrap();
    assert!(api.remove_if_exists(created).await.unwrap());

    // downAll removes what perry/container created and nothing else.
    api.create(spec(&project, &format!("{project}-three"))).await.unwrap();
    api.down_all(None).await.unwrap();
    assert_eq!(leftovers(&project), Vec::<String>::new());

    let image = api.pull_image(IMAGE.to_owned()).await.unwrap_err().to_string();
    assert_eq!(image, "container.pullImage: not supported yet: pulling images through the backend");
}
