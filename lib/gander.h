/* gander.h: the libgander umbrella header
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define GANDER_INSIDE
#include "gander-version-macros.h"
#include "gander-error.h"
#include "gander-enums.h"
#include "gander-enum-types.h"
#include "gander-sql-parser.h"
#include "gander-migration.h"
#include "gander-source.h"
#include "gander-validation.h"
#include "gander-database.h"
#include "gander-sqlite-database.h"
#include "gander-postgres-database.h"
#include "gander-migration-result.h"
#include "gander-migration-status.h"
#include "gander-plan.h"
#include "gander-run-options.h"
#include "gander-migrator.h"
#include "gander-profile.h"
#include "gander-metrics.h"
#include "gander-config.h"
#include "gander-circuit-breaker.h"
#include "gander-audit.h"
#include "gander-run-report.h"
#include "gander-manager.h"
#include "gander-backup-info.h"
#include "gander-backup.h"
#include "gander-health-result.h"
#include "gander-health.h"
#include "gander-linter.h"
#include "gander-credentials.h"
#undef GANDER_INSIDE
