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
    let options = ExecOptions {
        env: Some(BTreeMap::from([("GREETING".to_owned(), "bye".to_owned())])),
        workdir: Some("/tmp".to_owned()),
        user: Some("65534".to_owned()),
    };
    let output = ContainerApi::exec(&api, container, argv(&["sh", "-c", "echo $GREETING $(pwd) $(id -u); exit 4"]), Some(options)).await.unwrap();
    assert_eq!(output.exit_code, 4.0);
    assert_eq!(output.stdout, "bye /tmp 65534\n");

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
}

/// Removes an image when the test ends, also when it panics.
struct RemoveImage(String);

impl Drop for RemoveImage {
    fn drop(&mut self) {
        let _ = std::process::Command::new("podman").args(["rmi", "--force", &self.0]).output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_on_podman() {
    require_podman();
    let api = EngineApi;
    let tag = format!("localhost/{}:latest", unique_project("ffi-image"));
    let _cleanup = RemoveImage(tag.clone());

    let context = std::env::temp_dir().join(unique_project("ffi-build"));
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(context.join("Containerfile"), format!("FROM {IMAGE}\nLABEL built.by=perry-stack\n")).unwrap();
    let spec = BuildSpec {
        context: context.to_string_lossy().into_owned(),
        tag: tag.clone(),
        dockerfile: Some("Containerfile".to_owned()),
        args: None,
        target: None,
    };
    let id = api.build(spec).await;
    std::fs::remove_dir_all(&context).unwrap();
    let id = id.unwrap();
    assert_eq!(id.len(), 64, "an image ID: {id}");

    let images = api.list_images().await.unwrap();
    let built = images.iter().find(|image| image.id == id).expect("the built image is listed");
    assert_eq!(built.tags, std::slice::from_ref(&tag));
    assert!(images.iter().any(|image| image.tags.iter().any(|name| name == IMAGE)), "{images:?}");

    api.remove_image(tag.clone(), None).await.unwrap();
    assert!(!api.list_images().await.unwrap().iter().any(|image| image.id == id), "the image was removed");
    let missing = api.remove_image(tag.clone(), None).await.unwrap_err().to_string();
    assert!(missing.starts_with("container.removeImage: `"), "{missing}");
    assert!(missing.contains(&tag), "{missing}");

    // No registry is reachable, so a pull of an image that exists nowhere fails.
    let pull = api.pull_image(tag.clone()).await.unwrap_err().to_string();
    assert!(pull.starts_with("container.pullImage: `"), "{pull}");
}
