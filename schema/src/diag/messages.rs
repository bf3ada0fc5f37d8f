//! Every diagnostic code and message text, in one table.
//!
//! The CLI, build scripts and the proc macro render these same words. Messages
//! are lower case without a trailing period; the fix goes into the help line.

/// Stable identifiers of the rules, shown as `error[code]`.
pub mod code {
    pub const YAML_SYNTAX: &str = "yaml-syntax";
    pub const YAML_DUPLICATE_KEY: &str = "yaml-duplicate-key";
    pub const YAML_ALIAS_LIMIT: &str = "yaml-alias-limit";
    pub const YAML_NESTING_LIMIT: &str = "yaml-nesting-limit";
    pub const YAML_MULTIPLE_DOCUMENTS: &str = "yaml-multiple-documents";
    pub const YAML_MERGE: &str = "yaml-merge";
    pub const INTERPOLATION_SYNTAX: &str = "interpolation-syntax";
    pub const VARIABLE_UNSET: &str = "variable-unset";
    pub const VARIABLE_REQUIRED: &str = "variable-required";
    pub const INVALID_TYPE: &str = "invalid-type";
    pub const INVALID_VALUE: &str = "invalid-value";
    pub const UNKNOWN_KEY: &str = "unknown-key";
    pub const UNSUPPORTED_KEY: &str = "unsupported-key";
    pub const OBSOLETE_VERSION: &str = "obsolete-version";
    pub const MISSING_KEY: &str = "missing-key";
    pub const CONFLICTING_KEYS: &str = "conflicting-keys";
    pub const INVALID_PORT: &str = "invalid-port";
    pub const INVALID_MOUNT: &str = "invalid-mount";
    pub const INVALID_DURATION: &str = "invalid-duration";
    pub const INVALID_COMMAND: &str = "invalid-command";
    pub const UNDEFINED_SERVICE: &str = "undefined-service";
    pub const DEPENDENCY_CYCLE: &str = "dependency-cycle";
    pub const HEALTHY_WITHOUT_HEALTHCHECK: &str = "healthy-without-healthcheck";
    pub const UNDEFINED_VOLUME: &str = "undefined-volume";
    pub const UNDEFINED_NETWORK: &str = "undefined-network";
    pub const MISSING_IMAGE: &str = "missing-image";
    pub const EMPTY_FILE: &str = "empty-file";
    pub const FILE_UNREADABLE: &str = "file-unreadable";
    pub const FILE_NOT_FOUND: &str = "file-not-found";
    pub const ENV_FILE_SYNTAX: &str = "env-file-syntax";
    pub const ENV_FILE_MISSING: &str = "env-file-missing";
    pub const ENV_FILE_FORMAT: &str = "env-file-format";
    pub const MERGE_TAG: &str = "merge-tag";
    pub const DISABLED_DEPENDENCY: &str = "disabled-dependency";
    pub const EXTENDS_UNDEFINED: &str = "extends-undefined";
    pub const EXTENDS_CYCLE: &str = "extends-cycle";
    pub const EXTENDS_DEPTH_LIMIT: &str = "extends-depth-limit";
    pub const INCLUDE_CYCLE: &str = "include-cycle";
    pub const INCLUDE_DEPTH_LIMIT: &str = "include-depth-limit";
    pub const INCLUDE_CONFLICT: &str = "include-conflict";
    pub const UNDEFINED_SECRET: &str = "undefined-secret";
    pub const UNDEFINED_CONFIG: &str = "undefined-config";
    pub const CONTAINER_NAME_REPLICAS: &str = "container-name-replicas";
    pub const MOUNT_CONFLICT: &str = "mount-conflict";
    pub const SCALE_REPLICAS: &str = "scale-replicas";
    pub const INVALID_PROJECT_NAME: &str = "invalid-project-name";
}

pub fn yaml_syntax(info: &str) -> String {
    format!("invalid YAML: {info}")
}

