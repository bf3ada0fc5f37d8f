/* Calls every generated symbol once or more, lowering each argument by the
 * kind in its dispatch row: F64 slots as doubles, StrPtr and JsvalI64 slots as
 * int64_t, receivers reduced to their low 48 bits, and omitted trailing
 * arguments padded with undefined (F64) or 0 (int64_t). Each result is
 * checked here; the decoded arguments are checked by the Rust side. */
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

static const int64_t ABSENT = 0;
#define FALSE_BITS 0x7FFC000000000003ULL

static double undefined(void) { return bits_to_double(UNDEFINED_BITS); }
static double boolean(int flag) { return bits_to_double(flag ? TRUE_BITS : FALSE_BITS); }
static int64_t obj(const char *json) { return (int64_t)host_object(json); }
static int64_t str(const char *text) { return (int64_t)(intptr_t)host_string(text); }
static int64_t receiver(double handle) { return (int64_t)(double_to_bits(handle) & PAYLOAD_MASK); }

static const char *text_of(uint64_t bits) {
    if ((bits >> TAG_SHIFT) != STRING_TAG) return "(not a string)";
    return host_string_text((const StringHeader *)(intptr_t)(bits & PAYLOAD_MASK));
}

static uint64_t settle(const char *call, int64_t promise, int expected_state) {
    uint64_t value = 0;
    int state = host_wait(promise, &value);
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

static void expect_void(const char *call, int64_t promise) {
    uint64_t value = settle(call, promise, RESOLVED);
    CHECK(value == UNDEFINED_BITS, "%s: Promise<void> resolves with undefined, got 0x%016llx", call,
          (unsigned long long)value);
}

static void expect_json(const char *call, int64_t promise, const char *json) {
    uint64_t value = settle(call, promise, RESOLVED);
    const char *got = host_object_json(value);
    CHECK(got && strcmp(got, json) == 0, "%s: resolved with\n  got:      %s\n  expected: %s", call, got ? got : "(not an object)",
          json);
}

static void expect_value_json(const char *call, double value, const char *json) {
    const char *got = host_object_json(double_to_bits(value));
    CHECK(got && strcmp(got, json) == 0, "%s: returned\n  got:      %s\n  expected: %s", call, got ? got : "(not an object)",
          json);
}

static void expect_string(const char *call, int64_t promise, const char *text) {
    uint64_t value = settle(call, promise, RESOLVED);
    CHECK(strcmp(text_of(value), text) == 0, "%s: resolved with \"%s\", expected \"%s\"", call, text_of(value), text);
}

static void expect_bool(const char *call, int64_t promise, int flag) {
    uint64_t value = settle(call, promise, RESOLVED);
    CHECK(value == (flag ? TRUE_BITS : FALSE_BITS), "%s: resolved with 0x%016llx, expected %s", call,
          (unsigned long long)value, flag ? "true" : "false");
}

static void expect_rejection(const char *call, int64_t promise, const char *message) {
    uint64_t value = settle(call, promise, REJECTED);
    CHECK(strcmp(text_of(value), message) == 0, "%s: rejection\n  got:      %s\n  expected: %s", call, text_of(value),
          message);
}

static const char *INFO =
    "{\"id\":\"c1\",\"name\":\"demo-web-1\",\"image\":\"busybox\",\"state\":\"running\",\"service\":\"web\","
    "\"labels\":{\"tier\":\"front\"}}";
static const char *LISTED =
    "[{\"id\":\"c1\",\"name\":\"demo-web-1\",\"image\":\"busybox\",\"state\":\"running\",\"service\":\"web\","
    "\"labels\":{\"tier\":\"front\"}}]";
static const char *EXEC = "{\"exitCode\":3.0,\"stdout\":\"hi\\n\",\"stderr\":\"\"}";
static const char *LOGS = "{\"stdout\":\"out\\n\",\"stderr\":\"err\\n\"}";
static const char *BACKEND = "{\"name\":\"echo\",\"version\":\"1.0\",\"isolation\":\"sharedKernel\"}";

static void container_symbols(void) {
    double first = handle_of("container.run", perry_stack_container_run(obj("{\"image\":\"busybox\",\"name\":\"one\","
                                                                             "\"ports\":[{\"containerPort\":80}]}")));
    double second = handle_of("container.create", perry_stack_container_create(obj("{\"image\":\"busybox\"}")));

    expect_void("container.start", perry_stack_container_start(second));
    expect_void("container.start (receiver)", perry_stack_container_container_start(receiver(second)));
    expect_void("container.stop omitted", perry_stack_container_stop(first, ABSENT));
    expect_void("container.stop", perry_stack_container_stop(first, obj("{\"timeout\":2}")));
    expect_void("container.stop (receiver)", perry_stack_container_container_stop(receiver(first), ABSENT));
    expect_json("container.list omitted", perry_stack_container_list(ABSENT), LISTED);
    expect_json("container.list", perry_stack_container_list(obj("{\"all\":true,\"labels\":{\"a\":\"b\"}}")), LISTED);
    expect_json("container.inspect", perry_stack_container_inspect(first), INFO);
    expect_json("container.inspect (receiver)", perry_stack_container_container_inspect(receiver(first)), INFO);
    expect_json("container.logs", perry_stack_container_logs(first, obj("{\"tail\":5}")), LOGS);
    expect_json("container.logs (receiver)", perry_stack_container_container_logs(receiver(first), ABSENT), LOGS);
    expect_json("container.exec", perry_stack_container_exec(first, obj("[\"echo\",\"hi\"]"), ABSENT), EXEC);
    expect_json("container.exec (receiver)",
                perry_stack_container_container_exec(receiver(first), obj("[\"id\"]"), obj("{\"user\":\"root\"}")), EXEC);
    expect_rejection("container.exec without a command", perry_stack_container_exec(first, ABSENT, ABSENT),
                     "container.exec: invalid argument `command`: expected an object or array, received undefined");
    expect_void("container.remove", perry_stack_container_remove(first, obj("{\"force\":true}")));
    expect_rejection("container.inspect after remove", perry_stack_container_inspect(first),
                     "container.inspect: invalid argument `container`: expected a ContainerHandle, received a "
                     "ContainerHandle that was released");
    expect_void("container.remove (receiver)", perry_stack_container_container_remove(receiver(second), ABSENT));

    expect_void("container.pullImage", perry_stack_container_pull_image(str("localhost/demo:1")));
    expect_rejection("container.pullImage without a reference", perry_stack_container_pull_image(ABSENT),
                     "container.pullImage: invalid argument `reference`: expected a string, received nothing (the "
                     "argument is missing)");
    expect_json("container.listImages", perry_stack_container_list_images(),
                "[{\"id\":\"sha256:1\",\"tags\":[\"localhost/demo:1\"],\"size\":42.0}]");
    expect_void("container.removeImage", perry_stack_container_remove_image(str("localhost/demo:1"), ABSENT));
    expect_string("container.build", perry_stack_container_build(obj("{\"context\":\".\",\"tag\":\"demo:1\"}")),
                  "sha256:built");
    expect_bool("container.removeIfExists present", perry_stack_container_remove_if_exists(str("present")), 1);
    expect_bool("container.removeIfExists absent", perry_stack_container_remove_if_exists(str("absent")), 0);
    expect_rejection("container.removeIfExists panicking", perry_stack_container_remove_if_exists(str("panic")),
                     "container.removeIfExists panicked: assertion `left != right` failed: decoding exploded\n"
                     "  left: \"panic\"\n right: \"panic\"");
    expect_void("container.downByProject", perry_stack_container_down_by_project(str("demo"), obj("{\"volumes\":true}")));
    expect_void("container.downAll", perry_stack_container_down_all(ABSENT));

    int64_t backend = perry_stack_container_get_backend();
    CHECK(backend != 0 && strcmp(host_string_text((const StringHeader *)(intptr_t)backend), "echo") == 0,
          "container.getBackend returns the backend name");
    expect_json("container.detectBackend", perry_stack_container_detect_backend(), BACKEND);
    expect_json("container.getAvailableBackends", perry_stack_container_get_available_backends(),
                "[{\"name\":\"echo\",\"version\":\"1.0\",\"isolation\":\"sharedKernel\"}]");
    expect_json("container.getBackendPriority", perry_stack_container_get_backend_priority(), "[\"echo\",\"podman\"]");
    expect_void("container.setBackend", perry_stack_container_set_backend(str("podman")));
    expect_void("container.setBackends", perry_stack_container_set_backends(obj("[\"podman\",\"docker\"]")));
    expect_rejection("container.setBackends with a string", perry_stack_container_set_backends(obj("\"podman\"")),
                     "container.setBackends: invalid argument `names`: expected a value of the declared shape, received "
                     "invalid JSON value: invalid type: string \"podman\", expected a sequence at line 1 column 8");
}

static void compose_symbols(void) {
    const char *spec = "{\"name\":\"demo\",\"services\":{\"web\":{\"image\":\"busybox\",\"command\":[\"sleep\",\"60\"]}}}";
    double stack = handle_of("compose.up omitted", perry_stack_compose_up(obj(spec), ABSENT));
    double other = handle_of("compose.up", perry_stack_compose_up(obj(spec), obj("{\"services\":[\"web\"],\"removeOrphans\":true}")));

    expect_json("compose.ps", perry_stack_compose_ps(stack), LISTED);
    expect_json("compose.ps (receiver)", perry_stack_compose_stack_ps(receiver(stack)), LISTED);
    expect_string("compose.logs", perry_stack_compose_logs(stack, obj("{\"services\":[\"web\"]}")), "web | hello\n");
    expect_string("compose.logs (receiver)", perry_stack_compose_stack_logs(receiver(stack), ABSENT), "web | hello\n");
    expect_json("compose.exec", perry_stack_compose_exec(stack, str("web"), obj("[\"echo\",\"hi\"]"), ABSENT), EXEC);
    expect_json("compose.exec (receiver)",
                perry_stack_compose_stack_exec(receiver(stack), str("web"), obj("[\"id\"]"), obj("{\"workdir\":\"/\"}")), EXEC);
    expect_rejection("compose.exec without a service", perry_stack_compose_exec(stack, ABSENT, ABSENT, ABSENT),
                     "compose.exec: invalid argument `service`: expected a string, received nothing (the argument is "
                     "missing)");
    expect_string("compose.config", perry_stack_compose_config(obj(spec)), "name: demo\n");
    expect_void("compose.start", perry_stack_compose_start(stack, ABSENT));
    expect_void("compose.start (receiver)", perry_stack_compose_stack_start(receiver(stack), obj("{\"services\":[\"web\"]}")));
    expect_void("compose.stop", perry_stack_compose_stop(stack, obj("{\"timeout\":1}")));
    expect_void("compose.stop (receiver)", perry_stack_compose_stack_stop(receiver(stack), ABSENT));
    expect_void("compose.restart", perry_stack_compose_restart(stack, ABSENT));
    expect_void("compose.restart (receiver)", perry_stack_compose_stack_restart(receiver(stack), ABSENT));
    expect_rejection("compose.restart with a container handle", perry_stack_compose_restart(123.5, ABSENT),
                     "compose.restart: invalid argument `stack`: expected a StackHandle, received the number 123.5");
    /* A stack kind (2 in bits 44-47) with an index this registry never issued. */
    uint64_t forged = (POINTER_TAG << TAG_SHIFT) | (2ULL << 44) | 0x4242ULL;
    expect_rejection("compose.ps with a forged handle", perry_stack_compose_ps(bits_to_double(forged)),
                     "compose.ps: invalid argument `stack`: expected a StackHandle, received a pointer-tagged value "
                     "0x200000004242 that this registry never issued");
    expect_rejection("stack.ps with a forged receiver", perry_stack_compose_stack_ps((int64_t)(forged & PAYLOAD_MASK)),
                     "compose.ps: invalid argument `stack`: expected a StackHandle, received a pointer-tagged value "
                     "0x200000004242 that this registry never issued");
    expect_void("compose.down", perry_stack_compose_down(stack, obj("{\"volumes\":true}")));
    expect_void("compose.down (receiver)", perry_stack_compose_stack_down(receiver(other), ABSENT));
    expect_rejection("compose.down twice", perry_stack_compose_stack_down(receiver(other), ABSENT),
                     "compose.down: invalid argument `stack`: expected a StackHandle, received a StackHandle that was "
                     "released");
}

static void workloads_symbols(void) {
    double node = perry_stack_workloads_node(str("api"), obj("{\"image\":\"busybox\"}"));
    expect_value_json("workloads.node", node, "{\"name\":\"api\",\"spec\":{\"image\":\"busybox\"}}");
    double runtime = perry_stack_workloads_runtime(ABSENT);
    expect_value_json("workloads.runtime omitted", runtime, "{}");
    runtime = perry_stack_workloads_runtime(obj("{\"backend\":\"podman\"}"));
    expect_value_json("workloads.runtime", runtime, "{\"backend\":\"podman\"}");
    double policy = perry_stack_workloads_policy(str("hardened"), undefined());
    expect_value_json("workloads.policy omitted", policy, "{\"tier\":\"hardened\"}");
    policy = perry_stack_workloads_policy(str("isolated"), boolean(0));
    expect_value_json("workloads.policy", policy, "{\"tier\":\"isolated\",\"network\":false}");
    double wrong = perry_stack_workloads_policy(str("default"), 1.0);
    CHECK(double_to_bits(wrong) == UNDEFINED_BITS, "workloads.policy with a number for a boolean returns undefined");

    const char *nodes = "[{\"name\":\"api\",\"spec\":{\"image\":\"busybox\"}}]";
    double graph = perry_stack_workloads_graph(str("g"), obj(nodes), ABSENT);
    const char *graph_json = "{\"name\":\"g\",\"nodes\":[{\"name\":\"api\",\"spec\":{\"image\":\"busybox\"}}]}";
    expect_value_json("workloads.graph omitted", graph, graph_json);
    graph = perry_stack_workloads_graph(str("g"), obj(nodes), obj("{\"onFailure\":\"haltGraph\"}"));
    expect_value_json("workloads.graph", graph,
                      "{\"name\":\"g\",\"nodes\":[{\"name\":\"api\",\"spec\":{\"image\":\"busybox\"}}],\"onFailure\":\"haltGraph\"}");

    expect_json("workloads.inspectGraph", perry_stack_workloads_inspect_graph(obj(graph_json)), "{\"name\":\"g\",\"order\":[\"api\"],\"execution\":\"dependencyAware\",\"onFailure\":\"rollbackAll\","
                "\"nodes\":{\"api\":{\"tier\":\"default\",\"runtime\":\"auto\",\"dependencies\":[],\"options\":[]}}}");
    double running = handle_of("workloads.runGraph omitted", perry_stack_workloads_run_graph(obj(graph_json), ABSENT));
    double second = handle_of("workloads.runGraph", perry_stack_workloads_run_graph(obj(graph_json), obj("{\"execution\":\"maxParallel\",\"maxParallel\":2}")));

    const char *status = "{\"state\":\"running\",\"nodes\":{\"api\":{\"state\":\"running\",\"container\":\"g-api-1\"}}}";
    expect_json("workloads.status", perry_stack_workloads_status(running), status);
    expect_json("workloads.status (receiver)", perry_stack_workloads_graph_status(receiver(running)), status);
    expect_json("workloads.ps", perry_stack_workloads_ps(running), LISTED);
    expect_json("workloads.ps (receiver)", perry_stack_workloads_graph_ps(receiver(running)), LISTED);
    expect_json("workloads.logs", perry_stack_workloads_logs(running, str("api"), ABSENT), LOGS);
    expect_json("workloads.logs (receiver)", perry_stack_workloads_graph_logs(receiver(running), str("api"), obj("{\"tail\":1}")), LOGS);
    expect_json("workloads.exec", perry_stack_workloads_exec(running, str("api"), obj("[\"true\"]"), ABSENT), EXEC);
    expect_json("workloads.exec (receiver)",
                perry_stack_workloads_graph_exec(receiver(running), str("api"), obj("[\"true\"]"), obj("{\"env\":{\"A\":\"1\"}}")),
                EXEC);
    expect_void("workloads.down", perry_stack_workloads_down(running, ABSENT));
    expect_void("workloads.down (receiver)", perry_stack_workloads_graph_down(receiver(second), obj("{\"removeOrphans\":true}")));
    expect_rejection("workloads.status after down", perry_stack_workloads_status(running),
                     "workloads.status: invalid argument `graph`: expected a GraphHandle, received a GraphHandle that was "
                     "released");
}

int perry_c_call_every_symbol(void) {
    CHECK(PERRY_STACK_ABI_MARKER == 1, "the ABI marker has its defined value");
    host_install();
    container_symbols();
    compose_symbols();
    workloads_symbols();
    return failures;
}
