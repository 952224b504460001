/* SPDX-License-Identifier: MIT */
/*
 * qr.h - a QR Code encoder (ISO/IEC 18004:2015), pure: bytes in, a matrix of
 * modules out. Byte mode, error correction level M (about 15% of the
 * codewords can be lost), versions 1 to 40, and the mask chosen by the
 * standard's penalty rules (7.8.3) unless the caller forces one.
 *
 * Used by the layout screen (core/report/screenqr.c) to hand the run's summary to a
 * phone; host-tested against codes made by another encoder and decoded by
 * zbarimg (tests/unit/test_qr.c).
 */
#ifndef ATLAS_QR_H
#define ATLAS_QR_H

#include <stddef.h>
#include <stdint.h>

#define QR_VERSION_MIN 1
#define QR_VERSION_MAX 40
#define QR_SIZE(v) (17 + 4 * (v))
#define QR_SIZE_MAX QR_SIZE(QR_VERSION_MAX)
#define QR_CODEWORDS_MAX 3706 /* version 40 */
#define QR_MASK_AUTO (-1)
#define QR_QUIET_ZONE 4 /* light modules around the symbol that a reader needs */

struct qr {
	int version, size, mask;
	uint8_t dark[QR_SIZE_MAX * QR_SIZE_MAX];     /* row-major, 1 = dark */
	uint8_t function[QR_SIZE_MAX * QR_SIZE_MAX]; /* 1 = finder, timing, alignment, format or version */
	uint8_t codewords[QR_CODEWORDS_MAX];
	uint8_t scratch[QR_CODEWORDS_MAX];
};

/* Bytes byte mode carries at level M in version v (0 outside 1..40). */
size_t qr_capacity(int version);

/*
 * Encode data[0..len) in the smallest version from min_version to
 * max_version that holds it, with mask 0..7 or QR_MASK_AUTO. Returns 0 with
 * *q filled, -EMSGSIZE when even max_version is too small, -EINVAL for bad
 * arguments.
 */
int qr_encode(const uint8_t *data, size_t len, int min_version, int max_version, int mask, struct qr *q);

/* 1 when module (x, y) is dark; 0 (light) outside the symbol, so quiet zones need no care. */
int qr_module(const struct qr *q, int x, int y);

/* The penalty score of q's matrix as 7.8.3 computes it (for tests and mask choice). */
long qr_penalty(const struct qr *q);

#endif
