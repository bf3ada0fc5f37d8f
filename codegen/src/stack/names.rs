//! Rust names for the items of a compose file: enum variants for services,
//! constants for ports and fields for variables.
//!
//! Compose names allow characters and shapes that Rust identifiers do not
//! (`my-db`, `2fa`, `self`), and two compose names can map to one Rust name
//! (`my-db` and `my_db`). Every such clash is an error here, reported at the
//! YAML position of the second item, so the emitters only see sound names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use perry_stack_schema::{Checked, Diagnostic, Diagnostics, Span};

/// A compose file with a Rust name for each item it exposes.
#[derive(Debug, Default)]
pub(crate) struct Stack {
    /// The absolute path of the compose file.
    pub path: String,
    /// Whether the file could be read, so that emitting `include_str!` of it
    /// adds no error of its own.
    pub readable: bool,
    pub services: Vec<ServiceName>,
    pub ports: Vec<PortName>,
    pub variables: Vec<VariableName>,
    /// Warnings found by the check, one line each.
    pub warnings: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct ServiceName {
    pub compose: String,
    pub variant: String,
}

#[derive(Debug)]
pub(crate) struct PortName {
    pub constant: String,
    pub service: String,
    pub name: Option<String>,
    pub target: u16,
    pub published: Option<String>,
    pub protocol: String,
}

#[derive(Debug)]
pub(crate) struct VariableName {
    pub compose: String,
    pub field: String,
    pub default: Option<String>,
    /// The message of `${VAR:?message}`, for a variable that must be set.
    pub required: Option<String>,
}

/// Names every item of `checked`. Items whose names clash are left out of
/// the returned stack and reported in the diagnostics.
pub(crate) fn name_items(path: &str, checked: &Checked) -> (Stack, Diagnostics) {
    let mut errors = Diagnostics::default();
    let file = Path::new(path);
    let mut stack = Stack {
        path: path.to_owned(),
        readable: true,
        warnings: checked.warnings.0.iter().map(ToString::to_string).collect(),
        ..Stack::default()
    };

    let services = checked.project.services.iter().map(|(name, service)| (name.as_str(), service.span));
    stack.services = name_services(services, file, &mut errors);

    let mut constants: BTreeMap<String, (&str, Span)> = BTreeMap::new();
    for (compose, service) in &checked.project.services {
        for port in &service.ports {
            let suffix = port.name.clone().unwrap_or_else(|| port.target.to_string());
            let constant = constant_name(&format!("{compose}_{suffix}"));
            if let Some((first, _)) = constants.get(&constant) {
                let message = format!("ports of services `{first}` and `{compose}` both map to the Rust name `ports::{constant}`");
                let help = "give each port a distinct `name` in the long syntax (`- name: http`, `target: 80`)";
                errors.0.push(error("port-identifier-collision", message, file, port.span, help));
                continue;
            }
            constants.insert(constant.clone(), (compose, port.span));
            stack.ports.push(PortName {
                constant,
                service: compose.clone(),
                name: port.name.clone(),
                target: port.target,
                published: port.published.clone(),
                protocol: port.protocol.clone(),
            });
        }
    }

    let mut fields: BTreeMap<String, &str> = BTreeMap::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for variable in &checked.variables {
        if !seen.insert(&variable.name) {
            continue;
        }
        let field = field_name(&variable.name);
        if let Some(first) = fields.get(&field) {
            let message = format!("variables `{first}` and `{}` both map to the Rust field `Variables::{field}`", variable.name);
            errors.0.push(error("variable-identifier-collision", message, file, variable.span, "rename one of the variables"));
            continue;
        }
        fields.insert(field.clone(), &variable.name);
        stack.variables.push(VariableName {
            compose: variable.name.clone(),
            field,
            default: variable.default.clone(),
            required: variable.required.clone(),
        });
    }
    stack.variables.sort_by(|a, b| a.compose.cmp(&b.compose));

    (stack, errors)
}

/// Names the services, in the order given, leaving out and reporting those
/// without a sound or distinct variant.
pub(crate) fn name_services<'a>(services: impl Iterator<Item = (&'a str, Span)>, file: &Path, errors: &mut Diagnostics) -> Vec<ServiceName> {
    let mut named = Vec::new();
    let mut variants: BTreeMap<String, &str> = BTreeMap::new();
    for (compose, span) in services {
        let variant = match service_variant(compose) {
            Ok(variant) => variant,
            Err(message) => {
                errors.0.push(error("service-identifier", message, file, span, "rename the service"));
                continue;
            }
        };
        if let Some(first) = variants.get(&variant) {
            let message = format!("services `{first}` and `{compose}` both map to the Rust name `Service::{variant}`");
            errors.0.push(error("service-identifier-collision", message, file, span, "rename one of the services"));
            continue;
        }
        variants.insert(variant.clone(), compose);
        named.push(ServiceName { compose: compose.to_owned(), variant });
    }
    named
}

/// Converts a service name to an UpperCamelCase variant. A name that starts with a digit
/// gets a leading underscore, because an identifier cannot start with one.
fn service_variant(compose: &str) -> Result<String, String> {
    let camel = compose.to_upper_camel_case();
    if camel.is_empty() {
        return Err(format!("service `{compose}` has no letter or digit to make a Rust name from"));
    }
    if camel == "Self" {
        return Err(format!("service `{compose}` maps to `Self`, which cannot name an enum variant"));
    }
    Ok(prefix_digit(camel))
}

/// Converts `<service>_<name or target>` to a SCREAMING_SNAKE_CASE constant.
fn constant_name(words: &str) -> String {
    prefix_digit(words.to_shouty_snake_case())
}

/// Converts a variable name to a snake_case field, as a raw identifier when it is a
/// keyword (`${TYPE}` becomes `r#type`).
fn field_name(variable: &str) -> String {
    let snake = prefix_digit(variable.to_snake_case());
    match snake.as_str() {
        "" => "_".to_owned() + variable,
        "self" | "super" | "crate" | "_" => snake + "_",
        _ if syn::parse_str::<syn::Ident>(&snake).is_err() => format!("r#{snake}"),
        _ => snake,
    }
}

fn prefix_digit(name: String) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) { format!("_{name}") } else { name }
}

fn error(code: &'static str, message: String, file: &Path, span: Span, help: &str) -> Diagnostic {
    Diagnostic::error(code, message, file, span).with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_variant_shapes() {
        assert_eq!(service_variant("web").unwrap(), "Web");
        assert_eq!(service_variant("my-db").unwrap(), "MyDb");
        assert_eq!(service_variant("web_1").unwrap(), "Web1");
        assert_eq!(service_variant("2fa").unwrap(), "_2fa");
        assert_eq!(service_variant("api.v2").unwrap(), "ApiV2");
    }

    #[test]
    fn service_variant_rejects_unnameable() {
        assert!(service_variant("---").unwrap_err().contains("no letter or digit"));
        assert!(service_variant("self").unwrap_err().contains("`Self`"));
    }

    #[test]
    fn constant_name_shapes() {
        assert_eq!(constant_name("web_80"), "WEB_80");
        assert_eq!(constant_name("my-db_http"), "MY_DB_HTTP");
        assert_eq!(constant_name("2fa_443"), "_2FA_443");
    }

    #[test]
    fn field_name_shapes() {
        assert_eq!(field_name("DB_PASSWORD"), "db_password");
        assert_eq!(field_name("TYPE"), "r#type");
        assert_eq!(field_name("SELF"), "self_");
        assert_eq!(field_name("2FA_KEY"), "_2fa_key");
    }
}
