/* Drives perry/workloads through the generated symbols on the default,
 * engine-backed implementation: plans and wrong arguments on whatever
 * backend the Rust side installed, and a small graph on a real podman. */
#include "host.h"

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(condition, ...)                                             \
    do {                                                                  \
        if (!(condition)) {                                               \
            failures++;                                                   \
            fprintf(stderr, "%s:%d: check failed: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fprintf(stderr, "\n");                                        \
        }                                                                 \
    } while (0)

/* Starting containers on a loaded 2-core machine can take a while. */
#define WAIT_SECONDS 120

static const int64_t ABSENT = 0;

static double undefined(void) { return bits_to_double(UNDEFINED_BITS); }
static int64_t obj(const char *json) { return (int64_t)host_object(json); }
static int64_t str(const char *text) { return (int64_t)(intptr_t)host_string(text); }
static int64_t receiver(double handle) { return (int64_t)(double_to_bits(handle) & PAYLOAD_MASK); }

static const char *text_of(uint64_t bits) {
    if ((bits >> TAG_SHIFT) != STRING_TAG) return "(not a string)";
    return host_string_text((const StringHeader *)(intptr_t)(bits & PAYLOAD_MASK));
}

static uint64_t settle(const char *call, int64_t promise, int expected_state) {
    uint64_t value = 0;
    int state = host_wait_seconds(promise, &value, WAIT_SECONDS);
    CHECK(state == expected_state, "%s: expected state %d, got %d (%s)", call, expected_state, state,
          state == REJECTED ? text_of(value) : "no rejection");
    return value;
}

static double handle_of(const char *call, int64_t promise) {
    uint64_t value = settle(call, promise, RESOLVED);
    CHECK((value >> TAG_SHIFT) == POINTER_TAG, "%s: expected a pointer-tagged handle, got 0x%016llx", call,
          (unsigned long long)value);
    return bits_to_double(value);
}

static const char *json_of(const char *call, int64_t promise) {
    const char *json = host_object_json(settle(call, promise, RESOLVED));
    CHECK(json != NULL, "%s: expected an object or array", call);
    return json ? json : "";
}

static void expect_json(const char *call, int64_t promise, const char *expected) {
    const char *got = json_of(call, promise);
    CHECK(strcmp(got, expected) == 0, "%s: resolved with\n  got:      %s\n  expected: %s", call, got, expected);
}

static void expect_void(const char *call, int64_t promise) {
    uint64_t value = settle(call, promise, RESOLVED);
    CHECK(value == UNDEFINED_BITS, "%s: Promise<void> resolves with undefined, got 0x%016llx", call, (unsigned long long)value);
}

static void expect_rejection(const char *call, int64_t promise, const char *message) {
    uint64_t value = settle(call, promise, REJECTED);
    CHECK(strcmp(text_of(value), message) == 0, "%s: rejection\n  got:      %s\n  expected: %s", call, text_of(value), message);
}

static void expect_rejection_start(const char *call, int64_t promise, const char *start) {
    const char *got = text_of(settle(call, promise, REJECTED));
    CHECK(strncmp(got, start, strlen(start)) == 0, "%s: rejection\n  got:         %s\n  starting with: %s", call, got, start);
}

/* A graph where web references db's endpoint, db is hardened and batch
 * has no network. */
static const char *MOCK_GRAPH =
    "{\"name\":\"mockg\",\"execution\":\"sequential\",\"nodes\":["
    "{\"name\":\"web\",\"spec\":{\"image\":\"busybox\",\"references\":{\"DB_ADDR\":{\"kind\":\"endpoint\",\"node\":\"db\",\"port\":\"pg\"}}}},"
    "{\"name\":\"db\",\"spec\":{\"image\":\"busybox\",\"ports\":{\"pg\":5432},\"policy\":{\"tier\":\"hardened\"}}},"
    "{\"name\":\"batch\",\"spec\":{\"image\":\"busybox\",\"policy\":{\"tier\":\"isolated\"}}}]}";

static void check_inspect(void) {
    expect_json("workloads.inspectGraph", perry_stack_workloads_inspect_graph(obj(MOCK_GRAPH)),
                "{\"name\":\"mockg\",\"order\":[\"batch\",\"db\",\"web\"],\"execution\":\"sequential\",\"onFailure\":\"rollbackAll\","
                "\"nodes\":{"
                "\"batch\":{\"tier\":\"isolated\",\"runtime\":\"auto\",\"dependencies\":[],\"options\":[\"no network\"]},"
                "\"db\":{\"tier\":\"hardened\",\"runtime\":\"auto\",\"dependencies\":[],\"options\":[\"read-only root filesystem\","
                "\"drop all capabilities\",\"no new privileges\",\"default seccomp profile\"]},"
                "\"web\":{\"tier\":\"default\",\"runtime\":\"auto\",\"dependencies\":[\"db\"],\"options\":[]}}}");

    /* A graph built by the constructors plans the same as the literal. */
    double node = perry_stack_workloads_node(str("solo"), obj("{\"image\":\"busybox\",\"policy\":{\"tier\":\"untrusted\"}}"));
    CHECK((double_to_bits(node) >> TAG_SHIFT) == POINTER_TAG, "workloads.node returns an object");
    char nodes[256];
    snprintf(nodes, sizeof nodes, "[%s]", host_object_json(double_to_bits(node)));
    double graph = perry_stack_workloads_graph(str("one"), obj(nodes), obj("{\"execution\":\"maxParallel\",\"maxParallel\":2}"));
    expect_json("workloads.inspectGraph of constructed graph",
                perry_stack_workloads_inspect_graph((int64_t)double_to_bits(graph)),
                "{\"name\":\"one\",\"order\":[\"solo\"],\"execution\":\"maxParallel\",\"maxParallel\":2.0,\"onFailure\":\"rollbackAll\","
                "\"nodes\":{\"solo\":{\"tier\":\"untrusted\",\"runtime\":\"auto\",\"dependencies\":[],\"options\":["
                "\"read-only root filesystem\",\"drop all capabilities\",\"no new privileges\",\"default seccomp profile\","
                "\"no network\"]}}}");

    expect_rejection("workloads.inspectGraph of an invalid graph",
                     perry_stack_workloads_inspect_graph(obj(
                         "{\"name\":\"bad\",\"nodes\":["
                         "{\"name\":\"web\",\"spec\":{\"image\":\"busybox\",\"dependsOn\":[\"ghost\"],\"references\":{"
                         "\"DB\":{\"kind\":\"endpoint\",\"node\":\"db\",\"port\":\"mysql\"}}}},"
                         "{\"name\":\"db\",\"spec\":{\"image\":\"busybox\",\"ports\":{\"pg\":5432},"
                         "\"policy\":{\"tier\":\"hardened\",\"privileged\":true}}}]}")),
                     "workloads.inspectGraph: invalid graph:\n"
                     "  nodes[1].spec.policy.privileged: node `db` has tier `hardened` and the option `privileged`, which the "
                     "tier forbids; remove `privileged`, or lower the tier to `default`\n"
                     "  nodes[0].spec.dependsOn: node `web` refers to `ghost`, which is not a node of the graph; nodes of the "
                     "graph: db, web\n"
                     "  nodes[0].spec.references.DB: node `web` references port `mysql` of `db`, which `db` does not declare; "
                     "`db` declares: pg");
    expect_rejection("workloads.inspectGraph with bad values",
                     perry_stack_workloads_inspect_graph(obj(
                         "{\"name\":\"bad\",\"onFailure\":\"retry\",\"nodes\":[{\"name\":\"a\",\"spec\":{\"image\":\"i\","
                         "\"ports\":{\"http\":70000},\"runtime\":{\"kind\":\"jvm\"}}},{\"name\":\"a\",\"spec\":{\"image\":\"i\"}}]}")),
                     "workloads.inspectGraph: invalid graph:\n"
                     "  onFailure: expected \"rollbackAll\" | \"haltGraph\" | \"partialContinue\", received \"retry\"\n"
                     "  nodes[0].spec.ports.http: expected a whole number from 1 to 65535, received 70000\n"
                     "  nodes[0].spec.runtime.kind: expected \"auto\" | \"oci\" | \"microvm\" | \"wasm\", received \"jvm\"\n"
                     "  nodes[1].name: node name \"a\" is already used by nodes[0]");
    expect_rejection("workloads.inspectGraph without a graph", perry_stack_workloads_inspect_graph(ABSENT),
                     "workloads.inspectGraph: invalid argument `graph`: expected an object or array, received undefined");
}

static void check_wrong_handles(void) {
    const char *want = "workloads.status: invalid argument `graph`: expected a GraphHandle, received ";
    char expected[256];

    snprintf(expected, sizeof expected, "%sthe number 12345", want);
    expect_rejection("workloads.status with a number", perry_stack_workloads_status(12345.0), expected);
    snprintf(expected, sizeof expected, "%sundefined", want);
    expect_rejection("workloads.status with undefined", perry_stack_workloads_status(undefined()), expected);
    uint64_t text = (STRING_TAG << TAG_SHIFT) | (uint64_t)str("graph");
    snprintf(expected, sizeof expected, "%sa string", want);
    expect_rejection("workloads.status with a string", perry_stack_workloads_status(bits_to_double(text)), expected);

    /* A graph kind (3 in bits 44-47) with an index this registry never issued. */
    uint64_t forged = (POINTER_TAG << TAG_SHIFT) | (3ULL << 44) | 0x4242ULL;
    snprintf(expected, sizeof expected, "%sa pointer-tagged value 0x300000004242 that this registry never issued", want);
    expect_rejection("workloads.status with a forged handle", perry_stack_workloads_status(bits_to_double(forged)), expected);
    expect_rejection("graph.status with a forged receiver", perry_stack_workloads_graph_status((int64_t)(forged & PAYLOAD_MASK)),
                     expected);

    double stack = handle_of("compose.up", perry_stack_compose_up(obj("{\"name\":\"wl-stack\",\"services\":{\"web\":{\"image\":\"busybox\"}}}"), ABSENT));
    snprintf(expected, sizeof expected, "%sa StackHandle (a stack handle)", want);
    expect_rejection("workloads.status with a stack", perry_stack_workloads_status(stack), expected);
    expect_rejection("graph.status with a stack receiver", perry_stack_workloads_graph_status(receiver(stack)), expected);
    expect_rejection("workloads.down with a stack", perry_stack_workloads_down(stack, ABSENT),
                     "workloads.down: invalid argument `graph`: expected a GraphHandle, received a StackHandle (a stack handle)");
    expect_void("compose.down", perry_stack_compose_down(stack, ABSENT));

    expect_rejection("workloads.runGraph without a graph", perry_stack_workloads_run_graph(ABSENT, ABSENT),
                     "workloads.runGraph: invalid argument `graph`: expected an object or array, received undefined");
    expect_rejection("workloads.runGraph with a removed option",
                     perry_stack_workloads_run_graph(obj(MOCK_GRAPH), obj("{\"concurrency\":2}")),
                     "workloads.runGraph: invalid argument `options`: expected a value of the declared shape, received invalid "
                     "JSON value: unknown field `concurrency`, expected one of `project`, `execution`, `maxParallel`, "
                     "`onFailure`, `stopTimeout` at line 1 column 14, at `concurrency`");
    expect_rejection("workloads.runGraph with a negative stop timeout",
                     perry_stack_workloads_run_graph(obj(MOCK_GRAPH), obj("{\"stopTimeout\":-1}")),
                     "workloads.runGraph: invalid options:\n  options.stopTimeout: expected a number of seconds of at least 0, received -1");
    expect_rejection("workloads.runGraph with maxParallel but no bound",
                     perry_stack_workloads_run_graph(obj(MOCK_GRAPH), obj("{\"execution\":\"maxParallel\"}")),
                     "workloads.runGraph: invalid options:\n  options.maxParallel: is missing: execution \"maxParallel\" needs a bound");
}

static void check_running_graph(void) {
    double graph = handle_of("workloads.runGraph", perry_stack_workloads_run_graph(obj(MOCK_GRAPH), obj("{\"project\":\"mock-wl\"}")));

    expect_rejection("workloads.runGraph of a project in use",
                     perry_stack_workloads_run_graph(obj(MOCK_GRAPH), obj("{\"project\":\"mock-wl\"}")),
                     "workloads.runGraph: project mock-wl is already used by a running graph of this process; give the graph "
                     "another `project`, or take the other graph down first");

    const char *running = "{\"state\":\"running\",\"nodes\":{"
                          "\"batch\":{\"state\":\"running\",\"container\":\"mock-wl-batch-1\"},"
                          "\"db\":{\"state\":\"running\",\"container\":\"mock-wl-db-1\"},"
                          "\"web\":{\"state\":\"running\",\"container\":\"mock-wl-web-1\"}}}";
    expect_json("workloads.status", perry_stack_workloads_status(graph), running);
    expect_json("graph.status", perry_stack_workloads_graph_status(receiver(graph)), running);

    const char *listed = json_of("workloads.ps", perry_stack_workloads_ps(graph));
    CHECK(strstr(listed, "\"name\":\"mock-wl-db-1\"") != NULL, "workloads.ps lists db: %s", listed);
    CHECK(strstr(listed, "\"name\":\"mock-wl-web-1\"") != NULL, "workloads.ps lists web: %s", listed);
    listed = json_of("graph.ps", perry_stack_workloads_graph_ps(receiver(graph)));
    CHECK(strstr(listed, "\"service\":\"batch\""), "graph.ps names the node as the service: %s", listed);

    expect_json("workloads.exec", perry_stack_workloads_exec(graph, str("web"), obj("[\"true\"]"), ABSENT),
                "{\"exitCode\":0.0,\"stdout\":\"\",\"stderr\":\"\"}");
    expect_json("workloads.logs", perry_stack_workloads_logs(graph, str("db"), obj("{\"tail\":5}")),
                "{\"stdout\":\"mock-wl-db-1 started\\n\",\"stderr\":\"\"}");

    expect_rejection("workloads.exec without a node", perry_stack_workloads_exec(graph, ABSENT, ABSENT, ABSENT),
                     "workloads.exec: invalid argument `node`: expected a string, received nothing (the argument is missing)");
    expect_rejection("workloads.exec of an unknown node", perry_stack_workloads_exec(graph, str("ghost"), obj("[\"true\"]"), ABSENT),
                     "workloads.exec: graph mockg has no node ghost; its nodes are batch, db, web");
    expect_rejection("graph.exec with an empty command", perry_stack_workloads_graph_exec(receiver(graph), str("web"), obj("[]"), ABSENT),
                     "workloads.exec: the command is empty");
    expect_rejection("graph.logs with services", perry_stack_workloads_graph_logs(receiver(graph), str("web"), obj("{\"services\":[\"web\"]}")),
                     "workloads.logs: `services` applies to stacks; a graph's logs are read per node");
    expect_rejection("workloads.logs with a fractional tail", perry_stack_workloads_logs(graph, str("web"), obj("{\"tail\":1.5}")),
                     "workloads.logs: `tail` must be a whole number of lines, received 1.5");

    expect_void("graph.down", perry_stack_workloads_graph_down(receiver(graph), obj("{\"volumes\":true}")));
    expect_rejection("workloads.status after down", perry_stack_workloads_status(graph),
                     "workloads.status: invalid argument `graph`: expected a GraphHandle, received a GraphHandle that was released");
    expect_rejection("graph.down twice", perry_stack_workloads_graph_down(receiver(graph), ABSENT),
                     "workloads.down: invalid argument `graph`: expected a GraphHandle, received a GraphHandle that was released");

    /* The project is free again once the graph is down. */
    double again = handle_of("workloads.runGraph after down", perry_stack_workloads_run_graph(obj(MOCK_GRAPH), obj("{\"project\":\"mock-wl\"}")));
    expect_void("workloads.down", perry_stack_workloads_down(again, ABSENT));
}

/* The Rust side makes starting mock-fail-db-1 fail. */
static void check_failed_run(void) {
    const char *options = "{\"project\":\"mock-fail\"}";
    const char *start = "workloads.runGraph: node `db` failed: ";
    expect_rejection_start("workloads.runGraph of a failing node", perry_stack_workloads_run_graph(obj(MOCK_GRAPH), obj(options)), start);
    /* A failed run releases its project, so the retry fails on the node
     * again rather than on a project in use. */
    expect_rejection_start("workloads.runGraph retried", perry_stack_workloads_run_graph(obj(MOCK_GRAPH), obj(options)), start);
}

int perry_c_workloads_on_mock(void) {
    host_install();
    check_inspect();
    check_wrong_handles();
    check_running_graph();
    check_failed_run();
    return failures;
}

/* Two nodes on podman: db is hardened and prints a line, web reads db's
 * endpoint from its environment. Both exit promptly on SIGTERM. */
int perry_c_workloads_on_podman(const char *project, const char *image) {
    static const char *SERVE = "trap 'exit 0' TERM; echo ready; sleep 300 & wait";
    char graph_json[1024];
    char options[256];
    char expected[512];
    host_install();

    snprintf(graph_json, sizeof graph_json,
             "{\"name\":\"ffi-graph\",\"nodes\":["
             "{\"name\":\"web\",\"spec\":{\"image\":\"%s\",\"command\":[\"sh\",\"-c\",\"%s\"],"
             "\"references\":{\"DB_ADDR\":{\"kind\":\"endpoint\",\"node\":\"db\",\"port\":\"pg\"}}}},"
             "{\"name\":\"db\",\"spec\":{\"image\":\"%s\",\"command\":[\"sh\",\"-c\",\"%s\"],\"ports\":{\"pg\":5432},"
             "\"policy\":{\"tier\":\"hardened\"}}}]}",
             image, SERVE, image, SERVE);
    snprintf(options, sizeof options, "{\"project\":\"%s\",\"stopTimeout\":0}", project);
    double graph = handle_of("workloads.runGraph", perry_stack_workloads_run_graph(obj(graph_json), obj(options)));

    snprintf(expected, sizeof expected,
             "{\"state\":\"running\",\"nodes\":{\"db\":{\"state\":\"running\",\"container\":\"%s-db-1\"},"
             "\"web\":{\"state\":\"running\",\"container\":\"%s-web-1\"}}}",
             project, project);
    expect_json("workloads.status", perry_stack_workloads_status(graph), expected);

    const char *listed = json_of("graph.ps", perry_stack_workloads_graph_ps(receiver(graph)));
    snprintf(expected, sizeof expected, "\"name\":\"%s-db-1\"", project);
    CHECK(strstr(listed, expected) != NULL, "graph.ps lists %s: %s", expected, listed);

    snprintf(expected, sizeof expected, "{\"exitCode\":0.0,\"stdout\":\"%s-db-1:5432\\n\",\"stderr\":\"\"}", project);
    expect_json("workloads.exec", perry_stack_workloads_exec(graph, str("web"), obj("[\"sh\",\"-c\",\"echo $DB_ADDR\"]"), ABSENT), expected);

    const char *denied = json_of("graph.exec on the hardened node",
                                 perry_stack_workloads_graph_exec(receiver(graph), str("db"), obj("[\"touch\",\"/etc/x\"]"), ABSENT));
    CHECK(strstr(denied, "\"exitCode\":0.0") == NULL, "touch fails on the hardened node: %s", denied);
    CHECK(strstr(denied, "Read-only file system") != NULL, "the root filesystem of the hardened node is read-only: %s", denied);

    expect_json("workloads.exec with options",
                perry_stack_workloads_exec(graph, str("web"), obj("[\"sh\",\"-c\",\"echo $A $(pwd)\"]"), obj("{\"env\":{\"A\":\"1\"},\"workdir\":\"/tmp\"}")),
                "{\"exitCode\":0.0,\"stdout\":\"1 /tmp\\n\",\"stderr\":\"\"}");
    expect_json("workloads.logs", perry_stack_workloads_logs(graph, str("db"), ABSENT), "{\"stdout\":\"ready\\n\",\"stderr\":\"\"}");

    expect_void("workloads.down", perry_stack_workloads_down(graph, ABSENT));
    expect_rejection("graph.status after down", perry_stack_workloads_graph_status(receiver(graph)),
                     "workloads.status: invalid argument `graph`: expected a GraphHandle, received a GraphHandle that was released");
    return failures;
}
