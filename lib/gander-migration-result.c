/* gander-migration-result.c: to be written */
#include "config.h"
