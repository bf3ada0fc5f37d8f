//! One small compose file per loader rule, each checking the diagnostic's
//! code, message and position.

use std::path::Path;

use perry_stack_schema::diag::messages::code;
use perry_stack_schema::{check, checked_project_name, load, project_name, Condition, Diagnostic, MountKind, Severity};

const FILE: &str = "/project/app/compose.yaml";

fn diagnostics(source: &str) -> Vec<Diagnostic> {
    match check(source, Path::new(FILE)) {
        Ok(checked) => checked.warnings.0,
        Err(diagnostics) => diagnostics.0,
    }
}

/// Returns the one diagnostic with `code`, and fails when there is none or several.
fn only(source: &str, code: &str) -> Diagnostic {
    let all = diagnostics(source);
    let matching: Vec<&Diagnostic> = all.iter().filter(|diagnostic| diagnostic.code == code).collect();
    assert_eq!(matching.len(), 1, "expected one `{code}` diagnostic, found: {all:#?}");
    matching[0].clone()
}

fn position(diagnostic: &Diagnostic) -> (u32, u32) {
    (diagnostic.span.line, diagnostic.span.column)
}

#[test]
fn yaml_syntax_error() {
    let diagnostic = only("services:\n  web:\n    image: [nginx\n", code::YAML_SYNTAX);
    assert_eq!(diagnostic.severity, Severity::Error);
    assert!(diagnostic.message.starts_with("invalid YAML: "), "{}", diagnostic.message);
    assert_eq!(diagnostic.span.line, 4);
}

#[test]
fn yaml_duplicate_key() {
    let diagnostic = only("services:\n  web:\n    image: a\n    image: b\n", code::YAML_DUPLICATE_KEY);
    assert_eq!(diagnostic.message, "duplicate key `image`");
    assert_eq!(position(&diagnostic), (4, 5));
    assert_eq!(diagnostic.labels.len(), 1);
    assert_eq!((diagnostic.labels[0].span.line, diagnostic.labels[0].span.column), (3, 5));
}

#[test]
fn yaml_alias_bomb() {
    let mut source = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (level, previous) in ["b", "c", "d", "e", "f", "g", "h"].iter().zip(["a", "b", "c", "d", "e", "f", "g"]) {
        let aliases = vec![format!("*{previous}"); 10].join(", ");
        source.push_str(&format!("{level}: &{level} [{aliases}]\n"));
    }
    let started = std::time::Instant::now();
    let diagnostic = only(&source, code::YAML_ALIAS_LIMIT);
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(diagnostic.message, "aliases expand to more than 100000 nodes");
}

#[test]
fn yaml_merge_keys() {
    let source = "\
x-base: &base
  image: base
  restart: always
x-labels: &labels
  labels: {a: one}
  user: nobody
services:
  web:
    <<: [*base, *labels]
    image: web
  worker:
    <<: *base
";
    let project = check(source, Path::new(FILE)).expect("valid file").project;
    let web = &project.services["web"];
    assert_eq!(web.image.as_deref(), Some("web"));
    assert_eq!(web.restart.as_deref(), Some("always"));
    assert_eq!(web.user.as_deref(), Some("nobody"));
    assert_eq!(web.labels["a"], "one");
    assert_eq!(project.services["worker"].image.as_deref(), Some("base"));
}

#[test]
fn yaml_merge_of_scalar() {
    let diagnostic = only("services:\n  web:\n    <<: 5\n    image: a\n", code::YAML_MERGE);
    assert_eq!(position(&diagnostic), (3, 9));
}

#[test]
fn yaml_core_schema_scalars() {
    use perry_stack_schema::yaml::{parse, Value};

    let source = "\
a: yes
b: on
c: 22:22
d: 0x1F
e: 0o17
f: .inf
g: ~
h:
i: null
j: '1'
k: 0123
l: 1.5
m: !!str 5
n: !reset null
";
    let root = parse(source, Path::new(FILE)).expect("valid YAML");
    let value = |key: &str| root.get(key).expect(key).value.clone();
    assert_eq!(value("a"), Value::String("yes".into()));
    assert_eq!(value("b"), Value::String("on".into()));
    assert_eq!(value("c"), Value::String("22:22".into()));
    assert_eq!(value("d"), Value::Int(31));
    assert_eq!(value("e"), Value::Int(15));
    assert_eq!(value("f"), Value::Float(f64::INFINITY));
    assert_eq!(value("g"), Value::Null);
    assert_eq!(value("h"), Value::Null);
    assert_eq!(value("i"), Value::Null);
    assert_eq!(value("j"), Value::String("1".into()));
    assert_eq!(value("k"), Value::Int(123));
    assert_eq!(root.get("k").unwrap().text.as_deref(), Some("0123"));
    assert_eq!(value("l"), Value::Float(1.5));
    assert_eq!(value("m"), Value::String("5".into()));
    assert_eq!(root.get("n").unwrap().tag.as_deref(), Some("!reset"));
    let span = root.get("d").unwrap().span;
    assert_eq!((span.line, span.column, &source[span.start..span.end]), (4, 4, "0x1F"));
}

#[test]
fn environment_keeps_scalar_text() {
    let source = "\
services:
  web:
    image: a
    environment:
      ZIP: 0123
      FLAG: true
      RATIO: 1.50
      EMPTY:
  worker:
    image: a
    environment:
      - A=b=c
      - PASSED
";
    let project = check(source, Path::new(FILE)).expect("valid file").project;
    let web = &project.services["web"].environment;
    assert_eq!(web["ZIP"].as_deref(), Some("0123"));
    assert_eq!(web["FLAG"].as_deref(), Some("true"));
    assert_eq!(web["RATIO"].as_deref(), Some("1.50"));
    assert_eq!(web["EMPTY"], None);
    let worker = &project.services["worker"].environment;
    assert_eq!(worker["A"].as_deref(), Some("b=c"));
    assert_eq!(worker["PASSED"], None);
}

#[test]
fn interpolation_invalid_template() {
    let diagnostic = only("services:\n  web:\n    image: \"${ foo}\"\n", code::INTERPOLATION_SYNTAX);
    assert_eq!(diagnostic.message, "invalid interpolation format in `services.web.image`: `${ foo}`");
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.image"));
    assert_eq!(position(&diagnostic), (3, 12));
}

#[test]
fn interpolation_variables_at_check() {
    let source = "services:\n  web:\n    image: ${IMAGE:-nginx}\n    user: $USER\n    working_dir: ${IMAGE}\n    labels: {price: x$$y}\n";
    let checked = check(source, Path::new(FILE)).expect("valid file");
    let names: Vec<(&str, Option<&str>)> = checked.variables.iter().map(|variable| (variable.name.as_str(), variable.default.as_deref())).collect();
    assert_eq!(names, [("IMAGE", Some("nginx")), ("USER", None)]);
    assert_eq!(checked.variables[0].span.line, 3);
    let web = &checked.project.services["web"];
    assert_eq!(web.image.as_deref(), Some("nginx"));
    assert_eq!(web.labels["price"], "x$y");
    assert!(checked.warnings.iter().all(|warning| warning.code != code::VARIABLE_UNSET));
}

