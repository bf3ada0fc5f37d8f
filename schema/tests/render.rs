//! Snapshots of rendered diagnostics, the text that the CLI prints and the
//! proc macro puts into `compile_error!`.

use std::path::Path;

use perry_stack_schema::check;

fn render(source: &str) -> String {
    let diagnostics = match check(source, Path::new("compose.yaml")) {
        Ok(checked) => checked.warnings,
        Err(diagnostics) => diagnostics,
    };
    diagnostics.render(source, false)
}

#[test]
fn render_yaml_syntax() {
    insta::assert_snapshot!(render("services:\n  web:\n    image: \"nginx\n"));
}

#[test]
fn render_duplicate_key() {
    insta::assert_snapshot!(render("services:\n  web:\n    image: a\n    image: b\n"));
}

#[test]
fn render_unknown_key() {
    insta::assert_snapshot!(render("services:\n  web:\n    imagee: nginx\n"));
}

#[test]
fn render_invalid_port() {
    insta::assert_snapshot!(render("services:\n  web:\n    image: nginx\n    ports:\n      - \"80\"\n      - \"8080:http\"\n"));
}

#[test]
fn render_undefined_service() {
    insta::assert_snapshot!(render("services:\n  web:\n    image: a\n    depends_on:\n      - db\n  api:\n    image: a\n"));
}

#[test]
fn render_dependency_cycle() {
    insta::assert_snapshot!(render(
        "services:\n  web:\n    image: a\n    depends_on: [api]\n  api:\n    image: a\n    depends_on:\n      web:\n        condition: service_completed_successfully\n"
    ));
}

#[test]
fn render_interpolation_syntax() {
    insta::assert_snapshot!(render("services:\n  web:\n    image: \"nginx:${TAG\"\n"));
}

#[test]
fn render_unsupported_key_warning() {
    insta::assert_snapshot!(render("services:\n  web:\n    image: nginx\n    domainname: example.com\n"));
}
