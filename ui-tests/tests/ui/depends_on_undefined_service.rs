mod stack {
    perry_stack::include_stack!("tests/ui/depends_on_undefined_service.yaml");
}

fn main() {
    let _ = stack::Service::Web;
    let _ = stack::Variables::default();
    let _ = stack::stack();
}