#[test]
fn interpolation_unset_variable_at_load() {
    let source = "services:\n  web:\n    image: nginx:${TAG}\n    user: ${USER_ID}\n";
    let environment = |name: &str| (name == "USER_ID").then(|| "1000".to_owned());
    let (project, warnings) = load(source, Path::new(FILE), &environment).expect("valid file");
    assert_eq!(project.services["web"].image.as_deref(), Some("nginx:"));
    assert_eq!(project.services["web"].user.as_deref(), Some("1000"));
    let unset: Vec<&Diagnostic> = warnings.iter().filter(|warning| warning.code == code::VARIABLE_UNSET).collect();
    assert_eq!(unset.len(), 1);
    assert_eq!(unset[0].message, "variable `TAG` is not set, defaulting to an empty string");
    assert_eq!(position(unset[0]), (3, 12));
}

#[test]
fn interpolation_required_variable_at_load() {
    let source = "services:\n  web:\n    image: ${IMAGE:?set the image}\n";
    let errors = load(source, Path::new(FILE), &|_: &str| None).expect_err("IMAGE is required");
    assert_eq!(errors.0[0].code, code::VARIABLE_REQUIRED);
    assert_eq!(errors.0[0].message, "required variable `IMAGE` is not set: set the image");
}

#[test]
fn unknown_key_suggests_spelling() {
    let diagnostic = only("services:\n  web:\n    imagee: nginx\n", code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `imagee` in `services.web`");
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.imagee"));
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `image`?"));
    assert_eq!(position(&diagnostic), (3, 5));
}

#[test]
fn unknown_top_level_key() {
    let diagnostic = only("servics:\n  web:\n    image: nginx\n", code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `servics`");
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `services`?"));
}

#[test]
fn unsupported_key_warns_and_is_kept() {
    let source = "services:\n  web:\n    image: nginx\n    domainname: example.com\n    x-note: kept\n";
    let checked = check(source, Path::new(FILE)).expect("warnings only");
    let warnings: Vec<&Diagnostic> = checked.warnings.iter().collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0].code, code::UNSUPPORTED_KEY);
    assert_eq!(warnings[0].message, "`services.web.domainname` is not supported yet and is ignored");
    assert_eq!(position(warnings[0]), (4, 5));
    let web = &checked.project.services["web"];
    assert!(web.unsupported.contains_key("domainname"));
    assert!(web.unsupported.contains_key("x-note"));
}

#[test]
fn obsolete_version_warns() {
    let diagnostic = only("version: '3.8'\nservices:\n  web:\n    image: nginx\n", code::OBSOLETE_VERSION);
    assert_eq!(diagnostic.severity, Severity::Warning);
    assert_eq!(position(&diagnostic), (1, 1));
}

#[test]
fn environment_empty_name_in_list() {
    let diagnostic = only("services:\n  web:\n    image: a\n    environment:\n      - A=1\n      - =bad\n", code::INVALID_VALUE);
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.message, "empty variable name in `services.web.environment[1]`");
    assert_eq!(diagnostic.file, Path::new(FILE));
    assert_eq!(position(&diagnostic), (6, 9));
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.environment[1]"));
}

#[test]
fn environment_empty_name_in_mapping() {
    let diagnostic = only("services:\n  web:\n    image: a\n    environment:\n      \"\": bad\n", code::INVALID_VALUE);
    assert_eq!(diagnostic.message, "empty variable name in `services.web.environment.`");
    assert_eq!(position(&diagnostic), (5, 7));
}

#[test]
fn environment_name_trailing_space() {
    let list = only("services:\n  web:\n    image: a\n    environment:\n      - \"B = spaced\"\n", code::INVALID_VALUE);
    assert_eq!(list.message, "variable name `B ` in `services.web.environment[0]` ends with a space");
    assert_eq!(position(&list), (5, 9));
    let mapping = only("services:\n  web:\n    image: a\n    environment:\n      \"B \": x\n", code::INVALID_VALUE);
    assert_eq!(mapping.message, "variable name `B ` in `services.web.environment.B ` ends with a space");
    assert_eq!(position(&mapping), (5, 7));
}

#[test]
fn environment_names_that_compose_accepts() {
    let source = "services:\n  web:\n    image: a\n    environment:\n      - \" LEADING=1\"\n      - my-var.x=2\n      - 1ST=3\n";
    let project = check(source, Path::new(FILE)).expect("valid file").project;
    let environment = &project.services["web"].environment;
    assert_eq!(environment[" LEADING"].as_deref(), Some("1"));
    assert_eq!(environment["my-var.x"].as_deref(), Some("2"));
    assert_eq!(environment["1ST"].as_deref(), Some("3"));
}

#[test]
fn invalid_type_names_path() {
    let diagnostic = only("services:\n  web:\n    image: nginx\n    ports: 80\n", code::INVALID_TYPE);
    assert_eq!(diagnostic.message, "`services.web.ports` must be a sequence, found an integer `80`");
    assert_eq!(position(&diagnostic), (4, 12));
}

#[test]
fn non_string_key_rejected() {
    let diagnostic = only("services:\n  web:\n    image: nginx\n    environment:\n      1: one\n", code::INVALID_TYPE);
    assert_eq!(diagnostic.message, "`services.web.environment key` must be a string, found an integer `1`");
    assert_eq!(position(&diagnostic), (5, 7));
}

#[test]
fn invalid_port_names_index() {
    let diagnostic = only("services:\n  web:\n    image: nginx\n    ports:\n      - 80\n      - \"8080:http\"\n", code::INVALID_PORT);
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.ports[1]"));
    assert_eq!(diagnostic.message, "invalid port `8080:http` in `services.web.ports[1]`: `http` is not a port number between 1 and 65535");
    assert_eq!(position(&diagnostic), (6, 9));
}

#[test]
fn ports_short_and_long() {
    let source = "\
services:
  web:
    image: nginx
    ports:
      - 80
      - 127.0.0.1:8080:80/udp
      - 9000-9001:9000-9001
      - 0:81
      - target: 443
        published: 8443
        host_ip: 0.0.0.0
";
    let ports = check(source, Path::new(FILE)).expect("valid file").project.services["web"].ports.clone();
    let summary: Vec<(u16, Option<&str>, Option<&str>, &str)> =
        ports.iter().map(|port| (port.target, port.published.as_deref(), port.host_ip.as_deref(), port.protocol.as_str())).collect();
    assert_eq!(
        summary,
        [
            (80, None, None, "tcp"),
            (80, Some("8080"), Some("127.0.0.1"), "udp"),
            (9000, Some("9000"), None, "tcp"),
            (9001, Some("9001"), None, "tcp"),
            (81, None, None, "tcp"),
            (443, Some("8443"), Some("0.0.0.0"), "tcp"),
        ]
    );
}

#[test]
fn volumes_short_and_long() {
    let source = "\
services:
  web:
    image: nginx
    volumes:
      - data:/data
      - ./site:/usr/share/nginx/html:ro
      - /etc/hosts:/etc/hosts
      - /cache
      - type: bind
        source: ../shared
        target: /shared
        read_only: true
volumes:
  data:
";
    let mounts = check(source, Path::new(FILE)).expect("valid file").project.services["web"].volumes.clone();
    let summary: Vec<(MountKind, Option<&str>, &str, bool)> =
        mounts.iter().map(|mount| (mount.kind, mount.source.as_deref(), mount.target.as_str(), mount.read_only)).collect();
    assert_eq!(
        summary,
        [
            (MountKind::Volume, Some("data"), "/data", false),
            (MountKind::Bind, Some("/project/app/site"), "/usr/share/nginx/html", true),
            (MountKind::Bind, Some("/etc/hosts"), "/etc/hosts", false),
            (MountKind::Volume, None, "/cache", false),
            (MountKind::Bind, Some("/project/shared"), "/shared", true),
        ]
    );
}

