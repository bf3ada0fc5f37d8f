//! `build`: the images that services build from a folder, made before any
//! container is created.

use std::collections::BTreeMap;
use std::sync::Arc;

use perry_stack_schema::yaml::{Node, Value as NodeValue};
use perry_stack_schema::Service;
use tokio::task::JoinSet;

use super::plan::{Plan, IMAGE_LABEL};
use super::{EngineError, ObjectKind, Progress, UpOptions};
use crate::backend::{Backend, BuildSpec};

/// The keys of `build` that the engine passes on to the runtime.
const SUPPORTED_KEYS: [&str; 5] = ["context", "dockerfile", "args", "target", "labels"];

/// Returns the image name of a service that builds: its `image`, or
/// `<project>-<service>` as docker compose names it.
pub(crate) fn image_name(project: &str, service: &str, image: Option<&str>) -> String {
    image.map_or_else(|| format!("{project}-{service}"), str::to_string)
}

/// Reads a service's `build` (kept by the loader in its long form, with an
/// absolute `context`) into what the runtime needs. An `args` entry without
/// a value takes it from `environment`, and is left out when that has none.
/// Keys the engine does not pass on are named in `warnings`.
pub(crate) fn build_spec(
    image: &str,
    service_name: &str,
    service: &Service,
    environment: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Option<BuildSpec> {
    let build = service.unsupported.get("build")?;
    let NodeValue::Mapping(entries) = &build.value else { return None };
    let ignored: Vec<String> = entries.iter().filter_map(|(key, _)| key.scalar_text()).filter(|key| !SUPPORTED_KEYS.contains(&key.as_str())).collect();
    if !ignored.is_empty() {
        warnings.push(format!("service {service_name}: build keys {} are not supported yet and are ignored", ignored.join(", ")));
    }
    let text = |key: &str| build.get(key).and_then(Node::scalar_text);
    let mut args = BTreeMap::new();
    for (name, value) in mapping(build.get("args")) {
        if let Some(value) = value.or_else(|| environment(&name)) {
            args.insert(name, value);
        }
    }
    let labels = mapping(build.get("labels")).into_iter().map(|(name, value)| (name, value.unwrap_or_default())).collect();
    Some(BuildSpec {
        image: image.to_string(),
        context: text("context").unwrap_or_else(|| ".".to_string()),
        dockerfile: text("dockerfile"),
        args,
        target: text("target"),
        labels,
    })
}

/// Reads a mapping of names to optional strings, or a list of `NAME=VALUE`
/// (or bare `NAME`) entries.
fn mapping(node: Option<&Node>) -> Vec<(String, Option<String>)> {
    match node.map(|node| &node.value) {
        Some(NodeValue::Mapping(entries)) => entries.iter().filter_map(|(name, value)| Some((name.scalar_text()?, value.scalar_text()))).collect(),
        Some(NodeValue::Sequence(items)) => items
            .iter()
            .filter_map(Node::scalar_text)
            .map(|item| match item.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (item, None),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Builds the images of the planned services that build, at most
/// `max_parallel` at once: each one that is missing, or every one with
/// `options.build`. Then labels each service's containers with its image's
/// id, so that a rebuilt image recreates them.
pub(crate) async fn build_images(backend: &Arc<dyn Backend>, plan: &mut Plan, options: &UpOptions) -> Result<(), EngineError> {
    // Services that share an image build it once.
    let mut specs: BTreeMap<String, BuildSpec> = BTreeMap::new();
    for service in plan.services.values() {
        if let Some(spec) = &service.build {
            specs.entry(spec.image.clone()).or_insert_with(|| spec.clone());
        }
    }
    if specs.is_empty() {
        return Ok(());
    }

    let permits = Arc::new(tokio::sync::Semaphore::new(options.max_parallel.max(1)));
    let mut tasks = JoinSet::new();
    for (image, spec) in specs {
        let (backend, permits, progress, rebuild) = (backend.clone(), permits.clone(), options.progress.clone(), options.build);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let failed = |source| EngineError::Backend { action: format!("build image {image}"), source };
            let mut id = backend.image_id(&image).await.map_err(failed)?;
            if rebuild || id.is_none() {
                Progress::emit_resource(&progress, ObjectKind::Image, &image, "Building");
                backend.build_image(&spec).await.map_err(failed)?;
                Progress::emit_resource(&progress, ObjectKind::Image, &image, "Built");
                id = backend.image_id(&image).await.map_err(failed)?;
            }
            Ok::<_, EngineError>((image, id.unwrap_or_default()))
        });
    }
    let mut ids = BTreeMap::new();
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined.map_err(|error| EngineError::Task(error.to_string())).and_then(|result| result) {
            Ok((image, id)) => {
                ids.insert(image, id);
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    for service in plan.services.values_mut() {
        let Some(image) = service.build.as_ref().map(|spec| spec.image.clone()) else { continue };
        service.spec.labels.insert(IMAGE_LABEL.to_string(), ids[&image].clone());
    }
    plan.rehash();
    Ok(())
}