/// The fix for a YAML syntax error, chosen from the parser's description.
pub fn yaml_syntax_help(info: &str) -> &'static str {
    if info.contains("unknown escape character") {
        "in double quotes write `\\n`, `\\t`, `\\\"` or `\\\\`; use single quotes for a literal backslash"
    } else if info.contains("flow sequence") {
        "close the list with `]` and separate its items with `,`, and quote an item that contains `:` or `,`"
    } else if info.contains("flow mapping") {
        "close the mapping with `}` and separate its entries with `,`"
    } else if info.contains("quoted scalar") {
        "close the string with the same quote character that opens it"
    } else if info.contains("tab") {
        "indent with spaces: YAML does not allow tabs for indentation"
    } else if info.contains("unknown anchor") {
        "define the anchor with `&name` on a value above this alias, which then repeats it as `*name`"
    } else if info.contains("mapping values are not allowed") {
        "quote a value that contains `: `, or indent a nested mapping under its key"
    } else {
        "check the indentation, quotes and brackets at this position: keys of one mapping start in the same column"
    }
}

pub const YAML_NUL_HELP: &str = "remove the character: YAML text holds no NUL; inside double quotes it can be written as `\\0`";

pub fn duplicate_key(key: &str) -> String {
    format!("duplicate key `{key}`")
}

pub const DUPLICATE_KEY_FIRST: &str = "first defined here";
pub const DUPLICATE_KEY_HELP: &str = "remove one of the two entries";

pub fn alias_limit(limit: usize) -> String {
    format!("aliases expand to more than {limit} nodes")
}

pub const ALIAS_LIMIT_HELP: &str = "this looks like an alias bomb; write the repeated values out or reduce the nesting of aliases";

pub fn nesting_limit(limit: usize) -> String {
    format!("YAML nesting is deeper than {limit} levels")
}

pub const ALIAS_NESTING_HELP: &str = "an alias adds the depth of its anchored value to its own; reduce the nesting of the anchored value or of the place that refers to it";

pub const MULTIPLE_DOCUMENTS: &str = "a compose file holds one YAML document, found a second one";
pub const MULTIPLE_DOCUMENTS_HELP: &str = "split the documents into separate files";

pub const UNKNOWN_ANCHOR: &str = "alias refers to an unknown anchor";

pub fn merge_value(found: &str) -> String {
    format!("merge key `<<` expects a mapping or a sequence of mappings, found {found}")
}

pub fn interpolation_syntax(path: &str, template: &str) -> String {
    format!("invalid interpolation format in `{path}`: `{template}`")
}

pub const INTERPOLATION_HELP: &str =
    "write `${NAME}`, `${NAME:-default}` or `${NAME-default}`, and `$$` for a literal `$`";

pub fn variable_unset(name: &str) -> String {
    format!("variable `{name}` is not set, defaulting to an empty string")
}

pub fn variable_unset_help(name: &str) -> String {
    format!("set `{name}` in the environment or write a default: `${{{name}:-value}}`")
}

pub fn variable_required(name: &str, message: &str) -> String {
    if message.is_empty() {
        format!("required variable `{name}` is not set")
    } else {
        format!("required variable `{name}` is not set: {message}")
    }
}

pub fn invalid_type(path: &str, expected: &str, found: &str) -> String {
    if path.is_empty() {
        format!("a compose file must be {expected}, found {found}")
    } else {
        format!("`{path}` must be {expected}, found {found}")
    }
}

pub fn invalid_value(path: &str, value: &str, expected: &str) -> String {
    format!("invalid value `{value}` for `{path}`: expected {expected}")
}

pub fn empty_value(path: &str) -> String {
    format!("`{path}` must not be empty")
}

pub fn out_of_range(path: &str, value: &str, expected: &str) -> String {
    format!("value `{value}` for `{path}` is out of range: expected {expected}")
}

pub const RESTART_POLICIES: &str = "one of `no`, `always`, `on-failure`, `on-failure:N` (N a count of retries) and `unless-stopped`";

pub const CONTAINER_NAME: &str = "a name that starts with a letter or digit, followed by letters, digits, `_`, `.` and `-`";

pub fn duplicate_container_name(name: &str, first: &str, second: &str) -> String {
    format!("services `{first}` and `{second}` both use the container name `{name}`")
}

pub fn container_name_first(service: &str) -> String {
    format!("first used by `{service}`")
}

pub const DUPLICATE_CONTAINER_NAME_HELP: &str = "container names are unique on a host: rename one, or remove `container_name` to let compose name the container";

