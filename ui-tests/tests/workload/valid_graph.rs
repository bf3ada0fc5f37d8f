use perry_stack::schema::workload::{ReferenceKind, Tier};
use perry_stack::workload::Endpoint;
use perry_stack::{workload, workload_graph};

#[workload(image = "localhost/perry-busybox:latest", tier = "hardened", runtime = "oci", ports(pg = 5432))]
struct Database;

#[workload(image = "localhost/perry-busybox:latest", tier = "isolated", command("true"))]
struct Batch;

#[workload(image = "localhost/perry-busybox:latest", ports(http = 8080), depends_on(Batch))]
struct Web {
    #[reference(port = "pg")]
    database_addr: Endpoint<Database>,
}

workload_graph!(Pipeline: Database, Batch, Web);

fn main() {
    let graph = Pipeline::graph();
    assert_eq!(graph.name, "pipeline");
    assert_eq!(graph.nodes["database"].tier, Tier::Hardened);
    let reference = &graph.nodes["web"].references["DATABASE_ADDR"];
    assert_eq!((reference.kind, reference.node.as_str(), reference.port.as_deref()), (ReferenceKind::Endpoint, "database", Some("pg")));
    assert_eq!(graph.nodes["web"].dependencies(), vec!["batch", "database"]);
    let web = Web { database_addr: Endpoint::new("database:5432") };
    assert_eq!(web.database_addr.to_string(), "database:5432");
}
