/*
 * sandbox.h - the sensor's system-call allow list (seccomp-bpf).
 *
 * Contract: after sandbox_enter() returns 0, the calling thread and every
 * thread it creates later can make only the system calls the running
 * sensor needs (reading captures and rules, nDPI, YARA, the Redis client
 * over TCP, unix sockets and TLS with name resolution, the spool's files
 * and fsyncs, threads, signals, logging). Anything else (execve, ptrace,
 * mount, setuid, bpf, ...) stops the process with SIGSYS after one line
 * on stderr naming the system call's number. Call it once, from the main
 * thread, before any other thread exists and after root was dropped.
 */
#ifndef HAIDANG_SANDBOX_H
#define HAIDANG_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/* Sets no_new_privs and installs the filter. Returns 0, -ENOTSUP on an
 * architecture the list is not written for or in an AddressSanitizer
 * build (nothing installed; err says which), or another negative code
 * with a message in err. */
int sandbox_enter(char *err, size_t errlen);

#endif
