//! `~` at the start of a bind mount's source: the home folder of the user
//! who loads the project, read from `HOME` as docker compose does.
//!
//! Only a load for running expands it. A build-time check keeps `~` as
//! written, so that no path of the build machine ends up in a binary.

use crate::compose::load::Environment;
use crate::compose::model::{MountKind, Project};

/// Replaces a leading `~` (alone or before `/`) in the bind mount sources
/// of every service with `HOME`. Without `HOME`, sources stay as written.
pub fn expand(project: &mut Project, environment: &dyn Environment) {
    let Some(home) = environment.get("HOME").filter(|home| !home.is_empty()) else { return };
    let home = home.trim_end_matches('/');
    for service in project.services.values_mut() {
        for mount in &mut service.volumes {
            if mount.kind != MountKind::Bind {
                continue;
            }
            if let Some(source) = &mut mount.source
                && let Some(rest) = source.strip_prefix('~')
                && (rest.is_empty() || rest.starts_with('/'))
            {
                *source = format!("{home}{rest}");
            }
        }
    }
}