pub const EMPTY_HEALTHCHECK_TEST_HELP: &str = "remove `test` to use the image's health check, or write `[\"NONE\"]` to disable it";

pub fn healthcheck_without_command(path: &str, form: &str) -> String {
    format!("`{path}` is `[\"{form}\"]` without a command to run")
}

pub const HEALTHCHECK_TEST_FORM_HELP: &str =
    "write `[\"CMD\", \"program\", \"argument\"]` to run a program, `[\"CMD-SHELL\", \"command\"]` to run it in a shell, or `[\"NONE\"]` to disable the check";

pub fn unknown_key(key: &str, path: &str) -> String {
    if path.is_empty() { format!("unknown key `{key}`") } else { format!("unknown key `{key}` in `{path}`") }
}

pub fn did_you_mean(candidate: &str) -> String {
    format!("did you mean `{candidate}`?")
}

pub fn unknown_key_help(allowed: &[&str]) -> String {
    format!("allowed keys: {}", allowed.join(", "))
}

pub fn key_pattern_help(patterns: &[&str]) -> String {
    let patterns: Vec<String> = patterns.iter().map(|pattern| format!("`{pattern}`")).collect();
    format!("key names here must match {}", patterns.join(" or "))
}

pub fn unsupported_key(path: &str) -> String {
    format!("`{path}` is not supported yet and is ignored")
}

pub const OBSOLETE_VERSION: &str = "the top-level `version` is obsolete and ignored";
pub const OBSOLETE_VERSION_HELP: &str = "remove the `version` key";

pub const PULL_POLICIES: &str = "`always`, `never`, `missing`, `build`, `if_not_present`, `refresh`, `daily`, `weekly` or `every_<duration>`";

pub fn distinct_values(first: &str, second: &str) -> String {
    format!("`{first}` and `{second}` set the same limit to different values")
}

pub fn missing_source(path: &str, sources: &[&str]) -> String {
    let names: Vec<String> = sources.iter().map(|source| format!("`{source}`")).collect();
    format!("`{path}` needs one of {}", names.join(", "))
}

pub fn exclusive_keys(first: &str, second: &str) -> String {
    format!("`{first}` and `{second}` cannot both be set")
}

pub fn missing_key(path: &str, key: &str) -> String {
    format!("`{path}` is missing the required key `{key}`")
}

pub const DEPENDENCY_CONDITION_HELP: &str =
    "add `condition: service_started`, the usual value, or `service_healthy` or `service_completed_successfully`";

pub fn empty_variable_name(path: &str) -> String {
    format!("empty variable name in `{path}`")
}

pub const EMPTY_VARIABLE_NAME_HELP: &str = "write `NAME=value`, or `NAME` alone to pass the variable through from the environment of `up`";

pub fn variable_name_trailing_space(name: &str, path: &str) -> String {
    format!("variable name `{name}` in `{path}` ends with a space")
}

pub const VARIABLE_NAME_SPACE_HELP: &str = "remove the space: in the list form write `NAME=value` without spaces around `=`";

pub fn invalid_port(path: &str, value: &str, reason: &str) -> String {
    format!("invalid port `{value}` in `{path}`: {reason}")
}

pub const PORT_HELP: &str = "write `[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`, such as `8080:80` or `127.0.0.1:53:53/udp`";

pub fn invalid_mount(path: &str, value: &str, reason: &str) -> String {
    format!("invalid volume `{value}` in `{path}`: {reason}")
}

pub const MOUNT_HELP: &str = "write `SOURCE:TARGET[:MODE]` or an absolute container path for an anonymous volume";

pub fn invalid_duration(path: &str, value: &str) -> String {
    format!("invalid duration `{value}` for `{path}`")
}

pub const DURATION_HELP: &str = "write a duration such as `10s`, `1m30s`, `500ms` or `1h`";

pub fn invalid_command(path: &str) -> String {
    format!("`{path}` has an unterminated quote or a trailing backslash")
}

pub const COMMAND_HELP: &str = "close the quote, or write the command as a list of arguments";

pub fn undefined_service(service: &str, dependency: &str) -> String {
    format!("service `{service}` depends on undefined service `{dependency}`")
}

pub fn defined_services_help(names: &[&str]) -> String {
    if names.is_empty() {
        "no services are defined".to_owned()
    } else {
        format!("defined services: {}", names.join(", "))
    }
}

