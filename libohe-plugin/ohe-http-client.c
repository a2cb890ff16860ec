/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "ohe-circuit-breaker.h"
#include "ohe-error.h"
#include "ohe-http-client.h"
#include "ohe-memory-rate-limiter.h"
#include "ohe-version.h"

/*
 * One SoupSession per provider (or sink) with the policies every caller of a
 * rate-limited cloud API needs: per-application and per-user "N requests per
 * rolling window" budgets kept by an #OheRateLimiter (the host's, shared by
 * every process using its store, or one of the client's own), retries with
 * full-jitter exponential backoff that honour Retry-After, and a circuit
 * breaker per target so a failing provider is not hammered.
 *
 * Worker threads share one client and send synchronously; libsoup 3.2 allows
 * that on one session as long as it is configured before the first request.
 * All waiting goes through the OheClock so tests run with a fake clock.
 *
 * The session's timeout only bounds inactivity: a server that drips a byte
 * now and then would hold a worker forever. Each attempt therefore has a
 * wall-clock deadline, kept by one process-wide watchdog thread that cancels
 * the attempt's own GCancellable, and its body must arrive at a minimum rate.
 *
 * Nothing here logs or reports a URI query, a header value or a body: errors
 * name the client, the method, the host and the status only.
 */

/* libsoup 3.2 has no name for it */
#define OHE_HTTP_STATUS_TOO_MANY_REQUESTS 429

#define OHE_HTTP_CLIENT_DEFAULT_TIMEOUT		  30 /* s */
#define OHE_HTTP_CLIENT_DEFAULT_MAX_ATTEMPTS	  5
#define OHE_HTTP_CLIENT_DEFAULT_BACKOFF_BASE	  500	/* ms */
#define OHE_HTTP_CLIENT_DEFAULT_BACKOFF_CAP	  60000 /* ms */
#define OHE_HTTP_CLIENT_DEFAULT_MAX_RETRY_AFTER	  900	/* s */
#define OHE_HTTP_CLIENT_DEFAULT_BREAKER_FAILURES  5
#define OHE_HTTP_CLIENT_DEFAULT_BREAKER_OPEN	  60 /* s */
#define OHE_HTTP_CLIENT_DEFAULT_BREAKER_SUCCESSES 3
#define OHE_HTTP_CLIENT_READ_CHUNK		  (64 * 1024)
#define OHE_HTTP_CLIENT_DEFAULT_DEADLINE	  300 /* s */
#define OHE_HTTP_CLIENT_DEFAULT_MIN_RATE	  100 /* bytes/s */
#define OHE_HTTP_CLIENT_DEFAULT_MIN_RATE_PERIOD	  30  /* s */

#define OHE_HTTP_METRIC_REQUESTS "ohe_http_requests_total"
#define OHE_HTTP_METRIC_DURATION "ohe_http_request_duration_seconds"
#define OHE_HTTP_METRIC_BREAKER	 "ohe_http_breaker_state"
#define OHE_HTTP_METRIC_RETRIES	 "ohe_http_retries_total"

typedef struct {
	guint failure_threshold;
	guint open_seconds;
	guint success_threshold;
} OheHttpClientBreakerConfig;

struct _OheHttpClient {
	GObject parent_instance;
	gchar *name;	      /* owned */
	SoupSession *session; /* owned */

	/* everything below is protected by mutex */
	GMutex mutex;
	OheClock *clock;     /* owned */
	OheMetrics *metrics; /* owned, nullable; NULL too if its families could not be registered */
	guint max_attempts;
	gint64 backoff_base_us;
	gint64 backoff_cap_us;
	gint64 max_retry_after_us;
	guint deadline_s;	 /* per attempt, 0: none */
	guint min_rate;		 /* body bytes per second, 0: none */
	guint min_rate_period_s; /* the span over which min_rate is measured */
	guint app_requests;	 /* 0: no limit */
	guint app_per_seconds;
	guint user_requests; /* 0: no limit */
	guint user_per_seconds;
	gchar *rate_limit_scope; /* owned, the prefix of the bucket names */
	OheRateLimiter *limiter; /* owned */
	gboolean own_limiter;	 /* created on the client's clock, replaced with it */
	OheHttpClientBreakerConfig breaker_default;
	GHashTable *breaker_configs; /* owned, target → owned OheHttpClientBreakerConfig */
	GHashTable *breakers;	     /* owned, target → owned OheCircuitBreaker */
};

G_DEFINE_TYPE (OheHttpClient, ohe_http_client, G_TYPE_OBJECT)

typedef enum {
	OHE_HTTP_CLIENT_OUTCOME_RESPONSE,  /* status, headers and body */
	OHE_HTTP_CLIENT_OUTCOME_TRANSPORT, /* no (complete) answer */
	OHE_HTTP_CLIENT_OUTCOME_TOO_LARGE, /* an answer we refuse to read */
	OHE_HTTP_CLIENT_OUTCOME_CANCELLED,
} OheHttpClientOutcome;

/* what one attempt produced */
typedef struct {
	SoupMessage *msg; /* owned */
	OheHttpClientOutcome outcome;
	guint status;  /* with a response */
	GBytes *body;  /* owned, with a response */
	GError *error; /* owned, without a response */
} OheHttpClientAttempt;

static void
ohe_http_client_attempt_clear (OheHttpClientAttempt *attempt)
{
	g_clear_object (&attempt->msg);
	g_clear_pointer (&attempt->body, g_bytes_unref);
	g_clear_error (&attempt->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OheHttpClientAttempt, ohe_http_client_attempt_clear)

static void
ohe_http_client_finalize (GObject *object)
{
	OheHttpClient *self = OHE_HTTP_CLIENT (object);
	g_free (self->name);
	g_object_unref (self->session);
	g_object_unref (self->clock);
	g_clear_object (&self->metrics);
	g_free (self->rate_limit_scope);
	g_object_unref (self->limiter);
	g_hash_table_unref (self->breaker_configs);
	g_hash_table_unref (self->breakers);
	g_mutex_clear (&self->mutex);
	G_OBJECT_CLASS (ohe_http_client_parent_class)->finalize (object);
}

static void
ohe_http_client_class_init (OheHttpClientClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_http_client_finalize;
}

static void
ohe_http_client_init (OheHttpClient *self)
{
	g_mutex_init (&self->mutex);
	self->session =
	    soup_session_new_with_options ("user-agent", "ohed/" OHE_VERSION_STRING, "timeout",
					   OHE_HTTP_CLIENT_DEFAULT_TIMEOUT, NULL);
	self->clock = g_object_ref (ohe_clock_get_default ());
	self->max_attempts = OHE_HTTP_CLIENT_DEFAULT_MAX_ATTEMPTS;
	self->backoff_base_us = (gint64)OHE_HTTP_CLIENT_DEFAULT_BACKOFF_BASE * 1000;
	self->backoff_cap_us = (gint64)OHE_HTTP_CLIENT_DEFAULT_BACKOFF_CAP * 1000;
	self->max_retry_after_us = (gint64)OHE_HTTP_CLIENT_DEFAULT_MAX_RETRY_AFTER * G_USEC_PER_SEC;
	self->deadline_s = OHE_HTTP_CLIENT_DEFAULT_DEADLINE;
	self->min_rate = OHE_HTTP_CLIENT_DEFAULT_MIN_RATE;
	self->min_rate_period_s = OHE_HTTP_CLIENT_DEFAULT_MIN_RATE_PERIOD;
	self->limiter = ohe_memory_rate_limiter_new (self->clock);
	self->own_limiter = TRUE;
	self->breaker_default.failure_threshold = OHE_HTTP_CLIENT_DEFAULT_BREAKER_FAILURES;
	self->breaker_default.open_seconds = OHE_HTTP_CLIENT_DEFAULT_BREAKER_OPEN;
	self->breaker_default.success_threshold = OHE_HTTP_CLIENT_DEFAULT_BREAKER_SUCCESSES;
	self->breaker_configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->breakers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
						(GDestroyNotify)ohe_circuit_breaker_free);
}

