/* Drives a stack through perry/compose on the engine-backed implementation:
 * up with a healthcheck, a service_healthy dependency and a named volume,
 * ps, exec in both call forms, the project rule, and down. */
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

static const char *json_of(const char *call, int64_t promise) {
    const char *json = host_object_json(settle(call, promise, RESOLVED));
    CHECK(json != NULL, "%s: expected an object or array", call);
    return json ? json : "";
}

/* The spec of the stack: db becomes healthy a second after it starts, when
 * it creates /shared/ready on the named volume `shared`; web waits for that
 * (service_healthy) and records whether the file was there when it started.
 * Both exit promptly on SIGTERM. */
static void spec_of(char *buffer, size_t size, const char *project, const char *image, const char *web_command) {
    snprintf(buffer, size,
             "{\"name\":\"%s\",\"services\":{"
             "\"db\":{\"image\":\"%s\",\"volumes\":[\"shared:/shared\"],"
             "\"command\":[\"sh\",\"-c\",\"trap 'exit 0' TERM; sleep 1; touch /shared/ready; sleep 300 & wait\"],"
             "\"healthcheck\":{\"test\":[\"CMD-SHELL\",\"test -f /shared/ready\"],\"interval\":\"250ms\",\"retries\":40}},"
             "\"web\":{\"image\":\"%s\",\"volumes\":[{\"type\":\"volume\",\"source\":\"shared\",\"target\":\"/shared\"}],"
             "\"depends_on\":{\"db\":{\"condition\":\"service_healthy\"}},\"command\":[\"sh\",\"-c\",\"%s\"]}},"
             "\"volumes\":{\"shared\":{\"labels\":{\"perry.test\":\"c\"}}}}",
             project, image, image, web_command);
}

int perry_c_compose_on_podman(const char *project, const char *image) {
    static const char *WEB =
        "if test -f /shared/ready; then echo ready; else echo early; fi > /tmp/saw; trap 'exit 0' TERM; sleep 300 & wait";
    char spec[2048];
    char expected[512];
    host_install();

    spec_of(spec, sizeof spec, project, image, WEB);
    uint64_t stack_bits = settle("compose.up", perry_stack_compose_up(obj(spec), ABSENT), RESOLVED);
    CHECK((stack_bits >> TAG_SHIFT) == POINTER_TAG, "compose.up resolves with a pointer-tagged handle");
    double stack = bits_to_double(stack_bits);

    const char *listed = json_of("compose.ps", perry_stack_compose_ps(stack));
    snprintf(expected, sizeof expected, "\"name\":\"%s-web-1\"", project);
    CHECK(strstr(listed, expected) != NULL, "compose.ps lists %s: %s", expected, listed);
    snprintf(expected, sizeof expected, "\"name\":\"%s-db-1\"", project);
    CHECK(strstr(listed, expected) != NULL, "compose.ps lists %s: %s", expected, listed);
    CHECK(strstr(listed, "\"state\":\"running\",\"service\":\"db\"") != NULL, "db is running: %s", listed);
    CHECK(strstr(listed, "\"state\":\"running\",\"service\":\"web\"") != NULL, "web is running: %s", listed);

    /* web started only once db's healthcheck had passed. */
    const char *saw = json_of("compose.exec of the start check", perry_stack_compose_exec(stack, str("web"), obj("[\"cat\",\"/tmp/saw\"]"), ABSENT));
    CHECK(strcmp(saw, "{\"exitCode\":0.0,\"stdout\":\"ready\\n\",\"stderr\":\"\"}") == 0, "web saw db ready: %s", saw);

    const char *ran = json_of("compose.exec",
                              perry_stack_compose_exec(stack, str("web"), obj("[\"sh\",\"-c\",\"echo hello-$((6*7))\"]"), ABSENT));
    CHECK(strcmp(ran, "{\"exitCode\":0.0,\"stdout\":\"hello-42\\n\",\"stderr\":\"\"}") == 0, "compose.exec output: %s", ran);

    ran = json_of("stack.exec", perry_stack_compose_stack_exec(receiver(stack), str("db"),
                                                                obj("[\"sh\",\"-c\",\"echo oops >&2; exit 3\"]"), ABSENT));
    CHECK(strcmp(ran, "{\"exitCode\":3.0,\"stdout\":\"\",\"stderr\":\"oops\\n\"}") == 0, "stack.exec output: %s", ran);

    ran = json_of("compose.exec with options",
                  perry_stack_compose_exec(stack, str("web"), obj("[\"sh\",\"-c\",\"echo $A $(pwd)\"]"),
                                           obj("{\"env\":{\"A\":\"1\"},\"workdir\":\"/tmp\"}")));
    CHECK(strcmp(ran, "{\"exitCode\":0.0,\"stdout\":\"1 /tmp\\n\",\"stderr\":\"\"}") == 0, "compose.exec with options: %s", ran);

    /* The same spec again keeps the stack; another spec under the same
     * name is rejected rather than merged into it. */
    uint64_t again = settle("compose.up again", perry_stack_compose_up(obj(spec), obj("{\"wait\":true}")), RESOLVED);
    CHECK(again == stack_bits, "compose.up of the same spec returns the same handle");
    char other[2048];
    spec_of(other, sizeof other, project, image, "sleep 1");
    uint64_t rejected = settle("compose.up of another spec", perry_stack_compose_up(obj(other), ABSENT), REJECTED);
    snprintf(expected, sizeof expected,
             "compose.up: project %s is already used by a stack of another spec in this process; give this spec its own "
             "`name`, or take the other stack down first",
             project);
    CHECK(strcmp(text_of(rejected), expected) == 0, "rejection\n  got:      %s\n  expected: %s", text_of(rejected), expected);

    uint64_t down = settle("stack.down", perry_stack_compose_stack_down(receiver(stack), obj("{\"volumes\":true}")), RESOLVED);
    CHECK(down == UNDEFINED_BITS, "Promise<void> resolves with undefined");
    uint64_t stale = settle("compose.ps after down", perry_stack_compose_ps(stack), REJECTED);
    CHECK(strcmp(text_of(stale), "compose.ps: invalid argument `stack`: expected a StackHandle, received a StackHandle that "
                                 "was released") == 0,
          "compose.ps after down: %s", text_of(stale));
    return failures;
}
