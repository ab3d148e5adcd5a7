/* gander-migration-status.c: to be written */
#include "config.h"