/**
 * ohe_http_client_new:
 * @name: the client name, e.g. the provider id; used in errors, logs and metric labels
 *
 * Creates a client with its own session: user agent `ohed/VERSION`, a 30 s
 * inactivity timeout, a 300 s deadline per attempt, a minimum transfer rate of
 * 100 bytes/s over any 30 s of a body, 5 attempts with full-jitter backoff from 500 ms up to 60 s,
 * no rate limits, and circuit breakers that open after 5 consecutive failures for 60 s and close
 * after 3 successful trials. Configure it before the first request.
 *
 * Returns: (transfer full): a new client
 *
 * Since: 0.1
 */
OheHttpClient *
ohe_http_client_new (const gchar *name)
{
	OheHttpClient *self;
	g_return_val_if_fail (name != NULL, NULL);
	self = g_object_new (OHE_TYPE_HTTP_CLIENT, NULL);
	self->name = g_strdup (name);
	self->rate_limit_scope = g_strdup (name);
	return self;
}

/**
 * ohe_http_client_get_name:
 * @self: an #OheHttpClient
 *
 * Returns: the client name
 *
 * Since: 0.1
 */
const gchar *
ohe_http_client_get_name (OheHttpClient *self)
{
	g_return_val_if_fail (OHE_IS_HTTP_CLIENT (self), NULL);
	return self->name;
}

/**
 * ohe_http_client_set_clock:
 * @self: an #OheHttpClient
 * @clock: (nullable): the clock for backoff, rate limits and breakers, %NULL for the system clock
 *
 * Tests pass a fake clock so nothing really waits. Changing the clock resets
 * the circuit breakers, and the rate-limit budgets unless a limiter was set with
 * ohe_http_client_set_rate_limiter(); their configuration is kept.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_clock (OheHttpClient *self, OheClock *clock)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_return_if_fail (clock == NULL || OHE_IS_CLOCK (clock));
	if (clock == NULL)
		clock = ohe_clock_get_default ();
	g_mutex_lock (&self->mutex);
	g_set_object (&self->clock, clock);
	if (self->own_limiter) {
		g_object_unref (self->limiter);
		self->limiter = ohe_memory_rate_limiter_new (clock);
	}
	g_hash_table_remove_all (self->breakers);
	g_mutex_unlock (&self->mutex);
}

static gboolean
ohe_http_client_register_metrics (OheHttpClient *self, OheMetrics *metrics, GError **error)
{
	/* from a fast API call to a slow provider page */
	const gdouble buckets[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
	if (!ohe_metrics_register_counter (
		metrics, OHE_HTTP_METRIC_REQUESTS, "HTTP requests sent, by answer status.",
		OHE_METRICS_LABELS ("client", "target", "status"), error))
		return FALSE;
	if (!ohe_metrics_register_histogram (
		metrics, OHE_HTTP_METRIC_DURATION, "Duration of HTTP requests, per attempt.",
		OHE_METRICS_LABELS ("client", "target"), buckets, G_N_ELEMENTS (buckets), error))
		return FALSE;
	if (!ohe_metrics_register_gauge (metrics, OHE_HTTP_METRIC_BREAKER,
					 "Circuit breaker state: 0 closed, 1 open, 2 half-open.",
					 OHE_METRICS_LABELS ("client", "target"), error))
		return FALSE;
	if (!ohe_metrics_register_counter (
		metrics, OHE_HTTP_METRIC_RETRIES, "HTTP requests retried, by reason.",
		OHE_METRICS_LABELS ("client", "target", "reason"), error))
		return FALSE;
	return TRUE;
}

/**
 * ohe_http_client_set_metrics:
 * @self: an #OheHttpClient
 * @metrics: (nullable): the registry to record into, or %NULL to record nothing
 *
 * Registers, if not yet there, and then records `ohe_http_requests_total`
 * {client,target,status}, `ohe_http_request_duration_seconds` {client,target},
 * `ohe_http_breaker_state` {client,target} (0 closed, 1 open, 2 half-open) and
 * `ohe_http_retries_total` {client,target,reason}. The status label is the
 * HTTP status, `error` for a transport error or `cancelled`.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_metrics (OheHttpClient *self, OheMetrics *metrics)
{
	g_autoptr(GError) error = NULL;
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_return_if_fail (metrics == NULL || OHE_IS_METRICS (metrics));

	/* registering the same family twice identically succeeds, so clients share them */
	if (metrics != NULL && !ohe_http_client_register_metrics (self, metrics, &error)) {
		g_warning ("%s: not recording HTTP metrics: %s", self->name, error->message);
		metrics = NULL;
	}
	g_mutex_lock (&self->mutex);
	g_set_object (&self->metrics, metrics);
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_http_client_set_timeout:
 * @self: an #OheHttpClient
 * @timeout_seconds: the I/O timeout of one attempt, 0 for none
 *
 * Since: 0.1
 */
void
ohe_http_client_set_timeout (OheHttpClient *self, guint timeout_seconds)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	soup_session_set_timeout (self->session, timeout_seconds);
}

/**
 * ohe_http_client_set_attempt_deadline:
 * @self: an #OheHttpClient
 * @deadline_seconds: the longest one attempt may take, from sending the request to the
 *   last byte of the answer, in wall-clock seconds; 0 for none
 *
 * An attempt still running at its deadline is cut off and fails as a timeout
 * (retried like one), whatever trickle of bytes kept the connection active.
 * Default: 300 s.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_attempt_deadline (OheHttpClient *self, guint deadline_seconds)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_mutex_lock (&self->mutex);
	self->deadline_s = deadline_seconds;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_http_client_set_min_transfer_rate:
 * @self: an #OheHttpClient
 * @bytes_per_second: the slowest acceptable body transfer, 0 for no minimum
 * @period_seconds: how long the transfer may stay below it, at least 1
 *
 * An answer whose body delivers fewer than @bytes_per_second × @period_seconds
 * bytes in @period_seconds is cut off and the attempt fails as a timeout,
 * naming the host and the limit. Default: 100 bytes/s over 30 s.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_min_transfer_rate (OheHttpClient *self,
				       guint bytes_per_second,
				       guint period_seconds)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_return_if_fail (period_seconds > 0);
	g_mutex_lock (&self->mutex);
	self->min_rate = bytes_per_second;
	self->min_rate_period_s = period_seconds;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_http_client_set_max_attempts:
 * @self: an #OheHttpClient
 * @max_attempts: how often a retryable request is sent at most, at least 1
 *
 * Since: 0.1
 */
