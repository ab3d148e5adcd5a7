/* gander-version-macros.h: symbol export and availability macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(GANDER_INSIDE) && !defined(GANDER_COMPILATION)
# error "Only <gander.h> can be included directly."
#endif

#include <glib.h>

#if defined(_WIN32)
# define _GANDER_EXTERN __declspec(dllexport) extern
#else
# define _GANDER_EXTERN __attribute__((visibility("default"))) extern
#endif

/**
 * GANDER_AVAILABLE_IN_ALL:
 *
 * Marks a symbol as exported by libgander since the first release.
 *
 * Since: 0.1
 */
#define GANDER_AVAILABLE_IN_ALL _GANDER_EXTERN

/**
 * GANDER_AVAILABLE_IN_0_2:
 *
 * Marks a symbol as exported by libgander since version 0.2.
 *
 * Since: 0.2
 */
#define GANDER_AVAILABLE_IN_0_2 _GANDER_EXTERN
