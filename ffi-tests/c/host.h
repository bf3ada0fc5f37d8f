/* A test host with Perry's layouts: heap strings behind StringHeader,
 * objects as JSON text behind pointer-tagged ids, promises settled by a
 * main-thread pump. */
#ifndef PERRY_TEST_HOST_H
#define PERRY_TEST_HOST_H

#include <stdint.h>
#include "perry_stack.h"

#define TAG_SHIFT 48
#define PAYLOAD_MASK 0x0000FFFFFFFFFFFFULL
#define UNDEFINED_BITS 0x7FFC000000000001ULL
#define TRUE_BITS 0x7FFC000000000004ULL
#define POINTER_TAG 0x7FFDULL
#define STRING_TAG 0x7FFFULL

enum settled_state { PENDING = 0, RESOLVED = 1, REJECTED = 2 };

void host_install(void);
StringHeader *host_string(const char *text);
const char *host_string_text(const StringHeader *header);
uint64_t host_object(const char *json);
const char *host_object_json(uint64_t value);
double bits_to_double(uint64_t bits);
uint64_t double_to_bits(double value);
/* Pumps main-thread tasks until the promise settles; returns its state. */
int host_wait(int64_t promise, uint64_t *value);
/* Like host_wait, for calls that take longer, such as starting containers. */
int host_wait_seconds(int64_t promise, uint64_t *value, int seconds);

#endif