#[test]
fn invalid_mount_mode() {
    let diagnostic = only("services:\n  web:\n    image: nginx\n    volumes:\n      - ./a:/a:rx\n", code::INVALID_MOUNT);
    assert_eq!(diagnostic.message, "invalid volume `./a:/a:rx` in `services.web.volumes[0]`: unknown mode `rx`");
    assert_eq!(position(&diagnostic), (5, 9));
}

#[test]
fn invalid_duration() {
    let diagnostic =
        only("services:\n  web:\n    image: nginx\n    healthcheck:\n      test: curl -f localhost\n      interval: 10 seconds\n", code::INVALID_DURATION);
    assert_eq!(diagnostic.message, "invalid duration `10 seconds` for `services.web.healthcheck.interval`");
    assert_eq!(position(&diagnostic), (6, 17));
}

#[test]
fn healthcheck_forms() {
    let source = "\
services:
  web:
    image: nginx
    healthcheck:
      test: curl -f http://localhost
      interval: 1m30s
      timeout: 500ms
      retries: 5
  off:
    image: nginx
    healthcheck:
      disable: true
";
    let project = check(source, Path::new(FILE)).expect("valid file").project;
    let healthcheck = project.services["web"].healthcheck.clone().expect("healthcheck");
    assert_eq!(healthcheck.test, ["CMD-SHELL", "curl -f http://localhost"]);
    assert_eq!(healthcheck.interval, Some(std::time::Duration::from_secs(90)));
    assert_eq!(healthcheck.timeout, Some(std::time::Duration::from_millis(500)));
    assert_eq!(healthcheck.retries, Some(5));
    assert!(project.services["off"].healthcheck.as_ref().expect("healthcheck").is_disabled());
}

#[test]
fn healthcheck_test_list_form() {
    let diagnostic = only(
        "services:\n  db:\n    image: a\n    healthcheck:\n      test: [\"BOGUS\", \"x\"]\n      retries: 2\n",
        code::INVALID_VALUE,
    );
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.message, "invalid value `BOGUS` for `services.db.healthcheck.test[0]`: expected `NONE`, `CMD` or `CMD-SHELL`");
    assert_eq!(diagnostic.file, Path::new(FILE));
    assert_eq!(position(&diagnostic), (5, 14));
    assert!(diagnostic.help.as_deref().unwrap_or_default().contains("CMD-SHELL"), "{:?}", diagnostic.help);

    // The form is case-sensitive, as in docker compose.
    let lower = only("services:\n  db:\n    image: a\n    healthcheck:\n      test:\n        - cmd\n        - true\n", code::INVALID_VALUE);
    assert_eq!(position(&lower), (6, 11));

    for form in ["[NONE]", "[CMD, pg_isready]", "[CMD-SHELL, pg_isready || exit 1]"] {
        let source = format!("services:\n  db:\n    image: a\n    healthcheck:\n      test: {form}\n");
        check(&source, Path::new(FILE)).unwrap_or_else(|failed| panic!("{form} is valid: {failed:#?}"));
    }
}

#[test]
fn command_split_and_unterminated_quote() {
    let source = "services:\n  web:\n    image: a\n    command: sh -c 'echo \"hi there\"'\n";
    let project = check(source, Path::new(FILE)).expect("valid file").project;
    assert_eq!(project.services["web"].command.as_deref(), Some(&["sh".to_owned(), "-c".to_owned(), "echo \"hi there\"".to_owned()][..]));

    let diagnostic = only("services:\n  web:\n    image: a\n    entrypoint: sh -c 'echo\n", code::INVALID_COMMAND);
    assert_eq!(diagnostic.message, "`services.web.entrypoint` has an unterminated quote or a trailing backslash");
    assert_eq!(position(&diagnostic), (4, 17));
}

#[test]
fn depends_on_forms() {
    let source = "\
services:
  web:
    image: a
    depends_on:
      db:
        condition: service_healthy
        restart: true
      cache:
        condition: service_started
        required: false
  worker:
    image: a
    depends_on: [db]
  db:
    image: a
    healthcheck: {test: [CMD, pg_isready]}
  cache:
    image: a
";
    let project = check(source, Path::new(FILE)).expect("valid file").project;
    let web = &project.services["web"].depends_on;
    assert_eq!((web["db"].condition, web["db"].restart, web["db"].required), (Condition::ServiceHealthy, true, true));
    assert_eq!((web["cache"].condition, web["cache"].required), (Condition::ServiceStarted, false));
    let worker = &project.services["worker"].depends_on;
    assert_eq!((worker["db"].condition, worker["db"].restart, worker["db"].required), (Condition::ServiceStarted, false, true));
}

#[test]
fn depends_on_duplicate_entry() {
    let source = "services:\n  a:\n    image: x\n    depends_on: [b, b]\n  b:\n    image: x\n";
    let diagnostic = only(source, code::INVALID_VALUE);
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.message, "`services.a.depends_on` lists `b` twice");
    assert_eq!(diagnostic.file, Path::new(FILE));
    assert_eq!(position(&diagnostic), (4, 21));
    assert_eq!(diagnostic.path.as_deref(), Some("services.a.depends_on[1]"));
    assert_eq!(diagnostic.labels.len(), 1);
    assert_eq!((diagnostic.labels[0].span.line, diagnostic.labels[0].span.column), (4, 18));
}

#[test]
fn depends_on_undefined_service() {
    let diagnostic = only("services:\n  web:\n    image: a\n    depends_on:\n      - db\n  api:\n    image: a\n", code::UNDEFINED_SERVICE);
    assert_eq!(diagnostic.message, "service `web` depends on undefined service `db`");
    assert_eq!(diagnostic.help.as_deref(), Some("defined services: api, web"));
    assert_eq!(position(&diagnostic), (5, 9));
}

#[test]
fn depends_on_cycle() {
    let source = "\
services:
  web:
    image: a
    depends_on: [api]
  api:
    image: a
    depends_on: [worker]
  worker:
    image: a
    depends_on: [web]
";
    let diagnostic = only(source, code::DEPENDENCY_CYCLE);
    assert_eq!(diagnostic.message, "dependency cycle: api -> worker -> web -> api");
    assert_eq!(position(&diagnostic), (7, 18));
    let labels: Vec<(&str, u32)> = diagnostic.labels.iter().map(|label| (label.message.as_str(), label.span.line)).collect();
    assert_eq!(labels, [("`worker` depends on `web`", 10), ("`web` depends on `api`", 4)]);
}

#[test]
fn depends_on_self() {
    let diagnostic = only("services:\n  web:\n    image: a\n    depends_on: [web]\n", code::DEPENDENCY_CYCLE);
    assert_eq!(diagnostic.message, "dependency cycle: web -> web");
}

