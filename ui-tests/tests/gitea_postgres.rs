//! `include_stack!` on the awesome-compose gitea-postgres file.

mod stack {
    perry_stack::include_stack!("tests/fixtures/gitea-postgres.yaml");
}

use stack::{Service, ports};

#[test]
fn services_sorted_by_name() {
    assert_eq!(Service::ALL, &[Service::Db, Service::Gitea]);
    assert_eq!(Service::Gitea.name(), "gitea");
    assert_eq!(Service::from_name("db"), Some(Service::Db));
    assert_eq!(Service::from_name("web"), None);
}

#[test]
fn gitea_port_constant() {
    assert_eq!(ports::GITEA_3000.service, "gitea");
    assert_eq!(ports::GITEA_3000.target, 3000);
    assert_eq!(ports::GITEA_3000.published, Some("3000"));
    assert_eq!(ports::GITEA_3000.protocol, "tcp");
}

#[test]
fn file_reads_no_variables() {
    assert!(stack::VARIABLES.is_empty());
    assert!(stack::PATH.ends_with("tests/fixtures/gitea-postgres.yaml"));
}

#[test]
fn stack_loads() {
    let project = stack::stack().expect("the embedded file loads");
    let names: Vec<&str> = project.services.keys().map(String::as_str).collect();
    assert_eq!(names, ["db", "gitea"]);
    assert_eq!(project.services["gitea"].ports[0].target, 3000);
    assert!(project.volumes.contains_key("git_data"));
}
