//! Operations that the `Backend` trait lacks (images) on the command line
//! that detection found. Arguments go as argv, and a backend installed without a
//! command line rejects them as not supported.

use std::path::PathBuf;
use std::time::Duration;

use super::{failed, not_supported, selected};
use crate::backend::Grammar;
use crate::ffi::bridge::ApiError;
use crate::ffi::generated::{BuildSpec, ImageInfo, RemoveOptions};

/// How long a pull or build may take before it is stopped.
const LONG_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a listing or removal may take.
const SHORT_TIMEOUT: Duration = Duration::from_secs(60);

/// Returns the program and grammar of the selected runtime's command line.
async fn cli(function: &'static str) -> Result<(PathBuf, Grammar), ApiError> {
    let selected = selected(function).await?;
    selected.cli.clone().ok_or_else(|| not_supported(function, format!("this function on the `{}` backend, which has no command line", selected.name)))
}

async fn run(function: &'static str, program: &PathBuf, args: &[String], timeout: Duration) -> Result<String, ApiError> {
    let command = format!("{} {}", program.display(), args.join(" "));
    let child = tokio::process::Command::new(program).args(args).stdin(std::process::Stdio::null()).kill_on_drop(true).output();
    let output = match tokio::time::timeout(timeout, child).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => return Err(failed(function, format!("could not run `{command}`: {error}"))),
        Err(_) => return Err(failed(function, format!("timed out after {} s running `{command}`", timeout.as_secs()))),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(failed(function, format!("`{command}` failed: {}", stderr.trim())));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

pub(super) async fn pull(reference: String) -> Result<(), ApiError> {
    const FUNCTION: &str = "container.pullImage";
    let (program, _) = cli(FUNCTION).await?;
    run(FUNCTION, &program, &["pull".to_owned(), reference], LONG_TIMEOUT).await.map(drop)
}

pub(super) async fn list() -> Result<Vec<ImageInfo>, ApiError> {
    const FUNCTION: &str = "container.listImages";
    let (program, grammar) = cli(FUNCTION).await?;
    let mut images = match grammar {
        Grammar::Podman => {
            let text = run(FUNCTION, &program, &["images".to_owned(), "--format".to_owned(), "json".to_owned()], SHORT_TIMEOUT).await?;
            parse_podman(&text).map_err(|error| failed(FUNCTION, format!("could not parse the image list: {error}")))?
        }
        Grammar::Docker => {
            let text = run(FUNCTION, &program, &["images".to_owned(), "--no-trunc".to_owned(), "--format".to_owned(), "{{json .}}".to_owned()], SHORT_TIMEOUT).await?;
            parse_docker(&text).map_err(|error| failed(FUNCTION, format!("could not parse the image list: {error}")))?
        }
        // NOTE: `container image list --format json` has a shape of its own
        // that this function does not read yet.
        Grammar::AppleContainer => return Err(not_supported(FUNCTION, "listing images on the `apple/container` backend".to_string())),
    };
    images.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(images)
}

#[derive(serde::Deserialize)]
struct PodmanImage {
    #[serde(rename = "Id")]
    id: String,
    #[serde(rename = "Names", default)]
    names: Option<Vec<String>>,
    #[serde(rename = "Size", default)]
    size: Option<f64>,
}

fn parse_podman(text: &str) -> Result<Vec<ImageInfo>, serde_json::Error> {
    let images: Vec<PodmanImage> = serde_json::from_str(text)?;
    Ok(images
        .into_iter()
        .map(|image| ImageInfo { id: image.id, tags: image.names.unwrap_or_default(), size: image.size })
        .collect())
}

#[derive(serde::Deserialize)]
struct DockerImage {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "Repository")]
    repository: String,
    #[serde(rename = "Tag")]
    tag: String,
}

/// Parses one JSON object a line; docker lists an image once per tag.
fn parse_docker(text: &str) -> Result<Vec<ImageInfo>, serde_json::Error> {
    let mut images: Vec<ImageInfo> = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let image: DockerImage = serde_json::from_str(line)?;
        let tag = (image.repository != "<none>").then(|| format!("{}:{}", image.repository, image.tag));
        match images.iter_mut().find(|known| known.id == image.id) {
            Some(known) => known.tags.extend(tag),
            None => images.push(ImageInfo { id: image.id, tags: tag.into_iter().collect(), size: None }),
        }
    }
    Ok(images)
}

pub(super) async fn remove(reference: String, options: Option<RemoveOptions>) -> Result<(), ApiError> {
    const FUNCTION: &str = "container.removeImage";
    if options.as_ref().and_then(|options| options.volumes) == Some(true) {
        return Err(failed(FUNCTION, "`volumes` applies to containers, not to images"));
    }
    let (program, _) = cli(FUNCTION).await?;
    let mut args = vec!["rmi".to_owned()];
    if options.and_then(|options| options.force) == Some(true) {
        args.push("--force".to_owned());
    }
    args.push(reference);
    run(FUNCTION, &program, &args, SHORT_TIMEOUT).await.map(drop)
}

pub(super) async fn build(spec: BuildSpec) -> Result<String, ApiError> {
    const FUNCTION: &str = "container.build";
    let (program, _) = cli(FUNCTION).await?;
    let mut args = vec!["build".to_owned(), "--tag".to_owned(), spec.tag.clone()];
    if let Some(file) = spec.dockerfile {
        args.extend(["--file".to_owned(), PathBuf::from(&spec.context).join(file).to_string_lossy().into_owned()]);
    }
    for (name, value) in spec.args.unwrap_or_default() {
        args.extend(["--build-arg".to_owned(), format!("{name}={value}")]);
    }
    if let Some(target) = spec.target {
        args.extend(["--target".to_owned(), target]);
    }
    args.push(spec.context);
    run(FUNCTION, &program, &args, LONG_TIMEOUT).await?;

    let inspect = ["image".to_owned(), "inspect".to_owned(), "--format".to_owned(), "{{.Id}}".to_owned(), spec.tag];
    Ok(run(FUNCTION, &program, &inspect, SHORT_TIMEOUT).await?.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn podman_list_keeps_names_and_size() {
        let text = r#"[{"Id":"abc","Names":["localhost/a:1","localhost/b:2"],"Size":42},{"Id":"def","Names":null}]"#;
        let images = parse_podman(text).unwrap();
        assert_eq!(images[0], ImageInfo { id: "abc".to_owned(), tags: vec!["localhost/a:1".to_owned(), "localhost/b:2".to_owned()], size: Some(42.0) });
        assert_eq!(images[1].tags, Vec::<String>::new());
    }

    #[test]
    fn docker_list_merges_tags_of_one_image() {
        let text = "{\"ID\":\"sha256:1\",\"Repository\":\"a\",\"Tag\":\"1\"}\n{\"ID\":\"sha256:1\",\"Repository\":\"b\",\"Tag\":\"2\"}\n{\"ID\":\"sha256:2\",\"Repository\":\"<none>\",\"Tag\":\"<none>\"}\n";
        let images = parse_docker(text).unwrap();
        assert_eq!(images.len(), 2);
        assert_eq!(images[0].tags, ["a:1", "b:2"]);
        assert!(images[1].tags.is_empty());
    }
}