pub fn duplicate_dependency(path: &str, dependency: &str) -> String {
    format!("`{path}` lists `{dependency}` twice")
}

pub const DUPLICATE_ENTRY_FIRST: &str = "first listed here";

pub fn dependency_cycle(path: &str) -> String {
    format!("dependency cycle: {path}")
}

pub fn cycle_edge(from: &str, to: &str) -> String {
    format!("`{from}` depends on `{to}`")
}

/// Formats the error for a `service_healthy` dependency on a service whose
/// healthcheck is `missing` (`no healthcheck`, `its healthcheck disabled`, ...).
pub fn healthy_without_healthcheck(service: &str, dependency: &str, missing: &str) -> String {
    format!("service `{service}` waits for `{dependency}` to be healthy, but `{dependency}` has {missing}")
}

pub fn healthy_without_healthcheck_help(dependency: &str) -> String {
    format!("add a `healthcheck` with a `test` to service `{dependency}`, or use `condition: service_started`")
}

pub fn optional_healthy_without_healthcheck_help(service: &str, dependency: &str) -> String {
    format!("the dependency is optional (`required: false`), so `{service}` waits only for `{dependency}` to start")
}

pub const CYCLE_HELP: &str = "remove one of the `depends_on` entries on the cycle";

/// Formats the help of a cycle whose services also form further cycles with `others`.
pub fn cycle_component_help(others: &[&str]) -> String {
    format!("{CYCLE_HELP}; the services `{}` also lie on cycles with these services", others.join("`, `"))
}

pub fn undefined_volume(service: &str, volume: &str) -> String {
    format!("service `{service}` mounts undefined volume `{volume}`")
}

pub fn undefined_volume_help(volume: &str) -> String {
    format!("declare it under the top-level `volumes:` key (`volumes: {{{volume}: }}`), or write a path such as `./{volume}` for a bind mount")
}

pub fn undefined_network(service: &str, network: &str) -> String {
    format!("service `{service}` uses undefined network `{network}`")
}

pub fn undefined_network_help(network: &str) -> String {
    format!("declare it under the top-level `networks:` key (`networks: {{{network}: }}`)")
}

pub fn missing_image(service: &str) -> String {
    format!("service `{service}` has neither `image` nor `build`")
}

pub const MISSING_IMAGE_HELP: &str = "set `image` to the image the service runs, or `build` to the folder to build it from";

pub fn file_unreadable(file: &str, error: &str) -> String {
    format!("cannot read `{file}`: {error}")
}

pub const EMPTY_FILE: &str = "empty compose file";
pub const EMPTY_FILE_HELP: &str = "add a `services:` mapping with at least one service, such as `services: {web: {image: nginx}}`";

pub fn no_compose_file(folder: &str) -> String {
    format!("no compose file found in `{folder}` or its parent folders")
}

pub const NO_COMPOSE_FILE_HELP: &str =
    "name a file with `-f`, or create `compose.yaml` (also read: compose.yml, docker-compose.yaml, docker-compose.yml)";

pub fn env_file_name_char(char: char, name: &str) -> String {
    format!("invalid character `{char}` in the variable name `{name}`")
}

pub fn env_file_missing_name() -> String {
    "missing variable name before `=`".to_owned()
}

pub fn env_file_expected_equals(name: &str) -> String {
    format!("expected `=` after the variable name `{name}`")
}

pub fn env_file_unterminated_quote(name: &str) -> String {
    format!("unterminated quote in the value of `{name}`")
}

pub fn env_file_after_quote(name: &str) -> String {
    format!("unexpected text after the closing quote of `{name}`")
}

pub const ENV_FILE_HELP: &str =
    "write one `NAME=value` per line; quote values with spaces or `#` as `'...'` (literal) or `\"...\"` (escapes and `${VAR}`)";

pub fn env_file_missing(file: &str, error: &str) -> String {
    format!("cannot read env file `{file}`: {error}")
}

pub const ENV_FILE_MISSING_HELP: &str = "create the file, or write `required: false` in the long syntax to skip a missing file";

pub fn env_file_format(format: &str) -> String {
    format!("unsupported env_file format `{format}`")
}

