//! A service's `env_file`: reads each file and puts its variables into the
//! service's `environment`, later files winning over earlier ones and
//! `environment` winning over every file. A bare reference in `environment`
//! (`- VAR`, or `VAR:` with no value) takes its value from the environment
//! of the load (process, then `.env`), not from the env files, as docker
//! compose v2 does. A variable set in neither stays without a value.
//!
//! Only a load for running reads these files. A build-time check keeps the
//! paths but not the values, so that no secret from an env file ends up in a
//! binary.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::compose::load::Environment;
use crate::compose::model::Project;
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics};
use crate::dotenv::{self, Format};

/// Resolves `env_file` of every service of `project`. Values in the files
/// are interpolated with `environment`. Every file read is added to `sources`
/// so that diagnostics can quote it.
pub fn resolve(project: &mut Project, environment: &dyn Environment, sources: &mut BTreeMap<PathBuf, String>) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    let files = if project.files.is_empty() { vec![project.file.clone()] } else { project.files.clone() };
    for service in project.services.values_mut() {
        let mut variables = BTreeMap::new();
        for (position, env_file) in service.env_file.iter().enumerate() {
            let declared_in = files.get(env_file.span.file as usize).unwrap_or(&files[0]);
            let path = format!("services.{}.env_file[{position}]", service.name);

            let format = match env_file.format.as_deref() {
                None => Format::Dotenv,
                Some("raw") => Format::Raw,
                Some(other) => {
                    let diagnostic = Diagnostic::error(code::ENV_FILE_FORMAT, messages::env_file_format(other), declared_in, env_file.span)
                        .with_path(path)
                        .with_help(messages::ENV_FILE_FORMAT_HELP);
                    diagnostics.push(diagnostic);
                    continue;
                }
            };

            let source = match std::fs::read_to_string(&env_file.path) {
                Ok(source) => source,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound && !env_file.required => continue,
                Err(error) => {
                    let message = messages::env_file_missing(&env_file.path.display().to_string(), &error.to_string());
                    let diagnostic = Diagnostic::error(code::ENV_FILE_MISSING, message, declared_in, env_file.span)
                        .with_path(path)
                        .with_help(messages::ENV_FILE_MISSING_HELP);
                    diagnostics.push(diagnostic);
                    continue;
                }
            };

            match dotenv::parse(&source, &env_file.path, format, environment) {
                Ok(values) => variables.extend(values),
                Err(errors) => diagnostics.extend(errors),
            }
            sources.insert(env_file.path.clone(), source);
        }
        for (name, value) in &mut service.environment {
            if value.is_none() {
                *value = environment.get(name);
            }
        }
        if variables.is_empty() {
            continue;
        }
        let mut merged: BTreeMap<String, Option<String>> = variables.into_iter().map(|(name, value)| (name, Some(value))).collect();
        merged.append(&mut service.environment);
        service.environment = merged;
    }
    diagnostics
}
