mod stack {
    perry_stack::include_stack!("tests/ui/yaml_syntax_error.yaml");
}

fn main() {
    let _ = stack::Service::ALL;
    let _ = stack::Variables::default();
    let _ = stack::stack();
}