pub const ENV_FILE_FORMAT_HELP: &str = "leave `format` unset for the dotenv syntax, or write `format: raw` to read values literally";

pub fn merge_tag(tag: &str, path: &str) -> String {
    format!("tag `{tag}` on `{path}` is not supported")
}

pub const MERGE_TAG_HELP: &str = "use `!reset` to remove a value of an earlier file, or `!override` to replace it instead of merging";

pub fn disabled_dependency(service: &str, dependency: &str) -> String {
    format!("service `{service}` depends on `{dependency}`, which is disabled by its profiles")
}

pub fn disabled_dependency_help(profiles: &[String]) -> String {
    format!("enable a profile of it (`--profile {}` or COMPOSE_PROFILES), or mark the dependency `required: false`", profiles.join("` or `--profile "))
}

pub fn extends_undefined(service: &str, target: &str, file: &str) -> String {
    format!("service `{service}` extends `{target}`, which `{file}` does not define")
}

pub const EXTENDS_UNDEFINED_HELP: &str = "name a service of that file in `extends.service`, or set `extends.file` to the file that defines it";

pub fn extends_cycle(path: &str) -> String {
    format!("`extends` cycle: {path}")
}

pub fn include_cycle(chain: &str) -> String {
    format!("include cycle: {chain}")
}

pub fn include_depth_limit(file: &str, limit: usize) -> String {
    format!("including `{file}` nests `include` deeper than the limit of {limit} files")
}

pub const INCLUDE_DEPTH_LIMIT_HELP: &str = "include the files from one top-level file instead of each from the one before";

pub const INCLUDE_CYCLE_HELP: &str = "remove one of the `include` entries on the cycle";

pub const EXTENDS_CYCLE_HELP: &str = "remove one of the `extends` entries on the cycle";

pub fn extends_depth_limit(start: &str, limit: usize) -> String {
    format!("the `extends` chain of service `{start}` is longer than the limit of {limit} `extends`")
}

pub const EXTENDS_DEPTH_LIMIT_HELP: &str = "let the services extend a common base service directly instead of one another in a line";

pub fn include_conflict(kind: &str, name: &str, file: &str) -> String {
    format!("{kind} `{name}` is defined both here and in the included file `{file}`")
}

pub const INCLUDE_CONFLICT_HELP: &str = "rename one of the two, or remove it from this file and use the included one";

pub fn undefined_secret(service: &str, secret: &str) -> String {
    format!("service `{service}` uses undefined secret `{secret}`")
}

pub fn undefined_config(service: &str, config: &str) -> String {
    format!("service `{service}` uses undefined config `{config}`")
}

pub fn undefined_top_level_help(kind: &str, name: &str) -> String {
    format!("declare it under the top-level `{kind}:` key (`{kind}: {{{name}: {{file: ./{name}.txt}}}}`)")
}

pub fn container_name_replicas(service: &str, container_name: &str, replicas: i64) -> String {
    format!("service `{service}` sets `container_name: {container_name}` and runs {replicas} replicas, which cannot share one name")
}

pub const CONTAINER_NAME_REPLICAS_HELP: &str = "remove `container_name`, or run one replica";

pub fn mount_conflict(service: &str, target: &str) -> String {
    format!("service `{service}` mounts two sources on `{target}`")
}

pub const MOUNT_CONFLICT_HELP: &str = "give each mount its own container path";

pub fn scale_replicas(service: &str, scale: i64, replicas: i64) -> String {
    format!("service `{service}` sets `scale: {scale}` and `deploy.replicas: {replicas}`, which disagree")
}

pub const SCALE_REPLICAS_HELP: &str = "set only one of them, or set both to the same number";

pub fn invalid_project_name(name: &str, origin: &str) -> String {
    format!("invalid project name `{name}` from {origin}: use only lower-case letters, digits, `-` and `_`, starting with a letter or digit")
}

pub fn project_name_option_help(normalized: &str) -> String {
    if normalized.is_empty() { "use a name such as `my-project`".to_owned() } else { format!("use `{normalized}`") }
}

pub fn project_name_help(normalized: &str) -> String {
    if normalized.is_empty() {
        "write a name such as `my-project`".to_owned()
    } else {
        format!("write `name: {normalized}`")
    }
}
