//! A service's `build`: the context folder, or the long syntax.

use schemars::JsonSchema;

use super::options::{FileReference, Ulimits};
use super::values::{extensions, fixed_schema, Boolean, ByteSize, ExtraHosts, ListOrMapping};

/// The build of a service's image.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum Build {
    Context(String),
    Long(BuildLong),
}

/// A build in the long syntax.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct BuildLong {
    /// The build context: a folder relative to the project folder, or a URL
    /// (a Git repository, a tarball).
    context: Option<String>,
    /// The Dockerfile, relative to the context (default `Dockerfile`).
    dockerfile: Option<String>,
    /// The Dockerfile's text, instead of a file.
    dockerfile_inline: Option<String>,
    /// Privileges that the build may use (`network.host`, `security.insecure`).
    entitlements: Option<Vec<String>>,
    /// Build arguments (`ARG` values), as a mapping or a list of `KEY=VALUE`.
    args: Option<ListOrMapping>,
    /// SSH agent sockets or keys for the build: `default` or `ID=PATH`.
    ssh: Option<ListOrMapping>,
    /// Labels of the image.
    labels: Option<ListOrMapping>,
    /// Sources of build cache (`type=registry,ref=...`).
    cache_from: Option<Vec<String>>,
    /// Destinations for the build cache.
    cache_to: Option<Vec<String>>,
    /// Whether to build without the cache.
    no_cache: Option<Boolean>,
    /// More named contexts, as a mapping of names to folders, URLs or images.
    additional_contexts: Option<ListOrMapping>,
    /// The network of `RUN` steps: `default`, `none`, `host` or a network name.
    network: Option<String>,
    /// Whether to add a provenance attestation, or its settings (`mode=max`).
    provenance: Option<StringOrBoolean>,
    /// Whether to add an SBOM attestation, or its settings.
    sbom: Option<StringOrBoolean>,
    /// Whether to pull newer versions of the base images.
    pull: Option<Boolean>,
    /// The stage of a multi-stage Dockerfile to build.
    target: Option<String>,
    /// The size of `/dev/shm` during the build: bytes, or a size such as `256m`.
    shm_size: Option<ByteSize>,
    /// Host names to add to `/etc/hosts` during the build.
    extra_hosts: Option<ExtraHosts>,
    /// The isolation technology of the build (Windows).
    isolation: Option<String>,
    /// Whether the build runs with extended privileges.
    privileged: Option<Boolean>,
    /// Secrets of the top-level `secrets` that the build can read.
    secrets: Option<Vec<FileReference>>,
    /// More tags for the image.
    tags: Option<Vec<String>>,
    /// Resource limits of the build's processes.
    ulimits: Option<Ulimits>,
    /// The platforms to build for (`linux/amd64`, `linux/arm64`).
    platforms: Option<Vec<String>>,
}

fixed_schema! {
    /// A boolean, or a string of settings.
    StringOrBoolean => { "type": ["string", "boolean"] }
}
