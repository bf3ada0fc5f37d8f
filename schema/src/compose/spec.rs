//! Which keys the Compose Specification allows at each place of a file.
//!
//! The JSON Schema of the specification is compiled in and parsed once. The
//! loader uses it only for key names: a key that the schema allows but the
//! model does not cover is kept and reported as not supported yet, a key that
//! the schema does not allow is an error.

use std::sync::LazyLock;

use serde_json::Value as Json;

static SCHEMA: LazyLock<Json> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../compose-spec.json")).expect("the bundled compose-spec.json is valid JSON")
});

/// JSON pointers of the objects whose keys the loader checks.
pub mod place {
    pub const PROJECT: &str = "";
    pub const SERVICE: &str = "/definitions/service";
    pub const HEALTHCHECK: &str = "/definitions/healthcheck";
    pub const NETWORK: &str = "/definitions/network";
    pub const VOLUME: &str = "/definitions/volume";
    pub const PORT: &str = "/definitions/service/properties/ports/items/oneOf/2";
    pub const MOUNT: &str = "/definitions/service/properties/volumes/items/oneOf/1";
    pub const DEPENDENCY: &str = "/definitions/service/properties/depends_on/oneOf/1/patternProperties/^[a-zA-Z0-9._-]+$";
    pub const ENV_FILE: &str = "/definitions/env_file/oneOf/1/items/oneOf/1";
    pub const SERVICE_NETWORK: &str =
        "/definitions/service/properties/networks/oneOf/1/patternProperties/^[a-zA-Z0-9._-]+$/oneOf/0";
}

/// The keys allowed in one object of the schema.
pub struct Keys {
    pub properties: Vec<&'static str>,
    /// Whether `x-*` extension keys are allowed.
    pub extensions: bool,
    /// Whether keys outside `properties` are allowed (no
    /// `additionalProperties: false`).
    pub additional: bool,
}

/// The schema's rule for one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRule {
    /// A property of the object.
    Known,
    /// An `x-*` key where extensions are allowed.
    Extension,
    /// A key that the object accepts without naming it.
    Additional,
    Unknown,
}

impl Keys {
    pub fn rule(&self, key: &str) -> KeyRule {
        if self.properties.contains(&key) {
            KeyRule::Known
        } else if self.extensions && key.starts_with("x-") {
            KeyRule::Extension
        } else if self.additional {
            KeyRule::Additional
        } else {
            KeyRule::Unknown
        }
    }

    /// The allowed key closest to a misspelled one, if any is close enough.
    pub fn closest(&self, key: &str) -> Option<&'static str> {
        closest(key, &self.properties)
    }
}

/// Returns the candidate closest to a misspelled key, if any is close enough.
pub fn closest(key: &str, candidates: &[&'static str]) -> Option<&'static str> {
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(key, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The keys of the object at `pointer`, following one `$ref`.
pub fn keys(pointer: &str) -> Keys {
    let object = resolve(SCHEMA.pointer(pointer).unwrap_or(&Json::Null));
    let properties = match object.get("properties") {
        Some(Json::Object(properties)) => properties.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let extensions = object.get("patternProperties").and_then(|patterns| patterns.get("^x-")).is_some();
    let additional = object.get("additionalProperties") != Some(&Json::Bool(false));
    Keys { properties, extensions, additional }
}

/// Returns the schema at a JSON pointer of the bundled schema, or `null`
/// when the pointer names nothing.
pub(crate) fn schema_at(pointer: &str) -> &'static Json {
    SCHEMA.pointer(pointer).unwrap_or(&Json::Null)
}

/// Follows one `$ref` within the bundled schema.
pub(crate) fn resolve(object: &'static Json) -> &'static Json {
    match object.get("$ref").and_then(Json::as_str).and_then(|reference| reference.strip_prefix('#')) {
        Some(pointer) => schema_at(pointer),
        None => object,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_resolves() {
        for pointer in [
            place::PROJECT,
            place::SERVICE,
            place::HEALTHCHECK,
            place::NETWORK,
            place::VOLUME,
            place::PORT,
            place::MOUNT,
            place::DEPENDENCY,
            place::SERVICE_NETWORK,
            place::ENV_FILE,
        ] {
            assert!(!keys(pointer).properties.is_empty(), "no properties at {pointer:?}");
        }
    }

    #[test]
    fn service_keys() {
        let keys = keys(place::SERVICE);
        assert_eq!(keys.rule("image"), KeyRule::Known);
        assert_eq!(keys.rule("x-note"), KeyRule::Extension);
        assert_eq!(keys.rule("imagee"), KeyRule::Unknown);
        assert_eq!(keys.closest("imagee"), Some("image"));
    }
}