/// Writes `a -> b00 -> (c00x | c00y) -> b01 -> ... -> b19 -> (c19x | c19y)`,
/// which has 2^20 paths, and the cycle `a -> zz -> a` behind all of them in
/// name order.
fn diamond_ladder() -> String {
    let mut source = String::from("services:\n  a:\n    image: a\n    depends_on: [b00, zz]\n  zz:\n    image: a\n    depends_on: [a]\n");
    for step in 0..20 {
        let next = if step == 19 { String::new() } else { format!("b{:02}", step + 1) };
        source.push_str(&format!("  b{step:02}:\n    image: a\n    depends_on: [c{step:02}x, c{step:02}y]\n"));
        for side in ["x", "y"] {
            source.push_str(&format!("  c{step:02}{side}:\n    image: a\n    depends_on: [{next}]\n"));
        }
    }
    source
}

#[test]
fn depends_on_cycle_behind_many_paths() {
    let diagnostic = only(&diamond_ladder(), code::DEPENDENCY_CYCLE);
    assert_eq!(diagnostic.message, "dependency cycle: a -> zz -> a");
}

#[test]
fn depends_on_cycle_of_20000_services() {
    let count = 20_000;
    let mut source = String::from("services:\n");
    for index in 0..count {
        source.push_str(&format!("  s{index:05}:\n    image: a\n    depends_on: [s{:05}]\n", (index + 1) % count));
    }
    let diagnostic = only(&source, code::DEPENDENCY_CYCLE);
    assert!(diagnostic.message.starts_with("dependency cycle: s00000 -> s00001 -> s00002 -> "), "{}", &diagnostic.message[..80]);
    assert!(diagnostic.message.ends_with(" -> s19999 -> s00000"), "{}", &diagnostic.message[diagnostic.message.len() - 80..]);
    assert_eq!(diagnostic.labels.len(), count - 1);
}

#[test]
fn depends_on_cycles_reported_per_component() {
    let source = "\
services:
  a:
    image: a
    depends_on: [b, c]
  b:
    image: a
    depends_on: [a]
  c:
    image: a
    depends_on: [d]
  d:
    image: a
    depends_on: [a]
  x:
    image: a
    depends_on: [y]
  y:
    image: a
    depends_on: [x]
";
    let cycles: Vec<Diagnostic> = diagnostics(source).into_iter().filter(|diagnostic| diagnostic.code == code::DEPENDENCY_CYCLE).collect();
    let messages: Vec<&str> = cycles.iter().map(|diagnostic| diagnostic.message.as_str()).collect();
    assert_eq!(messages, ["dependency cycle: a -> b -> a", "dependency cycle: x -> y -> x"]);
    assert_eq!(
        cycles[0].help.as_deref(),
        Some("remove one of the `depends_on` entries on the cycle; the services `c`, `d` also lie on cycles with these services")
    );
    assert_eq!(cycles[1].help.as_deref(), Some("remove one of the `depends_on` entries on the cycle"));
}

#[test]
fn implied_dependencies_form_cycles() {
    let cases = [
        ("links: [db]", "dependency cycle: db -> web -> db"),
        ("volumes_from: [db]", "dependency cycle: db -> web -> db"),
        ("network_mode: service:db", "dependency cycle: db -> web -> db"),
    ];
    for (implied, expected) in cases {
        let source = format!("services:\n  web:\n    image: a\n    {implied}\n  db:\n    image: a\n    depends_on: [web]\n");
        let diagnostic = only(&source, code::DEPENDENCY_CYCLE);
        assert_eq!(diagnostic.message, expected, "{implied}");
    }
}

#[test]
fn healthy_dependency_without_healthcheck() {
    let source = "services:\n  web:\n    image: a\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: a\n";
    let diagnostic = only(source, code::HEALTHY_WITHOUT_HEALTHCHECK);
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.message, "service `web` waits for `db` to be healthy, but `db` has no healthcheck");
    assert_eq!(position(&diagnostic), (6, 20));
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.depends_on.db.condition"));
    assert_eq!(diagnostic.help.as_deref(), Some("add a `healthcheck` with a `test` to service `db`, or use `condition: service_started`"));
}

#[test]
fn optional_healthy_dependency_without_healthcheck_warns() {
    let source = "services:\n  web:\n    image: a\n    depends_on:\n      db:\n        condition: service_healthy\n        required: false\n  db:\n    image: a\n";
    let diagnostic = only(source, code::HEALTHY_WITHOUT_HEALTHCHECK);
    assert_eq!(diagnostic.severity, Severity::Warning);
    assert_eq!(diagnostic.message, "service `web` waits for `db` to be healthy, but `db` has no healthcheck");
    assert_eq!(position(&diagnostic), (6, 20));
    assert_eq!(diagnostic.help.as_deref(), Some("the dependency is optional (`required: false`), so `web` waits only for `db` to start"));
}

#[test]
fn healthcheck_form_without_command() {
    for form in ["CMD", "CMD-SHELL"] {
        let source = format!("services:\n  web:\n    image: a\n    healthcheck:\n      test: [{form}]\n");
        let diagnostic = only(&source, code::INVALID_VALUE);
        assert_eq!(diagnostic.message, format!("`services.web.healthcheck.test` is `[\"{form}\"]` without a command to run"));
        assert_eq!(position(&diagnostic), (5, 14));
    }
    let disabled = "services:\n  web:\n    image: a\n    healthcheck:\n      test: [NONE]\n";
    assert!(diagnostics(disabled).iter().all(|diagnostic| diagnostic.code != code::INVALID_VALUE));
}

#[test]
fn healthy_dependency_check_not_running() {
    let cases = [
        ("{disable: true}", "its healthcheck disabled"),
        ("{test: [NONE]}", "its healthcheck disabled"),
        ("{test: [CMD, true], disable: true}", "its healthcheck disabled"),
        ("{interval: 5s}", "a healthcheck without `test`"),
    ];
    for (healthcheck, missing) in cases {
        let source = format!("services:\n  web:\n    image: a\n    depends_on: {{db: {{condition: service_healthy}}}}\n  db:\n    image: a\n    healthcheck: {healthcheck}\n");
        let diagnostic = only(&source, code::HEALTHY_WITHOUT_HEALTHCHECK);
        assert_eq!(diagnostic.message, format!("service `web` waits for `db` to be healthy, but `db` has {missing}"), "{healthcheck}");
    }
}

#[test]
fn healthy_dependency_with_healthcheck() {
    let dependencies = ["{db: {condition: service_healthy}}", "{db: {condition: service_started}}", "[db]"];
    for depends_on in dependencies {
        let source = format!("services:\n  web:\n    image: a\n    depends_on: {depends_on}\n  db:\n    image: a\n    healthcheck: {{test: [CMD, pg_isready]}}\n");
        let found: Vec<Diagnostic> = diagnostics(&source).into_iter().filter(|diagnostic| diagnostic.code == code::HEALTHY_WITHOUT_HEALTHCHECK).collect();
        assert!(found.is_empty(), "{depends_on}: {found:#?}");
    }
    let started = "services:\n  web:\n    image: a\n    depends_on: {db: {condition: service_started}}\n  db:\n    image: a\n";
    assert!(diagnostics(started).iter().all(|diagnostic| diagnostic.code != code::HEALTHY_WITHOUT_HEALTHCHECK));
}

#[test]
fn undefined_volume() {
    let diagnostic = only("services:\n  web:\n    image: a\n    volumes:\n      - data:/data\n", code::UNDEFINED_VOLUME);
    assert_eq!(diagnostic.message, "service `web` mounts undefined volume `data`");
    assert_eq!(position(&diagnostic), (5, 9));
}

