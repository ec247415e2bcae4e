/* getaddrinfo on a detached thread, reported through an eventfd. */
#include "tls/resolve.h"

#include "core/loop.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Shared by the loop side and the thread; whoever lets go last frees it. */
struct resolve_job {
	atomic_int refs;
	atomic_bool done; /* results below are complete (release/acquire) */
	int efd;
	char host[256];
	uint16_t port;
	int rc; /* EAI_* */
	int errnum;
	struct addrinfo *res;
};

struct resolve {
	struct loop *loop;
	struct resolve_job *job;
	resolve_done_cb cb;
	void *arg;
	bool watching;
};

int resolve_lookup(const char *host, uint16_t port, int extra_flags, struct addrinfo **res)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_protocol = IPPROTO_TCP,
				 .ai_flags = AI_ADDRCONFIG | extra_flags};
	char service[8];
	snprintf(service, sizeof(service), "%u", port);
	*res = NULL;
	int rc = getaddrinfo(host, service, &hints, res);
	if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY || rc == EAI_NODATA) {
		/* AI_ADDRCONFIG hides loopback-only setups (no global address). */
		hints.ai_flags = extra_flags;
		rc = getaddrinfo(host, service, &hints, res);
	}
	return rc;
}

static void resolve_job_put(struct resolve_job *j)
{
	if (atomic_fetch_sub(&j->refs, 1) != 1)
		return;
	if (j->res)
		freeaddrinfo(j->res);
	close(j->efd);
	free(j);
}

static void *resolve_thread(void *arg)
{
	struct resolve_job *j = arg;
	j->rc = resolve_lookup(j->host, j->port, 0, &j->res);
	j->errnum = errno;
	atomic_store_explicit(&j->done, true, memory_order_release);
	uint64_t one = 1;
	/* An eventfd counter cannot overflow from one write. */
	ssize_t w = write(j->efd, &one, sizeof(one));
	(void)w;
	resolve_job_put(j);
	return NULL;
}

static void resolve_on_event(void *arg, int fd, unsigned events)
{
	struct resolve *r = arg;
	uint64_t v;
	struct resolve_job *j = r->job;
	if (read(fd, &v, sizeof(v)) != sizeof(v) ||
	    !atomic_load_explicit(&j->done, memory_order_acquire))
		return; /* spurious: the thread has not finished yet */
	loop_del_fd(r->loop, fd);
	r->watching = false;
	if (j->rc == 0) {
		struct addrinfo *res = j->res;
		j->res = NULL;
		r->cb(r->arg, res, NULL);
		return;
	}
	char msg[128];
	snprintf(msg, sizeof(msg), "%s",
		 j->rc == EAI_SYSTEM ? strerror(j->errnum) : gai_strerror(j->rc));
	r->cb(r->arg, NULL, msg);
}

struct resolve *resolve_start(struct loop *l, const char *host, uint16_t port, resolve_done_cb cb,
			      void *arg, char *err, size_t errlen)
{
	struct resolve *r = calloc(1, sizeof(*r));
	struct resolve_job *j = calloc(1, sizeof(*j));
	if (!r || !j) {
		free(r);
		free(j);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	j->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (j->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(r);
		free(j);
		return NULL;
	}
	snprintf(j->host, sizeof(j->host), "%s", host);
	j->port = port;
	atomic_init(&j->refs, 2);
	atomic_init(&j->done, false);
	r->loop = l;
	r->job = j;
	r->cb = cb;
	r->arg = arg;
	int rc = loop_add_fd(l, j->efd, LOOP_READ, resolve_on_event, r);
	if (rc < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-rc));
		goto fail;
	}
	r->watching = true;
	/* Signals belong to the loop's signalfd: the thread takes none. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t t;
	rc = pthread_create(&t, &attr, resolve_thread, j);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the resolver thread: %s", strerror(rc));
		loop_del_fd(l, j->efd);
		goto fail;
	}
	return r;
fail:
	close(j->efd);
	free(j);
	free(r);
	return NULL;
}

void resolve_free(struct resolve *r)
{
	if (!r)
		return;
	if (r->watching)
		loop_del_fd(r->loop, r->job->efd);
	resolve_job_put(r->job);
	free(r);
}
