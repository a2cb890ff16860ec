/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ohe-bounded-queue.h"

typedef struct {
	OheBoundedQueue *queue;
	guint n_items;
	guint pushed;
	gboolean push_failed;
} ProducerData;

static gpointer
producer_thread (gpointer user_data)
{
	ProducerData *data = user_data;
	for (guint i = 1; i <= data->n_items; i++) {
		if (!ohe_bounded_queue_push (data->queue, GUINT_TO_POINTER (i))) {
			data->push_failed = TRUE;
			return NULL;
		}
		data->pushed++;
	}
	ohe_bounded_queue_close (data->queue);
	return NULL;
}

static void
test_bounded_queue_backpressure (void)
{
	g_autoptr(OheBoundedQueue) queue = ohe_bounded_queue_new (3, NULL);
	ProducerData data = {.queue = queue, .n_items = 200};
	GThread *thread = g_thread_new ("producer", producer_thread, &data);
	guint expected = 1;
	gpointer item;

	while ((item = ohe_bounded_queue_pop (queue)) != NULL) {
		g_assert_cmpuint (GPOINTER_TO_UINT (item), ==, expected);
		expected++;
		/* a slow consumer: the producer must wait, not pile up */
		if (expected % 20 == 0)
			g_usleep (2000);
	}
	g_thread_join (thread);
	g_assert_cmpuint (expected - 1, ==, 200);
	g_assert_false (data.push_failed);
	g_assert_cmpuint (ohe_bounded_queue_get_high_water (queue), <=, 3);
	g_assert_cmpuint (ohe_bounded_queue_get_high_water (queue), >=, 1);
	g_assert_cmpint (ohe_bounded_queue_get_blocked_us (queue), >, 0);
	/* the end is sticky */
	g_assert_null (ohe_bounded_queue_pop (queue));
}

static void
test_bounded_queue_abort_wakes_producer (void)
{
	g_autoptr(OheBoundedQueue) queue = ohe_bounded_queue_new (2, NULL);
	ProducerData data = {.queue = queue, .n_items = 100};
	GThread *thread = g_thread_new ("producer", producer_thread, &data);

	/* let the producer fill the queue and block */
	while (ohe_bounded_queue_get_high_water (queue) < 2)
		g_usleep (1000);
	g_usleep (10000);
	g_assert_cmpuint (data.pushed, ==, 2);
	ohe_bounded_queue_abort (queue);
	g_thread_join (thread);
	g_assert_true (data.push_failed);
	g_assert_null (ohe_bounded_queue_pop (queue));
}

static gint freed_items = 0;

static void
count_free (gpointer item)
{
	g_atomic_int_inc (&freed_items);
	g_free (item);
}

static void
test_bounded_queue_frees_leftovers (void)
{
	OheBoundedQueue *queue = ohe_bounded_queue_new (4, count_free);
	freed_items = 0;
	g_assert_true (ohe_bounded_queue_push (queue, g_strdup ("a")));
	g_assert_true (ohe_bounded_queue_push (queue, g_strdup ("b")));
	ohe_bounded_queue_abort (queue);
	/* pushing after abort frees the item and reports failure */
	g_assert_false (ohe_bounded_queue_push (queue, g_strdup ("c")));
	g_assert_cmpint (freed_items, ==, 1);
	ohe_bounded_queue_free (queue);
	g_assert_cmpint (freed_items, ==, 3);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
	g_test_add_func ("/bounded-queue/backpressure", test_bounded_queue_backpressure);
	g_test_add_func ("/bounded-queue/abort", test_bounded_queue_abort_wakes_producer);
	g_test_add_func ("/bounded-queue/leftovers", test_bounded_queue_frees_leftovers);
	return g_test_run ();
}
