/* gander-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gander-error.h"

/**
 * gander_error_quark:
 *
 * The quark of the %GANDER_ERROR domain.
 *
 * Returns: the error quark
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gander-error-quark, gander_error)
