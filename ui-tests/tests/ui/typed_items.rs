mod stack {
    perry_stack::include_stack!("tests/ui/typed_items.yaml");
}

use stack::{Service, Variables, ports};

fn main() {
    assert_eq!(Service::Web.name(), "web");
    assert_eq!(Service::from_name("db"), Some(Service::Db));
    assert_eq!(Service::ALL, &[Service::Db, Service::Web]);
    assert_eq!(Service::Db.to_string(), "db");

    let http: perry_stack::typed::DeclaredPort = ports::WEB_80;
    assert_eq!(http.target, 80);
    assert_eq!(http.published, Some("8080"));
    assert_eq!(ports::WEB_ADMIN.name, Some("admin"));

    let variables = Variables::default();
    assert_eq!(variables.db_password.as_deref(), Some("secret"));
    assert_eq!(variables.nginx_tag.as_deref(), Some("alpine"));
    assert_eq!(stack::VARIABLES.len(), 2);
    assert!(stack::PATH.ends_with("tests/ui/typed_items.yaml"));

    let project = stack::stack_with(&variables).expect("the stack loads");
    assert_eq!(project.services["web"].image.as_deref(), Some("nginx:alpine"));
}
