use perry_stack::{workload, workload_graph};

#[workload(image = "localhost/perry-busybox:latest", tier = "untrusted", runtime = "oci")]
struct Plugin;

workload_graph!(Plugins: Plugin);

fn main() {
    let _ = Plugins::graph();
}
