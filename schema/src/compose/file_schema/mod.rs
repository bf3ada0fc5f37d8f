//! The JSON Schema of the compose file as written, for editors that
//! validate stack files while they are typed.
//!
//! Unlike the schema of the normalized model ([`crate::compose::model::json_schema`]),
//! this one accepts every short form beside its long form (`ports: ["8080:80"]`,
//! `depends_on: [db]`, `environment: [A=1]`, `command: "sleep 1"`), rejects
//! unknown keys, and allows `x-*` keys where the Compose Specification does.
//! Where the specification lets a typed value be a string, so that `${VAR}`
//! can fill it in, the string must match the value's syntax or contain `$`.
//!
//! The types of the submodules exist only to derive the schema: nothing
//! deserializes into them and the loader does not use them. A field of type `Option<T>`
//! is a key that may be left out, not a key that may be null.

#![allow(
    dead_code,
    clippy::large_enum_variant,
    reason = "the types describe the file format to the schema generator and are never built"
)]

mod build;
mod depends_on;
mod deploy;
mod develop;
mod healthcheck;
mod mounts;
mod networks;
mod options;
mod ports;
mod project;
mod resources;
mod service;
mod values;

use schemars::generate::SchemaSettings;
use schemars::transform::transform_subschemas;
use schemars::Schema;
use serde_json::Value;

/// Generates the JSON Schema (draft-07) of a compose file as written.
pub fn json_schema() -> Value {
    let mut settings = SchemaSettings::draft07();
    // Runs before the draft-07 transforms, which move a `$ref` with a
    // description beside it into `allOf`.
    settings.transforms.insert(0, Box::new(remove_option_null));
    settings.transforms.push(Box::new(unwrap_descriptions));
    settings.into_generator().into_root_schema_for::<project::ComposeFile>().to_value()
}

/// Renders [`json_schema`] as indented JSON with a final newline, the text
/// that `perry-stack schema` prints and `generated/compose.schema.json` holds.
/// The text is the same on every run, which the tests check against that file.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// Removes the `null` that schemars allows for every `Option` property:
/// compose rejects `image: null` as the Compose Specification's schema does.
/// A key that does accept null (`command`, `pid`, `deploy`, a network)
/// declares it in its own type, a definition that this transform leaves alone.
fn remove_option_null(schema: &mut Schema) {
    transform_subschemas(&mut remove_option_null, schema);
    let Some(Value::Object(properties)) = schema.get_mut("properties") else { return };
    for property in properties.values_mut() {
        let Value::Object(property) = property else { continue };

        if let Some(Value::Array(types)) = property.get_mut("type") {
            types.retain(|kind| kind != "null");
            if types.len() == 1 {
                let only = types.remove(0);
                property.insert("type".into(), only);
            }
            continue;
        }

        let null = serde_json::json!({ "type": "null" });
        let option = matches!(property.get("anyOf"), Some(Value::Array(choices)) if choices.len() == 2 && choices[1] == null);
        if option {
            let Some(Value::Array(mut choices)) = property.remove("anyOf") else { continue };
            if let Value::Object(inner) = choices.remove(0) {
                for (key, value) in inner {
                    property.entry(key).or_insert(value);
                }
            }
        }
    }
}

/// Joins the lines of each description into one line per paragraph: doc
/// comments wrap at a fixed width, while editors wrap hover text themselves.
fn unwrap_descriptions(schema: &mut Schema) {
    transform_subschemas(&mut unwrap_descriptions, schema);
    let Some(Value::String(text)) = schema.get_mut("description") else { return };
    let paragraphs: Vec<String> = text.split("\n\n").map(|paragraph| paragraph.split('\n').map(str::trim).collect::<Vec<_>>().join(" ")).collect();
    *text = paragraphs.join("\n\n");
}
