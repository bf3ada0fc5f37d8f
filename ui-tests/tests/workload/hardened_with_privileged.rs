use perry_stack::{workload, workload_graph};

#[workload(image = "localhost/perry-busybox:latest", tier = "hardened", privileged)]
struct Database;

workload_graph!(Store: Database);

fn main() {
    let _ = Store::graph();
}