#[test]
fn undefined_network() {
    let diagnostic = only("services:\n  web:\n    image: a\n    networks: [front, default]\n", code::UNDEFINED_NETWORK);
    assert_eq!(diagnostic.message, "service `web` uses undefined network `front`");
    assert_eq!(position(&diagnostic), (4, 16));
}

#[test]
fn default_network_added() {
    let source = "services:\n  web:\n    image: a\n  host:\n    image: a\n    network_mode: host\nnetworks:\n  unused:\nvolumes: {db_data: }\n";
    let checked = check(source, Path::new(FILE)).expect("valid file");
    assert_eq!(checked.project.services["web"].networks.keys().collect::<Vec<_>>(), ["default"]);
    assert!(checked.project.services["host"].networks.is_empty());
    assert!(checked.project.volumes.contains_key("db_data"));
    assert!(checked.project.networks.contains_key("unused"));
}

#[test]
fn missing_image() {
    let diagnostic = only("services:\n  web:\n    restart: always\n", code::MISSING_IMAGE);
    assert_eq!(diagnostic.message, "service `web` has neither `image` nor `build`");
    assert_eq!(position(&diagnostic), (2, 3));
}

#[test]
fn build_without_image_is_valid() {
    let checked = check("services:\n  web:\n    build: .\n", Path::new(FILE)).expect("a service that builds");
    assert_eq!(checked.warnings.0.len(), 0, "{:?}", checked.warnings);
}

#[test]
fn misspelled_image_is_one_error() {
    let codes: Vec<&str> = diagnostics("services:\n  web:\n    imagee: a\n").iter().map(|diagnostic| diagnostic.code).collect();
    assert_eq!(codes, [code::UNKNOWN_KEY]);
}

#[test]
fn all_errors_reported_together() {
    let source = "services:\n  web:\n    imagee: a\n    depends_on: [db]\n    ports: [\"x\"]\n";
    let mut codes: Vec<&str> = diagnostics(source).iter().map(|diagnostic| diagnostic.code).collect();
    codes.sort();
    let mut expected = [code::UNKNOWN_KEY, code::UNDEFINED_SERVICE, code::INVALID_PORT];
    expected.sort();
    assert_eq!(codes, expected);
}

#[test]
fn project_name_rules() {
    let named = check("name: my_app1\nservices: {}\n", Path::new("/srv/Other Folder/compose.yaml")).unwrap().project;
    assert_eq!(project_name(&named, None), "my_app1");
    let invalid = only("name: My_App.1\nservices: {}\n", code::INVALID_VALUE);
    assert_eq!((position(&invalid), invalid.path.as_deref()), ((1, 7), Some("name")));
    assert_eq!(invalid.help.as_deref(), Some("write `name: my_app1`"));

    let unnamed = check("services: {}\n", Path::new("/srv/Other Folder/compose.yaml")).unwrap().project;
    assert_eq!(project_name(&unnamed, None), "otherfolder");
    let environment = |name: &str| (name == "COMPOSE_PROJECT_NAME").then(|| "From-Env".to_owned());
    assert_eq!(project_name(&unnamed, Some(&environment)), "from-env");
}

#[test]
fn project_name_option_rejected() {
    let project = check("name: from-file\nservices: {}\n", Path::new(FILE)).unwrap().project;
    let error = checked_project_name(&project, Some("My App"), None).expect_err("an invalid option");
    assert_eq!(error.code, code::INVALID_PROJECT_NAME);
    assert_eq!(
        error.message,
        "invalid project name `My App` from the project name option: use only lower-case letters, digits, `-` and `_`, starting with a letter or digit"
    );
    assert_eq!(error.file, Path::new(FILE));
    assert_eq!(position(&error), (0, 0));
    assert_eq!(error.help.as_deref(), Some("use `myapp`"));
}

#[test]
fn project_name_variable_rejected() {
    let project = check("services: {}\n", Path::new(FILE)).unwrap().project;
    let environment = |name: &str| (name == "COMPOSE_PROJECT_NAME").then(|| "_web".to_owned());
    let error = checked_project_name(&project, None, Some(&environment)).expect_err("an invalid variable");
    assert_eq!(error.code, code::INVALID_PROJECT_NAME);
    assert!(error.message.starts_with("invalid project name `_web` from COMPOSE_PROJECT_NAME: "), "{}", error.message);
    assert_eq!(error.file, Path::new(FILE));
    assert_eq!(position(&error), (0, 0));
    assert_eq!(error.help.as_deref(), Some("use `web`"));
}

#[test]
fn project_name_precedence() {
    let named = check("name: from-file\nservices: {}\n", Path::new("/srv/Some Folder/compose.yaml")).unwrap().project;
    let unnamed = check("services: {}\n", Path::new("/srv/Some Folder/compose.yaml")).unwrap().project;
    let environment = |name: &str| (name == "COMPOSE_PROJECT_NAME").then(|| "from-env".to_owned());
    assert_eq!(checked_project_name(&named, Some("from-option"), Some(&environment)).unwrap(), "from-option");
    assert_eq!(checked_project_name(&named, None, Some(&environment)).unwrap(), "from-env");
    assert_eq!(checked_project_name(&named, None, None).unwrap(), "from-file");
    assert_eq!(checked_project_name(&unnamed, None, None).unwrap(), "somefolder");
    assert_eq!(checked_project_name(&unnamed, Some(""), None).unwrap(), "somefolder");
}

#[test]
fn root_must_be_mapping() {
    let diagnostic = only("- web\n", code::INVALID_TYPE);
    assert_eq!(diagnostic.message, "a compose file must be a mapping, found a sequence");
    assert_eq!(position(&diagnostic), (1, 1));
}

/// Each anchored list is 200 levels deep and refers to the one before it, so
/// the aliases alone would stack 40 x 200 levels.
#[test]
fn yaml_nested_aliases_stay_within_the_nesting_limit() {
    let nested = |inner: &str| format!("{}{inner}{}", "[".repeat(200), "]".repeat(200));
    let mut source = format!("x-a0: &a0 {}\n", nested("v"));
    for level in 1..40 {
        source.push_str(&format!("x-a{level}: &a{level} {}\n", nested(&format!("*a{}", level - 1))));
    }
    source.push_str("services: {web: {image: busybox}}\n");
    let diagnostic = only(&source, code::YAML_NESTING_LIMIT);
    assert_eq!(diagnostic.message, "YAML nesting is deeper than 256 levels");
    // The first alias, after `x-a1: &a1 ` and 200 brackets.
    assert_eq!(position(&diagnostic), (2, 211));
}

#[test]
fn yaml_flow_nesting_beyond_the_scanner_limit() {
    let source = format!("x-deep: {}\nservices: {{web: {{image: busybox}}}}\n", "[".repeat(100_000));
    let diagnostic = only(&source, code::YAML_NESTING_LIMIT);
    assert_eq!(diagnostic.message, "YAML nesting is deeper than 255 levels");
    assert_eq!(position(&diagnostic), (1, 264));
}

