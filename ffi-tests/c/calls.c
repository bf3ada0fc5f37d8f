/* Calls the generated symbols the way the dispatch rows lower them:
 * F64 arguments as doubles, StrPtr and JsvalI64 as int64_t, receivers as
 * their low 48 bits, and omitted trailing arguments padded with undefined
 * (F64) or 0 (int64_t). */
#include "host.h"

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(condition, ...)                                         \
    do {                                                              \
        if (!(condition)) {                                           \
            failures++;                                               \
            fprintf(stderr, "%s:%d: check failed: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                             \
            fprintf(stderr, "\n");                                    \
        }                                                             \
    } while (0)

static const int64_t ABSENT = 0;

static double undefined(void) { return bits_to_double(UNDEFINED_BITS); }

static int64_t object_arg(const char *json) { return (int64_t)host_object(json); }

static int64_t string_arg(const char *text) { return (int64_t)(intptr_t)host_string(text); }

static int64_t receiver(double handle) { return (int64_t)(double_to_bits(handle) & PAYLOAD_MASK); }

static const char *string_value(uint64_t bits) {
    if ((bits >> TAG_SHIFT) != STRING_TAG) return "(not a string)";
    return host_string_text((const StringHeader *)(intptr_t)(bits & PAYLOAD_MASK));
}

/* Waits for a resolution; returns its bits or reports a failure. */
static uint64_t resolved(const char *call, int64_t promise) {
    uint64_t value = 0;
    int state = host_wait(promise, &value);
    CHECK(state == RESOLVED, "%s: expected a resolution, got state %d (%s)", call, state,
          state == REJECTED ? string_value(value) : "pending");
    return value;
}

static void expect_rejection(const char *call, int64_t promise, const char *message) {
    uint64_t value = 0;
    int state = host_wait(promise, &value);
    CHECK(state == REJECTED, "%s: expected a rejection, got state %d", call, state);
    if (state == REJECTED) {
        CHECK(strcmp(string_value(value), message) == 0, "%s: rejection\n  got:      %s\n  expected: %s", call,
              string_value(value), message);
    }
}

static double up(const char *name) {
    char spec[256];
    snprintf(spec, sizeof spec, "{\"name\": \"%s\", \"services\": {\"web\": {\"image\": \"nginx\"}}}", name);
    return bits_to_double(resolved("compose.up", perry_stack_compose_up(object_arg(spec), ABSENT)));
}

static void check_handles(void) {
    double stack = up("c");
    CHECK((double_to_bits(stack) >> TAG_SHIFT) == POINTER_TAG, "compose.up resolves with a pointer-tagged handle");

    uint64_t listed = resolved("compose.ps", perry_stack_compose_ps(stack));
    const char *json = host_object_json(listed);
    CHECK(json && strstr(json, "\"name\":\"c-web-1\""), "compose.ps lists the service: %s", json ? json : "(none)");

    uint64_t by_method = resolved("stack.ps", perry_stack_compose_stack_ps(receiver(stack)));
    json = host_object_json(by_method);
    CHECK(json && strstr(json, "\"service\":\"web\""), "stack.ps lists the service: %s", json ? json : "(none)");

    uint64_t down = resolved("stack.down", perry_stack_compose_stack_down(receiver(stack), ABSENT));
    CHECK(down == UNDEFINED_BITS, "Promise<void> resolves with undefined, got 0x%016llx", (unsigned long long)down);

    expect_rejection("compose.ps after down", perry_stack_compose_ps(stack),
                     "compose.ps: invalid argument `stack`: expected a StackHandle, received a StackHandle that was released");
    expect_rejection("stack.ps after down", perry_stack_compose_stack_ps(receiver(stack)),
                     "compose.ps: invalid argument `stack`: expected a StackHandle, received a StackHandle that was released");
}

static void check_wrong_arguments(void) {
    double stack = up("c-wrong");
    expect_rejection("workloads.status with a stack", perry_stack_workloads_status(stack),
                     "workloads.status: invalid argument `graph`: expected a GraphHandle, received a StackHandle (a stack handle)");
    expect_rejection("graph.status with a stack receiver", perry_stack_workloads_graph_status(receiver(stack)),
                     "workloads.status: invalid argument `graph`: expected a GraphHandle, received a StackHandle (a stack handle)");
    expect_rejection("compose.ps with a number", perry_stack_compose_ps(12345.0),
                     "compose.ps: invalid argument `stack`: expected a StackHandle, received the number 12345");
    expect_rejection("compose.ps with undefined", perry_stack_compose_ps(undefined()),
                     "compose.ps: invalid argument `stack`: expected a StackHandle, received undefined");
    uint64_t text = (STRING_TAG << TAG_SHIFT) | (uint64_t)string_arg("demo");
    expect_rejection("compose.ps with a string", perry_stack_compose_ps(bits_to_double(text)),
                     "compose.ps: invalid argument `stack`: expected a StackHandle, received a string");
    expect_rejection("compose.up with nothing", perry_stack_compose_up(ABSENT, ABSENT),
                     "compose.up: invalid argument `spec`: expected an object or array, received undefined");
    resolved("compose.down", perry_stack_compose_down(stack, ABSENT));
}

static void check_values(void) {
    uint64_t set = resolved("container.setBackends", perry_stack_container_set_backends(object_arg("[\"podman\", \"docker\"]")));
    CHECK(set == UNDEFINED_BITS, "setBackends resolves with undefined");

    uint64_t removed = resolved("container.removeIfExists", perry_stack_container_remove_if_exists(string_arg("present")));
    CHECK(removed == TRUE_BITS, "removeIfExists resolves with true, got 0x%016llx", (unsigned long long)removed);

    int64_t backend = perry_stack_container_get_backend();
    CHECK(backend != 0 && strcmp(host_string_text((const StringHeader *)(intptr_t)backend), "fake") == 0,
          "getBackend returns the backend name");

    double policy = perry_stack_workloads_policy(string_arg("hardened"), undefined());
    const char *json = host_object_json(double_to_bits(policy));
    CHECK(json && strcmp(json, "{\"tier\":\"hardened\"}") == 0, "policy returns the object: %s", json ? json : "(none)");

    double bad = perry_stack_workloads_policy(string_arg("default"), 1.0);
    CHECK(double_to_bits(bad) == UNDEFINED_BITS, "policy with a number for a boolean returns undefined");
}

int perry_c_run_checks(void) {
    /* Referencing the marker makes a stale header fail to link. */
    CHECK(PERRY_STACK_ABI_MARKER == 1, "the ABI marker has its defined value");
    host_install();
    check_handles();
    check_wrong_arguments();
    check_values();
    return failures;
}