void
ohe_http_client_set_max_attempts (OheHttpClient *self, guint max_attempts)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_return_if_fail (max_attempts > 0);
	g_mutex_lock (&self->mutex);
	self->max_attempts = max_attempts;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_http_client_set_backoff:
 * @self: an #OheHttpClient
 * @base_ms: the backoff ceiling before the first retry
 * @cap_ms: the largest backoff ceiling
 *
 * Before retry n (from 0) the client waits a random time between 0 and
 * min(@cap_ms, @base_ms × 2ⁿ) ("full jitter"), or longer if the server asks
 * for it with `Retry-After`.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_backoff (OheHttpClient *self, guint base_ms, guint cap_ms)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_mutex_lock (&self->mutex);
	self->backoff_base_us = (gint64)base_ms * 1000;
	self->backoff_cap_us = (gint64)MAX (cap_ms, base_ms) * 1000;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_http_client_set_max_retry_after:
 * @self: an #OheHttpClient
 * @max_seconds: the longest `Retry-After` the client waits for
 *
 * A server that asks for a longer pause (default limit: 15 minutes) gets
 * no retry; the request fails with %OHE_ERROR_RATE_LIMITED (429) or
 * %OHE_ERROR_UNAVAILABLE (503) at once, so a worker is not blocked and the
 * job can be rescheduled.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_max_retry_after (OheHttpClient *self, guint max_seconds)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_mutex_lock (&self->mutex);
	self->max_retry_after_us = (gint64)max_seconds * G_USEC_PER_SEC;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_http_client_set_app_rate_limit:
 * @self: an #OheHttpClient
 * @requests: requests allowed per period for the whole client, 0 for no limit
 * @per_seconds: the period
 *
 * A rolling-window budget shared by all requests of the client, named
 * `SCOPE:app` (see ohe_http_client_set_rate_limit_scope()): an attempt is sent
 * only while fewer than @requests attempts fall into the @per_seconds that end
 * now, counting each from the moment its answer arrived. Nothing is allowed
 * ahead of time, so no burst beyond @requests reaches the provider, whoever
 * shares the limiter. Every attempt, including retries, counts.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_app_rate_limit (OheHttpClient *self, guint requests, guint per_seconds)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_return_if_fail (requests == 0 || per_seconds > 0);
	g_mutex_lock (&self->mutex);
	self->app_requests = requests;
	self->app_per_seconds = per_seconds;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_http_client_set_user_rate_limit:
 * @self: an #OheHttpClient
 * @requests: requests allowed per period for one rate-limit key, 0 for no limit
 * @per_seconds: the period
 *
 * Like ohe_http_client_set_app_rate_limit(), but with one budget per key set
 * with ohe_http_request_set_rate_limit_key(), named `SCOPE:user:KEY`; requests
 * without a key are only subject to the application limit. A request waits
 * until both its budgets admit it, and then counts in both.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_user_rate_limit (OheHttpClient *self, guint requests, guint per_seconds)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_return_if_fail (requests == 0 || per_seconds > 0);
	g_mutex_lock (&self->mutex);
	self->user_requests = requests;
	self->user_per_seconds = per_seconds;
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_http_client_set_rate_limiter:
 * @self: an #OheHttpClient
 * @limiter: (nullable): where the budgets are kept, e.g. the host's limiter from
 *   ohe_plugin_get_rate_limiter(); %NULL for one of the client's own, on its clock
 *
 * Clients given one limiter share the budgets of equal names, also across
 * processes if the limiter is backed by a shared store.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_rate_limiter (OheHttpClient *self, OheRateLimiter *limiter)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_return_if_fail (limiter == NULL || OHE_IS_RATE_LIMITER (limiter));
	g_mutex_lock (&self->mutex);
	g_object_unref (self->limiter);
	self->own_limiter = limiter == NULL;
	self->limiter =
	    limiter != NULL ? g_object_ref (limiter) : ohe_memory_rate_limiter_new (self->clock);
	g_mutex_unlock (&self->mutex);
}

/**
 * ohe_http_client_get_rate_limiter:
 * @self: an #OheHttpClient
 *
 * Returns: (transfer full): the limiter the client counts its attempts with
 *
 * Since: 0.1
 */
OheRateLimiter *
ohe_http_client_get_rate_limiter (OheHttpClient *self)
{
	OheRateLimiter *limiter;
	g_return_val_if_fail (OHE_IS_HTTP_CLIENT (self), NULL);
	g_mutex_lock (&self->mutex);
	limiter = g_object_ref (self->limiter);
	g_mutex_unlock (&self->mutex);
	return limiter;
}

/**
 * ohe_http_client_set_rate_limit_scope:
 * @self: an #OheHttpClient
 * @scope: the prefix of the client's budget names; default: the client name
 *
 * Two clients with one scope and one limiter share their budgets.
 *
 * Since: 0.1
 */
void
ohe_http_client_set_rate_limit_scope (OheHttpClient *self, const gchar *scope)
{
	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_return_if_fail (scope != NULL && scope[0] != '\0');
	g_mutex_lock (&self->mutex);
	g_free (self->rate_limit_scope);
	self->rate_limit_scope = g_strdup (scope);
	g_mutex_unlock (&self->mutex);
}

static const OheHttpClientBreakerConfig *
ohe_http_client_get_breaker_config_locked (OheHttpClient *self, const gchar *target)
{
	const OheHttpClientBreakerConfig *config =
	    g_hash_table_lookup (self->breaker_configs, target);
	return config != NULL ? config : &self->breaker_default;
}

/**
 * ohe_http_client_set_breaker:
 * @self: an #OheHttpClient
 * @target: (nullable): a breaker target (`host[:port]` or a name set with
 *   ohe_http_request_set_breaker_target()), or %NULL to change the default
 * @failure_threshold: consecutive failures (transport errors, 5xx) that open it; 0 disables it
 * @open_seconds: how long an open breaker fails requests without sending them
 * @success_threshold: consecutive successful half-open trials that close it
 *
 * Since: 0.1
 */
