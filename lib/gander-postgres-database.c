/* gander-postgres-database.c: to be written */
#include "config.h"
