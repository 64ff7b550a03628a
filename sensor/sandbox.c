/*
 * sandbox.c - a hand-written seccomp-bpf allow list for the sensor (see
 * sandbox.h). It sits between the privilege drop and the first packet:
 * whatever a bug in a parser, nDPI or libyara could be made to do, it
 * cannot start a program, trace another, mount, change its identity or
 * load BPF of its own. The filter checks the architecture (a foreign
 * one, or the x32 numbering on x86-64, is killed outright), then compares
 * the call's number with the list below; arguments are not inspected, so
 * the list is about which kinds of call exist, not which files or sockets
 * they touch (that is the job of the systemd unit and the unprivileged
 * user). A call outside the list traps: the SIGSYS handler writes one line
 * with the number and the process dies by SIGSYS. No library: the BPF is
 * built here from <linux/filter.h>.
 */
#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "util.h"
#include "banned.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

#define X32_SYSCALL_BIT 0x40000000u

/* What the running sensor calls, by area: files and the spool; memory;
 * threads and signals; time; the Redis client, TLS and name resolution;
 * what glibc, OpenSSL, nDPI and libyara ask of the system. A name missing
 * on an architecture is simply left out. */
static const int allowed[] = {
#ifdef __NR_read
	__NR_read,
#endif
#ifdef __NR_write
	__NR_write,
#endif
#ifdef __NR_readv
	__NR_readv,
#endif
#ifdef __NR_writev
	__NR_writev,
#endif
#ifdef __NR_pread64
	__NR_pread64,
#endif
#ifdef __NR_pwrite64
	__NR_pwrite64,
#endif
#ifdef __NR_preadv
	__NR_preadv,
#endif
#ifdef __NR_pwritev
	__NR_pwritev,
#endif
#ifdef __NR_lseek
	__NR_lseek,
#endif
#ifdef __NR_open
	__NR_open,
#endif
#ifdef __NR_openat
	__NR_openat,
#endif
#ifdef __NR_close
	__NR_close,
#endif
#ifdef __NR_close_range
	__NR_close_range,
#endif
#ifdef __NR_stat
	__NR_stat,
#endif
#ifdef __NR_fstat
	__NR_fstat,
#endif
#ifdef __NR_lstat
	__NR_lstat,
#endif
#ifdef __NR_newfstatat
	__NR_newfstatat,
#endif
#ifdef __NR_statx
	__NR_statx,
#endif
#ifdef __NR_access
	__NR_access,
#endif
#ifdef __NR_faccessat
	__NR_faccessat,
#endif
#ifdef __NR_faccessat2
	__NR_faccessat2,
#endif
#ifdef __NR_readlink
	__NR_readlink,
#endif
#ifdef __NR_readlinkat
	__NR_readlinkat,
#endif
#ifdef __NR_getdents64
	__NR_getdents64,
#endif
#ifdef __NR_statfs
	__NR_statfs,
#endif
#ifdef __NR_fstatfs
	__NR_fstatfs,
#endif
#ifdef __NR_fcntl
	__NR_fcntl,
#endif
#ifdef __NR_ioctl
	__NR_ioctl,
#endif
#ifdef __NR_dup
	__NR_dup,
#endif
#ifdef __NR_dup2
	__NR_dup2,
#endif
#ifdef __NR_dup3
	__NR_dup3,
#endif
#ifdef __NR_flock
	__NR_flock,
#endif
#ifdef __NR_fsync
	__NR_fsync,
#endif
#ifdef __NR_fdatasync
	__NR_fdatasync,
#endif
#ifdef __NR_ftruncate
	__NR_ftruncate,
#endif
#ifdef __NR_rename
	__NR_rename,
#endif
#ifdef __NR_renameat
	__NR_renameat,
#endif
#ifdef __NR_renameat2
	__NR_renameat2,
#endif
#ifdef __NR_unlink
	__NR_unlink,
#endif
#ifdef __NR_unlinkat
	__NR_unlinkat,
#endif
#ifdef __NR_mkdir
	__NR_mkdir,
#endif
#ifdef __NR_mkdirat
	__NR_mkdirat,
#endif
#ifdef __NR_umask
	__NR_umask,
#endif
#ifdef __NR_getcwd
	__NR_getcwd,
#endif
#ifdef __NR_fadvise64
	__NR_fadvise64,
#endif
#ifdef __NR_mmap
	__NR_mmap,
#endif
#ifdef __NR_munmap
	__NR_munmap,
#endif
#ifdef __NR_mprotect
	__NR_mprotect,
#endif
#ifdef __NR_mremap
	__NR_mremap,
#endif
#ifdef __NR_brk
	__NR_brk,
#endif
#ifdef __NR_madvise
	__NR_madvise,
#endif
#ifdef __NR_futex
	__NR_futex,
#endif
#ifdef __NR_set_robust_list
	__NR_set_robust_list,
#endif
#ifdef __NR_get_robust_list
	__NR_get_robust_list,
#endif
#ifdef __NR_rseq
	__NR_rseq,
#endif
#ifdef __NR_clone
	__NR_clone,
#endif
#ifdef __NR_clone3
	__NR_clone3,
#endif
#ifdef __NR_exit
	__NR_exit,
#endif
#ifdef __NR_exit_group
	__NR_exit_group,
#endif
#ifdef __NR_gettid
	__NR_gettid,
#endif
#ifdef __NR_getpid
	__NR_getpid,
#endif
#ifdef __NR_tgkill
	__NR_tgkill,
#endif
#ifdef __NR_sched_yield
	__NR_sched_yield,
#endif
#ifdef __NR_sched_getaffinity
	__NR_sched_getaffinity,
#endif
#ifdef __NR_rt_sigaction
	__NR_rt_sigaction,
#endif
#ifdef __NR_rt_sigprocmask
	__NR_rt_sigprocmask,
#endif
#ifdef __NR_rt_sigreturn
	__NR_rt_sigreturn,
#endif
#ifdef __NR_rt_sigtimedwait
	__NR_rt_sigtimedwait,
#endif
#ifdef __NR_sigaltstack
	__NR_sigaltstack,
#endif
#ifdef __NR_restart_syscall
	__NR_restart_syscall,
#endif
#ifdef __NR_nanosleep
	__NR_nanosleep,
#endif
#ifdef __NR_clock_nanosleep
	__NR_clock_nanosleep,
#endif
#ifdef __NR_clock_gettime
	__NR_clock_gettime,
#endif
#ifdef __NR_clock_getres
	__NR_clock_getres,
#endif
#ifdef __NR_gettimeofday
	__NR_gettimeofday,
#endif
#ifdef __NR_time
	__NR_time,
#endif
#ifdef __NR_poll
	__NR_poll,
#endif
#ifdef __NR_ppoll
	__NR_ppoll,
#endif
#ifdef __NR_select
	__NR_select,
#endif
#ifdef __NR_pselect6
	__NR_pselect6,
#endif
#ifdef __NR_epoll_create1
	__NR_epoll_create1,
#endif
#ifdef __NR_epoll_ctl
	__NR_epoll_ctl,
#endif
#ifdef __NR_epoll_wait
	__NR_epoll_wait,
#endif
#ifdef __NR_epoll_pwait
	__NR_epoll_pwait,
#endif
#ifdef __NR_socket
	__NR_socket,
#endif
#ifdef __NR_connect
	__NR_connect,
#endif
#ifdef __NR_sendto
	__NR_sendto,
#endif
#ifdef __NR_recvfrom
	__NR_recvfrom,
#endif
#ifdef __NR_sendmsg
	__NR_sendmsg,
#endif
#ifdef __NR_recvmsg
	__NR_recvmsg,
#endif
#ifdef __NR_sendmmsg
	__NR_sendmmsg,
#endif
#ifdef __NR_recvmmsg
	__NR_recvmmsg,
#endif
#ifdef __NR_setsockopt
	__NR_setsockopt,
#endif
#ifdef __NR_getsockopt
	__NR_getsockopt,
#endif
#ifdef __NR_getsockname
	__NR_getsockname,
#endif
#ifdef __NR_getpeername
	__NR_getpeername,
#endif
#ifdef __NR_shutdown
	__NR_shutdown,
#endif
#ifdef __NR_getrandom
	__NR_getrandom,
#endif
#ifdef __NR_uname
	__NR_uname,
#endif
#ifdef __NR_sysinfo
	__NR_sysinfo,
#endif
#ifdef __NR_getrusage
	__NR_getrusage,
#endif
#ifdef __NR_prlimit64
	__NR_prlimit64,
#endif
#ifdef __NR_getrlimit
	__NR_getrlimit,
#endif
#ifdef __NR_getuid
	__NR_getuid,
#endif
#ifdef __NR_geteuid
	__NR_geteuid,
#endif
#ifdef __NR_getgid
	__NR_getgid,
#endif
#ifdef __NR_getegid
	__NR_getegid,
#endif
#ifdef __NR_getresuid
	__NR_getresuid,
#endif
#ifdef __NR_getresgid
	__NR_getresgid,
#endif
#ifdef __NR_getgroups
	__NR_getgroups,
#endif
};