void
ohe_http_client_set_breaker (OheHttpClient *self,
			     const gchar *target,
			     guint failure_threshold,
			     guint open_seconds,
			     guint success_threshold)
{
	GHashTableIter iter;
	gpointer key;
	gpointer value;

	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));

	g_mutex_lock (&self->mutex);
	if (target == NULL) {
		self->breaker_default.failure_threshold = failure_threshold;
		self->breaker_default.open_seconds = open_seconds;
		self->breaker_default.success_threshold = success_threshold;
	} else {
		OheHttpClientBreakerConfig *config = g_new0 (OheHttpClientBreakerConfig, 1);
		config->failure_threshold = failure_threshold;
		config->open_seconds = open_seconds;
		config->success_threshold = success_threshold;
		g_hash_table_replace (self->breaker_configs, g_strdup (target), config);
	}
	g_hash_table_iter_init (&iter, self->breakers);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		const OheHttpClientBreakerConfig *config =
		    ohe_http_client_get_breaker_config_locked (self, key);
		ohe_circuit_breaker_configure (value, config->failure_threshold,
					       config->open_seconds, config->success_threshold);
	}
	g_mutex_unlock (&self->mutex);
}

static OheCircuitBreaker *
ohe_http_client_ensure_breaker_locked (OheHttpClient *self, const gchar *target)
{
	OheCircuitBreaker *breaker = g_hash_table_lookup (self->breakers, target);
	if (breaker == NULL) {
		const OheHttpClientBreakerConfig *config =
		    ohe_http_client_get_breaker_config_locked (self, target);
		breaker = ohe_circuit_breaker_new (self->clock, config->failure_threshold,
						   config->open_seconds, config->success_threshold);
		g_hash_table_insert (self->breakers, g_strdup (target), breaker);
	}
	return breaker;
}

static void
ohe_http_client_record_breaker_state (OheMetrics *metrics,
				      const gchar *name,
				      const gchar *target,
				      OheBreakerState state)
{
	if (metrics == NULL)
		return;
	ohe_metrics_gauge_set (metrics, OHE_HTTP_METRIC_BREAKER, OHE_METRICS_LABELS (name, target),
			       (gdouble)state);
}

/**
 * ohe_http_client_get_breaker_state:
 * @self: an #OheHttpClient
 * @target: a breaker target, e.g. `api.example.com` or `127.0.0.1:8080`
 *
 * Returns: the state of the breaker; %OHE_BREAKER_STATE_CLOSED for a target
 *   that was never used
 *
 * Since: 0.1
 */
OheBreakerState
ohe_http_client_get_breaker_state (OheHttpClient *self, const gchar *target)
{
	g_autoptr(OheMetrics) metrics = NULL;
	OheCircuitBreaker *breaker;
	OheBreakerState state = OHE_BREAKER_STATE_CLOSED;

	g_return_val_if_fail (OHE_IS_HTTP_CLIENT (self), OHE_BREAKER_STATE_CLOSED);
	g_return_val_if_fail (target != NULL, OHE_BREAKER_STATE_CLOSED);

	g_mutex_lock (&self->mutex);
	breaker = g_hash_table_lookup (self->breakers, target);
	if (breaker != NULL) {
		state = ohe_circuit_breaker_get_state (breaker);
		if (self->metrics != NULL)
			metrics = g_object_ref (self->metrics);
	}
	g_mutex_unlock (&self->mutex);
	ohe_http_client_record_breaker_state (metrics, self->name, target, state);
	return state;
}

/* the settings of one send, read once so a concurrent setter cannot tear them */
typedef struct {
	OheClock *clock;     /* owned */
	OheMetrics *metrics; /* owned, nullable */
	guint max_attempts;
	gint64 backoff_base_us;
	gint64 backoff_cap_us;
	gint64 max_retry_after_us;
	guint deadline_s;
	guint min_rate;
	guint min_rate_period_s;
} OheHttpClientSettings;

static void
ohe_http_client_settings_clear (OheHttpClientSettings *settings)
{
	g_clear_object (&settings->clock);
	g_clear_object (&settings->metrics);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OheHttpClientSettings, ohe_http_client_settings_clear)

static void
ohe_http_client_get_settings (OheHttpClient *self, OheHttpClientSettings *settings)
{
	g_mutex_lock (&self->mutex);
	settings->clock = g_object_ref (self->clock);
	settings->metrics = (self->metrics != NULL) ? g_object_ref (self->metrics) : NULL;
	settings->max_attempts = self->max_attempts;
	settings->backoff_base_us = self->backoff_base_us;
	settings->backoff_cap_us = self->backoff_cap_us;
	settings->max_retry_after_us = self->max_retry_after_us;
	settings->deadline_s = self->deadline_s;
	settings->min_rate = self->min_rate;
	settings->min_rate_period_s = self->min_rate_period_s;
	g_mutex_unlock (&self->mutex);
}

/* the budgets one request is subject to, read once per send */
typedef struct {
	OheRateLimiter *limiter; /* owned */
	OheRateLimit limits[2];
	guint n_limits;
	gchar *app_bucket;  /* owned, nullable */
	gchar *user_bucket; /* owned, nullable */
} OheHttpClientBudget;

static void
ohe_http_client_budget_clear (OheHttpClientBudget *budget)
{
	g_clear_object (&budget->limiter);
	g_clear_pointer (&budget->app_bucket, g_free);
	g_clear_pointer (&budget->user_bucket, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OheHttpClientBudget, ohe_http_client_budget_clear)

static void
ohe_http_client_get_budget (OheHttpClient *self, const gchar *key, OheHttpClientBudget *budget)
{
	g_mutex_lock (&self->mutex);
	budget->limiter = g_object_ref (self->limiter);
	if (self->app_requests > 0) {
		budget->app_bucket = g_strconcat (self->rate_limit_scope, ":app", NULL);
		budget->limits[budget->n_limits].bucket = budget->app_bucket;
		budget->limits[budget->n_limits].requests = self->app_requests;
		budget->limits[budget->n_limits].window_us =
		    (gint64)self->app_per_seconds * G_USEC_PER_SEC;
		budget->n_limits++;
	}
	if (key != NULL && self->user_requests > 0) {
		budget->user_bucket = g_strconcat (self->rate_limit_scope, ":user:", key, NULL);
		budget->limits[budget->n_limits].bucket = budget->user_bucket;
		budget->limits[budget->n_limits].requests = self->user_requests;
		budget->limits[budget->n_limits].window_us =
		    (gint64)self->user_per_seconds * G_USEC_PER_SEC;
		budget->n_limits++;
	}
	g_mutex_unlock (&self->mutex);
}

/* waits until every budget admits the attempt; FALSE if cancelled or the limiter failed */
static gboolean
ohe_http_client_wait_for_budget (OheHttpClient *self,
				 OheClock *clock,
				 OheHttpClientBudget *budget,
				 guint64 *ticket,
				 GCancellable *cancellable,
				 GError **error)
{
	for (;;) {
		gint64 wait_us = 0;
		if (!ohe_rate_limiter_acquire (budget->limiter, budget->limits, budget->n_limits,
					       &wait_us, ticket, error))
			return FALSE;
		if (wait_us == 0)
			return TRUE;
		/* another thread or process may take the slot we waited for: then wait again */
		g_debug ("%s: rate limit reached, waiting %.3f s", self->name,
			 (gdouble)wait_us / G_USEC_PER_SEC);
		if (!ohe_clock_sleep (clock, wait_us, cancellable, error))
			return FALSE;
	}
}

/* host[:port] of a normalized URI, where the port is only there if not the default */
static gchar *
ohe_http_client_dup_host (GUri *uri)
{
	const gchar *host = g_uri_get_host (uri);
	gint port = g_uri_get_port (uri);
	gboolean ipv6 = strchr (host, ':') != NULL;
	if (port > 0)
		return g_strdup_printf (ipv6 ? "[%s]:%d" : "%s:%d", host, port);
	return g_strdup_printf (ipv6 ? "[%s]" : "%s", host);
}

/* transport errors that may go away by themselves */
static gboolean
ohe_http_client_error_is_transient (const GError *error)
{
	if (ohe_error_is_transient (error))
		return TRUE;
	return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
	       g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE) ||
	       g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF);
}

