/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define OHE_FHIR_HAVE_SHA_NI 1
#endif

#include "ohe-fhir-sha256.h"

/*
 * SHA-256 (FIPS 180-4) whose state can be copied and continued, which
 * libgcrypt cannot do without allocating a context: identifiers hash a
 * constant prefix once per series and then only each measurement's time.
 * The SHA extensions are used when the CPU has them.
 */

/* FIPS 180-4 §4.2.2 and §5.3.3 */
static const guint32 ohe_fhir_sha256_k[64] __attribute__ ((aligned (16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};
static const guint32 ohe_fhir_sha256_h0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#define OHE_FHIR_ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
ohe_fhir_sha256_blocks_portable (guint32 state[8], const guint8 *p, gsize n_blocks)
{
	for (; n_blocks > 0; n_blocks--, p += 64) {
		guint32 w[64];
		guint32 a = state[0], b = state[1], c = state[2], d = state[3];
		guint32 e = state[4], f = state[5], g = state[6], h = state[7];

		for (guint t = 0; t < 16; t++)
			w[t] = (guint32)p[4 * t] << 24 | (guint32)p[4 * t + 1] << 16 |
			       (guint32)p[4 * t + 2] << 8 | (guint32)p[4 * t + 3];
		for (guint t = 16; t < 64; t++) {
			guint32 s0 = OHE_FHIR_ROTR (w[t - 15], 7) ^ OHE_FHIR_ROTR (w[t - 15], 18) ^
				     (w[t - 15] >> 3);
			guint32 s1 = OHE_FHIR_ROTR (w[t - 2], 17) ^ OHE_FHIR_ROTR (w[t - 2], 19) ^
				     (w[t - 2] >> 10);
			w[t] = w[t - 16] + s0 + w[t - 7] + s1;
		}
		for (guint t = 0; t < 64; t++) {
			guint32 s1 =
			    OHE_FHIR_ROTR (e, 6) ^ OHE_FHIR_ROTR (e, 11) ^ OHE_FHIR_ROTR (e, 25);
			guint32 ch = (e & f) ^ (~e & g);
			guint32 t1 = h + s1 + ch + ohe_fhir_sha256_k[t] + w[t];
			guint32 s0 =
			    OHE_FHIR_ROTR (a, 2) ^ OHE_FHIR_ROTR (a, 13) ^ OHE_FHIR_ROTR (a, 22);
			guint32 maj = (a & b) ^ (a & c) ^ (b & c);
			h = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + s0 + maj;
		}
		state[0] += a;
		state[1] += b;
		state[2] += c;
		state[3] += d;
		state[4] += e;
		state[5] += f;
		state[6] += g;
		state[7] += h;
	}
}

#ifdef OHE_FHIR_HAVE_SHA_NI
/*
 * The SHA extensions keep the state as ABEF and CDGH and take four message
 * words at a time; sha256msg1/msg2 extend the message schedule.
 */
__attribute__ ((target ("sha,sse4.1,ssse3"))) static void
ohe_fhir_sha256_blocks_sha_ni (guint32 state[8], const guint8 *p, gsize n_blocks)
{
	const __m128i swap = _mm_set_epi64x (0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i dcba = _mm_loadu_si128 ((const __m128i *)state);
	__m128i hgfe = _mm_loadu_si128 ((const __m128i *)(state + 4));
	__m128i cdab = _mm_shuffle_epi32 (dcba, 0xb1);
	__m128i efgh = _mm_shuffle_epi32 (hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8 (cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16 (efgh, cdab, 0xf0);
	__m128i feba;
	__m128i dchg;

	for (; n_blocks > 0; n_blocks--, p += 64) {
		__m128i w0 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *)p), swap);
		__m128i w1 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *)(p + 16)), swap);
		__m128i w2 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *)(p + 32)), swap);
		__m128i w3 = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *)(p + 48)), swap);
		__m128i abef_before = abef;
		__m128i cdgh_before = cdgh;

		for (guint i = 0; i < 16; i++) {
			__m128i k = _mm_load_si128 ((const __m128i *)(ohe_fhir_sha256_k + 4 * i));
			__m128i msg = _mm_add_epi32 (w0, k);
			__m128i next =
			    _mm_sha256msg2_epu32 (_mm_add_epi32 (_mm_sha256msg1_epu32 (w0, w1),
								 _mm_alignr_epi8 (w3, w2, 4)),
						  w3);
			cdgh = _mm_sha256rnds2_epu32 (cdgh, abef, msg);
			abef = _mm_sha256rnds2_epu32 (abef, cdgh, _mm_shuffle_epi32 (msg, 0x0e));
			w0 = w1;
			w1 = w2;
			w2 = w3;
			w3 = next;
		}
		abef = _mm_add_epi32 (abef, abef_before);
		cdgh = _mm_add_epi32 (cdgh, cdgh_before);
	}
	feba = _mm_shuffle_epi32 (abef, 0x1b);
	dchg = _mm_shuffle_epi32 (cdgh, 0xb1);
	_mm_storeu_si128 ((__m128i *)state, _mm_blend_epi16 (feba, dchg, 0xf0));
	_mm_storeu_si128 ((__m128i *)(state + 4), _mm_alignr_epi8 (dchg, feba, 8));
}

