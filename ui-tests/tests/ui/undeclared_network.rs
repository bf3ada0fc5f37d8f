mod stack {
    perry_stack::include_stack!("tests/ui/undeclared_network.yaml");
}

fn main() {
    let _ = stack::Service::ALL;
    let _ = stack::Variables::default();
    let _ = stack::stack();
}
