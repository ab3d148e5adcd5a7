/* gander-sqlite-database.c: to be written */
#include "config.h"
