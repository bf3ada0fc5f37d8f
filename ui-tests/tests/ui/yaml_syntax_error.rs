mod stack {
    perry_stack::include_stack!("tests/ui/yaml_syntax_error.yaml");
}

// The file does not parse, yet naming its services adds no second error.
fn main() {
    let _ = stack::Service::Web.name();
    let _ = stack::Service::Db.name();
    let _ = stack::Variables::default();
    let _ = stack::stack();
}
