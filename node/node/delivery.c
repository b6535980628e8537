/* delivery.c - the outbox's delivery threads; see delivery.h. */
#include "autoconfig.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "node/node/delivery.h"
#include "net/http_out.h"

struct sender {
	struct swn_delivery *d;
	pthread_t thread;
	struct swn_http_client *client;
};

struct swn_delivery {
	struct swn_outbox *ob;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	int n;
	struct sender *senders;
};

static void *send_loop(void *arg)
{
	struct sender *s = arg;
	struct swn_delivery *d = s->d;
	struct swn_err err;
	struct timespec until;
	long next;

	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		int ran;

		pthread_mutex_unlock(&d->lock);
		swn_err_clear(&err);
		ran = swn_outbox_run(d->ob, s->client, time(NULL), &err);
		next = ran ? 0 : swn_outbox_next_due(d->ob, time(NULL));
		pthread_mutex_lock(&d->lock);
		if (d->stop || ran || next == 0)
			continue;
		/* Messages submitted by other processes appear in the table
		 * without a signal: look again within a second. */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (next < 0 || next > 1) ? 1 : next;
		pthread_cond_timedwait(&d->wake, &d->lock, &until);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

int swn_delivery_start(struct swn_outbox *ob, int n, struct swn_delivery **out,
		       struct swn_err *err)
{
	struct swn_delivery *d = calloc(1, sizeof *d);
	int i;

	*out = NULL;
	if (n < 1 || n > SWN_DELIVERY_MAX_THREADS) {
		free(d);
		return swn_err_set(err, SWN_E_USAGE, NULL, 0, "delivery threads must be 1 to %d",
				   SWN_DELIVERY_MAX_THREADS);
	}
	if (d == NULL || !(d->senders = calloc((size_t)n, sizeof *d->senders))) {
		free(d);
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	d->ob = ob;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	for (i = 0; i < n; i++) {
		struct sender *s = &d->senders[i];

		s->d = d;
		if (!(s->client = swn_http_client_new()) ||
		    pthread_create(&s->thread, NULL, send_loop, s) != 0) {
			swn_http_client_free(s->client);
			swn_delivery_stop(d);
			return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "cannot start delivery thread %d", i + 1);
		}
		d->n++;
	}
	*out = d;
	return 0;
}

void swn_delivery_wake(struct swn_delivery *d)
{
	pthread_mutex_lock(&d->lock);
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
}

void swn_delivery_stop(struct swn_delivery *d)
{
	int i;

	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = 1;
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < d->n; i++) {
		pthread_join(d->senders[i].thread, NULL);
		swn_http_client_free(d->senders[i].client);
	}
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d->senders);
	free(d);
}