static gboolean
ohe_http_client_status_is_retryable (guint status)
{
	return status == OHE_HTTP_STATUS_TOO_MANY_REQUESTS ||
	       status == SOUP_STATUS_INTERNAL_SERVER_ERROR || status == SOUP_STATUS_BAD_GATEWAY ||
	       status == SOUP_STATUS_SERVICE_UNAVAILABLE || status == SOUP_STATUS_GATEWAY_TIMEOUT;
}

/* the attempt's own cancellable: cancelled by the caller's or at the deadline */
typedef struct {
	GCancellable *cancellable; /* owned */
	gint expired;		   /* atomic: the deadline cancelled it */
} OheHttpClientDeadline;

static OheHttpClientDeadline *
ohe_http_client_deadline_ref (OheHttpClientDeadline *deadline)
{
	return g_atomic_rc_box_acquire (deadline);
}

static void
ohe_http_client_deadline_clear (OheHttpClientDeadline *deadline)
{
	g_object_unref (deadline->cancellable);
}

static void
ohe_http_client_deadline_unref (OheHttpClientDeadline *deadline)
{
	g_atomic_rc_box_release_full (deadline, (GDestroyNotify)ohe_http_client_deadline_clear);
}

static gpointer
ohe_http_client_watchdog_thread (gpointer data)
{
	GMainContext *context = data;
	for (;;)
		g_main_context_iteration (context, TRUE);
	return NULL;
}

/* one thread for the whole process keeps every client's deadlines */
static GMainContext *
ohe_http_client_get_watchdog (void)
{
	static gsize once = 0;
	static GMainContext *context = NULL;
	if (g_once_init_enter (&once)) {
		context = g_main_context_new ();
		g_thread_unref (
		    g_thread_new ("ohe-http-deadline", ohe_http_client_watchdog_thread, context));
		g_once_init_leave (&once, 1);
	}
	return context;
}

static gboolean
ohe_http_client_deadline_expire_cb (gpointer data)
{
	OheHttpClientDeadline *deadline = data;
	g_atomic_int_set (&deadline->expired, 1);
	g_cancellable_cancel (deadline->cancellable);
	return G_SOURCE_REMOVE;
}

static void
ohe_http_client_deadline_forward_cb (GCancellable *caller, gpointer data)
{
	OheHttpClientDeadline *deadline = data;
	g_cancellable_cancel (deadline->cancellable);
}

/*
 * sends and reads the whole body, refusing bodies larger than the limit, cutting off
 * an attempt at its deadline or when its body arrives slower than the minimum rate
 */
static void
ohe_http_client_send_once (OheHttpClient *self,
			   OheHttpClientSettings *settings,
			   OheHttpClientAttempt *attempt,
			   const gchar *host,
			   gsize max_body_size,
			   GCancellable *cancellable)
{
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GByteArray) buf = NULL;
	OheHttpClientDeadline *deadline = g_atomic_rc_box_new0 (OheHttpClientDeadline);
	GSource *timer = NULL;
	gulong forward_id = 0;
	SoupMessageHeaders *hdrs;
	goffset expected = -1;
	gint64 period_start_us = 0;
	gsize period_start_len = 0;
	gint64 period_us = (gint64)settings->min_rate_period_s * G_USEC_PER_SEC;
	/* the last read may cross the cap by at most one chunk */
	gsize chunk = MIN ((gsize)OHE_HTTP_CLIENT_READ_CHUNK, max_body_size + 1);

	deadline->cancellable = g_cancellable_new ();
	if (cancellable != NULL)
		forward_id = g_cancellable_connect (
		    cancellable, G_CALLBACK (ohe_http_client_deadline_forward_cb),
		    ohe_http_client_deadline_ref (deadline),
		    (GDestroyNotify)ohe_http_client_deadline_unref);
	if (settings->deadline_s > 0) {
		timer = g_timeout_source_new (
		    (guint)MIN ((guint64)settings->deadline_s * 1000, G_MAXUINT));
		g_source_set_callback (timer, ohe_http_client_deadline_expire_cb,
				       ohe_http_client_deadline_ref (deadline),
				       (GDestroyNotify)ohe_http_client_deadline_unref);
		g_source_attach (timer, ohe_http_client_get_watchdog ());
	}

	attempt->outcome = OHE_HTTP_CLIENT_OUTCOME_TRANSPORT;
	stream =
	    soup_session_send (self->session, attempt->msg, deadline->cancellable, &attempt->error);
	if (stream != NULL) {
		attempt->status = soup_message_get_status (attempt->msg);
		hdrs = soup_message_get_response_headers (attempt->msg);
		/* refused before a byte of it is read */
		if (soup_message_headers_get_encoding (hdrs) == SOUP_ENCODING_CONTENT_LENGTH &&
		    soup_message_headers_get_content_length (hdrs) > (goffset)max_body_size) {
			attempt->outcome = OHE_HTTP_CLIENT_OUTCOME_TOO_LARGE;
			goto out;
		}
		if (soup_message_headers_get_encoding (hdrs) == SOUP_ENCODING_CONTENT_LENGTH)
			expected = soup_message_headers_get_content_length (hdrs);
		buf = g_byte_array_new ();
		period_start_us = g_get_monotonic_time ();
	}
	while (buf != NULL) {
		gsize len = buf->len;
		gssize n_read;
		gint64 now_us;
		g_byte_array_set_size (buf, len + chunk);
		n_read = g_input_stream_read (stream, buf->data + len, chunk, deadline->cancellable,
					      &attempt->error);
		if (n_read < 0)
			break;
		g_byte_array_set_size (buf, len + (gsize)n_read);
		if (buf->len > max_body_size) {
			attempt->outcome = OHE_HTTP_CLIENT_OUTCOME_TOO_LARGE;
			goto out;
		}
		if (n_read == 0) {
			if (!g_input_stream_close (stream, deadline->cancellable, &attempt->error))
				break;
			/* libsoup hands over a body cut short by a closed connection as if it
			 * were complete: treat it as the transport error it is */
			if (expected >= 0 && (goffset)buf->len < expected) {
				g_set_error (&attempt->error, G_IO_ERROR,
					     G_IO_ERROR_CONNECTION_CLOSED,
					     "connection closed after %u of %" G_GOFFSET_FORMAT
					     " body bytes",
					     buf->len, expected);
				break;
			}
			attempt->body = g_byte_array_free_to_bytes (g_steal_pointer (&buf));
			attempt->outcome = OHE_HTTP_CLIENT_OUTCOME_RESPONSE;
			goto out;
		}
		if (settings->min_rate == 0)
			continue;
		/* each period must bring its share; one that did starts the next */
		now_us = g_get_monotonic_time ();
		if (buf->len - period_start_len >=
		    (gsize)settings->min_rate * settings->min_rate_period_s) {
			period_start_us = now_us;
			period_start_len = buf->len;
		} else if (now_us - period_start_us >= period_us) {
			g_set_error (&attempt->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				     "%s sent %" G_GSIZE_FORMAT " body bytes in %.1f s, below the "
				     "minimum transfer rate of %u bytes/s",
				     host, buf->len - period_start_len,
				     (gdouble)(now_us - period_start_us) / G_USEC_PER_SEC,
				     settings->min_rate);
			break;
		}
	}
	if (g_atomic_int_get (&deadline->expired) && !g_cancellable_is_cancelled (cancellable)) {
		g_clear_error (&attempt->error);
		g_set_error (&attempt->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
			     "%s gave no complete answer within the attempt deadline of %u s", host,
			     settings->deadline_s);
	} else if (g_error_matches (attempt->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
		   g_cancellable_is_cancelled (cancellable))
		attempt->outcome = OHE_HTTP_CLIENT_OUTCOME_CANCELLED;
out:
	if (timer != NULL) {
		g_source_destroy (timer);
		g_source_unref (timer);
	}
	if (forward_id != 0)
		g_cancellable_disconnect (cancellable, forward_id);
	ohe_http_client_deadline_unref (deadline);
}

