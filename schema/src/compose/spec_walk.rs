//! Key names in the parts of a compose file that the loader keeps as written.
//!
//! `parse` models part of the Compose Specification and checks key names
//! where it reads them. Everything else (`deploy`, `build`, `logging`, mount
//! options, top-level `secrets` and `configs`, `develop`, `ipam`, ...) is kept
//! as a YAML node. This module walks such a node beside the specification's
//! JSON Schema and reports every key that the schema does not allow, as
//! docker compose does when it validates a file against that schema.
//!
//! Only key names are checked here. A `oneOf`/`anyOf` branch is chosen by the
//! node's kind (a mapping takes the object branches, a sequence the array
//! branches), and a value of the wrong type is left to the step that reads it.

use std::path::Path;

use serde_json::Value as Json;

use crate::compose::spec;
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Span};
use crate::yaml::{Node, Value};

/// A key that the schema does not allow where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKey {
    pub key: String,
    /// The key node's own position.
    pub span: Span,
    /// The dotted path of the mapping that contains the key.
    pub parent: String,
    /// The fix: a close allowed key, the allowed keys, or the pattern that
    /// key names must match.
    pub help: Option<String>,
}

impl UnknownKey {
    /// Returns the dotted path of the key itself (`services.web.deploy.resources.limits.cpuz`).
    pub fn path(&self) -> String {
        join(&self.parent, &self.key)
    }

    /// Builds the error for this key in `file`, worded as for every other unknown key.
    pub fn diagnostic(&self, file: &Path) -> Diagnostic {
        let diagnostic = Diagnostic::error(code::UNKNOWN_KEY, messages::unknown_key(&self.key, &self.parent), file, self.span).with_path(self.path());
        match &self.help {
            Some(help) => diagnostic.with_help(help.clone()),
            None => diagnostic,
        }
    }
}

/// Reports the unknown keys in `value`, the value of `key` in the object that
/// the schema describes at `pointer` (one of [`spec::place`]). `path` is the
/// dotted path of `value`.
pub fn unknown_keys_below(pointer: &str, key: &str, value: &Node, path: &str) -> Vec<UnknownKey> {
    let objects = branches(&[spec::schema_at(pointer)], Shape::Object);
    let mut found = Vec::new();
    if let Some(schemas) = entry_schemas(&objects, key) {
        walk(&schemas, value, path, &mut found);
    }
    found
}

/// Reports the unknown keys in `node`, which the schema describes at
/// `pointer`. `path` is the dotted path of `node`.
pub fn unknown_keys(pointer: &str, node: &Node, path: &str) -> Vec<UnknownKey> {
    let mut found = Vec::new();
    walk(&[spec::schema_at(pointer)], node, path, &mut found);
    found
}

/// A value whose type the schema does not allow, or a mapping without a
/// key that the schema requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WrongShape {
    Type { path: String, span: Span, expected: String, found: String },
    MissingKey { path: String, span: Span, key: String },
    /// A number outside the schema's `minimum` and `maximum`.
    Range { path: String, span: Span, value: String, expected: String },
}

impl WrongShape {
    pub fn path(&self) -> &str {
        match self {
            WrongShape::Type { path, .. } | WrongShape::MissingKey { path, .. } | WrongShape::Range { path, .. } => path,
        }
    }

    pub fn diagnostic(&self, file: &Path) -> Diagnostic {
        match self {
            WrongShape::Type { path, span, expected, found } => {
                Diagnostic::error(code::INVALID_TYPE, messages::invalid_type(path, expected, found), file, *span).with_path(path.clone())
            }
            WrongShape::MissingKey { path, span, key } => {
                Diagnostic::error(code::MISSING_KEY, messages::missing_key(path, key), file, *span).with_path(path.clone())
            }
            WrongShape::Range { path, span, value, expected } => {
                Diagnostic::error(code::INVALID_VALUE, messages::invalid_value(path, value, expected), file, *span).with_path(path.clone())
            }
        }
    }
}

/// Reports the values in `value`, the value of `key` in the object that the
/// schema describes at `pointer`, whose type no branch of the schema allows,
/// and the mappings that lack a required key. Null stands for an unset
/// value and passes, as in docker compose. Key names are left to
/// [`unknown_keys_below`].
pub fn wrong_shapes_below(pointer: &str, key: &str, value: &Node, path: &str) -> Vec<WrongShape> {
    let objects = branches(&[spec::schema_at(pointer)], Shape::Object);
    let mut found = Vec::new();
    if let Some(schemas) = entry_schemas(&objects, key) {
        check_shapes(&schemas, value, path, &mut found);
    }
    found
}

