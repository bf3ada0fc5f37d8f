mod stack {
    perry_stack::include_stack!("tests/ui/dependency_cycle.yaml");
}

fn main() {
    let _ = stack::Service::Web;
    let _ = stack::Variables::default();
    let _ = stack::stack();
}
