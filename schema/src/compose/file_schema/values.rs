//! Value types that many keys share: scalars that also accept a string (the
//! result of `${VAR}` interpolation, or the template itself), and the "string
//! or list" and "list or mapping" forms of the Compose Specification.
//!
//! A typed scalar accepts a string only when it matches the value's syntax
//! or contains `$`. Interpolation runs before compose reads the value, so a
//! template such as `${REPLICAS:-2}` cannot be checked until it is applied,
//! but `replicas: two` or `privileged: yes` can.

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::json;

/// The pattern of service, network, volume, secret, config and model names.
pub(super) const NAME: &str = "^[a-zA-Z0-9._-]+$";

/// Allows `x-*` extension keys beside the properties of an object schema
/// that denies unknown keys.
pub(super) fn extensions(schema: &mut Schema) {
    schema.insert("patternProperties".into(), json!({ "^x-": {} }));
}

/// Lets an object schema also accept null, as in `networks: {back: }`.
pub(super) fn object_or_null(schema: &mut Schema) {
    schema.insert("type".into(), json!(["object", "null"]));
}

/// Declares a type with a fixed schema, written inline where it is used.
macro_rules! fixed_schema {
    ($(#[$doc:meta])* $name:ident => $schema:tt) => {
        $(#[$doc])*
        pub(super) struct $name;

        impl ::schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!($schema)
            }
        }
    };
}

pub(super) use fixed_schema;

fixed_schema! {
    /// `true` or `false`, or a string holding one (YAML 1.2 spellings).
    Boolean => { "type": ["boolean", "string"], "pattern": r"^(true|True|TRUE|false|False|FALSE)$|\$" }
}

fixed_schema! {
    /// An integer, or a string holding one.
    Integer => { "type": ["integer", "string"], "pattern": r"^[-+]?[0-9]+$|\$" }
}

fixed_schema! {
    /// A whole number from 0 up, or a string holding one.
    Count => { "type": ["integer", "string"], "minimum": 0, "pattern": r"^\+?[0-9]+$|\$" }
}

fixed_schema! {
    /// A number, or a string holding one.
    Number => { "type": ["number", "string"], "pattern": r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$|\$" }
}

fixed_schema! {
    /// A duration as Go writes one: numbers with units `h`, `m`, `s`, `ms`,
    /// `us` or `ns` (`1m30s`, `500ms`), or `0`.
    Duration => { "type": "string", "pattern": r"^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(h|m|s|ms|us|µs|μs|ns))+)$|\$" }
}

fixed_schema! {
    /// A size in bytes: a number, or a string with an optional unit `b`, `k`,
    /// `m`, `g`, `t` or `p` in powers of 1024 (`512m`, `1.5GiB`).
    ByteSize => { "type": ["number", "string"], "pattern": r"^[0-9]+(\.[0-9]+)? ?([bB]|[kKmMgGtTpP][iI]?[bB]?)?$|\$" }
}

fixed_schema! {
    /// A size in bytes written as a string (`512m`, `2g`).
    ByteSizeText => { "type": "string", "pattern": r"^[0-9]+(\.[0-9]+)? ?([bB]|[kKmMgGtTpP][iI]?[bB]?)?$|\$" }
}

fixed_schema! {
    /// An integer written as a number, never as a string.
    JsonInteger => { "type": "integer" }
}

fixed_schema! {
    /// A number written as a number, never as a string.
    JsonNumber => { "type": "number" }
}

fixed_schema! {
    /// A file mode, as a number or an octal string (`0440`).
    FileMode => { "type": ["number", "string"] }
}

fixed_schema! {
    /// A string or a number, as `expose` and `group_add` list them.
    StringOrNumber => { "type": ["string", "number"] }
}

fixed_schema! {
    /// A list of strings in which no string repeats.
    UniqueStrings => { "type": "array", "items": { "type": "string" }, "uniqueItems": true }
}

fixed_schema! {
    /// Driver options: a mapping of option names to strings or numbers.
    DriverOptions => { "type": "object", "patternProperties": { "^.+$": { "type": ["string", "number"] } } }
}

fixed_schema! {
    /// A mapping of names to strings, numbers, booleans or null.
    ScalarMapping => {
        "type": "object",
        "patternProperties": { ".+": { "type": ["string", "number", "boolean", "null"] } },
        "additionalProperties": false,
    }
}

fixed_schema! {
    /// A mapping of host names to one address or a list of addresses.
    HostMapping => {
        "type": "object",
        "patternProperties": {
            ".+": { "anyOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }] }
        },
        "additionalProperties": false,
    }
}

fixed_schema! {
    /// A list of `HOST=IP` or `HOST:IP` strings (`db=10.0.0.2`, `db:10.0.0.2`).
    HostList => {
        "type": "array",
        "items": { "type": "string", "pattern": r"^[^:=]+[:=]|\$" },
        "uniqueItems": true,
    }
}

/// A mapping from names that match [`NAME`] to `T`, rejecting other keys.
pub(super) struct NameMap<T>(PhantomData<T>);

impl<T: JsonSchema> JsonSchema for NameMap<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("NameMap_of_{}", T::schema_name()).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("{}::NameMap<{}>", module_path!(), T::schema_id()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "patternProperties": { (NAME): generator.subschema_for::<T>() },
            "additionalProperties": false,
        })
    }
}

/// One string, or a list of strings.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum StringOrList {
    String(String),
    List(UniqueStrings),
}

/// A mapping of names to values, or a list of `NAME=VALUE` strings (`NAME`
/// alone leaves the value unset).
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum ListOrMapping {
    Mapping(ScalarMapping),
    List(UniqueStrings),
}

/// A command: a string that compose splits into arguments as a shell would,
/// a list of arguments passed as they are, or null for the image's default.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum Command {
    Default(()),
    Shell(String),
    Arguments(Vec<String>),
}

/// Host names to add to `/etc/hosts`: a mapping of host names to one
/// address or a list of them, or a list of `HOST=IP` or `HOST:IP` strings.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub(super) enum ExtraHosts {
    Mapping(HostMapping),
    List(HostList),
}