#[test]
fn empty_file() {
    for source in ["", "# only a comment\n", "{}\n", "null\n"] {
        let diagnostic = only(source, code::EMPTY_FILE);
        assert_eq!(diagnostic.message, "empty compose file", "{source:?}");
        assert_eq!(position(&diagnostic), (1, 1), "{source:?}");
        assert!(diagnostic.help.as_deref().is_some_and(|help| help.contains("`services:`")), "{diagnostic:#?}");
    }
    let diagnostic = only("# the services follow\n\n{}\n", code::EMPTY_FILE);
    assert_eq!(position(&diagnostic), (3, 1));
    assert!(diagnostics("services: {}\n").is_empty());
}

#[test]
fn services_null_rejected() {
    for source in ["services:\n", "services: null\nnetworks: {}\n"] {
        let diagnostic = only(source, code::INVALID_TYPE);
        assert_eq!(diagnostic.severity, Severity::Error);
        assert_eq!(diagnostic.message, "`services` must be a mapping, found null", "{source:?}");
        assert_eq!(diagnostic.file, Path::new(FILE));
        assert_eq!(diagnostic.span.line, 1, "{source:?}");
    }
    let diagnostic = only("services: null\n", code::INVALID_TYPE);
    assert_eq!(position(&diagnostic), (1, 11));
}

#[test]
fn restart_policies() {
    for restart in ["no", "always", "on-failure", "on-failure:3", "unless-stopped"] {
        let source = format!("services:\n  web:\n    image: busybox\n    restart: \"{restart}\"\n");
        assert!(diagnostics(&source).is_empty(), "{restart}: {:#?}", diagnostics(&source));
    }
    for restart in ["sometimes", "on-failure:", "on-failure:-1", "on-failure:x"] {
        let source = format!("services:\n  web:\n    image: busybox\n    restart: \"{restart}\"\n");
        let diagnostic = only(&source, code::INVALID_VALUE);
        assert_eq!(
            diagnostic.message,
            format!("invalid value `{restart}` for `services.web.restart`: expected one of `no`, `always`, `on-failure`, `on-failure:N` (N a count of retries) and `unless-stopped`")
        );
        assert_eq!(position(&diagnostic), (4, 14));
    }
}

#[test]
fn container_name_pattern() {
    let diagnostic = only("services:\n  web:\n    image: busybox\n    container_name: -web\n", code::INVALID_VALUE);
    assert_eq!(
        diagnostic.message,
        "invalid value `-web` for `services.web.container_name`: expected a name that starts with a letter or digit, followed by letters, digits, `_`, `.` and `-`"
    );
    assert_eq!(position(&diagnostic), (4, 21));
    only("services:\n  web:\n    image: busybox\n    container_name: \"web server\"\n", code::INVALID_VALUE);
    assert!(diagnostics("services:\n  web:\n    image: busybox\n    container_name: Web_1.a-b\n").is_empty());
}

#[test]
fn duplicate_container_name() {
    let source = "\
services:
  web:
    image: busybox
    container_name: app
  worker:
    image: busybox
    container_name: app
";
    let diagnostic = only(source, code::INVALID_VALUE);
    assert_eq!(diagnostic.message, "services `web` and `worker` both use the container name `app`");
    assert_eq!(position(&diagnostic), (7, 21));
    assert_eq!(diagnostic.labels.len(), 1);
    assert_eq!((diagnostic.labels[0].span.line, diagnostic.labels[0].span.column), (4, 21));
    assert_eq!(diagnostic.labels[0].message, "first used by `web`");
}

#[test]
fn empty_image() {
    let diagnostic = only("services:\n  web:\n    image: \"\"\n", code::INVALID_VALUE);
    assert_eq!(diagnostic.message, "`services.web.image` must not be empty");
    assert_eq!(position(&diagnostic), (3, 12));
    assert!(diagnostics("services:\n  web:\n    image: \"\"\n").iter().all(|diagnostic| diagnostic.code != code::MISSING_IMAGE));
}

#[test]
fn image_from_unset_variable_checks() {
    let checked = check("services:\n  web:\n    image: ${IMAGE}\n", Path::new(FILE)).expect("the variable may be set at run time");
    assert_eq!(checked.variables[0].name, "IMAGE");
}

#[test]
fn empty_healthcheck_test() {
    let diagnostic = only("services:\n  web:\n    image: busybox\n    healthcheck:\n      test: []\n", code::INVALID_VALUE);
    assert_eq!(diagnostic.message, "`services.web.healthcheck.test` must not be empty");
    assert_eq!(position(&diagnostic), (5, 13));
    assert_eq!(
        diagnostic.help.as_deref(),
        Some("remove `test` to use the image's health check, or write `[\"NONE\"]` to disable it")
    );
}

#[test]
fn yaml_unknown_escape_help() {
    let diagnostic = only("services:\n  web:\n    image: \"c:\\dir\"\n", code::YAML_SYNTAX);
    assert_eq!(diagnostic.message, "invalid YAML: while parsing a quoted scalar, found unknown escape character");
    // The scanner points at the opening quote.
    assert_eq!(position(&diagnostic), (3, 12));
    assert_eq!(
        diagnostic.help.as_deref(),
        Some("in double quotes write `\\n`, `\\t`, `\\\"` or `\\\\`; use single quotes for a literal backslash")
    );
}

#[test]
fn negative_port_names_the_value() {
    let diagnostic = only("services:\n  web:\n    image: busybox\n    ports: [\"-1\"]\n", code::INVALID_PORT);
    assert_eq!(
        diagnostic.message,
        "invalid port `-1` in `services.web.ports[0]`: `-1` is not a port number between 1 and 65535 or a range such as `8000-8010`"
    );
    assert_eq!(position(&diagnostic), (4, 13));
}

#[test]
fn retries_out_of_range() {
    let source = "services:\n  web:\n    image: busybox\n    healthcheck:\n      retries: 99999999999999999999\n";
    let diagnostic = only(source, code::INVALID_VALUE);
    assert_eq!(
        diagnostic.message,
        "value `99999999999999999999` for `services.web.healthcheck.retries` is out of range: expected a non-negative integer up to 4294967295"
    );
    assert_eq!(position(&diagnostic), (5, 16));
    let diagnostic = only("services:\n  web:\n    image: busybox\n    healthcheck:\n      retries: -2\n", code::INVALID_VALUE);
    assert_eq!(diagnostic.message, "invalid value `-2` for `services.web.healthcheck.retries`: expected a non-negative integer");
}

#[test]
fn keys_read_by_engine_do_not_warn() {
    let source = "services:\n  web:\n    image: a\n    scale: 2\n  api:\n    image: a\n    deploy:\n      replicas: 2\n";
    let checked = check(source, Path::new(FILE)).expect("valid");
    assert!(checked.warnings.0.is_empty(), "{:?}", checked.warnings);
}

#[test]
fn run_options_secrets_and_configs_do_not_warn() {
    let source = "services:\n  web:\n    image: a\n    hostname: web1\n    init: true\n    cap_add: [NET_ADMIN]\n    extra_hosts: ['db:10.0.0.2']\n    logging: {driver: json-file}\n    read_only: true\n    secrets: [token]\n    configs: [site]\nsecrets:\n  token: {file: ./token.txt}\nconfigs:\n  site: {file: ./site.conf}\n";
    let checked = check(source, Path::new(FILE)).expect("valid");
    assert!(checked.warnings.0.is_empty(), "{:?}", checked.warnings);
}

