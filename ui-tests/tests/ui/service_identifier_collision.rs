mod stack {
    perry_stack::include_stack!("tests/ui/service_identifier_collision.yaml");
}

fn main() {
    let _ = stack::Service::ALL;
    let _ = stack::Variables::default();
    let _ = stack::stack();
}
