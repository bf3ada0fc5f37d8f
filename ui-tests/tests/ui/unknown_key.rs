mod stack {
    perry_stack::include_stack!("tests/ui/unknown_key.yaml");
}

fn main() {
    let _ = stack::Service::ALL;
    let _ = stack::Variables::default();
    let _ = stack::stack();
}