#[test]
fn network_mode_of_itself_is_a_cycle() {
    for key in ["network_mode", "ipc", "pid"] {
        let source = format!("services:\n  a:\n    image: busybox\n    {key}: service:a\n");
        let diagnostic = only(&source, code::DEPENDENCY_CYCLE);
        assert_eq!(diagnostic.message, "dependency cycle: a -> a", "{key}");
        assert_eq!(position(&diagnostic), (4, 7 + key.len() as u32), "{key}");
    }
}

#[test]
fn run_options_of_the_wrong_type() {
    let cases = [
        ("cap_drop: {ALL: true}", "`services.web.cap_drop` must be a sequence, found a mapping", (4, 15)),
        ("cap_add: [[NET_ADMIN]]", "`services.web.cap_add[0]` must be a string, found a sequence", (4, 15)),
        ("secrets: token", "`services.web.secrets` must be a sequence, found a string `token`", (4, 14)),
        ("network_mode: [host]", "`services.web.network_mode` must be a string, found a sequence", (4, 19)),
        ("sysctls: 5", "`services.web.sysctls` must be a sequence or a mapping, found an integer `5`", (4, 14)),
        ("deploy: {resources: {limits: {cpus: [1]}}}", "`services.web.deploy.resources.limits.cpus` must be a string or a number, found a sequence", (4, 41)),
    ];
    for (line, message, position) in cases {
        let diagnostic = only(&format!("services:\n  web:\n    image: a\n    {line}\n"), code::INVALID_TYPE);
        assert_eq!(diagnostic.message, message, "{line}");
        assert_eq!(self::position(&diagnostic), position, "{line}");
    }
    let diagnostic = only("services:\n  web:\n    image: a\n    ulimits: {nofile: {soft: 10}}\n", code::MISSING_KEY);
    assert_eq!(diagnostic.message, "`services.web.ulimits.nofile` is missing the required key `hard`");
}

#[test]
fn run_values_that_no_runtime_takes() {
    let cases = [
        ("pull_policy: sometimes", code::INVALID_VALUE, "services.web.pull_policy"),
        ("mem_limit: -5", code::INVALID_VALUE, "services.web.mem_limit"),
        ("cpus: -1", code::INVALID_VALUE, "services.web.cpus"),
        ("mem_limit: 1g\n    deploy: {resources: {limits: {memory: 2g}}}", code::CONFLICTING_KEYS, "services.web.mem_limit"),
        ("network_mode: host\n    networks: [default]", code::CONFLICTING_KEYS, "services.web.network_mode"),
    ];
    for (lines, code, path) in cases {
        let diagnostic = only(&format!("services:\n  web:\n    image: a\n    {lines}\n"), code);
        assert_eq!(diagnostic.path.as_deref(), Some(path), "{lines}");
    }
    let accepted = "services:\n  web:\n    image: a\n    pull_policy: every_12h\n    mem_limit: 1g\n    deploy: {resources: {limits: {memory: 1024m}}}\n";
    assert!(check(accepted, Path::new(FILE)).is_ok());
}

#[test]
fn network_and_deploy_values_are_checked() {
    let cases = [
        ("    oom_score_adj: 5000\n", code::INVALID_VALUE, "services.web.oom_score_adj"),
        ("    networks:\n      front: {ipv4_address: [10.1.1.1]}\nnetworks:\n  front: {}\n", code::INVALID_TYPE, "services.web.networks.front.ipv4_address"),
        ("networks:\n  default:\n    ipam: {config: {subnet: 10.1.1.0/24}}\n", code::INVALID_TYPE, "networks.default.ipam.config"),
        ("    deploy: {restart_policy: {condition: sometimes}}\n", code::INVALID_VALUE, "services.web.deploy.restart_policy.condition"),
        ("    deploy: {resources: {limits: {pids: abc}}}\n", code::INVALID_VALUE, "services.web.deploy.resources.limits.pids"),
        ("    deploy: {resources: {reservations: {memory: xyz}}}\n", code::INVALID_VALUE, "services.web.deploy.resources.reservations.memory"),
        ("    pids_limit: 10\n    deploy: {resources: {limits: {pids: 20}}}\n", code::CONFLICTING_KEYS, "services.web.pids_limit"),
        ("secrets:\n  s:\n", code::MISSING_KEY, "secrets.s"),
        ("secrets:\n  s: {file: [./x]}\n", code::INVALID_TYPE, "secrets.s.file"),
    ];
    for (lines, code, path) in cases {
        let diagnostic = only(&format!("services:\n  web:\n    image: a\n{lines}"), code);
        assert_eq!(diagnostic.path.as_deref(), Some(path), "{lines}");
    }
}

#[test]
fn uts_of_itself_is_a_cycle() {
    let diagnostic = only("services:\n  a:\n    image: busybox\n    uts: service:a\n", code::DEPENDENCY_CYCLE);
    assert_eq!(diagnostic.message, "dependency cycle: a -> a");
}

#[test]
fn secret_needs_exactly_one_source() {
    let diagnostic = only("services:\n  web:\n    image: a\nsecrets:\n  s: {}\n", code::MISSING_KEY);
    assert_eq!(diagnostic.message, "`secrets.s` needs one of `file`, `environment`, `external`");
    assert_eq!(position(&diagnostic), (5, 3));
    let diagnostic = only("services:\n  web:\n    image: a\nsecrets:\n  s: {file: ./a, environment: A}\n", code::CONFLICTING_KEYS);
    assert_eq!(diagnostic.message, "`secrets.s.file` and `secrets.s.environment` cannot both be set");
}

#[test]
fn fixed_addresses_do_not_warn() {
    let source = "services:\n  web:\n    image: a\n    networks:\n      front: {ipv4_address: 10.5.0.5}\nnetworks:\n  front:\n    enable_ipv6: true\n    ipam:\n      driver: default\n      config: [{subnet: 10.5.0.0/16, gateway: 10.5.0.1}]\n";
    let checked = check(source, Path::new(FILE)).expect("valid");
    let paths: Vec<&str> = checked.warnings.0.iter().filter_map(|warning| warning.path.as_deref()).collect();
    assert_eq!(paths, ["networks.front.ipam.driver"]);
}

#[test]
fn secrets_that_are_not_files_warn() {
    let source = "services:\n  web:\n    image: a\n    secrets: [token, key]\nsecrets:\n  token: {file: ./token.txt}\n  key: {environment: KEY}\n";
    let checked = check(source, Path::new(FILE)).expect("valid");
    let warnings: Vec<(&str, (u32, u32))> = checked.warnings.iter().map(|warning| (warning.path.as_deref().unwrap_or_default(), position(warning))).collect();
    assert_eq!(warnings, [("secrets.key", (7, 3))]);
}

#[test]
fn deploy_with_other_keys_warns() {
    let source = "services:\n  api:\n    image: a\n    deploy:\n      replicas: 2\n      resources: {limits: {cpus: '1', pids: 10}, reservations: {cpus: '0.5'}}\n      labels: {a: b}\n";
    let checked = check(source, Path::new(FILE)).expect("valid");
    let paths: Vec<&str> = checked.warnings.0.iter().filter_map(|warning| warning.path.as_deref()).collect();
    assert_eq!(paths, ["services.api.deploy.resources.reservations.cpus", "services.api.deploy.labels"]);
}

