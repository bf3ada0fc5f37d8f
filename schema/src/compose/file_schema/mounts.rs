//! A service's `volumes`: the short syntax or the long syntax of a mount.

use schemars::JsonSchema;

use super::values::{extensions, fixed_schema, Boolean, ByteSize, FileMode, ListOrMapping};

/// A volume, host path, tmpfs or image mounted into the containers.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum ServiceVolume {
    Short(MountText),
    Long(Mount),
}

fixed_schema! {
    /// `[SOURCE:]TARGET[:MODE]`: a named volume or a host path (starting with
    /// `.`, `/` or `~`), an absolute path in the container, and options
    /// separated by commas (`ro`, `rw`, `z`, `Z`, `nocopy`, `cached`,
    /// `delegated`, `consistent`). Without a source, an anonymous volume.
    MountText => {
        "type": "string",
        "pattern": r"^([^:]+:)?/[^:]*(:(ro|rw|z|Z|nocopy|cached|delegated|consistent)(,(ro|rw|z|Z|nocopy|cached|delegated|consistent))*)?$|\$"
    }
}

/// A mount in the long syntax.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Mount {
    /// The kind of mount.
    #[schemars(rename = "type")]
    kind: MountType,
    /// The volume name, the host path (relative to the project folder), or
    /// the image; none for an anonymous volume or a tmpfs.
    source: Option<String>,
    /// The absolute path in the container.
    target: String,
    /// Whether the mount is read-only.
    read_only: Option<Boolean>,
    /// The consistency of a bind mount on macOS: `consistent`, `cached` or
    /// `delegated`.
    consistency: Option<String>,
    /// Options of a bind mount.
    bind: Option<BindOptions>,
    /// Options of a volume mount.
    volume: Option<VolumeOptions>,
    /// Options of a tmpfs mount.
    tmpfs: Option<TmpfsOptions>,
    /// Options of an image mount.
    image: Option<ImageOptions>,
}

/// The kind of a mount.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum MountType {
    /// A named or anonymous volume.
    Volume,
    /// A host path.
    Bind,
    /// A file system in memory.
    Tmpfs,
    /// A Windows named pipe.
    Npipe,
    /// A cluster volume of the platform.
    Cluster,
    /// The file system of an image.
    Image,
}

/// Options of a bind mount.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct BindOptions {
    /// The mount propagation: `private`, `rprivate`, `shared`, `rshared`,
    /// `slave` or `rslave`.
    propagation: Option<String>,
    /// Whether to create a missing host path as a folder.
    create_host_path: Option<Boolean>,
    /// The handling of mounts below the source.
    recursive: Option<RecursiveMode>,
    /// The SELinux relabeling: `z` for content shared between containers, `Z`
    /// for content private to one.
    selinux: Option<SelinuxLabel>,
}

/// The handling of mounts below a bind mount's source.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum RecursiveMode {
    Enabled,
    Disabled,
    Writable,
    Readonly,
}

/// An SELinux relabeling option.
#[derive(JsonSchema)]
pub(super) enum SelinuxLabel {
    #[serde(rename = "z")]
    Shared,
    #[serde(rename = "Z")]
    Private,
}

/// Options of a volume mount.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct VolumeOptions {
    /// Labels of a volume that the mount creates.
    labels: Option<ListOrMapping>,
    /// Whether to skip copying the image's files at the target into a new volume.
    nocopy: Option<Boolean>,
    /// The folder in the volume to mount, instead of its root.
    subpath: Option<String>,
}

/// Options of a tmpfs mount.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct TmpfsOptions {
    /// The size of the tmpfs: bytes, or a size such as `64m`.
    size: Option<ByteSize>,
    /// The file mode of the tmpfs root, in octal (`1777`).
    mode: Option<FileMode>,
}

/// Options of an image mount.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct ImageOptions {
    /// The folder in the image to mount, instead of its root.
    subpath: Option<String>,
}