fn check_shapes(schemas: &[&'static Json], node: &Node, path: &str, found: &mut Vec<WrongShape>) {
    let shape = match &node.value {
        Value::Null => return,
        Value::Mapping(_) => Shape::Object,
        Value::Sequence(_) => Shape::Array,
        Value::String(_) => Shape::String,
        Value::Int(_) => Shape::Integer,
        Value::Float(_) => Shape::Number,
        Value::Bool(_) => Shape::Boolean,
    };
    let fitting = branches(schemas, shape);
    if fitting.is_empty() {
        let expected = expected_types(schemas);
        if !expected.is_empty() {
            let found_text = match node.scalar_text() {
                Some(text) => format!("{} `{text}`", node.kind()),
                None => node.kind().to_owned(),
            };
            found.push(WrongShape::Type { path: path.to_owned(), span: node.span, expected, found: found_text });
        }
        return;
    }
    match &node.value {
        Value::Mapping(entries) => {
            if let [only] = fitting.as_slice() {
                let required = only.get("required").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str);
                for key in required {
                    if !entries.iter().any(|(name, _)| name.as_str() == Some(key)) {
                        found.push(WrongShape::MissingKey { path: path.to_owned(), span: node.span, key: key.to_owned() });
                    }
                }
            }
            for (key, value) in entries {
                let Some(name) = key.scalar_text() else { continue };
                if let Some(children) = entry_schemas(&fitting, &name) {
                    check_shapes(&children, value, &join(path, &name), found);
                }
            }
        }
        Value::Sequence(items) => {
            let item_schemas: Vec<&'static Json> = fitting.iter().map(|schema| schema.get("items").unwrap_or(&ANY)).collect();
            for (position, item) in items.iter().enumerate() {
                check_shapes(&item_schemas, item, &format!("{path}[{position}]"), found);
            }
        }
        Value::Int(_) | Value::Float(_) => {
            let value = match node.value {
                Value::Int(value) => value as f64,
                Value::Float(value) => value,
                _ => return,
            };
            // Out of range only when no fitting branch takes the number.
            let bound = |schema: &Json, keyword: &str| schema.get(keyword).and_then(Json::as_f64);
            let within = |schema: &&&'static Json| {
                bound(schema, "minimum").is_none_or(|minimum| value >= minimum) && bound(schema, "maximum").is_none_or(|maximum| value <= maximum)
            };
            if !fitting.iter().any(|schema| within(&schema)) {
                let (minimum, maximum) = (bound(fitting[0], "minimum"), bound(fitting[0], "maximum"));
                let expected = match (minimum, maximum) {
                    (Some(minimum), Some(maximum)) => format!("a number from {minimum} to {maximum}"),
                    (Some(minimum), None) => format!("a number of {minimum} or more"),
                    (None, Some(maximum)) => format!("a number of {maximum} or less"),
                    (None, None) => return,
                };
                found.push(WrongShape::Range { path: path.to_owned(), span: node.span, value: node.scalar_text().unwrap_or_default(), expected });
            }
        }
        _ => {}
    }
}