#[test]
fn negative_scale_is_invalid() {
    let diagnostic = only("services:\n  web:\n    image: a\n    scale: -1\n", code::INVALID_VALUE);
    assert_eq!(diagnostic.message, "invalid value `-1` for `services.web.scale`: expected a whole number from 0 to 4294967295");
    assert_eq!(position(&diagnostic), (4, 12));
}

#[test]
fn huge_replicas_are_invalid() {
    let diagnostic = only("services:\n  web:\n    image: a\n    deploy:\n      replicas: 5000000000\n", code::INVALID_VALUE);
    assert_eq!(position(&diagnostic), (5, 17));
}

#[test]
fn unknown_key_deep_in_deploy() {
    let source = "\
services:
  web:
    image: nginx
    deploy:
      resources:
        limits:
          cpuz: '0.5'
";
    let diagnostic = only(source, code::UNKNOWN_KEY);
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.message, "unknown key `cpuz` in `services.web.deploy.resources.limits`");
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.deploy.resources.limits.cpuz"));
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `cpus`?"));
    assert_eq!(diagnostic.file, Path::new(FILE));
    assert_eq!(position(&diagnostic), (7, 11));
}

#[test]
fn unknown_key_in_build() {
    let diagnostic = only("services:\n  web:\n    image: app\n    build: {context: ., dockerfle: Dockerfile}\n", code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `dockerfle` in `services.web.build`");
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.build.dockerfle"));
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `dockerfile`?"));
    assert_eq!(position(&diagnostic), (4, 25));
}

#[test]
fn unknown_key_in_logging() {
    let source = "services:\n  web:\n    image: nginx\n    logging:\n      driver: json-file\n      option: {max-size: 10m}\n";
    let diagnostic = only(source, code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `option` in `services.web.logging`");
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.logging.option"));
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `options`?"));
    assert_eq!(position(&diagnostic), (6, 7));
}

#[test]
fn unknown_bind_option() {
    let source = "\
services:
  web:
    image: nginx
    volumes:
      - type: bind
        source: .
        target: /srv
        bind:
          propagaton: shared
";
    let diagnostic = only(source, code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `propagaton` in `services.web.volumes[0].bind`");
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.volumes[0].bind.propagaton"));
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `propagation`?"));
    assert_eq!(position(&diagnostic), (9, 11));
}

#[test]
fn unknown_key_in_top_level_secrets() {
    let diagnostic = only("services:\n  web:\n    image: nginx\nsecrets:\n  token:\n    fille: ./token.txt\n", code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `fille` in `secrets.token`");
    assert_eq!(diagnostic.path.as_deref(), Some("secrets.token.fille"));
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `file`?"));
    assert_eq!(position(&diagnostic), (6, 5));
}

#[test]
fn unknown_key_in_top_level_configs() {
    let diagnostic = only("services:\n  web:\n    image: nginx\nconfigs:\n  site:\n    contents: hello\n", code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `contents` in `configs.site`");
    assert_eq!(diagnostic.path.as_deref(), Some("configs.site.contents"));
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `content`?"));
    assert_eq!(position(&diagnostic), (6, 5));
}

#[test]
fn invalid_secret_name_names_pattern() {
    let diagnostic = only("services:\n  web:\n    image: nginx\nsecrets:\n  api token:\n    file: ./token.txt\n", code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `api token` in `secrets`");
    assert_eq!(diagnostic.help.as_deref(), Some("key names here must match `^[a-zA-Z0-9._-]+$`"));
    assert_eq!(position(&diagnostic), (5, 3));
}

#[test]
fn unknown_key_in_ipam_config_item() {
    let source = "\
services:
  web:
    image: nginx
networks:
  front:
    ipam:
      config:
        - subnet: 172.28.0.0/16
        - subnet: 172.29.0.0/16
          gatway: 172.29.0.1
";
    let diagnostic = only(source, code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `gatway` in `networks.front.ipam.config[1]`");
    assert_eq!(diagnostic.path.as_deref(), Some("networks.front.ipam.config[1].gatway"));
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `gateway`?"));
    assert_eq!(position(&diagnostic), (10, 11));
}

#[test]
fn unknown_key_lists_allowed_keys() {
    let diagnostic = only("services:\n  web:\n    image: nginx\n    logging: {driver: syslog, rotate: daily}\n", code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `rotate` in `services.web.logging`");
    assert_eq!(diagnostic.help.as_deref(), Some("allowed keys: driver, options"));
}

#[test]
fn unknown_key_in_external_mapping() {
    let diagnostic = only("services:\n  web:\n    image: nginx\nnetworks:\n  front:\n    external: {nmae: shared}\n", code::UNKNOWN_KEY);
    assert_eq!(diagnostic.message, "unknown key `nmae` in `networks.front.external`");
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `name`?"));
    assert_eq!(position(&diagnostic), (6, 16));
}

#[test]
fn extension_keys_in_kept_sections() {
    let source = "\
services:
  web:
    image: nginx
    x-note: top
    deploy:
      x-note: a
      resources:
        limits: {cpus: '0.5', x-note: b}
    logging: {driver: json-file, x-note: c}
    build: {context: ., x-note: d}
networks:
  front:
    ipam:
      config: [{subnet: 172.28.0.0/16, x-note: e}]
secrets:
  token: {file: ./token.txt, x-note: f}
configs:
  site: {content: hello, x-note: g}
";
    let errors: Vec<Diagnostic> = diagnostics(source).into_iter().filter(|diagnostic| diagnostic.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn extension_key_where_not_allowed() {
    // The specification allows no extension keys in `env_file` items.
    let diagnostic = only("services:\n  web:\n    image: nginx\n    env_file: [{path: a.env, required: false, x-note: a}]\n", code::UNKNOWN_KEY);
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.env_file[0].x-note"));
}

#[test]
fn depends_on_requires_condition() {
    let source = "services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        restart: true\n  db:\n    image: postgres\n";
    let diagnostic = only(source, code::MISSING_KEY);
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(diagnostic.message, "`services.web.depends_on.db` is missing the required key `condition`");
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.depends_on.db"));
    assert_eq!(
        diagnostic.help.as_deref(),
        Some("add `condition: service_started`, the usual value, or `service_healthy` or `service_completed_successfully`")
    );
    assert_eq!(position(&diagnostic), (5, 7));
}

#[test]
fn depends_on_null_entry_missing_condition() {
    let diagnostic = only("services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n  db:\n    image: postgres\n", code::MISSING_KEY);
    assert_eq!(diagnostic.path.as_deref(), Some("services.web.depends_on.db"));
}

#[test]
fn deploy_warns_only_for_ignored_keys() {
    let messages = |deploy: &str| -> Vec<(String, (u32, u32))> {
        let source = format!("services:\n  web:\n    image: nginx\n    deploy:\n{deploy}");
        let checked = check(&source, Path::new(FILE)).expect("warnings only");
        checked.warnings.iter().map(|warning| (warning.message.clone(), position(warning))).collect()
    };
    assert_eq!(messages("      replicas: 2\n"), []);
    assert_eq!(
        messages("      replicas: 2\n      resources:\n        limits: {memory: 64m}\n        reservations: {cpus: '0.5'}\n      labels: {a: b}\n"),
        [
            ("`services.web.deploy.resources.reservations.cpus` is not supported yet and is ignored".to_string(), (8, 24)),
            ("`services.web.deploy.labels` is not supported yet and is ignored".to_string(), (9, 7)),
        ]
    );
}
