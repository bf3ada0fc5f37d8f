#define _POSIX_C_SOURCE 200809L
#include "host.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ITEMS 1024
#define OBJECT_BASE (1ULL << 40)

struct promise { int state; uint64_t value; };
struct task { void (*callback)(void *); void *data; };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct promise promises[MAX_ITEMS];
static uint64_t promise_count;
static char *objects[MAX_ITEMS];
static uint64_t object_count;
static struct task queue[MAX_ITEMS];
static size_t queue_len;

double bits_to_double(uint64_t bits) {
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

uint64_t double_to_bits(double value) {
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static StringHeader *string_from_bytes(const uint8_t *bytes, uint32_t len) {
    StringHeader *header = malloc(sizeof(StringHeader) + len + 1);
    uint32_t utf16 = 0;
    for (uint32_t i = 0; i < len; i++) {
        uint8_t byte = bytes[i];
        if ((byte & 0xC0) != 0x80) utf16 += (byte >= 0xF0) ? 2 : 1;
    }
    header->utf16_len = utf16;
    header->byte_len = len;
    header->capacity = len;
    header->refcount = 1;
    header->flags = 0;
    memcpy((char *)(header + 1), bytes, len);
    ((char *)(header + 1))[len] = '\0';
    return header;
}

StringHeader *host_string(const char *text) {
    return string_from_bytes((const uint8_t *)text, (uint32_t)strlen(text));
}

const char *host_string_text(const StringHeader *header) {
    return header ? (const char *)(header + 1) : NULL;
}

static uint64_t promise_new(void) {
    pthread_mutex_lock(&lock);
    uint64_t id = ++promise_count;
    promises[id].state = PENDING;
    pthread_mutex_unlock(&lock);
    return id;
}

static void settle(uint64_t promise, int state, uint64_t value) {
    pthread_mutex_lock(&lock);
    if (promises[promise].state != PENDING) {
        fprintf(stderr, "promise %llu settled twice\n", (unsigned long long)promise);
        abort();
    }
    promises[promise].state = state;
    promises[promise].value = value;
    pthread_mutex_unlock(&lock);
}

static void promise_resolve(uint64_t promise, uint64_t value) { settle(promise, RESOLVED, value); }
static void promise_reject(uint64_t promise, uint64_t reason) { settle(promise, REJECTED, reason); }

uint64_t host_object(const char *json) {
    pthread_mutex_lock(&lock);
    uint64_t index = ++object_count;
    objects[index] = strdup(json);
    pthread_mutex_unlock(&lock);
    return (POINTER_TAG << TAG_SHIFT) | (OBJECT_BASE + index);
}

const char *host_object_json(uint64_t value) {
    uint64_t payload = value & PAYLOAD_MASK;
    if ((value >> TAG_SHIFT) != POINTER_TAG || payload <= OBJECT_BASE || payload - OBJECT_BASE > object_count) return NULL;
    return objects[payload - OBJECT_BASE];
}

static StringHeader *json_stringify(uint64_t value) {
    const char *json = host_object_json(value);
    return json ? host_string(json) : NULL;
}

static uint64_t json_parse(const StringHeader *json) {
    return host_object(host_string_text(json));
}

static void run_on_main(void (*callback)(void *), void *data) {
    pthread_mutex_lock(&lock);
    queue[queue_len].callback = callback;
    queue[queue_len].data = data;
    queue_len++;
    pthread_mutex_unlock(&lock);
}

int host_wait(int64_t promise, uint64_t *value) { return host_wait_seconds(promise, value, 10); }

int host_wait_seconds(int64_t promise, uint64_t *value, int seconds) {
    struct timespec pause = {0, 1000000};
    for (int round = 0; round < seconds * 1000; round++) {
        struct task pending[MAX_ITEMS];
        pthread_mutex_lock(&lock);
        size_t count = queue_len;
        memcpy(pending, queue, count * sizeof(struct task));
        queue_len = 0;
        pthread_mutex_unlock(&lock);
        for (size_t i = 0; i < count; i++) pending[i].callback(pending[i].data);

        pthread_mutex_lock(&lock);
        int state = promises[promise].state;
        *value = promises[promise].value;
        pthread_mutex_unlock(&lock);
        if (state != PENDING) return state;
        nanosleep(&pause, NULL);
    }
    return PENDING;
}

void host_install(void) {
    static const PerryStackHost host = {
        string_from_bytes, promise_new, promise_resolve, promise_reject, json_stringify, json_parse, run_on_main,
    };
    if (perry_stack_install_host(&host) != 0) {
        fprintf(stderr, "host functions were already installed\n");
        abort();
    }
}
