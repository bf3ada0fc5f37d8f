//! Expansion of typed stack modules: snapshots of the generated code and
//! checks on the re-parsed items.

use std::collections::BTreeMap;
use std::path::PathBuf;

use perry_stack_schema::interpolate::Variable;
use perry_stack_schema::{Checked, Diagnostics, Port, Project, Service, Span};
use syn::{Item, ItemConst, ItemEnum, ItemFn, ItemMod, ItemStruct};

const QUICKSTART: &str = "/stacks/quickstart.yaml";
const GITEA: &str = "/stacks/gitea-postgres.yaml";

fn span(line: u32) -> Span {
    Span { start: 0, end: 0, line, column: 3, file: 0 }
}

fn service(name: &str, line: u32, image: &str, ports: Vec<Port>) -> (String, Service) {
    let service = Service {
        name: name.to_owned(),
        span: span(line),
        image: Some(image.to_owned()),
        command: None,
        entrypoint: None,
        environment: BTreeMap::new(),
        ports,
        volumes: Vec::new(),
        depends_on: BTreeMap::new(),
        healthcheck: None,
        networks: BTreeMap::new(),
        labels: BTreeMap::new(),
        restart: None,
        container_name: None,
        working_dir: None,
        user: None,
        env_file: Vec::new(),
        profiles: Vec::new(),
        unsupported: BTreeMap::new(),
    };
    (name.to_owned(), service)
}

fn port(name: Option<&str>, target: u16, published: Option<&str>) -> Port {
    Port {
        span: span(1),
        name: name.map(str::to_owned),
        target,
        published: published.map(str::to_owned),
        host_ip: None,
        protocol: "tcp".to_owned(),
        app_protocol: None,
        mode: "ingress".to_owned(),
    }
}

fn variable(name: &str, default: Option<&str>) -> Variable {
    Variable { name: name.to_owned(), default: default.map(str::to_owned), span: span(1), required: None }
}

fn checked(path: &str, services: Vec<(String, Service)>, variables: Vec<Variable>) -> Checked {
    let project = Project {
        name: None,
        services: services.into_iter().collect(),
        networks: BTreeMap::new(),
        volumes: BTreeMap::new(),
        unsupported: BTreeMap::new(),
        file: PathBuf::from(path),
        files: Vec::new(),
    };
    Checked { project, variables, warnings: Diagnostics::default() }
}

/// Builds the model of `fixtures/quickstart.yaml` by hand.
fn quickstart() -> Checked {
    let services = vec![
        service("init", 2, "busybox:latest", Vec::new()),
        service("db", 7, "postgres:16-alpine", vec![port(None, 5432, None)]),
        service("web", 18, "nginx:alpine", vec![port(None, 80, Some("8080")), port(Some("admin"), 9000, Some("9000"))]),
    ];
    let variables = vec![variable("DB_PASSWORD", Some("secret")), variable("API_TOKEN", None), variable("ADMIN_PORT", Some("9000"))];
    checked(QUICKSTART, services, variables)
}

/// Builds the model of `fixtures/gitea-postgres.yaml` by hand.
fn gitea() -> Checked {
    let services = vec![
        service("gitea", 3, "gitea/gitea:latest", vec![port(None, 3000, Some("3000"))]),
        service("db", 16, "postgres:alpine", Vec::new()),
    ];
    checked(GITEA, services, Vec::new())
}

fn expand(path: &str, checked: &Checked) -> syn::File {
    let tokens = perry_stack_codegen::expand_stack(path, checked).expect("expansion succeeds");
    syn::parse2(tokens).expect("generated code parses")
}

fn pretty(path: &str, checked: &Checked) -> String {
    let tokens = perry_stack_codegen::expand_stack(path, checked).expect("expansion succeeds");
    perry_stack_codegen::pretty(tokens).expect("generated code parses")
}

fn find<'a, T>(file: &'a syn::File, name: &str, pick: impl Fn(&'a Item) -> Option<(&'a syn::Ident, &'a T)>) -> &'a T {
    file.items
        .iter()
        .filter_map(pick)
        .find(|(ident, _)| *ident == name)
        .map(|(_, item)| item)
        .unwrap_or_else(|| panic!("no item `{name}` in the expansion"))
}

fn enum_named<'a>(file: &'a syn::File, name: &str) -> &'a ItemEnum {
    find(file, name, |item| match item {
        Item::Enum(item) => Some((&item.ident, item)),
        _ => None,
    })
}

fn struct_named<'a>(file: &'a syn::File, name: &str) -> &'a ItemStruct {
    find(file, name, |item| match item {
        Item::Struct(item) => Some((&item.ident, item)),
        _ => None,
    })
}

fn mod_named<'a>(file: &'a syn::File, name: &str) -> &'a ItemMod {
    find(file, name, |item| match item {
        Item::Mod(item) => Some((&item.ident, item)),
        _ => None,
    })
}

