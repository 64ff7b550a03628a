/*
 * test_sandbox.c - unit tests of the sensor's seccomp allow list, each in
 * a child process of its own (a filter cannot be removed): under the
 * filter a thread can be started and joined, and a file written,
 * fsynced, truncated, renamed and removed; execve, ptrace and getppid
 * (not on the list) stop the
 * child by SIGSYS after one line on stderr naming the call's number;
 * /proc/self/status says "Seccomp: 2".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sandbox.h"

static void *thread_main(void *arg)
{
	return arg;
}

/* Runs fn in a child under the filter, its stderr into buf; returns the
 * wait status. */
static int in_child(int (*fn)(void), char *buf, size_t size)
{
	int pipefd[2], st = 0;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		char err[256];

		close(pipefd[0]);
		dup2(pipefd[1], STDERR_FILENO);
		if (sandbox_enter(err, sizeof(err))) {
			fprintf(stderr, "sandbox_enter: %s\n", err);
			_exit(3);
		}
		_exit(fn());
	}
	close(pipefd[1]);
	while (got + 1 < size && (n = read(pipefd[0], buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	close(pipefd[0]);
	waitpid(pid, &st, 0);
	return st;
}

static int only_allowed(void)
{
	char path[64];
	pthread_t t;
	void *ret = NULL;
	char line[256];
	int fd, ok = 0;
	FILE *f;

	if (pthread_create(&t, NULL, thread_main, &fd) || pthread_join(t, &ret) || ret != &fd)
		return 10;
	snprintf(path, sizeof(path), "/tmp/haidang-sandbox-%d", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || pwrite(fd, "x", 1, 0) != 1 || fdatasync(fd) || ftruncate(fd, 0))
		return 11;
	close(fd);
	if (rename(path, path) || unlink(path))
		return 12;
	f = fopen("/proc/self/status", "r");
	if (!f)
		return 14;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8))
			ok = strstr(line, "2") != NULL;
	fclose(f);
	return ok ? 0 : 15;
}

static int do_exec(void)
{
	char *argv[] = { "/bin/true", NULL };

	execv(argv[0], argv);
	return 20;
}

static int do_ptrace(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 21;
}

static int do_getppid(void)
{
	return (int)syscall(SYS_getppid) > 0 ? 22 : 23;
}

static void expect_sigsys(int (*fn)(void), long nr)
{
	char buf[512], want[64];
	int st = in_child(fn, buf, sizeof(buf));

	snprintf(want, sizeof(want), "system call %ld is not allowed", nr);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	CHECK_CONTAINS(buf, want);
}

int main(void)
{
	char buf[512];
	int st;

	st = in_child(only_allowed, buf, sizeof(buf));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3 &&
	    (strstr(buf, "architecture") || strstr(buf, "ASan build"))) {
		fprintf(stderr, "%s: skipped\n", buf);
		return 77;
	}
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		fprintf(stderr, "allowed work: status %#x, stderr: %s\n", st, buf);
	expect_sigsys(do_exec, SYS_execve);
	expect_sigsys(do_ptrace, SYS_ptrace);
	expect_sigsys(do_getppid, SYS_getppid);
	return CHECK_DONE();
}