static gboolean
ohe_fhir_sha256_cpu_has_sha_ni (void)
{
	guint a, b, c, d;

	if (!__get_cpuid (1, &a, &b, &c, &d) || (c & bit_SSSE3) == 0 || (c & bit_SSE4_1) == 0)
		return FALSE;
	if (!__get_cpuid_count (7, 0, &a, &b, &c, &d))
		return FALSE;
	return (b & bit_SHA) != 0;
}
#endif

/* 0: not decided yet, 1: portable, 2: SHA extensions */
static gint ohe_fhir_sha256_mode;

static void
ohe_fhir_sha256_blocks (guint32 state[8], const guint8 *p, gsize n_blocks)
{
	gint mode = g_atomic_int_get (&ohe_fhir_sha256_mode);

	if (G_UNLIKELY (mode == 0)) {
		/* a race here is harmless: every thread decides the same */
		ohe_fhir_sha256_set_accelerated (TRUE);
		mode = g_atomic_int_get (&ohe_fhir_sha256_mode);
	}
#ifdef OHE_FHIR_HAVE_SHA_NI
	if (mode == 2) {
		ohe_fhir_sha256_blocks_sha_ni (state, p, n_blocks);
		return;
	}
#endif
	ohe_fhir_sha256_blocks_portable (state, p, n_blocks);
}

/**
 * ohe_fhir_sha256_set_accelerated:
 * @accelerated: whether to use the CPU's SHA extensions when it has them
 *
 * The SHA extensions are used by default; tests turn them off to check the
 * portable code on the same machine.
 *
 * Returns: %TRUE if the SHA extensions are in use now
 */
gboolean
ohe_fhir_sha256_set_accelerated (gboolean accelerated)
{
	gint mode = 1;

#ifdef OHE_FHIR_HAVE_SHA_NI
	if (accelerated && ohe_fhir_sha256_cpu_has_sha_ni ())
		mode = 2;
#endif
	g_atomic_int_set (&ohe_fhir_sha256_mode, mode);
	return mode == 2;
}

/**
 * ohe_fhir_sha256_init:
 * @self: (out caller-allocates): an #OheFhirSha256
 */
void
ohe_fhir_sha256_init (OheFhirSha256 *self)
{
	memcpy (self->h, ohe_fhir_sha256_h0, sizeof (self->h));
	self->length = 0;
}

/**
 * ohe_fhir_sha256_update:
 * @self: an #OheFhirSha256
 * @data: bytes to hash
 * @len: the number of bytes
 */
void
ohe_fhir_sha256_update (OheFhirSha256 *self, const void *data, gsize len)
{
	const guint8 *p = data;
	gsize used = (gsize)(self->length % 64);

	self->length += len;
	if (used > 0) {
		gsize take = MIN (64 - used, len);
		memcpy (self->buffer + used, p, take);
		p += take;
		len -= take;
		if (used + take < 64)
			return;
		ohe_fhir_sha256_blocks (self->h, self->buffer, 1);
	}
	if (len >= 64) {
		ohe_fhir_sha256_blocks (self->h, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	memcpy (self->buffer, p, len);
}

/*
 * Eight lowercase hex digits of @word, most significant first, without a
 * table lookup per digit: the nibbles are spread one per byte, then each
 * byte becomes '0' + n, plus 'a' - '0' - 10 where n > 9.
 */
static void
ohe_fhir_sha256_hex8 (guint32 word, gchar *out)
{
	guint64 x = word;
	guint64 letters;

	x = (x | x << 16) & G_GUINT64_CONSTANT (0x0000ffff0000ffff);
	x = (x | x << 8) & G_GUINT64_CONSTANT (0x00ff00ff00ff00ff);
	x = (x | x << 4) & G_GUINT64_CONSTANT (0x0f0f0f0f0f0f0f0f);
	/* x now has the last digit in its lowest byte: bring the first one first */
	x = GUINT64_SWAP_LE_BE (x);
	letters = ((x + G_GUINT64_CONSTANT (0x0606060606060606)) >> 4) &
		  G_GUINT64_CONSTANT (0x0101010101010101);
	x += G_GUINT64_CONSTANT (0x3030303030303030) + letters * ('a' - '0' - 10);
	x = GUINT64_TO_LE (x);
	memcpy (out, &x, 8);
}

/**
 * ohe_fhir_sha256_finish_hex:
 * @self: an #OheFhirSha256; its state is used up
 * @hex: (out caller-allocates): 65 bytes for the lowercase hex digest and its nul
 */
void
ohe_fhir_sha256_finish_hex (OheFhirSha256 *self, gchar hex[OHE_FHIR_ID_LEN + 1])
{
	gsize used = (gsize)(self->length % 64);
	guint64 bits = GUINT64_TO_BE (self->length * 8);

	self->buffer[used++] = 0x80;
	if (used > 56) {
		memset (self->buffer + used, 0, 64 - used);
		ohe_fhir_sha256_blocks (self->h, self->buffer, 1);
		used = 0;
	}
	memset (self->buffer + used, 0, 56 - used);
	memcpy (self->buffer + 56, &bits, 8);
	ohe_fhir_sha256_blocks (self->h, self->buffer, 1);
	for (guint i = 0; i < 8; i++)
		ohe_fhir_sha256_hex8 (self->h[i], hex + 8 * i);
	hex[OHE_FHIR_ID_LEN] = '\0';
}