fn fn_named<'a>(file: &'a syn::File, name: &str) -> &'a ItemFn {
    find(file, name, |item| match item {
        Item::Fn(item) => Some((&item.sig.ident, item)),
        _ => None,
    })
}

fn const_named<'a>(file: &'a syn::File, name: &str) -> &'a ItemConst {
    find(file, name, |item| match item {
        Item::Const(item) => Some((&item.ident, item)),
        _ => None,
    })
}

fn tokens_of(item: &impl quote::ToTokens) -> String {
    item.to_token_stream().to_string()
}

#[test]
fn snapshot_quickstart() {
    insta::assert_snapshot!(pretty(QUICKSTART, &load_fixture("quickstart.yaml", QUICKSTART)));
}

#[test]
fn snapshot_gitea_postgres() {
    insta::assert_snapshot!(pretty(GITEA, &load_fixture("gitea-postgres.yaml", GITEA)));
}

#[test]
fn expansion_is_deterministic() {
    assert_eq!(pretty(QUICKSTART, &quickstart()), pretty(QUICKSTART, &quickstart()));
}

#[test]
fn service_variants_sorted_by_name() {
    let file = expand(QUICKSTART, &quickstart());
    let service = enum_named(&file, "Service");
    let variants: Vec<String> = service.variants.iter().map(|variant| variant.ident.to_string()).collect();
    assert_eq!(variants, ["Db", "Init", "Web"]);
}

#[test]
fn service_derives_ordering_and_hash() {
    let file = expand(QUICKSTART, &quickstart());
    let derive: String = enum_named(&file, "Service").attrs.iter().map(tokens_of).collect();
    for name in ["Clone", "Copy", "Debug", "PartialEq", "Eq", "Hash", "PartialOrd", "Ord"] {
        assert!(derive.contains(name), "`{name}` missing from {derive}");
    }
}

#[test]
fn ports_named_by_target_or_name() {
    let file = expand(QUICKSTART, &quickstart());
    let ports = mod_named(&file, "ports");
    let items = &ports.content.as_ref().expect("inline module").1;
    let names: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Const(item) => Some(item.ident.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["DB_5432", "WEB_80", "WEB_ADMIN"]);
}

#[test]
fn port_constant_holds_values() {
    let file = expand(QUICKSTART, &quickstart());
    let ports = mod_named(&file, "ports");
    let web = tokens_of(&ports.content.as_ref().expect("inline module").1[1]);
    assert!(web.contains("service : \"web\""), "{web}");
    assert!(web.contains("target : 80 ,"), "{web}");
    assert!(web.contains("published : :: core :: option :: Option :: Some (\"8080\")"), "{web}");
    assert!(web.contains("protocol : \"tcp\""), "{web}");
}

#[test]
fn variables_fields_in_snake_case() {
    let file = expand(QUICKSTART, &quickstart());
    let variables = struct_named(&file, "Variables");
    let fields: Vec<String> = variables.fields.iter().map(|field| field.ident.as_ref().unwrap().to_string()).collect();
    assert_eq!(fields, ["admin_port", "api_token", "db_password"]);
}

#[test]
fn variables_default_fills_defaults() {
    let code: String = pretty(QUICKSTART, &quickstart()).split_whitespace().collect();
    assert!(code.contains("db_password:::core::option::Option::Some(::std::string::String::from(\"secret\")"), "{code}");
    assert!(code.contains("api_token:::core::option::Option::None"), "{code}");
}

#[test]
fn loaders_and_path_present() {
    let file = expand(QUICKSTART, &quickstart());
    assert!(tokens_of(fn_named(&file, "stack")).contains("load_from_env (SOURCE , PATH)"));
    assert!(tokens_of(fn_named(&file, "stack_with")).contains("load_with"));
    assert!(tokens_of(const_named(&file, "PATH")).contains("\"/stacks/quickstart.yaml\""));
    assert!(tokens_of(const_named(&file, "SOURCE")).contains("include_str ! (\"/stacks/quickstart.yaml\")"));
}

#[test]
fn paths_are_absolute() {
    let code = pretty(QUICKSTART, &quickstart());
    for line in code.lines().filter(|line| line.contains("perry_stack::")) {
        assert!(line.contains("::perry_stack::"), "relative path in `{line}`");
    }
}

#[test]
fn digit_and_dash_names() {
    let services = vec![
        service("2fa", 2, "otp", vec![port(None, 443, None)]),
        service("my-db", 5, "postgres", vec![port(Some("http"), 80, None)]),
    ];
    let file = expand(QUICKSTART, &checked(QUICKSTART, services, vec![variable("TYPE", None)]));
    let variants: Vec<String> = enum_named(&file, "Service").variants.iter().map(|variant| variant.ident.to_string()).collect();
    assert_eq!(variants, ["_2fa", "MyDb"]);
    let ports = tokens_of(mod_named(&file, "ports"));
    assert!(ports.contains("_2FA_443"), "{ports}");
    assert!(ports.contains("MY_DB_HTTP"), "{ports}");
    let fields = tokens_of(struct_named(&file, "Variables"));
    assert!(fields.contains("r#type"), "{fields}");
}

