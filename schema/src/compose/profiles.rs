//! Profiles: a service that lists `profiles` runs only when one of them is
//! enabled (`--profile NAME`, or COMPOSE_PROFILES as a comma-separated list;
//! `*` enables every profile). A service without profiles always runs.

use std::collections::BTreeMap;

use crate::compose::model::{Project, Service};
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics};

/// Reads COMPOSE_PROFILES: names separated by commas, blanks ignored.
pub fn from_variable(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned).collect()
}

/// Whether `service` runs with the profiles in `enabled`.
pub fn is_enabled(service: &Service, enabled: &[String]) -> bool {
    service.profiles.is_empty()
        || enabled.iter().any(|profile| profile == "*" || service.profiles.contains(profile))
}

/// Moves the services that no enabled profile selects out of `project` and
/// returns them. A required dependency of an enabled service on a disabled
/// one is an error; an optional one (`required: false`) is dropped. Both are
/// removed from the service, so that validation does not also report the
/// disabled service as undefined.
pub fn apply(project: &mut Project, enabled: &[String]) -> (BTreeMap<String, Service>, Diagnostics) {
    let (active, disabled): (BTreeMap<String, Service>, BTreeMap<String, Service>) =
        std::mem::take(&mut project.services).into_iter().partition(|(_, service)| is_enabled(service, enabled));
    project.services = active;

    let mut diagnostics = Diagnostics::default();
    for service in project.services.values_mut() {
        let mut dropped = Vec::new();
        for (name, dependency) in &service.depends_on {
            let Some(target) = disabled.get(name) else { continue };
            dropped.push(name.clone());
            if !dependency.required {
                continue;
            }
            let file = project.files.get(dependency.span.file as usize).unwrap_or(&project.file);
            let diagnostic = Diagnostic::error(code::DISABLED_DEPENDENCY, messages::disabled_dependency(&service.name, name), file, dependency.span)
                .with_path(format!("services.{}.depends_on.{name}", service.name))
                .with_help(messages::disabled_dependency_help(&target.profiles));
            diagnostics.push(diagnostic);
        }
        for name in dropped {
            service.depends_on.remove(&name);
        }
    }
    (disabled, diagnostics)
}