/* A call outside the list: say which, in async-signal-safe steps, and
 * die by the same signal so the exit status tells. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	static const char head[] = "haidang-sensor: seccomp: system call ";
	static const char tail[] = " is not allowed; stopping (--no-seccomp runs without the filter)\n";
	char num[16];
	int n = sizeof(num), v = si->si_syscall;
	ssize_t rc;

	(void)uc;
	if (v < 0)
		v = 0;
	do {
		num[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n > 0);
	rc = write(STDERR_FILENO, head, sizeof(head) - 1);
	rc = write(STDERR_FILENO, num + n, sizeof(num) - (size_t)n);
	rc = write(STDERR_FILENO, tail, sizeof(tail) - 1);
	(void)rc;
	signal(sig, SIG_DFL);
	raise(sig);
}

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZED 1
#endif
#endif

/* The failed step and errno's text in err; returns -errno, read before
 * snprintf can change it. */
static int fail(char *err, size_t errlen, const char *step)
{
	int e = errno;

	snprintf(err, errlen, "seccomp: %s: %s", step, strerror(e));
	return -e;
}

int sandbox_enter(char *err, size_t errlen)
{
#if defined(SANDBOX_SANITIZED) || !defined(SANDBOX_ARCH)
	(void)allowed;
	(void)on_sigsys;
	(void)fail;
#if defined(SANDBOX_SANITIZED)
	/* LeakSanitizer stops the world at exit by ptrace-ing every thread
	 * from a helper task: no allow list worth having lets that through */
	snprintf(err, errlen, "seccomp: off in this ASan build (the leak checker "
		 "traces the threads at exit)");
#else
	snprintf(err, errlen, "seccomp: no system-call list for this architecture");
#endif
	return -ENOTSUP;
#else
	enum { HEAD = 5, N = ARRAY_SIZE(allowed) };
	struct sock_filter f[HEAD + N + 2];
	struct sock_fprog prog;
	struct sigaction sa;
	size_t k = 0;

	_Static_assert(N < 255, "a BPF jump reaches 255 instructions at most");
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	/* x32 calls share the architecture value: refuse their numbers */
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, N, 0);
	for (size_t i = 0; i < N; i++)
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned)allowed[i], (unsigned char)(N - i), 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)k;
	prog.filter = f;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL))
		return fail(err, errlen, "SIGSYS handler");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return fail(err, errlen, "no_new_privs");
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		return fail(err, errlen, "cannot install the filter");
	return 0;
#endif
}