/* a transport error says the target is unwell, an error status only if it is 5xx */
static OheCircuitBreakerResult
ohe_http_client_attempt_to_breaker_result (OheHttpClientAttempt *attempt)
{
	switch (attempt->outcome) {
	case OHE_HTTP_CLIENT_OUTCOME_TRANSPORT:
		return OHE_CIRCUIT_BREAKER_RESULT_FAILURE;
	case OHE_HTTP_CLIENT_OUTCOME_RESPONSE:
		if (SOUP_STATUS_IS_SERVER_ERROR (attempt->status))
			return OHE_CIRCUIT_BREAKER_RESULT_FAILURE;
		/* the target is up, it only asks us to slow down */
		if (attempt->status == OHE_HTTP_STATUS_TOO_MANY_REQUESTS)
			return OHE_CIRCUIT_BREAKER_RESULT_NEUTRAL;
		return OHE_CIRCUIT_BREAKER_RESULT_SUCCESS;
	case OHE_HTTP_CLIENT_OUTCOME_TOO_LARGE:
	case OHE_HTTP_CLIENT_OUTCOME_CANCELLED:
	default:
		return OHE_CIRCUIT_BREAKER_RESULT_NEUTRAL;
	}
}

/* the status label of ohe_http_requests_total */
static gchar *
ohe_http_client_attempt_dup_status_label (OheHttpClientAttempt *attempt)
{
	switch (attempt->outcome) {
	case OHE_HTTP_CLIENT_OUTCOME_TRANSPORT:
		return g_strdup ("error");
	case OHE_HTTP_CLIENT_OUTCOME_CANCELLED:
		return g_strdup ("cancelled");
	case OHE_HTTP_CLIENT_OUTCOME_RESPONSE:
	case OHE_HTTP_CLIENT_OUTCOME_TOO_LARGE:
	default:
		return g_strdup_printf ("%u", attempt->status);
	}
}

static gboolean
ohe_http_client_admit (OheHttpClient *self,
		       OheHttpClientSettings *settings,
		       const gchar *target,
		       guint64 *ticket,
		       gint64 *retry_in_us)
{
	OheCircuitBreaker *breaker;
	OheBreakerState state;
	gboolean admitted;

	g_mutex_lock (&self->mutex);
	breaker = ohe_http_client_ensure_breaker_locked (self, target);
	admitted = ohe_circuit_breaker_admit (breaker, ticket, retry_in_us);
	state = ohe_circuit_breaker_get_state (breaker);
	g_mutex_unlock (&self->mutex);
	ohe_http_client_record_breaker_state (settings->metrics, self->name, target, state);
	return admitted;
}

static void
ohe_http_client_record (OheHttpClient *self,
			OheHttpClientSettings *settings,
			const gchar *target,
			guint64 ticket,
			OheCircuitBreakerResult result)
{
	OheCircuitBreaker *breaker;
	OheBreakerState state;

	g_mutex_lock (&self->mutex);
	breaker = ohe_http_client_ensure_breaker_locked (self, target);
	ohe_circuit_breaker_record (breaker, ticket, result);
	state = ohe_circuit_breaker_get_state (breaker);
	g_mutex_unlock (&self->mutex);
	ohe_http_client_record_breaker_state (settings->metrics, self->name, target, state);
}

static void
ohe_http_client_record_attempt (OheHttpClient *self,
				OheHttpClientSettings *settings,
				const gchar *target,
				guint64 ticket,
				OheHttpClientAttempt *attempt,
				gint64 duration_us)
{
	g_autofree gchar *status = NULL;

	ohe_http_client_record (self, settings, target, ticket,
				ohe_http_client_attempt_to_breaker_result (attempt));
	if (settings->metrics == NULL)
		return;
	status = ohe_http_client_attempt_dup_status_label (attempt);
	ohe_metrics_counter_add (settings->metrics, OHE_HTTP_METRIC_REQUESTS,
				 OHE_METRICS_LABELS (self->name, target, status), 1);
	ohe_metrics_histogram_observe (settings->metrics, OHE_HTTP_METRIC_DURATION,
				       OHE_METRICS_LABELS (self->name, target),
				       (gdouble)duration_us / G_USEC_PER_SEC);
}

/*
 * GIO and libsoup messages name hosts, not URIs, but a proxy or a future
 * version might quote one; never let the query or user info through.
 */
static gchar *
ohe_http_client_dup_scrubbed_message (const gchar *message, GUri *uri)
{
	g_autoptr(GString) str = g_string_new (message);
	const gchar *secrets[] = {g_uri_get_query (uri), g_uri_get_userinfo (uri)};
	for (guint i = 0; i < G_N_ELEMENTS (secrets); i++) {
		if (secrets[i] != NULL && secrets[i][0] != '\0')
			g_string_replace (str, secrets[i], "[redacted]", 0);
	}
	return g_string_free (g_steal_pointer (&str), FALSE);
}

/* the longest wait Retry-After can ask for here: "as good as forever" */
#define OHE_HTTP_CLIENT_RETRY_AFTER_FOREVER ((gint64)99999999 * G_USEC_PER_SEC)

/* Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date */
static gboolean
ohe_http_client_parse_retry_after (const gchar *value, OheClock *clock, gint64 *delay_us)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GDateTime) date = NULL;
	gint64 delay_s;

	if (value == NULL)
		return FALSE;
	text = g_strstrip (g_strdup (value));
	if (text[0] != '\0' && strspn (text, "0123456789") == strlen (text)) {
		if (strlen (text) > 8)
			*delay_us = OHE_HTTP_CLIENT_RETRY_AFTER_FOREVER;
		else
			*delay_us = (gint64)g_ascii_strtoull (text, NULL, 10) * G_USEC_PER_SEC;
		return TRUE;
	}
	date = soup_date_time_new_from_http_string (text);
	if (date == NULL)
		return FALSE;
	delay_s = g_date_time_to_unix (date) - ohe_clock_get_real (clock) / G_USEC_PER_SEC;
	*delay_us = MIN (MAX (delay_s, 0) * G_USEC_PER_SEC, OHE_HTTP_CLIENT_RETRY_AFTER_FOREVER);
	return TRUE;
}

/* full jitter: uniform in [0, min(cap, base × 2^retry)) */
static gint64
ohe_http_client_compute_backoff (OheHttpClientSettings *settings, guint retry)
{
	gint64 ceiling = settings->backoff_base_us;
	for (guint i = 0; i < retry && ceiling < settings->backoff_cap_us; i++)
		ceiling *= 2;
	ceiling = MIN (ceiling, settings->backoff_cap_us);
	return (gint64)(ohe_clock_random_double (settings->clock) * (gdouble)ceiling);
}

/* the error when an attempt that got 429 or 5xx is not retried */
static void
ohe_http_client_set_status_error (GError **error,
				  OheHttpClient *self,
				  const gchar *method,
				  const gchar *host,
				  OheHttpClientAttempt *attempt,
				  guint attempt_nr,
				  const gchar *why)
{
	g_autoptr(OheHttpResponse) response = ohe_http_response_new (attempt->status, NULL, NULL);
	g_autoptr(GError) status_error = NULL;

	/* RATE_LIMITED for 429, UNAVAILABLE for 5xx, with the reason phrase */
	ohe_http_response_check_status (response, &status_error);
	g_set_error (error, OHE_ERROR, status_error->code,
		     "%s: %s %s failed with %s after %u attempt%s%s", self->name, method, host,
		     status_error->message, attempt_nr, attempt_nr == 1 ? "" : "s", why);
}

static void
ohe_http_client_set_cancelled (GError **error,
			       OheHttpClient *self,
			       const gchar *method,
			       const gchar *host)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_CANCELLED, "%s: %s %s cancelled", self->name,
		     method, host);
}

/**
 * ohe_http_client_send:
 * @self: an #OheHttpClient
 * @request: the request
 * @cancellable: (nullable): a #GCancellable; it also ends rate-limit and backoff waits
 * @error: a #GError, or %NULL
 *
 * Sends @request, blocking: call it from a worker thread, never from the main
 * loop. The request fails fast if the circuit breaker of its target is open,
 * waits for the rate limits, and is retried on transient transport errors,
 * 429, 500, 502, 503 and 504 if it is idempotent. Redirects are not followed.
 *
 * Returns: (transfer full): the response for any status other than 429 and
 *   5xx, including 4xx, whose body often explains the problem; or %NULL with
 *   %OHE_ERROR_RATE_LIMITED (429), %OHE_ERROR_UNAVAILABLE (5xx, transport
 *   errors, open breaker), %OHE_ERROR_CANCELLED, %OHE_ERROR_INVALID_ARGUMENT
 *   (bad request) or %OHE_ERROR_INVALID_DATA (response body too large). Error
 *   messages name the client, method, host and status, never the query,
 *   headers or body.
 *
 * Since: 0.1
 */
