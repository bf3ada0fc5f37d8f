use perry_stack::workload::Endpoint;
use perry_stack::{workload, workload_graph};

#[workload(image = "localhost/perry-busybox:latest", ports(pg = 5432))]
struct Database;

#[workload(image = "localhost/perry-busybox:latest", tier = "untrusted", runtime = "microvm")]
struct Plugin {
    #[reference(port = "pg")]
    database_addr: Endpoint<Database>,
}

workload_graph!(Plugins: Database, Plugin);

fn main() {
    let _ = Plugins::graph();
}