#[test]
fn service_collision_names_both() {
    let services = vec![service("my-db", 2, "postgres", Vec::new()), service("my_db", 5, "postgres", Vec::new())];
    let errors = perry_stack_codegen::expand_stack(QUICKSTART, &checked(QUICKSTART, services, Vec::new())).unwrap_err();
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].message, "services `my-db` and `my_db` both map to the Rust name `Service::MyDb`");
    assert_eq!(errors.0[0].span.line, 5);
}

#[test]
fn port_collision_is_error() {
    let mut udp = port(None, 53, None);
    udp.protocol = "udp".to_owned();
    let services = vec![service("dns", 2, "coredns", vec![port(None, 53, None), udp])];
    let errors = perry_stack_codegen::expand_stack(QUICKSTART, &checked(QUICKSTART, services, Vec::new())).unwrap_err();
    assert_eq!(errors.0.len(), 1);
    assert!(errors.0[0].message.contains("`ports::DNS_53`"), "{}", errors.0[0].message);
    assert!(errors.0[0].help.as_deref().unwrap().contains("`name`"));
}

#[test]
fn variable_collision_is_error() {
    let variables = vec![variable("DB_HOST", None), variable("db_host", None)];
    let errors = perry_stack_codegen::expand_stack(QUICKSTART, &checked(QUICKSTART, Vec::new(), variables)).unwrap_err();
    assert_eq!(errors.0.len(), 1);
    assert!(errors.0[0].message.contains("`DB_HOST` and `db_host`"), "{}", errors.0[0].message);
}

#[test]
fn repeated_variable_is_one_field() {
    let variables = vec![variable("TAG", Some("1")), variable("TAG", Some("2"))];
    let file = expand(QUICKSTART, &checked(QUICKSTART, Vec::new(), variables));
    assert_eq!(struct_named(&file, "Variables").fields.len(), 1);
}

#[test]
fn fallback_without_model_is_empty() {
    let tokens = perry_stack_codegen::expand_fallback(QUICKSTART, &[], false);
    let file: syn::File = syn::parse2(tokens).expect("fallback parses");
    assert!(enum_named(&file, "Service").variants.is_empty());
    assert!(struct_named(&file, "Variables").fields.is_empty());
    fn_named(&file, "stack");
    fn_named(&file, "stack_with");
    assert!(!tokens_of(const_named(&file, "SOURCE")).contains("include_str"));
}

#[test]
fn fallback_keeps_named_services() {
    let tokens = perry_stack_codegen::expand_fallback(QUICKSTART, &["web", "my_db", "my-db"], true);
    let file: syn::File = syn::parse2(tokens).expect("fallback parses");
    let variants: Vec<String> = enum_named(&file, "Service").variants.iter().map(|variant| variant.ident.to_string()).collect();
    assert_eq!(variants, ["MyDb", "Web"]);
    assert!(tokens_of(const_named(&file, "SOURCE")).contains("include_str"));
}

fn load_fixture(name: &str, path: &str) -> Checked {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let source = std::fs::read_to_string(&fixture).expect("read the fixture");
    perry_stack_schema::check(&source, std::path::Path::new(path)).expect("the fixture checks")
}

/// The loader and the hand-built model agree. Both fixtures use `expose`,
/// which the engine passes on, so the loader warns about nothing.
#[test]
fn loaded_quickstart_matches_model() {
    let loaded = load_fixture("quickstart.yaml", QUICKSTART);
    assert_eq!(loaded.warnings.0.len(), 0, "{:?}", loaded.warnings);
    assert_eq!(pretty(QUICKSTART, &loaded), pretty(QUICKSTART, &quickstart()));
}

#[test]
fn loaded_gitea_matches_model() {
    let loaded = load_fixture("gitea-postgres.yaml", GITEA);
    assert_eq!(loaded.warnings.0.len(), 0, "{:?}", loaded.warnings);
    assert_eq!(pretty(GITEA, &loaded), pretty(GITEA, &gitea()));
}

#[test]
fn warnings_listed_in_expansion() {
    let source = "services:\n  db:\n    image: postgres\n    domainname: example.com\n";
    let checked = perry_stack_schema::check(source, std::path::Path::new(GITEA)).expect("warnings only");
    let file = expand(GITEA, &checked);
    let warnings = tokens_of(const_named(&file, "WARNINGS"));
    assert!(warnings.contains("`services.db.domainname` is not supported yet"), "{warnings}");
}