OheHttpResponse *
ohe_http_client_send (OheHttpClient *self,
		      OheHttpRequest *request,
		      GCancellable *cancellable,
		      GError **error)
{
	g_auto(OheHttpClientSettings) settings = {NULL};
	g_autoptr(SoupMessage) first_msg = NULL;
	g_autofree gchar *host = NULL;
	g_autofree gchar *target = NULL;
	g_auto(OheHttpClientBudget) budget = {NULL};
	const gchar *method;
	gboolean idempotent;

	g_return_val_if_fail (OHE_IS_HTTP_CLIENT (self), NULL);
	g_return_val_if_fail (OHE_IS_HTTP_REQUEST (request), NULL);
	g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	/* a bad request fails before it waits for anything */
	first_msg = ohe_http_request_build_message (request, error);
	if (first_msg == NULL)
		return NULL;
	method = ohe_http_request_get_method (request);
	idempotent = ohe_http_request_get_idempotent (request);
	host = ohe_http_client_dup_host (soup_message_get_uri (first_msg));
	target = g_strdup (ohe_http_request_get_breaker_target (request) != NULL
			       ? ohe_http_request_get_breaker_target (request)
			       : host);
	ohe_http_client_get_settings (self, &settings);
	ohe_http_client_get_budget (self, ohe_http_request_get_rate_limit_key (request), &budget);

	for (guint attempt_nr = 1;; attempt_nr++) {
		g_auto(OheHttpClientAttempt) attempt = {NULL};
		g_autofree gchar *detail = NULL;
		g_autofree gchar *reason = NULL;
		g_autoptr(GError) error_budget = NULL;
		guint64 ticket = 0;
		guint64 budget_ticket = 0;
		gint64 retry_in_us = 0;
		gint64 retry_after_us = 0;
		gint64 start_us;
		gint64 delay_us;
		gboolean retryable;

		if (g_cancellable_is_cancelled (cancellable)) {
			ohe_http_client_set_cancelled (error, self, method, host);
			return NULL;
		}

		/* before the rate limit, so an open breaker spends no token */
		if (!ohe_http_client_admit (self, &settings, target, &ticket, &retry_in_us)) {
			g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
				     "%s: circuit breaker open for %s, %s %s not sent (retry in "
				     "%" G_GINT64_FORMAT " s)",
				     self->name, target, method, host,
				     (retry_in_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
			return NULL;
		}
		if (!ohe_http_client_wait_for_budget (self, settings.clock, &budget, &budget_ticket,
						      cancellable, &error_budget)) {
			ohe_http_client_record (self, &settings, target, ticket,
						OHE_CIRCUIT_BREAKER_RESULT_NEUTRAL);
			if (g_cancellable_is_cancelled (cancellable) ||
			    g_error_matches (error_budget, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
			    g_error_matches (error_budget, OHE_ERROR, OHE_ERROR_CANCELLED))
				ohe_http_client_set_cancelled (error, self, method, host);
			else
				g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
					     "%s: %s %s not sent: the rate limiter failed: %s",
					     self->name, method, host, error_budget->message);
			return NULL;
		}

		/* a SoupMessage cannot be sent twice */
		attempt.msg = (first_msg != NULL) ? g_steal_pointer (&first_msg)
						  : ohe_http_request_build_message (request, error);
		if (attempt.msg == NULL) {
			ohe_rate_limiter_complete (budget.limiter, budget.limits, budget.n_limits,
						   budget_ticket);
			ohe_http_client_record (self, &settings, target, ticket,
						OHE_CIRCUIT_BREAKER_RESULT_NEUTRAL);
			return NULL;
		}
		start_us = ohe_clock_get_monotonic (settings.clock);
		ohe_http_client_send_once (self, &settings, &attempt, host,
					   ohe_http_request_get_max_body_size (request),
					   cancellable);
		/* the provider counted the attempt at the latest now */
		ohe_rate_limiter_complete (budget.limiter, budget.limits, budget.n_limits,
					   budget_ticket);
		ohe_http_client_record_attempt (self, &settings, target, ticket, &attempt,
						ohe_clock_get_monotonic (settings.clock) -
						    start_us);

		switch (attempt.outcome) {
		case OHE_HTTP_CLIENT_OUTCOME_CANCELLED:
			ohe_http_client_set_cancelled (error, self, method, host);
			return NULL;
		case OHE_HTTP_CLIENT_OUTCOME_TOO_LARGE:
			g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "%s: %s %s answered HTTP %u with a body larger than the cap "
				     "of %" G_GSIZE_FORMAT " bytes",
				     self->name, method, host, attempt.status,
				     ohe_http_request_get_max_body_size (request));
			return NULL;
		case OHE_HTTP_CLIENT_OUTCOME_TRANSPORT:
			detail = ohe_http_client_dup_scrubbed_message (
			    attempt.error->message, soup_message_get_uri (attempt.msg));
			retryable =
			    idempotent && ohe_http_client_error_is_transient (attempt.error);
			if (!retryable || attempt_nr >= settings.max_attempts) {
				g_set_error (error, OHE_ERROR, OHE_ERROR_UNAVAILABLE,
					     "%s: %s %s failed after %u attempt%s: %s%s",
					     self->name, method, host, attempt_nr,
					     attempt_nr == 1 ? "" : "s", detail,
					     !idempotent ? " (not retried: not idempotent)" : "");
				return NULL;
			}
			reason = g_strdup (
			    g_error_matches (attempt.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
				? "timeout"
				: "transport");
			break;
		case OHE_HTTP_CLIENT_OUTCOME_RESPONSE:
		default:
			/* an answer the caller handles, even an error status with an explanation */
			if (!SOUP_STATUS_IS_SERVER_ERROR (attempt.status) &&
			    attempt.status != OHE_HTTP_STATUS_TOO_MANY_REQUESTS) {
				OheHttpResponse *response = ohe_http_response_new (
				    attempt.status, soup_message_get_response_headers (attempt.msg),
				    attempt.body);
				ohe_http_response_set_attempts (response, attempt_nr);
				return response;
			}
			if (attempt.status == OHE_HTTP_STATUS_TOO_MANY_REQUESTS ||
			    attempt.status == SOUP_STATUS_SERVICE_UNAVAILABLE) {
				SoupMessageHeaders *hdrs =
				    soup_message_get_response_headers (attempt.msg);
				ohe_http_client_parse_retry_after (
				    soup_message_headers_get_one (hdrs, "Retry-After"),
				    settings.clock, &retry_after_us);
			}
			retryable =
			    idempotent && ohe_http_client_status_is_retryable (attempt.status);
			if (retryable && retry_after_us > settings.max_retry_after_us) {
				detail = g_strdup_printf (
				    ": server asks to retry after %" G_GINT64_FORMAT
				    " s, longer than the %" G_GINT64_FORMAT " s limit",
				    retry_after_us / G_USEC_PER_SEC,
				    settings.max_retry_after_us / G_USEC_PER_SEC);
				ohe_http_client_set_status_error (error, self, method, host,
								  &attempt, attempt_nr, detail);
				return NULL;
			}
			if (!retryable || attempt_nr >= settings.max_attempts) {
				ohe_http_client_set_status_error (
				    error, self, method, host, &attempt, attempt_nr,
				    !idempotent ? " (not retried: not idempotent)" : "");
				return NULL;
			}
			detail = g_strdup_printf ("HTTP %u", attempt.status);
			reason = g_strdup_printf ("%u", attempt.status);
			break;
		}

		delay_us = ohe_http_client_compute_backoff (&settings, attempt_nr - 1);
		delay_us = MAX (delay_us, retry_after_us);
		g_debug ("%s: %s %s: %s, retrying in %.3f s (attempt %u of %u)", self->name, method,
			 host, detail, (gdouble)delay_us / G_USEC_PER_SEC, attempt_nr + 1,
			 settings.max_attempts);
		if (settings.metrics != NULL)
			ohe_metrics_counter_add (settings.metrics, OHE_HTTP_METRIC_RETRIES,
						 OHE_METRICS_LABELS (self->name, target, reason),
						 1);
		if (!ohe_clock_sleep (settings.clock, delay_us, cancellable, NULL)) {
			ohe_http_client_set_cancelled (error, self, method, host);
			return NULL;
		}
	}
}

static void
ohe_http_client_send_thread_cb (GTask *task,
				gpointer source_object,
				gpointer task_data,
				GCancellable *cancellable)
{
	g_autoptr(GError) error = NULL;
	OheHttpResponse *response;

	response = ohe_http_client_send (source_object, task_data, cancellable, &error);
	if (response == NULL) {
		g_task_return_error (task, g_steal_pointer (&error));
		return;
	}
	g_task_return_pointer (task, response, g_object_unref);
}

/**
 * ohe_http_client_send_async:
 * @self: an #OheHttpClient
 * @request: the request
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the thread-default main context when done
 * @user_data: data for @callback
 *
 * Runs ohe_http_client_send() in a worker thread.
 *
 * Since: 0.1
 */
void
ohe_http_client_send_async (OheHttpClient *self,
			    OheHttpRequest *request,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data)
{
	g_autoptr(GTask) task = NULL;

	g_return_if_fail (OHE_IS_HTTP_CLIENT (self));
	g_return_if_fail (OHE_IS_HTTP_REQUEST (request));
	g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

	task = g_task_new (self, cancellable, callback, user_data);
	g_task_set_source_tag (task, ohe_http_client_send_async);
	g_task_set_task_data (task, g_object_ref (request), g_object_unref);
	g_task_run_in_thread (task, ohe_http_client_send_thread_cb);
}

/**
 * ohe_http_client_send_finish:
 * @self: an #OheHttpClient
 * @res: the #GAsyncResult passed to the callback
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the response, or %NULL as for ohe_http_client_send()
 *
 * Since: 0.1
 */
OheHttpResponse *
ohe_http_client_send_finish (OheHttpClient *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail (OHE_IS_HTTP_CLIENT (self), NULL);
	g_return_val_if_fail (g_task_is_valid (res, self), NULL);
	return g_task_propagate_pointer (G_TASK (res), error);
}