/// Names the types that `schemas` allow, as in "a string or a sequence".
fn expected_types(schemas: &[&'static Json]) -> String {
    let mut names = Vec::new();
    for shape in [Shape::String, Shape::Number, Shape::Boolean, Shape::Array, Shape::Object] {
        if !branches(schemas, shape).is_empty() {
            names.push(match shape {
                Shape::String => "a string",
                Shape::Number | Shape::Integer => "a number",
                Shape::Boolean => "a boolean",
                Shape::Array => "a sequence",
                Shape::Object => "a mapping",
            });
        }
    }
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The JSON type that a YAML value stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl Shape {
    /// Returns whether a schema `type` of `name` allows this shape.
    fn allowed_by(self, name: &str) -> bool {
        match self {
            Shape::Object => name == "object",
            Shape::Array => name == "array",
            Shape::String => name == "string",
            Shape::Integer => name == "integer" || name == "number",
            Shape::Number => name == "number",
            Shape::Boolean => name == "boolean",
        }
    }
}

/// A schema that allows any value, for keys and items that the schema
/// leaves open.
static ANY: Json = Json::Bool(true);

/// Keywords that constrain the shape of a value. A schema with none of them
/// (`{}`, or only `type` and `description`) allows any key below it.
const STRUCTURE: [&str; 7] = ["properties", "patternProperties", "additionalProperties", "items", "oneOf", "anyOf", "$ref"];

/// Walks `node` where any of `schemas` may describe it. A key is unknown
/// only when none of them allows it.
fn walk(schemas: &[&'static Json], node: &Node, path: &str, found: &mut Vec<UnknownKey>) {
    match &node.value {
        Value::Mapping(entries) => {
            let objects = branches(schemas, Shape::Object);
            if objects.is_empty() || objects.iter().any(|schema| is_open(schema)) {
                return;
            }
            for (key, value) in entries {
                let Some(name) = key.scalar_text() else { continue };
                let key_path = join(path, &name);
                match entry_schemas(&objects, &name) {
                    Some(children) => walk(&children, value, &key_path, found),
                    None => found.push(UnknownKey { help: help(&objects, &name), key: name, span: key.span, parent: path.to_owned() }),
                }
            }
        }
        Value::Sequence(items) => {
            let arrays = branches(schemas, Shape::Array);
            // Each item picks its own branches by its kind, so a branch of
            // string items does not open the object items of another.
            let item_schemas: Vec<&'static Json> = arrays.iter().map(|schema| schema.get("items").unwrap_or(&ANY)).collect();
            if item_schemas.is_empty() {
                return;
            }
            for (position, item) in items.iter().enumerate() {
                walk(&item_schemas, item, &format!("{path}[{position}]"), found);
            }
        }
        _ => {}
    }
}

/// Returns the schemas among `schemas` that take a value of `shape`, with
/// `$ref` followed and `oneOf`/`anyOf` replaced by their branches.
fn branches(schemas: &[&'static Json], shape: Shape) -> Vec<&'static Json> {
    let mut found = Vec::new();
    for schema in schemas {
        collect_branches(schema, shape, 0, &mut found);
    }
    found
}

fn collect_branches(schema: &'static Json, shape: Shape, depth: usize, found: &mut Vec<&'static Json>) {
    // The bundled schema has no reference cycle; the limit keeps a future
    // one from recursing without end.
    if depth > 32 {
        found.push(&ANY);
        return;
    }
    let schema = spec::resolve(schema);
    if schema.get("$ref").is_some() {
        return collect_branches(schema, shape, depth + 1, found);
    }
    let alternatives = ["oneOf", "anyOf"].iter().filter_map(|keyword| schema.get(keyword).and_then(Json::as_array)).flatten();
    let mut has_alternatives = false;
    for branch in alternatives {
        has_alternatives = true;
        collect_branches(branch, shape, depth + 1, found);
    }
    if !has_alternatives && fits(schema, shape) {
        found.push(schema);
    }
}

/// Returns whether the `type` of `schema` allows a value of `shape`.
fn fits(schema: &Json, shape: Shape) -> bool {
    match schema {
        Json::Bool(allowed) => *allowed,
        Json::Object(keywords) => match keywords.get("type") {
            None => true,
            Some(Json::String(name)) => shape.allowed_by(name),
            Some(Json::Array(names)) => names.iter().any(|name| name.as_str().is_some_and(|name| shape.allowed_by(name))),
            Some(_) => false,
        },
        _ => false,
    }
}

/// Returns whether `schema` allows every key and item below it.
fn is_open(schema: &Json) -> bool {
    match schema {
        Json::Bool(allowed) => *allowed,
        Json::Object(keywords) => !STRUCTURE.iter().any(|keyword| keywords.contains_key(*keyword)),
        _ => false,
    }
}

/// Returns the schemas of the value of `key` in any of the object schemas
/// `objects`, or `None` when none of them allows the key. As in JSON Schema,
/// `additionalProperties` applies only to keys that no `properties` entry
/// and no `patternProperties` pattern matched.
fn entry_schemas(objects: &[&'static Json], key: &str) -> Option<Vec<&'static Json>> {
    let mut found = Vec::new();
    for object in objects {
        let Json::Object(keywords) = object else {
            if **object == Json::Bool(true) {
                found.push(&ANY);
            }
            continue;
        };
        let mut matched = false;
        if let Some(schema) = keywords.get("properties").and_then(|properties| properties.get(key)) {
            found.push(schema);
            matched = true;
        }
        if let Some(Json::Object(patterns)) = keywords.get("patternProperties") {
            for (pattern, schema) in patterns {
                if pattern_matches(pattern, key).unwrap_or(true) {
                    found.push(schema);
                    matched = true;
                }
            }
        }
        if !matched {
            match keywords.get("additionalProperties") {
                None | Some(Json::Bool(true)) => found.push(&ANY),
                Some(Json::Bool(false)) => {}
                Some(schema) => found.push(schema),
            }
        }
    }
    if found.is_empty() { None } else { Some(found) }
}

/// Matches a key against a `patternProperties` pattern of the bundled
/// schema, as an ECMAScript regular expression would. `None` for a pattern
/// that this function does not know; a test checks that the bundled schema
/// uses no other.
fn pattern_matches(pattern: &str, key: &str) -> Option<bool> {
    // In ECMAScript `.` matches any character except a line terminator.
    let is_line_terminator = |char: char| matches!(char, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    match pattern {
        "^x-" => Some(key.starts_with("x-")),
        "^.+$" => Some(!key.is_empty() && !key.chars().any(is_line_terminator)),
        ".+" => Some(key.chars().any(|char| !is_line_terminator(char))),
        "^[a-zA-Z0-9._-]+$" => Some(!key.is_empty() && key.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))),
        "^[a-z]+$" => Some(!key.is_empty() && key.bytes().all(|byte| byte.is_ascii_lowercase())),
        _ => None,
    }
}

/// Returns the help line for an unknown key: the closest allowed key, else the
/// allowed keys, else the patterns that key names must match.
fn help(objects: &[&'static Json], key: &str) -> Option<String> {
    let mut properties: Vec<&'static str> = objects
        .iter()
        .filter_map(|object| object.get("properties").and_then(Json::as_object))
        .flat_map(|properties| properties.keys().map(String::as_str))
        .collect();
    properties.sort_unstable();
    properties.dedup();
    if let Some(candidate) = spec::closest(key, &properties) {
        return Some(messages::did_you_mean(candidate));
    }
    if !properties.is_empty() {
        return Some(messages::unknown_key_help(&properties));
    }
    let mut patterns: Vec<&'static str> = objects
        .iter()
        .filter_map(|object| object.get("patternProperties").and_then(Json::as_object))
        .flat_map(|patterns| patterns.keys().map(String::as_str))
        .filter(|pattern| *pattern != "^x-")
        .collect();
    patterns.sort_unstable();
    patterns.dedup();
    if patterns.is_empty() { None } else { Some(messages::key_pattern_help(&patterns)) }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::spec::place;

    fn yaml(source: &str) -> Node {
        crate::yaml::parse(source, std::path::Path::new("compose.yaml")).expect("valid YAML")
    }

    fn paths(found: &[UnknownKey]) -> Vec<String> {
        found.iter().map(UnknownKey::path).collect()
    }

    /// Lists every value of `keyword` in the bundled schema, with its pointer.
    fn keyword_values(schema: &'static Json, pointer: String, keyword: &str, found: &mut Vec<(String, &'static Json)>) {
        match schema {
            Json::Object(entries) => {
                for (name, value) in entries {
                    let child = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
                    if name == keyword {
                        found.push((child.clone(), value));
                    }
                    keyword_values(value, child, keyword, found);
                }
            }
            Json::Array(items) => {
                for (position, item) in items.iter().enumerate() {
                    keyword_values(item, format!("{pointer}/{position}"), keyword, found);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_pattern_is_known() {
        let mut found = Vec::new();
        keyword_values(spec::schema_at(""), String::new(), "patternProperties", &mut found);
        assert!(found.len() > 40, "found {} patternProperties", found.len());
        for (pointer, patterns) in found {
            for pattern in patterns.as_object().expect("patternProperties is an object").keys() {
                assert!(pattern_matches(pattern, "a").is_some(), "unknown pattern {pattern:?} at {pointer}");
            }
        }
    }

    /// Keywords that combine or condition schemas would change which keys are
    /// allowed. The walker reads none of them, so the schema must not use them.
    #[test]
    fn schema_uses_no_unread_combinator() {
        for keyword in ["allOf", "not", "if", "then", "else", "dependencies", "dependentSchemas", "propertyNames", "unevaluatedProperties"] {
            let mut found = Vec::new();
            keyword_values(spec::schema_at(""), String::new(), keyword, &mut found);
            // `properties` may name a compose key that happens to be a keyword.
            found.retain(|(pointer, _)| !pointer.contains("/properties/"));
            assert!(found.is_empty(), "the schema uses `{keyword}` at {found:?}");
        }
    }

    #[test]
    fn patterns_match_as_ecmascript_does() {
        assert_eq!(pattern_matches("^x-", "x-note"), Some(true));
        assert_eq!(pattern_matches("^x-", "note-x-"), Some(false));
        assert_eq!(pattern_matches("^.+$", ""), Some(false));
        assert_eq!(pattern_matches("^.+$", "a\nb"), Some(false));
        assert_eq!(pattern_matches(".+", "a\nb"), Some(true));
        assert_eq!(pattern_matches("^[a-zA-Z0-9._-]+$", "web.1_a-b"), Some(true));
        assert_eq!(pattern_matches("^[a-zA-Z0-9._-]+$", "web app"), Some(false));
        assert_eq!(pattern_matches("^[a-z]+$", "nofile"), Some(true));
        assert_eq!(pattern_matches("^[a-z]+$", "NOFILE"), Some(false));
        assert_eq!(pattern_matches("^[0-9]+$", "1"), None);
    }

    #[test]
    fn deep_deploy_key() {
        let node = yaml("resources:\n  limits:\n    cpuz: '1'\n    x-note: a\n");
        let found = unknown_keys_below(place::SERVICE, "deploy", &node, "services.web.deploy");
        assert_eq!(paths(&found), ["services.web.deploy.resources.limits.cpuz"]);
        assert_eq!(found[0].parent, "services.web.deploy.resources.limits");
        assert_eq!(found[0].help.as_deref(), Some("did you mean `cpus`?"));
        assert_eq!((found[0].span.line, found[0].span.column), (3, 5));
    }

    #[test]
    fn object_branch_chosen_for_mapping() {
        let string = yaml("./app");
        assert!(unknown_keys_below(place::SERVICE, "build", &string, "services.web.build").is_empty());
        let mapping = yaml("{context: ., dockerfle: Dockerfile}");
        let found = unknown_keys_below(place::SERVICE, "build", &mapping, "services.web.build");
        assert_eq!(paths(&found), ["services.web.build.dockerfle"]);
    }

    #[test]
    fn array_items_walked() {
        let node = yaml("config:\n  - subnet: 10.0.0.0/24\n    gatway: 10.0.0.1\n");
        let found = unknown_keys_below(place::NETWORK, "ipam", &node, "networks.front.ipam");
        assert_eq!(paths(&found), ["networks.front.ipam.config[0].gatway"]);
        assert_eq!(found[0].help.as_deref(), Some("did you mean `gateway`?"));
    }

    #[test]
    fn pattern_only_object_names_the_pattern() {
        let node = yaml("{'api token': {file: ./token.txt}}");
        let found = unknown_keys_below(place::PROJECT, "secrets", &node, "secrets");
        assert_eq!(paths(&found), ["secrets.api token"]);
        assert_eq!(found[0].help.as_deref(), Some("key names here must match `^[a-zA-Z0-9._-]+$`"));
    }

    #[test]
    fn open_values_allow_any_key() {
        let node = yaml("{driver: json-file, options: {max-size: 10m, anything: 1}}");
        assert!(unknown_keys_below(place::SERVICE, "logging", &node, "services.web.logging").is_empty());
        let labels = yaml("{com.example.a: b}");
        assert!(unknown_keys_below(place::SERVICE, "labels", &labels, "services.web.labels").is_empty());
    }

    #[test]
    fn item_branches_chosen_per_item() {
        // `devices` items are a string or a mapping with `source`.
        let node = yaml("['/dev/fuse', {source: /dev/sda, targett: /dev/xvda}]");
        let found = unknown_keys_below(place::SERVICE, "devices", &node, "services.web.devices");
        assert_eq!(paths(&found), ["services.web.devices[1].targett"]);
    }

    #[test]
    fn wrong_kind_is_left_alone() {
        // A string where `deploy` wants a mapping is a type error for the
        // reader of `deploy`, not an unknown key.
        let node = yaml("[a, b]");
        assert!(unknown_keys_below(place::SERVICE, "deploy", &node, "services.web.deploy").is_empty());
    }

    #[test]
    fn whole_node_walked_from_pointer() {
        let node = yaml("{path: a.yaml, env_fille: a.env}");
        let found = unknown_keys("/definitions/include", &node, "include[0]");
        assert_eq!(paths(&found), ["include[0].env_fille"]);
        assert_eq!(found[0].help.as_deref(), Some("did you mean `env_file`?"));
    }
}
