/* gander-migration.c: to be written */
#include "config.h"
